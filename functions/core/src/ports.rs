//! Ports: the capabilities the core needs from the outside world, named by what they do.
//!
//! Adapters in `scalegate-aws` implement them with the AWS SDK; tests implement them in memory.

use crate::gate::LaunchFacts;
use crate::lifecycle::LifecycleAction;
use std::future::Future;

/// What kind of failure an AWS call had, which decides whether to retry it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AwsErrorKind {
    /// Throttling or request-limit errors.
    Throttled,
    /// 5xx from the service.
    ServerError,
    /// The call timed out.
    Timeout,
    /// Connection-level failure.
    Network,
    /// The resource does not exist.
    NotFound,
    /// Not authorized.
    AccessDenied,
    /// The caller's credentials expired or are invalid.
    ExpiredCredentials,
    /// The service answered with something we cannot use (missing fields, unparseable body).
    Malformed,
    /// The request was rejected as invalid.
    Validation,
    /// The resource is not in a state that allows the call (an instance leaving its group cannot change its
    /// scale-in protection, say).
    WrongState,
    /// Anything else.
    Other,
}

/// A failed AWS call, classified.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{operation} failed ({kind:?}): {message}")]
pub struct AwsError {
    /// The API operation, e.g. `DescribeInstances`.
    pub operation: &'static str,
    /// Classification.
    pub kind: AwsErrorKind,
    /// The service's message.
    pub message: String,
}

impl AwsError {
    /// Builds an error.
    pub fn new(operation: &'static str, kind: AwsErrorKind, message: impl Into<String>) -> Self {
        Self { operation, kind, message: message.into() }
    }

    /// Transient failures are worth another attempt; the rest will fail the same way again.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self.kind,
            AwsErrorKind::Throttled | AwsErrorKind::ServerError | AwsErrorKind::Timeout | AwsErrorKind::Network
        )
    }
}

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

/// Gathers the facts the launch gate checks, as one snapshot.
pub trait LaunchFactsSource: Send + Sync {
    /// Describes the instance, its security groups, its group and launch template, its profile associations.
    fn gather(&self, action: &LifecycleAction) -> impl Future<Output = Result<LaunchFacts, AwsError>> + Send;
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
