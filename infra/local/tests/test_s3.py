"""S3 as the configuration bucket uses it: lifecycle rules read back as written, versions, conditional reads."""
import unittest
import uuid

from botocore.exceptions import ClientError

from test_launches import Emulator


class S3Tests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.emulator = Emulator()
        cls.s3 = cls.emulator.client("s3")

    @classmethod
    def tearDownClass(cls):
        cls.emulator.stop()

    def bucket(self):
        name = f"scalegate-test-config-{uuid.uuid4().hex[:8]}"
        self.s3.create_bucket(Bucket=name)
        self.s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
        return name

    def test_newer_noncurrent_versions_reads_back_as_written(self):
        bucket = self.bucket()
        rule = {
            "ID": "keep-recent-versions",
            "Status": "Enabled",
            "Filter": {},
            "NoncurrentVersionExpiration": {"NoncurrentDays": 90, "NewerNoncurrentVersions": 20},
        }
        self.s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [rule]})
        got = self.s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"][0]
        self.assertEqual(got["NoncurrentVersionExpiration"], {"NoncurrentDays": 90, "NewerNoncurrentVersions": 20})
        # A rule without it stays without it.
        del rule["NoncurrentVersionExpiration"]["NewerNoncurrentVersions"]
        self.s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [rule]})
        got = self.s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"][0]
        self.assertEqual(got["NoncurrentVersionExpiration"], {"NoncurrentDays": 90})

    def test_a_conditional_read_of_the_current_version_is_not_modified(self):
        bucket = self.bucket()
        first = self.s3.put_object(Bucket=bucket, Key="gate-rules.toml", Body=b"mode = 'enforce'\n")
        with self.assertRaises(ClientError) as raised:
            self.s3.get_object(Bucket=bucket, Key="gate-rules.toml", IfNoneMatch=first["ETag"])
        self.assertEqual(raised.exception.response["ResponseMetadata"]["HTTPStatusCode"], 304)
        second = self.s3.put_object(Bucket=bucket, Key="gate-rules.toml", Body=b"mode = 'report-only'\n")
        got = self.s3.get_object(Bucket=bucket, Key="gate-rules.toml", IfNoneMatch=first["ETag"])
        self.assertEqual(got["VersionId"], second["VersionId"])
        self.assertNotEqual(first["VersionId"], second["VersionId"])


if __name__ == "__main__":
    unittest.main()
