//! Completing and heartbeating lifecycle actions: what the gate and the drain both do to a hook.

use super::LifecycleAction;
use crate::ports::AwsError;
use std::future::Future;

/// `LifecycleActionResult`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum ActionResult {
    /// Let the transition proceed.
    #[serde(rename = "CONTINUE")]
    Continue,
    /// Stop it (a launch is terminated and replaced).
    #[serde(rename = "ABANDON")]
    Abandon,
}

impl ActionResult {
    /// Wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            ActionResult::Continue => "CONTINUE",
            ActionResult::Abandon => "ABANDON",
        }
    }
}

/// What completing (or heartbeating) an action did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Completion {
    /// The call took effect.
    Done,
    /// "No active Lifecycle Action found": someone already completed it, or it timed out. Idempotent success.
    AlreadyDone,
}

/// Completes and heartbeats lifecycle actions.
pub trait LifecycleActions: Send + Sync {
    /// `CompleteLifecycleAction`.
    fn complete(
        &self,
        action: &LifecycleAction,
        result: ActionResult,
    ) -> impl Future<Output = Result<Completion, AwsError>> + Send;

    /// `RecordLifecycleActionHeartbeat`.
    fn heartbeat(&self, action: &LifecycleAction) -> impl Future<Output = Result<Completion, AwsError>> + Send;
}
