"""Auto Scaling lifecycle hooks, warm pools and scale-in for moto, patched in-process.

What moto lacks and this adds, one module per concern:
- `actions`: instances launched into a group with a launch hook wait in `Pending:Wait` (`Warmed:Pending:Wait`
  entering a warm pool); terminate hooks hold instances in `Terminating:Wait`. `CompleteLifecycleAction` and
  `RecordLifecycleActionHeartbeat` work by token or instance id, with real state changes: CONTINUE → InService (or
  into the pool), ABANDON → terminated and replaced; a heartbeat timeout applies the hook's default result; an
  unknown or finished action answers "No active Lifecycle Action found", as AWS does. DescribeLifecycleHooks reports
  the hook's real global timeout (min(48 h, 100 × heartbeat timeout)).
- `notifications`: each wait sends a notification to the hook's target (an SQS queue or SNS topic, as Auto
  Scaling's flat JSON) and an EventBridge event (`source: aws.autoscaling`) through moto's default event bus; a hook
  created with an SQS/SNS target receives `autoscaling:TEST_NOTIFICATION`.
- `launching`: launches use the launch template version the group names ($Latest/$Default resolved) including IMDS
  options, instance profile, key pair and encrypted volumes, which moto's own launch path ignores, and what the
  launch_templates module adds (mixed-instances overrides, groups on network interfaces, SSM-named AMIs, EBS
  encryption by default).
- `activities`: DescribeScalingActivities lists each launch (into service, into the warm pool, from it) with its
  start, its end (InService, or settled in the pool) and its status, as AWS words them.
- `policies`: a target tracking policy gets the two CloudWatch alarms AWS makes for it (high 3 of 3 above the
  target, low 15 of 15 below 90 % of it), listed in its `Alarms`.
- `warm_pools`: warm pools hold instances (DescribeWarmPool lists them); scale-out draws from the pool first.
- `scaling`: scale-in honours instance protection, and a background reconciler scales in once protection is
  removed; `TerminateInstanceInAutoScalingGroup` goes through terminate hooks (protection does not stop it, as in
  AWS), and `SetInstanceProtection` refuses instances that are not InService, EnteringStandby or Standby, with AWS's
  message.
- `health`: SetInstanceHealth Unhealthy terminates and replaces the instance (through the hooks), in service or in
  the warm pool, unless ReplaceUnhealthy is suspended.
- `patches`: installs all of the above into moto and runs the sweeper (timeouts, held-back scale-in).

Leniencies (documented, on purpose): hook heartbeat timeouts below AWS's 30 s minimum are accepted so tests run fast.
"""

from .patches import install, stop

__all__ = ["install", "stop"]
