"""SetInstanceHealth as AWS documents it: an instance marked Unhealthy is terminated and replaced at once.

moto only records the status. AWS: "Set to Unhealthy to have the instance be out of service. Amazon EC2 Auto Scaling
terminates and replaces the unhealthy instance" — an InService member leaves through the group's terminate hooks and
a replacement launches through its launch hooks (so it is gated); a warm-pool instance found unhealthy is deleted and
the pool refilled. Nothing is replaced while the group's ReplaceUnhealthy process is suspended, and a Standby
instance keeps its status until it leaves standby. An instance no group manages is refused with AWS's message.
"""

from moto.autoscaling.exceptions import ValidationError
from moto.core.responses import EmptyResult

from . import scaling, warm_pools
from .state import lock, pool


def _replacing(group):
    suspended = [p.get("ProcessName") for p in (group.suspended_processes or [])]
    return "ReplaceUnhealthy" not in suspended


def set_instance_health(self):
    instance_id = self._get_param("InstanceId")
    status = self._get_param("HealthStatus")
    if status not in ("Healthy", "Unhealthy"):
        raise ValidationError(f"Valid requests must contain either Healthy or Unhealthy for HealthStatus, got {status}")
    backend = self.autoscaling_backend
    with lock:
        for group in list(backend.autoscaling_groups.values()):
            for state in list(group.instance_states):
                if state.instance.id != instance_id:
                    continue
                state.health_status = status
                if status == "Unhealthy" and state.lifecycle_state == "InService" and _replacing(group):
                    scaling.begin_termination(backend, group, state)
                    scaling.set_desired_capacity(group, group.desired_capacity)
                return EmptyResult()
            for state in list(pool(group)):
                if state.instance.id != instance_id:
                    continue
                state.health_status = status
                if status == "Unhealthy" and _replacing(group):
                    pool(group).remove(state)
                    group.ec2_backend.terminate_instances([state.instance.id])
                    warm_pools.refill_pool(backend, group)
                return EmptyResult()
    raise ValidationError(f"Instance Id not found - No managed instance found for instance ID: {instance_id}")
