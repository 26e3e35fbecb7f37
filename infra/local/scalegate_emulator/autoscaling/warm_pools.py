"""Warm pools that hold instances: filled to their target, settled in their pool state, drawn on by scale-out."""

from moto.autoscaling import models as asg_models
from moto.core.responses import ActionResult, EmptyResult

from . import actions, activities, launching
from .state import LAUNCHING, ORIGINAL, hooks, lock, pool, truthy, warm_pool


def enter_pool(backend, group, state):
    """A new instance joins the pool: wait on launch hooks, or settle at once."""
    launch_hooks = hooks(backend, group, LAUNCHING)
    if not launch_hooks:
        settle_in_pool(group, state)
        return
    state.lifecycle_state = "Warmed:Pending:Wait"
    activities.waiting(state)
    for hook in launch_hooks:
        actions.start_action(backend, group, hook, state, LAUNCHING, "EC2", "WarmPool")


def settle_in_pool(group, state):
    wp = warm_pool(group)
    pool_state = (wp.pool_state if wp else None) or "Stopped"
    state.lifecycle_state = f"Warmed:{pool_state}"
    activities.end(state)
    if pool_state in ("Stopped", "Hibernated"):
        try:
            group.ec2_backend.stop_instances([state.instance.id])
        except Exception:  # noqa: BLE001
            pass


def _pool_target(group):
    wp = warm_pool(group)
    if wp is None:
        return 0
    prepared = wp.max_group_prepared_capacity
    ceiling = group.max_size if prepared in (None, -1, "-1") else int(prepared)
    return max(int(wp.min_size or 0), int(ceiling or 0) - int(group.desired_capacity or 0))


def reuse_on_scale_in(group):
    wp = warm_pool(group)
    policy = (wp.instance_reuse_policy or {}) if wp else {}
    return truthy(policy.get("ReuseOnScaleIn", False))


def refill_pool(backend, group):
    """Launches what the pool lacks of its target size."""
    if warm_pool(group) is None:
        return
    members = pool(group)
    missing = _pool_target(group) - len(members)
    if missing <= 0:
        return
    for instance in launching.run_instances(group, missing):
        state = asg_models.InstanceState(instance, lifecycle_state="Warmed:Pending", autoscaling_group=group)
        members.append(state)
        activities.begin(group, state, activities.INTO_POOL, len(members) - 1, len(members))
        enter_pool(backend, group, state)


# ---- API ---------------------------------------------------------------------------------------------------------


def describe_warm_pool(self):
    backend = self.autoscaling_backend
    group_name = self._get_param("AutoScalingGroupName")
    with lock:
        configuration = backend.describe_warm_pool(group_name=group_name)
        group = backend.autoscaling_groups[group_name]
        instances = list(pool(group))
    return ActionResult({"WarmPoolConfiguration": configuration, "Instances": instances})


def put_warm_pool(self):
    with lock:
        ORIGINAL["put_warm_pool"](self)
        group = self.autoscaling_backend.autoscaling_groups[self._get_param("AutoScalingGroupName")]
        refill_pool(self.autoscaling_backend, group)
    return EmptyResult()


def delete_warm_pool(self):
    with lock:
        group = self.autoscaling_backend.autoscaling_groups[self._get_param("AutoScalingGroupName")]
        for state in list(pool(group)):
            group.ec2_backend.terminate_instances([state.instance.id])
        pool(group).clear()
        ORIGINAL["delete_warm_pool"](self)
    return EmptyResult()
