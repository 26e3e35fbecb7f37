"""Target tracking policies with the two CloudWatch alarms Auto Scaling makes for them (moto makes none).

AWS creates, for each target tracking policy, an alarm that scales out and one that scales in, named
`TargetTracking-<group>-AlarmHigh-<uuid>` and `…-AlarmLow-<uuid>`, and lists them in the policy's `Alarms`
(DescribePolicies). AWS does not publish their settings; these are the commonly observed ones: above the target for
3 of 3 one-minute datapoints, below 90 % of it for 15 of 15 (no low alarm with DisableScaleIn). A predefined metric
becomes its AWS metric for the group; a customized one is used as given. Re-putting the policy replaces its alarms; deleting it deletes them.
"""

import uuid

from moto.cloudwatch.models import cloudwatch_backends
from moto.core.responses import ActionResult

from .state import ORIGINAL, lock

PREDEFINED = {
    "ASGAverageCPUUtilization": ("AWS/EC2", "CPUUtilization", "Average"),
    "ASGAverageNetworkIn": ("AWS/EC2", "NetworkIn", "Average"),
    "ASGAverageNetworkOut": ("AWS/EC2", "NetworkOut", "Average"),
    "ALBRequestCountPerTarget": ("AWS/ApplicationELB", "RequestCountPerTarget", "Sum"),
}


def _metric(group, config):
    predefined = config.get("PredefinedMetricSpecification") or {}
    if predefined:
        namespace, name, statistic = PREDEFINED.get(predefined.get("PredefinedMetricType"), ("AWS/EC2", "CPUUtilization", "Average"))
        if predefined.get("PredefinedMetricType") == "ALBRequestCountPerTarget":
            # ResourceLabel is app/<alb>/<id>/targetgroup/<tg>/<id>; CloudWatch names the target group
            # targetgroup/<tg>/<id>, the ARN's resource part.
            label = str(predefined.get("ResourceLabel", ""))
            dimensions = [{"Name": "TargetGroup", "Value": "targetgroup/" + label.split("/targetgroup/", 1)[-1]}]
        else:
            dimensions = [{"Name": "AutoScalingGroupName", "Value": group}]
        return namespace, name, statistic, dimensions
    custom = config.get("CustomizedMetricSpecification") or {}
    return (
        custom.get("Namespace", ""),
        custom.get("MetricName", ""),
        custom.get("Statistic", "Average"),
        [{"Name": d.get("Name"), "Value": d.get("Value")} for d in custom.get("Dimensions", []) or []],
    )


def _drop_alarms(self, name):
    watch = cloudwatch_backends[self.current_account][self.region]
    previous = self.autoscaling_backend.policies.get(name)
    for old in getattr(previous, "alarms", []) or []:
        watch.delete_alarms([old["AlarmName"]])


def delete_policy(self):
    """Deleting a target tracking policy deletes its alarms too."""
    with lock:
        _drop_alarms(self, self._get_param("PolicyName"))
    return ORIGINAL["delete_policy"](self)


def put_scaling_policy(self):
    params = self._get_params()
    name = params.get("PolicyName")
    watch = cloudwatch_backends[self.current_account][self.region]
    with lock:
        # moto replaces the policy object: its alarms go with the old one.
        _drop_alarms(self, name)
    result = ORIGINAL["put_scaling_policy"](self)
    if params.get("PolicyType") != "TargetTrackingScaling":
        return result
    group = params.get("AutoScalingGroupName")
    config = params.get("TargetTrackingConfiguration", {}) or {}
    target = float(config.get("TargetValue", 0))
    with lock:
        policy = self.autoscaling_backend.policies[name]
        namespace, metric, statistic, dimensions = _metric(group, config)
        shapes = [("AlarmHigh", "GreaterThanThreshold", target, 3)]
        if str(config.get("DisableScaleIn", "false")).lower() != "true":
            shapes.append(("AlarmLow", "LessThanThreshold", round(0.9 * target, 6), 15))
        alarms = []
        for suffix, comparison, threshold, periods in shapes:
            alarm_name = f"TargetTracking-{group}-{suffix}-{uuid.uuid4()}"
            alarm = watch.put_metric_alarm(
                name=alarm_name,
                namespace=namespace,
                metric_name=metric,
                comparison_operator=comparison,
                evaluation_periods=periods,
                datapoints_to_alarm=periods,
                period=60,
                threshold=threshold,
                statistic=statistic,
                description=f"DO NOT EDIT OR DELETE. For TargetTrackingScaling policy {policy.arn}.",
                dimensions=dimensions,
                alarm_actions=[policy.arn],
            )
            alarms.append({"AlarmName": alarm_name, "AlarmARN": alarm.alarm_arn})
        policy.alarms = alarms
    return result

