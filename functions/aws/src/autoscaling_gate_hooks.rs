//! The scaling guard's restore on the SDK: whether a group carries `scalegate:guard-restore`
//! (`DescribeAutoScalingGroups`), and `PutLifecycleHook` for the gate's launch hook.

use crate::errors::classify;
use scalegate_core::guard::{GateHooks, HookSpec, RESTORE_TAG};
use scalegate_core::ports::AwsError;

/// The guard's restore ports over the Auto Scaling client.
#[derive(Debug, Clone)]
pub struct AutoScalingGateHooks {
    autoscaling: aws_sdk_autoscaling::Client,
}

impl AutoScalingGateHooks {
    /// Wraps the client.
    pub fn new(autoscaling: aws_sdk_autoscaling::Client) -> Self {
        Self { autoscaling }
    }
}

impl GateHooks for AutoScalingGateHooks {
    async fn opted_in(&self, group: &str) -> Result<bool, AwsError> {
        let out = self
            .autoscaling
            .describe_auto_scaling_groups()
            .auto_scaling_group_names(group)
            .send()
            .await
            .map_err(|e| classify("DescribeAutoScalingGroups", e))?;
        Ok(out
            .auto_scaling_groups()
            .iter()
            .filter(|g| g.auto_scaling_group_name() == Some(group))
            .any(|g| g.tags().iter().any(|t| t.key() == Some(RESTORE_TAG))))
    }

    async fn put_hook(&self, group: &str, spec: &HookSpec) -> Result<(), AwsError> {
        self.autoscaling
            .put_lifecycle_hook()
            .auto_scaling_group_name(group)
            .lifecycle_hook_name(&spec.hook)
            .lifecycle_transition("autoscaling:EC2_INSTANCE_LAUNCHING")
            .heartbeat_timeout(i32::try_from(spec.heartbeat_timeout).unwrap_or(7200))
            .default_result(&spec.default_result)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| classify("PutLifecycleHook", e))
    }
}
