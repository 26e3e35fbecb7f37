"""Desired capacity, scale-in that honours protection, termination through hooks, and instance protection."""

import datetime
import uuid

from moto.autoscaling import models as asg_models
from moto.autoscaling.exceptions import ValidationError
from moto.core.responses import ActionResult, EmptyResult

from . import actions, activities, launching, warm_pools
from .state import LAUNCHING, ORIGINAL, READY_POOL_STATES, TERMINATING, hooks, iso_now, live, lock, pool, warm_pool


def enter_group(backend, group, state, origin):
    """An instance joins the group: wait on launch hooks, or go straight into service."""
    launch_hooks = hooks(backend, group, LAUNCHING)
    if not launch_hooks:
        state.lifecycle_state = "InService"
        activities.end(state)
        return
    state.lifecycle_state = "Pending:Wait"
    activities.waiting(state)
    for hook in launch_hooks:
        actions.start_action(backend, group, hook, state, LAUNCHING, origin, "AutoScalingGroup")


def set_desired_capacity(group, new_capacity):
    """Replaces moto's: counts waiting instances, draws from the warm pool, honours hooks and protection."""
    with lock:
        backend = group.autoscaling_backend
        old_desired = int(getattr(group, "desired_capacity", None) or 0)
        group.desired_capacity = group.min_size if new_capacity is None else new_capacity
        desired = int(group.desired_capacity or 0)
        before = len(live(group))
        delta = desired - before
        if delta > 0:
            members = pool(group)
            ready = [s for s in members if s.lifecycle_state in READY_POOL_STATES][:delta]
            for state in ready:
                members.remove(state)
                try:
                    group.ec2_backend.start_instances([state.instance.id])
                except Exception:  # noqa: BLE001
                    pass
                group.instance_states.append(state)
                activities.begin(group, state, activities.FROM_POOL, before, desired, (old_desired, desired))
                enter_group(backend, group, state, "WarmPool")
            for instance in launching.run_instances(group, delta - len(ready)):
                state = asg_models.InstanceState(
                    instance,
                    lifecycle_state="Pending",
                    protected_from_scale_in=group.new_instances_protected_from_scale_in,
                    autoscaling_group=group,
                )
                group.instance_states.append(state)
                activities.begin(group, state, activities.INTO_SERVICE, before, desired, (old_desired, desired))
                enter_group(backend, group, state, "EC2")
        elif delta < 0:
            _scale_in(backend, group, -delta)
        warm_pools.refill_pool(backend, group)
        if group.name in backend.autoscaling_groups:
            backend.update_attached_elbs(group.name)
            backend.update_attached_target_groups(group.name)


def reconcile(group):
    """Scales in what protection held back, once it is lifted."""
    if len(live(group)) > int(group.desired_capacity or 0):
        set_desired_capacity(group, group.desired_capacity)


def _scale_in(backend, group, count):
    candidates = [
        s for s in group.instance_states if s.lifecycle_state == "InService" and not s.protected_from_scale_in
    ]
    # Oldest launch-template version first, then oldest instance: close to AWS's default termination policy.
    candidates.sort(key=lambda s: (_lt_version(s.instance), s.instance.launch_time))
    for state in candidates[:count]:
        begin_termination(backend, group, state, to_pool=warm_pools.reuse_on_scale_in(group))


def _lt_version(instance):
    for tag in instance.get_tags():
        if tag.get("key") == "aws:ec2launchtemplate:version":
            try:
                return int(tag.get("value"))
            except (TypeError, ValueError):
                return 0
    return 0


def begin_termination(backend, group, state, to_pool=False):
    terminate_hooks = hooks(backend, group, TERMINATING)
    destination = "WarmPool" if to_pool else "EC2"
    if not terminate_hooks:
        finish_termination(group, state, destination)
        return
    state.lifecycle_state = "Terminating:Wait"
    for hook in terminate_hooks:
        actions.start_action(backend, group, hook, state, TERMINATING, "AutoScalingGroup", destination)


def finish_termination(group, state, destination):
    if state in group.instance_states:
        group.instance_states.remove(state)
    if destination == "WarmPool" and warm_pool(group) is not None:
        pool(group).append(state)
        warm_pools.settle_in_pool(group, state)
        return
    state.lifecycle_state = "Terminated"
    group.ec2_backend.terminate_instances([state.instance.id])


# ---- API ---------------------------------------------------------------------------------------------------------


def create_auto_scaling_group(self):
    """Hooks in LifecycleHookSpecificationList must exist before the first instance launches."""
    with lock:
        params = self._get_params()
        specs = params.get("LifecycleHookSpecificationList") or []
        desired = self._get_int_param("DesiredCapacity")
        min_size = self._get_int_param("MinSize")
        backend = self.autoscaling_backend
        backend.create_auto_scaling_group(
            name=self._get_param("AutoScalingGroupName"),
            availability_zones=self._get_param("AvailabilityZones", []),
            desired_capacity=0,
            max_size=self._get_int_param("MaxSize"),
            min_size=0,
            instance_id=self._get_param("InstanceId"),
            launch_config_name=self._get_param("LaunchConfigurationName"),
            launch_template=self._get_param("LaunchTemplate", {}),
            mixed_instances_policy=params.get("MixedInstancesPolicy"),
            vpc_zone_identifier=self._get_param("VPCZoneIdentifier"),
            default_cooldown=self._get_int_param("DefaultCooldown"),
            health_check_period=self._get_int_param("HealthCheckGracePeriod"),
            health_check_type=self._get_param("HealthCheckType"),
            load_balancers=self._get_param("LoadBalancerNames", []),
            target_group_arns=self._get_param("TargetGroupARNs", []),
            placement_group=self._get_param("PlacementGroup"),
            termination_policies=self._get_param("TerminationPolicies", []),
            tags=params.get("Tags", []),
            capacity_rebalance=self._get_bool_param("CapacityRebalance", False),
            new_instances_protected_from_scale_in=self._get_bool_param("NewInstancesProtectedFromScaleIn", False),
        )
        group = backend.autoscaling_groups[self._get_param("AutoScalingGroupName")]
        group.min_size = min_size
        group.default_instance_warmup = self._get_int_param("DefaultInstanceWarmup")
        for spec in specs:
            hook = backend.create_lifecycle_hook(
                name=spec.get("LifecycleHookName"),
                as_name=group.name,
                transition=spec.get("LifecycleTransition"),
                timeout=int(spec["HeartbeatTimeout"]) if spec.get("HeartbeatTimeout") else None,
                result=spec.get("DefaultResult"),
            )
            actions.configure_hook(backend, hook, spec)
        set_desired_capacity(group, desired if desired is not None else min_size)
    return EmptyResult()


def terminate_instance_in_auto_scaling_group(self):
    """Terminates through the group's terminate hooks; a replacement launches unless capacity is decremented."""
    with lock:
        instance_id = self._get_param("InstanceId")
        decrement = self._get_bool_param("ShouldDecrementDesiredCapacity", False)
        backend = self.autoscaling_backend
        found = [
            (group, state)
            for group in backend.autoscaling_groups.values()
            for state in group.instance_states
            if state.instance.id == instance_id
        ]
        if not found:
            raise ValidationError(f"Instance Id not found - No managed instance found for instance ID: {instance_id}")
        group, state = found[0]
        if not hooks(backend, group, TERMINATING):
            return ORIGINAL["terminate_instance"](self)
        if state.lifecycle_state.startswith("Terminating"):
            raise ValidationError(f"The instance {instance_id} is already terminating")
        if decrement:
            group.desired_capacity = max(int(group.min_size or 0), int(group.desired_capacity or 0) - 1)
        begin_termination(backend, group, state)
        set_desired_capacity(group, group.desired_capacity)
    return ActionResult({"Activity": {
        "ActivityId": str(uuid.uuid4()),
        "AutoScalingGroupName": group.name,
        "Description": f"Terminating EC2 instance: {instance_id}",
        "Cause": f"At {iso_now()} an instance was taken out of service in response to a user request.",
        "StartTime": datetime.datetime.now(datetime.timezone.utc),
        "StatusCode": "InProgress",
        "Progress": 0,
    }})


def set_instance_protection(self):
    with lock:
        group = self.autoscaling_backend.autoscaling_groups.get(self._get_param("AutoScalingGroupName"))
        ids = set(self._get_param("InstanceIds", []))
        for state in (group.instance_states if group else []):
            if state.instance.id in ids and state.lifecycle_state not in ("InService", "EnteringStandby", "Standby"):
                raise ValidationError(
                    f"The instance {state.instance.id} is not in InService or EnteringStandby or Standby."
                )
        return ORIGINAL["set_instance_protection"](self)
