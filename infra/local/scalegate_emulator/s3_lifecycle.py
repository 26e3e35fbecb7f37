"""S3 lifecycle rules keep NewerNoncurrentVersions on NoncurrentVersionExpiration.

AWS stores it ("the number of noncurrent versions Amazon S3 will retain", 1-100) and returns it from
GetBucketLifecycleConfiguration; moto keeps it only on noncurrent-version transitions, so a client that writes a rule
and waits to read the same rule back (the Terraform provider does) never sees it. The value is kept per rule id and
added to the rule it belongs to on the way out.
"""
from moto.s3 import models, responses


def install():
    original_set = models.FakeBucket.set_lifecycle
    original_get = responses.S3Response.get_bucket_lifecycle

    def set_lifecycle(self, rules):
        original_set(self, rules)
        for stored, given in zip(self.rules, rules):
            newer = (given.get("NoncurrentVersionExpiration") or {}).get("NewerNoncurrentVersions")
            stored.nve_newer_versions = int(newer) if newer is not None else None

    def get_bucket_lifecycle(self):
        newer = {
            r.id: getattr(r, "nve_newer_versions", None)
            for r in (self.backend.get_bucket_lifecycle(self.bucket_name) or [])
        }
        serialized = self.serialized

        def with_newer(action_result):
            for rule in action_result.result["Rules"]:
                expiration = rule.get("NoncurrentVersionExpiration")
                if expiration is not None and newer.get(rule["ID"]) is not None:
                    expiration["NewerNoncurrentVersions"] = newer[rule["ID"]]
            return serialized(action_result)

        self.serialized = with_newer
        try:
            return original_get(self)
        finally:
            del self.serialized

    models.FakeBucket.set_lifecycle = set_lifecycle
    responses.S3Response.get_bucket_lifecycle = get_bucket_lifecycle
