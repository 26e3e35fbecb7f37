"""Scaling activities for launches, as DescribeScalingActivities reports them (moto lists none).

One activity per instance launched: "Launching a new EC2 instance: i-…" into service, "… into warm pool: …" when the
instance goes to the pool, "… from warm pool: …" when scale-out draws on it (the descriptions AWS's warm-pool samples
print). It starts InProgress (MidLifecycleAction while a launch hook waits) and ends Successful when the instance is
InService or settled in the pool, Cancelled when a hook abandons it. Newest first, paginated by MaxRecords/NextToken.
"""

import datetime
import uuid

from moto.core.responses import ActionResult

from .state import lock

INTO_SERVICE = "Launching a new EC2 instance: {}"
INTO_POOL = "Launching a new EC2 instance into warm pool: {}"
FROM_POOL = "Launching a new EC2 instance from warm pool: {}"


def _now():
    return datetime.datetime.now(datetime.timezone.utc)


def _log(group):
    if not hasattr(group, "_sg_activities"):
        group._sg_activities = []
    return group._sg_activities


def begin(group, state, template, before, after, desired=None):
    """Records the launch of `state`'s instance; the activity is finished by `end`. `desired` (old, new) is the
    change of desired capacity behind it, which AWS's Cause names first."""
    started = _now()
    stamp = started.strftime("%Y-%m-%dT%H:%M:%SZ")
    change = (
        f"At {stamp} a user request explicitly set group desired capacity changing the desired capacity from "
        f"{desired[0]} to {desired[1]}. "
        if desired and desired[0] != desired[1]
        else ""
    )
    activity = {
        "ActivityId": str(uuid.uuid4()),
        "AutoScalingGroupName": group.name,
        "Description": template.format(state.instance.id),
        "Cause": (
            f"{change}At {stamp} an instance was started in response to a difference "
            f"between desired and actual capacity, increasing the capacity from {before} to {after}."
        ),
        "StartTime": started,
        "StatusCode": "InProgress",
        "Progress": 30,
    }
    _log(group).insert(0, activity)
    state._sg_activity = activity


def waiting(state):
    activity = getattr(state, "_sg_activity", None)
    if activity is not None and "EndTime" not in activity:
        activity["StatusCode"] = "MidLifecycleAction"


def end(state, successful=True):
    activity = getattr(state, "_sg_activity", None)
    if activity is None or "EndTime" in activity:
        return
    activity["EndTime"] = _now()
    activity["StatusCode"] = "Successful" if successful else "Cancelled"
    activity["Progress"] = 100
    if not successful:
        activity["StatusMessage"] = "Instance failed to complete user's Lifecycle Action: Lifecycle Action Completed with ABANDON Result"


def describe_scaling_activities(self):
    backend = self.autoscaling_backend
    name = self._get_param("AutoScalingGroupName")
    ids = set(self._get_param("ActivityIds", []) or [])
    limit = min(int(self._get_param("MaxRecords") or 100), 100)
    start = int(self._get_param("NextToken") or 0)
    with lock:
        groups = [backend.autoscaling_groups[name]] if name in backend.autoscaling_groups else (
            [] if name else list(backend.autoscaling_groups.values())
        )
        found = [dict(a) for g in groups for a in _log(g) if not ids or a["ActivityId"] in ids]
    found.sort(key=lambda a: a["StartTime"], reverse=True)
    page = found[start : start + limit]
    result = {"Activities": page}
    if start + limit < len(found):
        result["NextToken"] = str(start + limit)
    return ActionResult(result)
