"""Auto Scaling lifecycle hooks, warm pools and scale-in for moto, patched in-process.

What moto lacks and this adds (DESIGN.md §4):
- instances launched into a group with a launch hook wait in `Pending:Wait` (`Warmed:Pending:Wait` entering a warm
  pool); terminate hooks hold instances in `Terminating:Wait`;
- each wait sends a notification to the hook's target (an SQS queue or SNS topic, as Auto Scaling's flat JSON) and an
  EventBridge event (`source: aws.autoscaling`) through moto's default event bus;
- `CompleteLifecycleAction` and `RecordLifecycleActionHeartbeat` by token or instance id, with real state changes:
  CONTINUE → InService (or into the pool), ABANDON → terminated and replaced; a heartbeat timeout applies the hook's
  default result; an unknown or finished action answers "No active Lifecycle Action found", as AWS does;
- a hook created with an SQS/SNS target receives `autoscaling:TEST_NOTIFICATION`;
- launches use the launch template version the group names ($Latest/$Default resolved) including IMDS options,
  instance profile, key pair and encrypted volumes, which moto's own launch path ignores, and what the
  launch_templates module adds (mixed-instances overrides, groups on network interfaces, SSM-named AMIs, EBS
  encryption by default);
- warm pools hold instances (DescribeWarmPool lists them); scale-out draws from the pool first;
- scale-in honours instance protection, and a background reconciler scales in once protection is removed;
- `TerminateInstanceInAutoScalingGroup` goes through terminate hooks (protection does not stop it, as in AWS), and
  `SetInstanceProtection` refuses instances that are not InService, EnteringStandby or Standby, with AWS's message;
- DescribeLifecycleHooks reports the hook's real global timeout (min(48 h, 100 × heartbeat timeout)).

Leniencies (documented, on purpose): hook heartbeat timeouts below AWS's 30 s minimum are accepted so tests run fast.
"""

import datetime
import json
import threading
import time
import traceback
import uuid

from moto.autoscaling import models as asg_models
from moto.autoscaling import responses as asg_responses
from moto.autoscaling.exceptions import ValidationError
from moto.core.responses import ActionResult, EmptyResult

from . import launch_templates

LAUNCHING = "autoscaling:EC2_INSTANCE_LAUNCHING"
TERMINATING = "autoscaling:EC2_INSTANCE_TERMINATING"
READY_POOL_STATES = ("Warmed:Stopped", "Warmed:Running", "Warmed:Hibernated")

_lock = threading.RLock()
_stop = threading.Event()
_sweeper = None


class PendingAction:
    """One lifecycle action waiting for CompleteLifecycleAction."""

    def __init__(self, backend, group, hook, instance_state, transition, origin, destination):
        now = time.monotonic()
        self.token = str(uuid.uuid4())
        self.backend = backend
        self.group = group
        self.hook = hook
        self.state = instance_state
        self.instance_id = instance_state.instance.id
        self.transition = transition
        self.origin = origin
        self.destination = destination
        self.deadline = now + hook.heartbeat_timeout
        self.global_deadline = now + min(172800, 100 * hook.heartbeat_timeout)
        self.result = None


def _actions(backend):
    if not hasattr(backend, "_sg_actions"):
        backend._sg_actions = {}
    return backend._sg_actions


def _wp(group):
    # set_desired_capacity runs inside moto's group constructor, before the attribute exists
    return getattr(group, "warm_pool", None)


def _pool(group):
    if not hasattr(group, "_sg_pool"):
        group._sg_pool = []
    return group._sg_pool


def _hooks(backend, group, transition):
    return [
        h
        for h in backend.lifecycle_hooks.values()
        if h.auto_scaling_group_name == group.name and h.lifecycle_transition == transition
    ]


def _iso_now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


# ---- notifications ---------------------------------------------------------------------------------------------


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


def _notify(action):
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
        Time=_iso_now(),
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


def _test_notification(backend, hook):
    group = backend.autoscaling_groups.get(hook.auto_scaling_group_name)
    body = {
        "AccountId": backend.account_id,
        "RequestId": str(uuid.uuid4()),
        "AutoScalingGroupARN": group.arn if group else "",
        "AutoScalingGroupName": hook.auto_scaling_group_name,
        "Service": "AWS Auto Scaling",
        "Event": "autoscaling:TEST_NOTIFICATION",
        "Time": _iso_now(),
    }
    _send_to_target(backend, hook, body)


# ---- launching ---------------------------------------------------------------------------------------------------


def _template_version(group):
    lt = group.ec2_launch_template
    if lt is None:
        return None
    return lt.get_version(getattr(group, "launch_template_version", None) or "$Default")


def _truthy(value):
    return str(value).lower() == "true" if isinstance(value, str) else bool(value)


def _run_instances(group, count):
    """Launches `count` instances from the group's launch template version, honouring what moto ignores."""
    version = _template_version(group)
    if version is None:
        before = {s.instance.id for s in group.instance_states}
        _ORIGINAL["replace"](group, count, group.get_propagated_tags())
        added = [s for s in group.instance_states if s.instance.id not in before]
        group.instance_states = [s for s in group.instance_states if s.instance.id in before]
        return [s.instance for s in added]

    ec2 = group.ec2_backend
    tags = group.get_propagated_tags()
    tags[asg_models.ASG_NAME_TAG] = group.name
    tags.update(group.instance_tags)
    subnets = group.vpc_zone_identifier.split(",") if group.vpc_zone_identifier else [None]
    instances = []
    for _ in range(count):
        choice = launch_templates.launch_choice(group, version)
        if choice is None:
            print(f"scalegate-emulator: no override of {group.name} can launch; launch failed", flush=True)
            continue
        chosen, instance_type, image_id = choice
        data = chosen.data
        block_devices = []
        for mapping in data.get("BlockDeviceMappings", []) or []:
            mapping = dict(mapping)
            if "Ebs" not in mapping:
                continue  # instance-store and NoDevice mappings create no EBS volume
            ebs = dict(mapping["Ebs"])
            ebs["Encrypted"] = _truthy(ebs.get("Encrypted", False))
            mapping["Ebs"] = ebs
            block_devices.append(mapping)
        group._sg_subnet_cursor = getattr(group, "_sg_subnet_cursor", -1) + 1
        subnet = subnets[group._sg_subnet_cursor % len(subnets)]
        kwargs = {
            "instance_type": instance_type,
            "is_instance_type_default": False,
            "tags": {"instance": dict(tags)},
            "launch_template": {"LaunchTemplateId": chosen.template.id, "Version": str(chosen.number)},
            "subnet_id": subnet,
            "metadata_options": data.get("MetadataOptions") or {},
        }
        nics = launch_templates.interfaces(data, subnet)
        if nics:
            kwargs["nics"] = nics
        if not subnet:
            kwargs["placement"] = group.availability_zones[0] if group.availability_zones else None
        if block_devices:
            kwargs["block_device_mappings"] = block_devices
        if data.get("KeyName"):
            kwargs["key_name"] = data["KeyName"]
        reservation = ec2.run_instances(image_id, 1, chosen.user_data, [], **kwargs)
        instance = reservation.instances[0]
        instance.autoscaling_group = group
        launch_templates.encrypt_by_default(ec2, instance)
        profile = data.get("IamInstanceProfile") or {}
        if profile:
            try:
                ec2.associate_iam_instance_profile(
                    instance_id=instance.id,
                    iam_instance_profile_name=profile.get("Name"),
                    iam_instance_profile_arn=profile.get("Arn"),
                )
            except Exception as exc:  # noqa: BLE001 - like AWS, a missing profile leaves the instance without one
                print(f"scalegate-emulator: instance profile {profile}: {exc}", flush=True)
        instances.append(instance)
    return instances


def _enter_group(backend, group, state, origin):
    """An instance joins the group: wait on launch hooks, or go straight into service."""
    hooks = _hooks(backend, group, LAUNCHING)
    if not hooks:
        state.lifecycle_state = "InService"
        return
    state.lifecycle_state = "Pending:Wait"
    for hook in hooks:
        _start_action(backend, group, hook, state, LAUNCHING, origin, "AutoScalingGroup")


def _enter_pool(backend, group, state):
    hooks = _hooks(backend, group, LAUNCHING)
    if not hooks:
        _settle_in_pool(group, state)
        return
    state.lifecycle_state = "Warmed:Pending:Wait"
    for hook in hooks:
        _start_action(backend, group, hook, state, LAUNCHING, "EC2", "WarmPool")


def _settle_in_pool(group, state):
    pool_state = (_wp(group).pool_state if _wp(group) else None) or "Stopped"
    state.lifecycle_state = f"Warmed:{pool_state}"
    if pool_state in ("Stopped", "Hibernated"):
        try:
            group.ec2_backend.stop_instances([state.instance.id])
        except Exception:  # noqa: BLE001
            pass


def _start_action(backend, group, hook, state, transition, origin, destination):
    action = PendingAction(backend, group, hook, state, transition, origin, destination)
    _actions(backend)[action.token] = action
    _notify(action)


def _pool_target(group):
    wp = _wp(group)
    if wp is None:
        return 0
    prepared = wp.max_group_prepared_capacity
    ceiling = group.max_size if prepared in (None, -1, "-1") else int(prepared)
    return max(int(wp.min_size or 0), int(ceiling or 0) - int(group.desired_capacity or 0))


def _live(group):
    return [s for s in group.instance_states if not s.lifecycle_state.startswith("Terminating")]


def set_desired_capacity(group, new_capacity):
    """Replaces moto's: counts waiting instances, draws from the warm pool, honours hooks and protection."""
    with _lock:
        backend = group.autoscaling_backend
        group.desired_capacity = group.min_size if new_capacity is None else new_capacity
        desired = int(group.desired_capacity or 0)
        live = _live(group)
        delta = desired - len(live)
        if delta > 0:
            pool = _pool(group)
            ready = [s for s in pool if s.lifecycle_state in READY_POOL_STATES][:delta]
            for state in ready:
                pool.remove(state)
                try:
                    group.ec2_backend.start_instances([state.instance.id])
                except Exception:  # noqa: BLE001
                    pass
                group.instance_states.append(state)
                _enter_group(backend, group, state, "WarmPool")
            for instance in _run_instances(group, delta - len(ready)):
                state = asg_models.InstanceState(
                    instance,
                    lifecycle_state="Pending",
                    protected_from_scale_in=group.new_instances_protected_from_scale_in,
                    autoscaling_group=group,
                )
                group.instance_states.append(state)
                _enter_group(backend, group, state, "EC2")
        elif delta < 0:
            _scale_in(backend, group, -delta)
        _refill_pool(backend, group)
        if group.name in backend.autoscaling_groups:
            backend.update_attached_elbs(group.name)
            backend.update_attached_target_groups(group.name)


def _scale_in(backend, group, count):
    candidates = [
        s for s in group.instance_states if s.lifecycle_state == "InService" and not s.protected_from_scale_in
    ]
    # Oldest launch-template version first, then oldest instance: close to AWS's default termination policy.
    candidates.sort(key=lambda s: (_lt_version(s.instance), s.instance.launch_time))
    for state in candidates[:count]:
        _begin_termination(backend, group, state, to_pool=_reuse_on_scale_in(group))


def _lt_version(instance):
    for tag in instance.get_tags():
        if tag.get("key") == "aws:ec2launchtemplate:version":
            try:
                return int(tag.get("value"))
            except (TypeError, ValueError):
                return 0
    return 0


def _reuse_on_scale_in(group):
    wp = _wp(group)
    policy = (wp.instance_reuse_policy or {}) if wp else {}
    return _truthy(policy.get("ReuseOnScaleIn", False))


def _begin_termination(backend, group, state, to_pool=False):
    hooks = _hooks(backend, group, TERMINATING)
    destination = "WarmPool" if to_pool else "EC2"
    if not hooks:
        _finish_termination(group, state, destination)
        return
    state.lifecycle_state = "Terminating:Wait"
    for hook in hooks:
        _start_action(backend, group, hook, state, TERMINATING, "AutoScalingGroup", destination)


def _finish_termination(group, state, destination):
    if state in group.instance_states:
        group.instance_states.remove(state)
    if destination == "WarmPool" and _wp(group) is not None:
        _pool(group).append(state)
        _settle_in_pool(group, state)
        return
    state.lifecycle_state = "Terminated"
    group.ec2_backend.terminate_instances([state.instance.id])


def _refill_pool(backend, group):
    if _wp(group) is None:
        return
    pool = _pool(group)
    missing = _pool_target(group) - len(pool)
    if missing <= 0:
        return
    for instance in _run_instances(group, missing):
        state = asg_models.InstanceState(instance, lifecycle_state="Warmed:Pending", autoscaling_group=group)
        pool.append(state)
        _enter_pool(backend, group, state)


# ---- completing --------------------------------------------------------------------------------------------------


def _find_action(backend, group_name, hook_name, token, instance_id):
    actions = _actions(backend)
    if token:
        action = actions.get(token)
        if action and action.group.name == group_name and action.hook.name == hook_name:
            return action
        raise ValidationError(f"No active Lifecycle Action found with token {token}")
    for action in actions.values():
        if action.group.name == group_name and action.hook.name == hook_name and action.instance_id == instance_id:
            return action
    raise ValidationError(f"No active Lifecycle Action found with instance ID {instance_id}")


def _resolve(action, result):
    """Applies a lifecycle action's result once every hook on the instance has answered."""
    backend, group, state = action.backend, action.group, action.state
    actions = _actions(backend)
    actions.pop(action.token, None)
    action.result = result
    siblings = [a for a in actions.values() if a.state is state and a.transition == action.transition]
    if result == "ABANDON":
        for other in siblings:
            actions.pop(other.token, None)
    elif siblings:
        return  # other hooks still wait
    abandoned = result == "ABANDON"
    if action.transition == TERMINATING:
        _finish_termination(group, state, action.destination)
        _refill_pool(backend, group)
        return
    if action.destination == "WarmPool":
        pool = _pool(group)
        if abandoned:
            if state in pool:
                pool.remove(state)
            state.lifecycle_state = "Terminated"
            group.ec2_backend.terminate_instances([state.instance.id])
            _refill_pool(backend, group)
        else:
            _settle_in_pool(group, state)
        return
    if abandoned:
        if state in group.instance_states:
            group.instance_states.remove(state)
        state.lifecycle_state = "Terminated"
        group.ec2_backend.terminate_instances([state.instance.id])
        set_desired_capacity(group, group.desired_capacity)  # replaces the abandoned instance
    else:
        state.lifecycle_state = "InService"


def complete_lifecycle_action(backend, group_name, hook_name, token, instance_id, result):
    if result not in ("CONTINUE", "ABANDON"):
        raise ValidationError(f"Invalid LifecycleActionResult {result!r}: must be CONTINUE or ABANDON")
    with _lock:
        action = _find_action(backend, group_name, hook_name, token, instance_id)
        _resolve(action, result)


def record_heartbeat(backend, group_name, hook_name, token, instance_id):
    with _lock:
        action = _find_action(backend, group_name, hook_name, token, instance_id)
        action.deadline = min(time.monotonic() + action.hook.heartbeat_timeout, action.global_deadline)


def _sweep():
    """Applies default results on heartbeat timeout, and scales in what protection held back."""
    from moto.autoscaling.models import autoscaling_backends

    while not _stop.wait(0.2):
        try:
            _sweep_once(autoscaling_backends)
        except Exception:  # noqa: BLE001 - the sweeper must outlive any one bad group
            traceback.print_exc()


def _sweep_once(autoscaling_backends):
    with _lock:
        now = time.monotonic()
        for regions in list(autoscaling_backends.values()):
            for backend in list(regions.values()):
                for action in list(_actions(backend).values()):
                    if now >= action.deadline or now >= action.global_deadline:
                        _resolve(action, action.hook.default_result or "ABANDON")
                for group in list(backend.autoscaling_groups.values()):
                    if len(_live(group)) > int(group.desired_capacity or 0):
                        set_desired_capacity(group, group.desired_capacity)


# ---- API surface -------------------------------------------------------------------------------------------------

_ORIGINAL = {}


def _put_lifecycle_hook(self):
    with _lock:
        params = self._get_params()
        hook = self.autoscaling_backend.create_lifecycle_hook(
            name=self._get_param("LifecycleHookName"),
            as_name=self._get_param("AutoScalingGroupName"),
            transition=self._get_param("LifecycleTransition"),
            timeout=self._get_int_param("HeartbeatTimeout"),
            result=self._get_param("DefaultResult"),
        )
        _configure_hook(self.autoscaling_backend, hook, params)
    return EmptyResult()


def _configure_hook(backend, hook, spec):
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
        _test_notification(backend, hook)


def _create_auto_scaling_group(self):
    """Hooks in LifecycleHookSpecificationList must exist before the first instance launches."""
    with _lock:
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
            _configure_hook(backend, hook, spec)
        set_desired_capacity(group, desired if desired is not None else min_size)
    return EmptyResult()


def _complete_lifecycle_action(self):
    complete_lifecycle_action(
        self.autoscaling_backend,
        self._get_param("AutoScalingGroupName"),
        self._get_param("LifecycleHookName"),
        self._get_param("LifecycleActionToken"),
        self._get_param("InstanceId"),
        self._get_param("LifecycleActionResult"),
    )
    return EmptyResult()


def _record_lifecycle_action_heartbeat(self):
    record_heartbeat(
        self.autoscaling_backend,
        self._get_param("AutoScalingGroupName"),
        self._get_param("LifecycleHookName"),
        self._get_param("LifecycleActionToken"),
        self._get_param("InstanceId"),
    )
    return EmptyResult()


def _describe_warm_pool(self):
    backend = self.autoscaling_backend
    group_name = self._get_param("AutoScalingGroupName")
    with _lock:
        warm_pool = backend.describe_warm_pool(group_name=group_name)
        group = backend.autoscaling_groups[group_name]
        instances = list(_pool(group))
    return ActionResult({"WarmPoolConfiguration": warm_pool, "Instances": instances})


def _put_warm_pool(self):
    with _lock:
        _ORIGINAL["put_warm_pool"](self)
        group = self.autoscaling_backend.autoscaling_groups[self._get_param("AutoScalingGroupName")]
        _refill_pool(self.autoscaling_backend, group)
    return EmptyResult()


def _delete_warm_pool(self):
    with _lock:
        group = self.autoscaling_backend.autoscaling_groups[self._get_param("AutoScalingGroupName")]
        for state in list(_pool(group)):
            group.ec2_backend.terminate_instances([state.instance.id])
        _pool(group).clear()
        _ORIGINAL["delete_warm_pool"](self)
    return EmptyResult()


def _terminate_instance_in_auto_scaling_group(self):
    """Terminates through the group's terminate hooks; a replacement launches unless capacity is decremented."""
    with _lock:
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
        if not _hooks(backend, group, TERMINATING):
            return _ORIGINAL["terminate_instance"](self)
        if state.lifecycle_state.startswith("Terminating"):
            raise ValidationError(f"The instance {instance_id} is already terminating")
        if decrement:
            group.desired_capacity = max(int(group.min_size or 0), int(group.desired_capacity or 0) - 1)
        _begin_termination(backend, group, state)
        set_desired_capacity(group, group.desired_capacity)
    return ActionResult({"Activity": {
        "ActivityId": str(uuid.uuid4()),
        "AutoScalingGroupName": group.name,
        "Description": f"Terminating EC2 instance: {instance_id}",
        "Cause": f"At {_iso_now()} an instance was taken out of service in response to a user request.",
        "StartTime": datetime.datetime.now(datetime.timezone.utc),
        "StatusCode": "InProgress",
        "Progress": 0,
    }})


def _set_instance_protection(self):
    with _lock:
        group = self.autoscaling_backend.autoscaling_groups.get(self._get_param("AutoScalingGroupName"))
        ids = set(self._get_param("InstanceIds", []))
        for state in (group.instance_states if group else []):
            if state.instance.id in ids and state.lifecycle_state not in ("InService", "EnteringStandby", "Standby"):
                raise ValidationError(
                    f"The instance {state.instance.id} is not in InService or EnteringStandby or Standby."
                )
        return _ORIGINAL["set_instance_protection"](self)


def _locked(fn):
    def wrapper(*args, **kwargs):
        with _lock:
            return fn(*args, **kwargs)

    wrapper.__name__ = fn.__name__
    return wrapper


def install():
    """Patches moto's Auto Scaling model and API; starts the timeout sweeper. Idempotent."""
    global _sweeper
    if _ORIGINAL:
        return
    group_cls = asg_models.FakeAutoScalingGroup
    resp = asg_responses.AutoScalingResponse
    _ORIGINAL["replace"] = group_cls.replace_autoscaling_group_instances
    _ORIGINAL["put_warm_pool"] = resp.put_warm_pool
    _ORIGINAL["delete_warm_pool"] = resp.delete_warm_pool
    _ORIGINAL["terminate_instance"] = resp.terminate_instance_in_auto_scaling_group
    _ORIGINAL["set_instance_protection"] = resp.set_instance_protection
    group_cls.set_desired_capacity = set_desired_capacity
    resp.put_lifecycle_hook = _put_lifecycle_hook
    resp.create_auto_scaling_group = _create_auto_scaling_group
    resp.complete_lifecycle_action = _complete_lifecycle_action
    resp.record_lifecycle_action_heartbeat = _record_lifecycle_action_heartbeat
    resp.describe_warm_pool = _describe_warm_pool
    resp.put_warm_pool = _put_warm_pool
    resp.delete_warm_pool = _delete_warm_pool
    resp.terminate_instance_in_auto_scaling_group = _terminate_instance_in_auto_scaling_group
    resp.set_instance_protection = _set_instance_protection
    for name in ("describe_auto_scaling_groups", "update_auto_scaling_group"):
        setattr(resp, name, _locked(getattr(resp, name)))
    _sweeper = threading.Thread(target=_sweep, name="scalegate-lifecycle-sweeper", daemon=True)
    _sweeper.start()


def stop():
    _stop.set()
