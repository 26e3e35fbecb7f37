//! Ports to a versioned document store. The functions only read ([`ConfigStore`]); the CLI also writes and restores
//! ([`ConfigHistory`]).

use crate::ports::AwsError;
use chrono::{DateTime, Utc};
use std::future::Future;

/// One version of a document, with its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revision {
    /// The store's version id.
    pub version_id: String,
    /// The entity tag, for the next conditional read.
    pub etag: String,
    /// The document.
    pub text: String,
}

/// What a conditional read found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fetched {
    /// The current version is the one whose entity tag was given.
    Unchanged,
    /// The current version, which differs from the one given (or none was given).
    Current(Revision),
}

/// Reads one document: its current version, and (for a process that never loaded a good one) its history.
pub trait ConfigStore {
    /// The current version, or [`Fetched::Unchanged`] when its entity tag is `known_etag`.
    fn fetch(&self, known_etag: Option<&str>) -> impl Future<Output = Result<Fetched, AwsError>> + Send;
    /// Every version, newest first.
    fn versions(&self) -> impl Future<Output = Result<Vec<VersionInfo>, AwsError>> + Send;
    /// One version's text.
    fn read_version(&self, version_id: &str) -> impl Future<Output = Result<String, AwsError>> + Send;
}

/// One entry of a document's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionInfo {
    /// The store's version id.
    pub version_id: String,
    /// When it was written.
    pub written_at: Option<DateTime<Utc>>,
    /// Its size in bytes.
    pub size: i64,
    /// Whether it is the current version.
    pub is_current: bool,
    /// Its entity tag (equal tags: equal contents).
    pub etag: String,
    /// A delete marker: the document was deleted at this point (nothing to read or restore).
    pub deleted: bool,
}

/// Writes and restores versions of one document (the CLI's side).
pub trait ConfigHistory: ConfigStore {
    /// Writes a new current version; returns its version id.
    fn write(&self, text: &str) -> impl Future<Output = Result<String, AwsError>> + Send;
    /// Makes a copy of an old version the current one; returns the new version id.
    fn restore(&self, version_id: &str) -> impl Future<Output = Result<String, AwsError>> + Send;
}
