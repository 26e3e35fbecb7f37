"""Lifecycle actions: hooks that hold instances, their completion by token or instance id, heartbeats, timeouts."""

import time

from moto.autoscaling.exceptions import ValidationError
from moto.core.responses import EmptyResult

from . import activities, notifications, scaling, warm_pools
from .state import TERMINATING, PendingAction, actions, lock, pool


def start_action(backend, group, hook, state, transition, origin, destination):
    action = PendingAction(backend, group, hook, state, transition, origin, destination)
    actions(backend)[action.token] = action
    notifications.notify(action)


def _find_action(backend, group_name, hook_name, token, instance_id):
    pending = actions(backend)
    if token:
        action = pending.get(token)
        if action and action.group.name == group_name and action.hook.name == hook_name:
            return action
        raise ValidationError(f"No active Lifecycle Action found with token {token}")
    for action in pending.values():
        if action.group.name == group_name and action.hook.name == hook_name and action.instance_id == instance_id:
            return action
    raise ValidationError(f"No active Lifecycle Action found with instance ID {instance_id}")


def resolve(action, result):
    """Applies a lifecycle action's result once every hook on the instance has answered."""
    backend, group, state = action.backend, action.group, action.state
    pending = actions(backend)
    pending.pop(action.token, None)
    action.result = result
    siblings = [a for a in pending.values() if a.state is state and a.transition == action.transition]
    if result == "ABANDON":
        for other in siblings:
            pending.pop(other.token, None)
    elif siblings:
        return  # other hooks still wait
    abandoned = result == "ABANDON"
    if action.transition == TERMINATING:
        scaling.finish_termination(group, state, action.destination)
        warm_pools.refill_pool(backend, group)
        return
    if action.destination == "WarmPool":
        members = pool(group)
        if abandoned:
            activities.end(state, successful=False)
            if state in members:
                members.remove(state)
            state.lifecycle_state = "Terminated"
            group.ec2_backend.terminate_instances([state.instance.id])
            warm_pools.refill_pool(backend, group)
        else:
            warm_pools.settle_in_pool(group, state)
        return
    if abandoned:
        activities.end(state, successful=False)
        if state in group.instance_states:
            group.instance_states.remove(state)
        state.lifecycle_state = "Terminated"
        group.ec2_backend.terminate_instances([state.instance.id])
        scaling.set_desired_capacity(group, group.desired_capacity)  # replaces the abandoned instance
    else:
        state.lifecycle_state = "InService"
        activities.end(state)


def complete_lifecycle_action(backend, group_name, hook_name, token, instance_id, result):
    if result not in ("CONTINUE", "ABANDON"):
        raise ValidationError(f"Invalid LifecycleActionResult {result!r}: must be CONTINUE or ABANDON")
    with lock:
        action = _find_action(backend, group_name, hook_name, token, instance_id)
        resolve(action, result)


def record_heartbeat(backend, group_name, hook_name, token, instance_id):
    with lock:
        action = _find_action(backend, group_name, hook_name, token, instance_id)
        action.deadline = min(time.monotonic() + action.hook.heartbeat_timeout, action.global_deadline)


def expire(backend, now):
    """Applies the hook's default result to every action past its heartbeat or global timeout."""
    for action in list(actions(backend).values()):
        if now >= action.deadline or now >= action.global_deadline:
            resolve(action, action.hook.default_result or "ABANDON")


def configure_hook(backend, hook, spec):
    """What moto's hook lacks: the real global timeout, the caller's target, role and metadata, a test message."""
    hook.global_timeout = min(172800, 100 * int(hook.heartbeat_timeout))
    target = spec.get("NotificationTargetARN")
    if target:
        hook.notification_target_arn = target
        hook._sg_target_set = True
    if spec.get("RoleARN"):
        hook.role_arn = spec["RoleARN"]
    if "NotificationMetadata" in spec:
        hook._sg_metadata = spec["NotificationMetadata"]
    if target:
        notifications.test_notification(backend, hook)


# ---- API ---------------------------------------------------------------------------------------------------------


def put_lifecycle_hook(self):
    with lock:
        params = self._get_params()
        hook = self.autoscaling_backend.create_lifecycle_hook(
            name=self._get_param("LifecycleHookName"),
            as_name=self._get_param("AutoScalingGroupName"),
            transition=self._get_param("LifecycleTransition"),
            timeout=self._get_int_param("HeartbeatTimeout"),
            result=self._get_param("DefaultResult"),
        )
        configure_hook(self.autoscaling_backend, hook, params)
    return EmptyResult()


def complete_lifecycle_action_api(self):
    complete_lifecycle_action(
        self.autoscaling_backend,
        self._get_param("AutoScalingGroupName"),
        self._get_param("LifecycleHookName"),
        self._get_param("LifecycleActionToken"),
        self._get_param("InstanceId"),
        self._get_param("LifecycleActionResult"),
    )
    return EmptyResult()


def record_lifecycle_action_heartbeat(self):
    record_heartbeat(
        self.autoscaling_backend,
        self._get_param("AutoScalingGroupName"),
        self._get_param("LifecycleHookName"),
        self._get_param("LifecycleActionToken"),
        self._get_param("InstanceId"),
    )
    return EmptyResult()
