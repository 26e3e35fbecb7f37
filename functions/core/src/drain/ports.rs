//! What the drain needs from AWS besides the lifecycle actions: the lease tag, the hook's timeouts, its own queue.

use super::config::HookTimeouts;
use crate::ports::AwsError;
use std::future::Future;
use std::time::Duration;

/// What the drain reads (and the one thing it tidies): the lease tag and the hook's timeouts.
pub trait DrainFacts: Send + Sync {
    /// The instance's lease tag, `None` without one.
    fn lease_tag(&self, instance: &str) -> impl Future<Output = Result<Option<String>, AwsError>> + Send;
    /// `DescribeLifecycleHooks` for one hook.
    fn hook_timeouts(&self, group: &str, hook: &str) -> impl Future<Output = Result<HookTimeouts, AwsError>> + Send;
    /// Removes the lease tag (an instance returning to the warm pool must not come back holding a lease).
    fn clear_lease_tag(&self, instance: &str) -> impl Future<Output = Result<(), AwsError>> + Send;
}

/// Where re-checks and unreadable records go.
pub trait RecheckQueue: Send + Sync {
    /// Puts `body` on the drain's queue, invisible for `delay`.
    fn requeue(&self, body: &str, delay: Duration) -> impl Future<Output = Result<(), AwsError>> + Send;
    /// Puts an unusable record on the dead-letter queue, with the reason beside it.
    fn dead_letter(&self, raw: &str, reason: &str) -> impl Future<Output = Result<(), AwsError>> + Send;
}
