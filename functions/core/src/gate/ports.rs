//! What the gate needs from AWS besides the lifecycle actions: one snapshot of the facts it checks.

use super::LaunchFacts;
use crate::lifecycle::LifecycleAction;
use crate::ports::AwsError;
use std::future::Future;

/// Gathers the facts the launch gate checks, as one snapshot.
pub trait LaunchFactsSource: Send + Sync {
    /// Describes the instance, its security groups, its group and launch template, its profile associations.
    fn gather(&self, action: &LifecycleAction) -> impl Future<Output = Result<LaunchFacts, AwsError>> + Send;
}
