"""Installs the Auto Scaling extensions into moto's model and API, and runs the sweeper beside the server."""

import threading
import time
import traceback

from moto.autoscaling import models as asg_models
from moto.autoscaling import responses as asg_responses

from . import actions, activities, health, policies, scaling, warm_pools
from .state import ORIGINAL, lock

_stop = threading.Event()
_sweeper = None


def _sweep():
    """Applies default results on heartbeat timeout, and scales in what protection held back."""
    from moto.autoscaling.models import autoscaling_backends

    while not _stop.wait(0.2):
        try:
            sweep_once(autoscaling_backends)
        except Exception:  # noqa: BLE001 - the sweeper must outlive any one bad group
            traceback.print_exc()


def sweep_once(autoscaling_backends):
    with lock:
        now = time.monotonic()
        for regions in list(autoscaling_backends.values()):
            for backend in list(regions.values()):
                actions.expire(backend, now)
                for group in list(backend.autoscaling_groups.values()):
                    scaling.reconcile(group)


def _locked(fn):
    def wrapper(*args, **kwargs):
        with lock:
            return fn(*args, **kwargs)

    wrapper.__name__ = fn.__name__
    return wrapper


def install():
    """Patches moto's Auto Scaling model and API; starts the timeout sweeper. Idempotent."""
    global _sweeper
    if ORIGINAL:
        return
    group_cls = asg_models.FakeAutoScalingGroup
    resp = asg_responses.AutoScalingResponse
    ORIGINAL["replace"] = group_cls.replace_autoscaling_group_instances
    ORIGINAL["put_warm_pool"] = resp.put_warm_pool
    ORIGINAL["delete_warm_pool"] = resp.delete_warm_pool
    ORIGINAL["terminate_instance"] = resp.terminate_instance_in_auto_scaling_group
    ORIGINAL["set_instance_protection"] = resp.set_instance_protection
    ORIGINAL["put_scaling_policy"] = resp.put_scaling_policy
    ORIGINAL["delete_policy"] = resp.delete_policy
    group_cls.set_desired_capacity = scaling.set_desired_capacity
    resp.put_lifecycle_hook = actions.put_lifecycle_hook
    resp.complete_lifecycle_action = actions.complete_lifecycle_action_api
    resp.record_lifecycle_action_heartbeat = actions.record_lifecycle_action_heartbeat
    resp.create_auto_scaling_group = scaling.create_auto_scaling_group
    resp.terminate_instance_in_auto_scaling_group = scaling.terminate_instance_in_auto_scaling_group
    resp.set_instance_protection = scaling.set_instance_protection
    resp.describe_scaling_activities = activities.describe_scaling_activities
    resp.put_scaling_policy = policies.put_scaling_policy
    resp.delete_policy = policies.delete_policy
    resp.describe_warm_pool = warm_pools.describe_warm_pool
    resp.put_warm_pool = warm_pools.put_warm_pool
    resp.set_instance_health = health.set_instance_health
    resp.delete_warm_pool = warm_pools.delete_warm_pool
    for name in ("describe_auto_scaling_groups", "update_auto_scaling_group"):
        setattr(resp, name, _locked(getattr(resp, name)))
    _sweeper = threading.Thread(target=_sweep, name="scalegate-lifecycle-sweeper", daemon=True)
    _sweeper.start()


def stop():
    _stop.set()
