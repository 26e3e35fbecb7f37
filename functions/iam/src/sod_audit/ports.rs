//! What the audit needs from AWS.

use crate::Loaded;
use scalegate_core::ports::AwsError;
use std::future::Future;

/// The account's roles, users, groups and managed policies (every version), parsed.
pub trait AccountInventory: Send + Sync {
    /// Reads the whole account. An error names the operation and how far it got; it is never an empty account.
    fn read(&self) -> impl Future<Output = Result<Loaded, AwsError>> + Send;
}
