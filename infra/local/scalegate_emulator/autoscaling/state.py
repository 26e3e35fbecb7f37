"""What every concern shares: transitions, the one lock, moto's originals, pending actions and small accessors."""

import datetime
import threading
import time
import uuid

LAUNCHING = "autoscaling:EC2_INSTANCE_LAUNCHING"
TERMINATING = "autoscaling:EC2_INSTANCE_TERMINATING"
READY_POOL_STATES = ("Warmed:Stopped", "Warmed:Running", "Warmed:Hibernated")

# One re-entrant lock over every group change: moto's server is threaded and the sweeper runs beside it.
lock = threading.RLock()
# moto's own implementations that the patches replace and sometimes call through to.
ORIGINAL = {}


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


def actions(backend):
    """Pending actions of one backend, by token."""
    if not hasattr(backend, "_sg_actions"):
        backend._sg_actions = {}
    return backend._sg_actions


def warm_pool(group):
    # set_desired_capacity runs inside moto's group constructor, before the attribute exists
    return getattr(group, "warm_pool", None)


def pool(group):
    """The instances held in a group's warm pool."""
    if not hasattr(group, "_sg_pool"):
        group._sg_pool = []
    return group._sg_pool


def hooks(backend, group, transition):
    return [
        h
        for h in backend.lifecycle_hooks.values()
        if h.auto_scaling_group_name == group.name and h.lifecycle_transition == transition
    ]


def live(group):
    """Members that are not on their way out."""
    return [s for s in group.instance_states if not s.lifecycle_state.startswith("Terminating")]


def truthy(value):
    return str(value).lower() == "true" if isinstance(value, str) else bool(value)


def iso_now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
