"""CloudTrail's event history through boto3: Auto Scaling calls are recorded with their caller, LookupEvents filters
them as AWS documents.

Run: PYTHONPATH=infra/local .venv/bin/python -m unittest discover -s infra/local/tests (make test does).
"""

import datetime
import json
import unittest

from botocore.exceptions import ClientError

from test_launches import GroupCase


class CloudTrailHistoryTests(GroupCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.trail = cls.emulator.client("cloudtrail")
        iam = cls.emulator.client("iam")
        iam.create_user(UserName="ops-alice")
        key = iam.create_access_key(UserName="ops-alice")["AccessKey"]
        cls.alice = cls.emulator.client("autoscaling", key=key["AccessKeyId"], secret=key["SecretAccessKey"])
        role = iam.create_role(RoleName="deployer", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
        creds = cls.emulator.client("sts").assume_role(RoleArn=role, RoleSessionName="pipeline-42")["Credentials"]
        cls.deployer = cls.emulator.client(
            "autoscaling", key=creds["AccessKeyId"], secret=creds["SecretAccessKey"], token=creds["SessionToken"]
        )

    def lookup(self, **kwargs):
        return self.trail.lookup_events(**kwargs)["Events"]

    def test_a_call_is_recorded_with_its_caller_and_typed_parameters(self):
        name = self.group()
        self.alice.set_desired_capacity(AutoScalingGroupName=name, DesiredCapacity=3, HonorCooldown=False)
        self.deployer.update_auto_scaling_group(AutoScalingGroupName=name, MinSize=1, MaxSize=5)
        events = self.lookup(LookupAttributes=[{"AttributeKey": "ResourceName", "AttributeValue": name}])
        # Newest first: the deployer's update, alice's capacity, the group's creation.
        self.assertEqual([e["EventName"] for e in events], ["UpdateAutoScalingGroup", "SetDesiredCapacity", "CreateAutoScalingGroup"])
        update, capacity = (json.loads(e["CloudTrailEvent"]) for e in events[:2])
        self.assertEqual(capacity["userIdentity"]["type"], "IAMUser")
        self.assertEqual(capacity["userIdentity"]["arn"], "arn:aws:iam::123456789012:user/ops-alice")
        self.assertEqual(capacity["requestParameters"], {"autoScalingGroupName": name, "desiredCapacity": 3, "honorCooldown": False})
        self.assertEqual(update["userIdentity"]["type"], "AssumedRole")
        self.assertEqual(update["userIdentity"]["arn"], "arn:aws:sts::123456789012:assumed-role/deployer/pipeline-42")
        self.assertEqual(update["userIdentity"]["sessionContext"]["sessionIssuer"]["arn"], "arn:aws:iam::123456789012:role/deployer")
        self.assertEqual(events[0]["Username"], "pipeline-42")
        self.assertEqual(events[1]["Username"], "ops-alice")
        # Lists keep their order and nest as CloudTrail writes them.
        self.asg.create_or_update_tags(
            Tags=[{"ResourceId": name, "ResourceType": "auto-scaling-group", "Key": "team", "Value": "a", "PropagateAtLaunch": True}]
        )
        tags = json.loads(self.lookup(LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": "CreateOrUpdateTags"}])[0]["CloudTrailEvent"])
        self.assertEqual(tags["requestParameters"]["tags"][0]["key"], "team")
        self.assertIs(tags["requestParameters"]["tags"][0]["propagateAtLaunch"], True)

    def test_reads_are_left_out_and_a_failure_keeps_its_error(self):
        self.asg.describe_auto_scaling_groups()
        with self.assertRaises(ClientError):
            self.asg.set_instance_health(InstanceId="i-0000000000000dead", HealthStatus="Unhealthy")
        named = lambda name: self.lookup(LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": name}])
        self.assertEqual(named("DescribeAutoScalingGroups"), [])
        events = named("SetInstanceHealth")
        self.assertEqual(len(events), 1)
        failed = json.loads(events[0]["CloudTrailEvent"])
        self.assertEqual(failed["errorCode"], "ValidationError")
        self.assertIn("i-0000000000000dead", failed["errorMessage"])

    def test_time_range_paging_and_bad_lookups(self):
        name = self.group()
        for n in range(3):
            self.asg.set_desired_capacity(AutoScalingGroupName=name, DesiredCapacity=n)
        by_name = [{"AttributeKey": "ResourceName", "AttributeValue": name}]
        first = self.trail.lookup_events(LookupAttributes=by_name, MaxResults=2)
        self.assertEqual(len(first["Events"]), 2)
        # A call made between pages does not shift them: the token keeps the first page's end.
        self.asg.set_desired_capacity(AutoScalingGroupName=name, DesiredCapacity=5)
        rest = self.trail.lookup_events(LookupAttributes=by_name, MaxResults=2, NextToken=first["NextToken"])
        self.assertEqual(len(rest["Events"]), 2)
        self.assertNotIn("NextToken", rest)
        ids = [e["EventId"] for e in first["Events"] + rest["Events"]]
        self.assertEqual(len(set(ids)), 4)
        later = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1)
        self.assertEqual(self.lookup(LookupAttributes=by_name, StartTime=later, EndTime=later + datetime.timedelta(hours=1)), [])
        with self.assertRaises(ClientError) as bad:
            self.lookup(StartTime=later, EndTime=later - datetime.timedelta(hours=2))
        self.assertEqual(bad.exception.response["Error"]["Code"], "InvalidTimeRangeException")
        with self.assertRaises(ClientError) as two:
            self.lookup(LookupAttributes=by_name + [{"AttributeKey": "EventName", "AttributeValue": "SetDesiredCapacity"}])
        self.assertEqual(two.exception.response["Error"]["Code"], "InvalidLookupAttributesException")


if __name__ == "__main__":
    unittest.main()
