//! What leases and the reaper need from AWS: instance tags, scale-in protection, and the groups that opted in.

use super::reaper::GroupLeases;
use crate::ports::AwsError;
use std::future::Future;

/// Where leases live: instance tags and the group's scale-in protection.
pub trait LeaseStore: Send + Sync {
    /// `CreateTags` on the instance.
    fn tag(&self, instance: &str, key: &str, value: &str) -> impl Future<Output = Result<(), AwsError>> + Send;
    /// `DeleteTags` on the instance.
    fn untag(&self, instance: &str, key: &str) -> impl Future<Output = Result<(), AwsError>> + Send;
    /// `SetInstanceProtection` for up to 50 instances of one group.
    fn protect(&self, group: &str, instances: &[String], on: bool)
        -> impl Future<Output = Result<(), AwsError>> + Send;
}

/// The groups the reaper may touch.
pub trait OptedInGroups: Send + Sync {
    /// Groups tagged with [`OPT_IN_TAG`](super::OPT_IN_TAG) `= true`, each with its protected members and their lease
    /// tags.
    fn opted_in_groups(&self) -> impl Future<Output = Result<Vec<GroupLeases>, AwsError>> + Send;
}
