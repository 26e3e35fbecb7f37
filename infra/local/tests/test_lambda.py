"""Lambda as the deployments use it: event sources invoke a function's alias, and say so when read back."""
import io
import json
import unittest
import uuid
import zipfile

from test_launches import Emulator


def package():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("bootstrap", "#!/bin/sh\n")
    return buffer.getvalue()


class EventSourceMappingTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.emulator = Emulator()
        cls.awslambda = cls.emulator.client("lambda")
        cls.sqs = cls.emulator.client("sqs")
        cls.iam = cls.emulator.client("iam")

    @classmethod
    def tearDownClass(cls):
        cls.emulator.stop()

    def function_with_alias(self):
        name = f"scalegate-test-{uuid.uuid4().hex[:8]}"
        trust = {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
        role = self.iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
        fn = self.awslambda.create_function(
            FunctionName=name, Runtime="provided.al2023", Role=role, Handler="bootstrap",
            Code={"ZipFile": package()}, Publish=True)
        alias = self.awslambda.create_alias(FunctionName=name, Name="live", FunctionVersion=fn["Version"])
        queue = self.sqs.create_queue(QueueName=name)["QueueUrl"]
        queue_arn = self.sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        return name, fn, alias, queue_arn

    def test_a_mapping_made_for_an_alias_reports_the_alias(self):
        for form in ["arn", "name:alias"]:
            with self.subTest(form=form):
                name, _, alias, queue_arn = self.function_with_alias()
                target = alias["AliasArn"] if form == "arn" else f"{name}:live"
                made = self.awslambda.create_event_source_mapping(EventSourceArn=queue_arn, FunctionName=target, BatchSize=10)
                self.assertEqual(made["FunctionArn"], alias["AliasArn"])
                read = self.awslambda.get_event_source_mapping(UUID=made["UUID"])
                self.assertEqual(read["FunctionArn"], alias["AliasArn"])

    def test_a_mapping_made_for_a_version_or_the_function_keeps_that(self):
        name, fn, _, queue_arn = self.function_with_alias()
        made = self.awslambda.create_event_source_mapping(EventSourceArn=queue_arn, FunctionName=f"{name}:{fn['Version']}")
        self.assertTrue(made["FunctionArn"].endswith(f":{name}:{fn['Version']}"), made["FunctionArn"])


if __name__ == "__main__":
    unittest.main()
