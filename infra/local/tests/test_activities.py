"""DescribeScalingActivities for launches, and the alarms of target tracking policies, through boto3.

Run: PYTHONPATH=infra/local .venv/bin/python -m unittest discover -s infra/local/tests (make test does).
"""

import unittest

from test_launches import GroupCase


class ActivityTests(GroupCase):
    def activities(self, name, **page):
        return self.asg.describe_scaling_activities(AutoScalingGroupName=name, **page)

    def test_a_launch_without_hooks_ends_successful_at_once(self):
        name = self.group(desired=2)
        found = self.activities(name)["Activities"]
        self.assertEqual(len(found), 2)
        for a in found:
            self.assertRegex(a["Description"], r"^Launching a new EC2 instance: i-[0-9a-f]+$")
            self.assertEqual((a["StatusCode"], a["Progress"], a["AutoScalingGroupName"]), ("Successful", 100, name))
            self.assertGreaterEqual(a["EndTime"], a["StartTime"])
            self.assertIn("increasing the capacity from 0 to 2", a["Cause"])
            self.assertIn("changing the desired capacity from 0 to 2.", a["Cause"])

    def test_a_launch_hook_holds_the_activity_until_it_is_answered(self):
        name = self.group()
        for result in ("CONTINUE", "ABANDON"):
            hook = f"gate-{result.lower()}"
            self.asg.put_lifecycle_hook(
                AutoScalingGroupName=name,
                LifecycleHookName=hook,
                LifecycleTransition="autoscaling:EC2_INSTANCE_LAUNCHING",
                HeartbeatTimeout=300,
                DefaultResult="ABANDON",
            )
            before = {a["ActivityId"] for a in self.activities(name)["Activities"]}
            self.asg.set_desired_capacity(AutoScalingGroupName=name, DesiredCapacity=len(before) + 1 if result == "CONTINUE" else 2)
            new = [a for a in self.activities(name)["Activities"] if a["ActivityId"] not in before]
            self.assertEqual([a["StatusCode"] for a in new], ["MidLifecycleAction"])
            self.assertNotIn("EndTime", new[0])
            instance = new[0]["Description"].rsplit(" ", 1)[-1]
            self.asg.complete_lifecycle_action(
                AutoScalingGroupName=name, LifecycleHookName=hook, LifecycleActionResult=result, InstanceId=instance
            )
            done = next(a for a in self.activities(name)["Activities"] if a["ActivityId"] == new[0]["ActivityId"])
            self.assertEqual(done["StatusCode"], "Successful" if result == "CONTINUE" else "Cancelled")
            self.assertIn("EndTime", done)
            self.asg.delete_lifecycle_hook(AutoScalingGroupName=name, LifecycleHookName=hook)

    def test_warm_pool_launches_say_so_and_pages_follow_next_token(self):
        name = self.group()
        self.asg.put_warm_pool(AutoScalingGroupName=name, MinSize=3, MaxGroupPreparedCapacity=3)
        self.asg.set_desired_capacity(AutoScalingGroupName=name, DesiredCapacity=1)
        descriptions = [a["Description"] for a in self.activities(name)["Activities"]]
        self.assertEqual(sum("into warm pool" in d for d in descriptions), 3 + 1, descriptions)  # refilled after use
        self.assertEqual(sum("from warm pool" in d for d in descriptions), 1, descriptions)
        first = self.activities(name, MaxRecords=2)
        self.assertEqual(len(first["Activities"]), 2)
        rest = self.activities(name, MaxRecords=2, NextToken=first["NextToken"])
        seen = [a["ActivityId"] for a in first["Activities"] + rest["Activities"]]
        self.assertEqual(len(set(seen)), 4)
        starts = [a["StartTime"] for a in first["Activities"] + rest["Activities"]]
        self.assertEqual(starts, sorted(starts, reverse=True), "newest first")


    def test_a_target_tracking_policy_gets_its_two_alarms(self):
        name = self.group()
        self.asg.put_scaling_policy(
            AutoScalingGroupName=name,
            PolicyName="cpu50",
            PolicyType="TargetTrackingScaling",
            TargetTrackingConfiguration={
                "PredefinedMetricSpecification": {"PredefinedMetricType": "ASGAverageCPUUtilization"},
                "TargetValue": 50.0,
            },
        )
        policy = self.asg.describe_policies(AutoScalingGroupName=name)["ScalingPolicies"][0]
        names = sorted(a["AlarmName"] for a in policy["Alarms"])
        self.assertEqual(len(names), 2)
        self.assertTrue(names[0].startswith(f"TargetTracking-{name}-AlarmHigh-"), names)
        watch = self.emulator.client("cloudwatch")
        alarms = {a["AlarmName"]: a for a in watch.describe_alarms(AlarmNames=names)["MetricAlarms"]}
        high, low = alarms[names[0]], alarms[names[1]]
        self.assertEqual((high["Threshold"], high["EvaluationPeriods"], high["DatapointsToAlarm"], high["ComparisonOperator"]), (50.0, 3, 3, "GreaterThanThreshold"))
        self.assertEqual((low["Threshold"], low["EvaluationPeriods"], low["ComparisonOperator"]), (45.0, 15, "LessThanThreshold"))
        self.assertEqual((high["Namespace"], high["MetricName"], high["Dimensions"]), ("AWS/EC2", "CPUUtilization", [{"Name": "AutoScalingGroupName", "Value": name}]))
        self.assertEqual(high["AlarmActions"], [policy["PolicyARN"]])
        # Put again with scale-in disabled: the alarms are replaced, and there is no low one.
        self.asg.put_scaling_policy(
            AutoScalingGroupName=name,
            PolicyName="cpu50",
            PolicyType="TargetTrackingScaling",
            TargetTrackingConfiguration={
                "PredefinedMetricSpecification": {"PredefinedMetricType": "ASGAverageCPUUtilization"},
                "TargetValue": 60.0,
                "DisableScaleIn": True,
            },
        )
        policy = self.asg.describe_policies(AutoScalingGroupName=name)["ScalingPolicies"][0]
        self.assertEqual(len(policy["Alarms"]), 1)
        self.assertEqual(watch.describe_alarms(AlarmNames=names)["MetricAlarms"], [], "the old alarms are gone")
        left = [a["AlarmName"] for a in policy["Alarms"]]
        self.asg.delete_policy(AutoScalingGroupName=name, PolicyName="cpu50")
        self.assertEqual(watch.describe_alarms(AlarmNames=left)["MetricAlarms"], [], "deleted with the policy")


    def test_a_request_count_policy_watches_its_target_group_as_cloudwatch_names_it(self):
        name = self.group()
        label = "app/web/50dc6c495c0c9188/targetgroup/web-tg/943f017f100becff"
        self.asg.put_scaling_policy(
            AutoScalingGroupName=name,
            PolicyName="requests",
            PolicyType="TargetTrackingScaling",
            TargetTrackingConfiguration={
                "PredefinedMetricSpecification": {"PredefinedMetricType": "ALBRequestCountPerTarget", "ResourceLabel": label},
                "TargetValue": 1000.0,
            },
        )
        policy = self.asg.describe_policies(AutoScalingGroupName=name)["ScalingPolicies"][0]
        names = [a["AlarmName"] for a in policy["Alarms"]]
        alarm = self.emulator.client("cloudwatch").describe_alarms(AlarmNames=names)["MetricAlarms"][0]
        self.assertEqual((alarm["Namespace"], alarm["MetricName"]), ("AWS/ApplicationELB", "RequestCountPerTarget"))
        self.assertEqual(alarm["Dimensions"], [{"Name": "TargetGroup", "Value": "targetgroup/web-tg/943f017f100becff"}])


if __name__ == "__main__":
    unittest.main()
