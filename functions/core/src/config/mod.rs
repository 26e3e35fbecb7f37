//! Configuration documents that change while the functions run: gate rules, duties and backlog pairs kept as
//! versioned objects (S3 with versioning), read by the functions with conditional GETs, and pushed, listed and
//! rolled back by the CLI.
//!
//! The promise: a function decides only with a version that parsed and validated. A new version that does not is
//! reported (`ConfigRejected`) and the last good one stays in use; a process that never loaded one (a cold start
//! after a bad push) takes the newest older version that validates, and refuses to work when there is none.

mod live;
mod location;
pub mod ports;
mod rollout;

pub use live::{LiveDocument, Loaded, Parse, DEFAULT_MAX_AGE, FALLBACK_DEPTH};
pub use location::{DocumentLocation, LocationError};
pub use ports::{ConfigHistory, ConfigStore, Fetched, Revision, VersionInfo};
pub use rollout::{push, rollback, rollback_target, Pushed, RolloutError};

/// The CloudWatch metric a function emits each time it sees a version it will not use.
pub const CONFIG_REJECTED: &str = "ConfigRejected";
/// The CloudWatch metric a function emits when it cannot read its document and keeps the last good version.
pub const CONFIG_FETCH_ERRORS: &str = "ConfigFetchErrors";

/// Why a function has no configuration to work with.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// The document could not be read and no good version was loaded before.
    #[error("{location}: cannot read it and no good version was loaded before: {error}")]
    Unreadable {
        /// Where the document lives.
        location: String,
        /// The AWS error.
        error: String,
    },
    /// The current version does not parse or validate and no good version was loaded before.
    #[error("{location} version {version}: rejected and no good version was loaded before: {error}")]
    NoGoodVersion {
        /// Where the document lives.
        location: String,
        /// The rejected version.
        version: String,
        /// Why it was rejected.
        error: String,
    },
}

#[cfg(test)]
mod tests;
