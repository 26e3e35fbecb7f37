"""Asynchronous Lambda invocations on the OS-only runtimes, through boto3: the function's own bootstrap runs behind a
local Runtime API; errors are retried MaximumRetryAttempts times, then the event and the error reach the on-failure
destination as Lambda's invocation record. The scaling guard's own binary, given an event that is no CloudTrail record,
ends there with its reason.

Run: PYTHONPATH=infra/local .venv/bin/python -m unittest discover -s infra/local/tests (make test does, after building
the scaling-guard binary; SCALEGATE_GUARD_BOOTSTRAP names it).
"""

import io
import json
import os
import sys
import time
import unittest
import uuid
import zipfile

from test_launches import Emulator

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))

# A function in a few lines of Python, speaking the Runtime API: fails on {"fail": true}, answers otherwise.
SCRIPT = f"""#!{sys.executable}
import json, os, urllib.request
api = "http://" + os.environ["AWS_LAMBDA_RUNTIME_API"] + "/2018-06-01/runtime/invocation/"
while True:
    with urllib.request.urlopen(api + "next") as r:
        rid = r.headers["Lambda-Runtime-Aws-Request-Id"]
        event = json.loads(r.read())
    if event.get("fail"):
        body, path = {{"errorMessage": "told to fail", "errorType": "Refused"}}, rid + "/error"
    else:
        body, path = {{"echo": event, "variable": os.environ.get("GREETING")}}, rid + "/response"
    urllib.request.urlopen(urllib.request.Request(api + path, data=json.dumps(body).encode(), method="POST"))
"""


def zipped(name, content, mode=0o755):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        info = zipfile.ZipInfo(name)
        info.external_attr = mode << 16
        z.writestr(info, content)
    return buffer.getvalue()


class LambdaAsyncTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.emulator = Emulator()
        cls.awslambda = cls.emulator.client("lambda")
        cls.sqs = cls.emulator.client("sqs")
        trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
        cls.role = cls.emulator.client("iam").create_role(
            RoleName=f"scalegate-async-{uuid.uuid4().hex[:8]}", AssumeRolePolicyDocument=json.dumps(trust)
        )["Role"]["Arn"]

    @classmethod
    def tearDownClass(cls):
        cls.emulator.stop()

    def queue(self):
        url = self.sqs.create_queue(QueueName=f"q-{uuid.uuid4().hex[:8]}")["QueueUrl"]
        arn = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        return url, arn

    def function(self, code, retries, on_failure=None, on_success=None, environment=None, timeout=10):
        name = f"fn-{uuid.uuid4().hex[:8]}"
        self.awslambda.create_function(
            FunctionName=name,
            Runtime="provided.al2023",
            Handler="bootstrap",
            Role=self.role,
            Code={"ZipFile": code},
            Timeout=timeout,
            Environment={"Variables": environment or {}},
        )
        destinations = {}
        if on_failure:
            destinations["OnFailure"] = {"Destination": on_failure}
        if on_success:
            destinations["OnSuccess"] = {"Destination": on_success}
        self.awslambda.put_function_event_invoke_config(
            FunctionName=name, MaximumRetryAttempts=retries, DestinationConfig=destinations
        )
        return name

    def record(self, url, within=90):
        deadline = time.time() + within
        while time.time() < deadline:
            got = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1, WaitTimeSeconds=1).get("Messages", [])
            if got:
                return json.loads(got[0]["Body"])
        self.fail(f"no invocation record in {within} s")

    def test_a_failing_event_is_retried_then_lands_in_the_on_failure_destination_with_its_error(self):
        url, arn = self.queue()
        name = self.function(zipped("bootstrap", SCRIPT), retries=2, on_failure=arn)
        answer = self.awslambda.invoke(FunctionName=name, InvocationType="Event", Payload=json.dumps({"fail": True}))
        self.assertEqual(answer["StatusCode"], 202)
        record = self.record(url)
        self.assertEqual(record["requestContext"]["condition"], "RetriesExhausted")
        self.assertEqual(record["requestContext"]["approximateInvokeCount"], 3, "the first attempt and two retries")
        self.assertEqual(record["requestPayload"], {"fail": True})
        self.assertEqual(record["responseContext"]["functionError"], "Unhandled")
        self.assertEqual(record["responsePayload"], {"errorMessage": "told to fail", "errorType": "Refused"})

    def test_no_retry_when_the_config_says_none_and_success_goes_to_its_own_destination(self):
        failures, failures_arn = self.queue()
        successes, successes_arn = self.queue()
        name = self.function(
            zipped("bootstrap", SCRIPT), retries=0, on_failure=failures_arn, on_success=successes_arn,
            environment={"GREETING": "hello"},
        )
        self.awslambda.invoke(FunctionName=name, InvocationType="Event", Payload=json.dumps({"fail": True}))
        self.assertEqual(self.record(failures)["requestContext"]["approximateInvokeCount"], 1)
        self.awslambda.invoke(FunctionName=name, InvocationType="Event", Payload=json.dumps({"n": 1}))
        record = self.record(successes)
        self.assertEqual(record["requestContext"]["condition"], "Success")
        self.assertEqual(record["responsePayload"], {"echo": {"n": 1}, "variable": "hello"}, "its environment")

    def test_a_package_without_bootstrap_fails_as_lambda_says(self):
        url, arn = self.queue()
        name = self.function(zipped("handler.py", "print(1)"), retries=0, on_failure=arn)
        self.awslambda.invoke(FunctionName=name, InvocationType="Event", Payload=json.dumps({}))
        self.assertEqual(self.record(url)["responsePayload"]["errorType"], "Runtime.InvalidEntrypoint")

    def test_the_scaling_guard_sends_an_event_it_cannot_read_to_its_failures_queue_with_the_reason(self):
        target = os.environ.get("CARGO_TARGET_DIR") or os.path.join(ROOT, "target")
        binary = os.environ.get("SCALEGATE_GUARD_BOOTSTRAP") or os.path.join(target, "debug", "scaling-guard")
        if not os.path.exists(binary):
            self.fail(f"{binary} is missing: build it with `cargo build -p scaling-guard` (make test does)")
        with open(binary, "rb") as f:
            code = zipped("bootstrap", f.read())
        url, arn = self.queue()
        name = self.function(code, retries=2, on_failure=arn, timeout=30)
        event = {"version": "0", "detail-type": "Scheduled Event", "source": "aws.events", "detail": {}}
        self.awslambda.invoke(FunctionName=name, InvocationType="Event", Payload=json.dumps(event))
        record = self.record(url, within=180)
        self.assertEqual(record["requestContext"]["condition"], "RetriesExhausted")
        self.assertEqual(record["requestPayload"], event)
        self.assertIn("not a CloudTrail record the guard can judge", record["responsePayload"]["errorMessage"])


if __name__ == "__main__":
    unittest.main()
