"""SetInstanceHealth through boto3: an instance marked Unhealthy is terminated and replaced, as AWS documents.

Run: PYTHONPATH=infra/local .venv/bin/python -m unittest discover -s infra/local/tests (make test does).
"""

import unittest

from botocore.exceptions import ClientError

from test_launches import GroupCase


class HealthTests(GroupCase):
    def members(self, name):
        group = self.asg.describe_auto_scaling_groups(AutoScalingGroupNames=[name])["AutoScalingGroups"][0]
        return {i["InstanceId"]: (i["LifecycleState"], i["HealthStatus"]) for i in group["Instances"]}

    def ec2_state(self, instance):
        reservations = self.ec2.describe_instances(InstanceIds=[instance])["Reservations"]
        return reservations[0]["Instances"][0]["State"]["Name"]

    def test_an_unhealthy_member_is_terminated_and_replaced(self):
        name = self.group(2)
        sick, well = sorted(self.members(name))
        self.asg.set_instance_health(InstanceId=sick, HealthStatus="Unhealthy", ShouldRespectGracePeriod=False)
        after = self.members(name)
        self.assertNotIn(sick, after)
        self.assertEqual(len(after), 2)
        self.assertEqual(after[well], ("InService", "Healthy"))
        self.assertEqual(self.ec2_state(sick), "terminated")

    def test_a_suspended_replace_unhealthy_keeps_the_instance_marked(self):
        name = self.group(1)
        (instance,) = self.members(name)
        self.asg.suspend_processes(AutoScalingGroupName=name, ScalingProcesses=["ReplaceUnhealthy"])
        self.asg.set_instance_health(InstanceId=instance, HealthStatus="Unhealthy")
        self.assertEqual(self.members(name), {instance: ("InService", "Unhealthy")})

    def test_an_unhealthy_warm_pool_instance_is_deleted_and_the_pool_refilled(self):
        name = self.group(0)
        self.asg.put_warm_pool(AutoScalingGroupName=name, MinSize=2, MaxGroupPreparedCapacity=2)
        pool = lambda: {i["InstanceId"] for i in self.asg.describe_warm_pool(AutoScalingGroupName=name)["Instances"]}
        before = pool()
        sick = sorted(before)[0]
        self.asg.set_instance_health(InstanceId=sick, HealthStatus="Unhealthy")
        after = pool()
        self.assertEqual(len(after), 2)
        self.assertNotIn(sick, after)
        self.assertEqual(self.ec2_state(sick), "terminated")

    def test_an_instance_no_group_manages_is_refused(self):
        with self.assertRaises(ClientError) as e:
            self.asg.set_instance_health(InstanceId="i-0000000000000dead", HealthStatus="Unhealthy")
        self.assertIn("No managed instance found for instance ID: i-0000000000000dead", str(e.exception))


if __name__ == "__main__":
    unittest.main()
