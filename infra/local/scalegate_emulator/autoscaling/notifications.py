"""Lifecycle notifications: Auto Scaling's flat JSON to the hook's SQS/SNS target, and an EventBridge event."""

import json
import uuid

from .state import LAUNCHING, iso_now


def _send_to_target(backend, hook, body):
    arn = getattr(hook, "notification_target_arn", None) or ""
    if not getattr(hook, "_sg_target_set", False):
        return  # moto's placeholder target, not one the caller gave
    try:
        if arn.startswith("arn:aws:sqs:") or ":sqs:" in arn:
            from moto.sqs.models import sqs_backends

            parts = arn.split(":")
            sqs = sqs_backends[parts[4]][parts[3]]
            sqs.send_message(parts[5], json.dumps(body))
        elif ":sns:" in arn:
            from moto.sns.models import sns_backends

            parts = arn.split(":")
            sns = sns_backends[parts[4]][parts[3]]
            subject = f"Auto Scaling:  Lifecycle action '{body.get('LifecycleTransition', 'TEST')}'"
            sns.publish(json.dumps(body), arn=arn, subject=subject)
    except Exception as exc:  # noqa: BLE001 - a broken target must not break the group, as in AWS
        print(f"scalegate-emulator: could not notify {arn}: {exc}", flush=True)


def notify(action):
    """Announces a waiting action to its hook's target and to EventBridge."""
    backend, group, hook = action.backend, action.group, action.hook
    common = {
        "LifecycleHookName": hook.name,
        "AutoScalingGroupName": group.name,
        "EC2InstanceId": action.instance_id,
        "LifecycleActionToken": action.token,
        "LifecycleTransition": action.transition,
        "Origin": action.origin,
        "Destination": action.destination,
    }
    metadata = getattr(hook, "_sg_metadata", None)
    if metadata is not None:
        common["NotificationMetadata"] = metadata
    flat = dict(
        common,
        AccountId=backend.account_id,
        RequestId=str(uuid.uuid4()),
        Service="AWS Auto Scaling",
        Time=iso_now(),
    )
    _send_to_target(backend, hook, flat)
    try:
        from moto.events.models import events_backends

        detail_type = (
            "EC2 Instance-launch Lifecycle Action"
            if action.transition == LAUNCHING
            else "EC2 Instance-terminate Lifecycle Action"
        )
        events_backends[backend.account_id][backend.region_name].put_events(
            [
                {
                    "Source": "aws.autoscaling",
                    "DetailType": detail_type,
                    "Detail": json.dumps(common),
                    "Resources": [group.arn],
                }
            ]
        )
    except Exception as exc:  # noqa: BLE001
        print(f"scalegate-emulator: could not put EventBridge event: {exc}", flush=True)


def test_notification(backend, hook):
    """What AWS sends a new hook's target to show it is reachable."""
    group = backend.autoscaling_groups.get(hook.auto_scaling_group_name)
    body = {
        "AccountId": backend.account_id,
        "RequestId": str(uuid.uuid4()),
        "AutoScalingGroupARN": group.arn if group else "",
        "AutoScalingGroupName": hook.auto_scaling_group_name,
        "Service": "AWS Auto Scaling",
        "Event": "autoscaling:TEST_NOTIFICATION",
        "Time": iso_now(),
    }
    _send_to_target(backend, hook, body)
