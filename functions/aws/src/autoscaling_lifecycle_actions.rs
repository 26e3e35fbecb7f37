//! [`LifecycleActions`] over the Auto Scaling API.

use crate::errors::classify;
use scalegate_core::lifecycle::LifecycleAction;
use scalegate_core::lifecycle::{ActionResult, Completion, LifecycleActions};
use scalegate_core::ports::AwsError;

/// Completes and heartbeats lifecycle actions by token.
#[derive(Debug, Clone)]
pub struct AutoScalingLifecycleActions {
    autoscaling: aws_sdk_autoscaling::Client,
}

impl AutoScalingLifecycleActions {
    /// An adapter over this client.
    pub fn new(autoscaling: aws_sdk_autoscaling::Client) -> Self {
        Self { autoscaling }
    }
}

/// "No active Lifecycle Action found with token …": already completed (by us, on an earlier delivery) or timed out.
fn already_done(err: &AwsError) -> bool {
    err.message.contains("No active Lifecycle Action found")
}

fn settle(result: Result<(), AwsError>) -> Result<Completion, AwsError> {
    match result {
        Ok(()) => Ok(Completion::Done),
        Err(e) if already_done(&e) => Ok(Completion::AlreadyDone),
        Err(e) => Err(e),
    }
}

impl LifecycleActions for AutoScalingLifecycleActions {
    async fn complete(&self, action: &LifecycleAction, result: ActionResult) -> Result<Completion, AwsError> {
        settle(
            self.autoscaling
                .complete_lifecycle_action()
                .auto_scaling_group_name(&action.auto_scaling_group)
                .lifecycle_hook_name(&action.hook)
                .lifecycle_action_token(&action.token)
                .instance_id(&action.instance_id)
                .lifecycle_action_result(result.as_str())
                .send()
                .await
                .map(|_| ())
                .map_err(|e| classify("CompleteLifecycleAction", e)),
        )
    }

    async fn heartbeat(&self, action: &LifecycleAction) -> Result<Completion, AwsError> {
        settle(
            self.autoscaling
                .record_lifecycle_action_heartbeat()
                .auto_scaling_group_name(&action.auto_scaling_group)
                .lifecycle_hook_name(&action.hook)
                .lifecycle_action_token(&action.token)
                .instance_id(&action.instance_id)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| classify("RecordLifecycleActionHeartbeat", e)),
        )
    }
}
