//! Pushing a new version and rolling back to an old one: the CLI's side of a document's life. Nothing invalid is
//! ever written: a version is validated before it is pushed, and an old version before it is restored.

use super::ports::{ConfigHistory, VersionInfo};
use crate::ports::AwsError;
use crate::retry::{retry, RetryPolicy};

/// Why a push or a rollback did not happen. Nothing was written unless the variant says so.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RolloutError {
    /// The document does not parse or validate; nothing was written.
    #[error("{origin}: not pushed, it does not validate: {error}")]
    Invalid {
        /// The file or version.
        origin: String,
        /// Why.
        error: String,
    },
    /// The store failed; nothing was written unless the error came from the write itself (check `history`).
    #[error(transparent)]
    Store(#[from] AwsError),
    /// The document has no version older than the current one with different contents.
    #[error("nothing to roll back to: no older version with different contents (see `scalegate config history`)")]
    NothingToRollBackTo,
    /// `--to` names a version the document does not have.
    #[error("version {0} is not in the document's history (see `scalegate config history`)")]
    UnknownVersion(String),
    /// `--to` names the current version.
    #[error("version {0} is already the current version")]
    AlreadyCurrent(String),
    /// `--to` names a delete marker.
    #[error("version {0} is a delete marker: there is nothing to restore")]
    DeleteMarker(String),
    /// The bucket keeps no versions.
    #[error("the bucket keeps no versions of the document: enable versioning on it to roll back")]
    Unversioned,
    /// The version to restore does not validate (it may predate a rule change); nothing was written.
    #[error("version {version} does not validate, not restored: {error}")]
    TargetInvalid {
        /// The version.
        version: String,
        /// Why.
        error: String,
    },
}

/// A version written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pushed {
    /// The new current version.
    pub version_id: String,
    /// The version it replaced as current.
    pub replaced: Option<String>,
    /// For a rollback: the old version whose copy it is.
    pub restored_from: Option<String>,
}

/// Validates `text` (from `origin`) and writes it as the new current version.
pub async fn push<H: ConfigHistory>(
    history: &H,
    text: &str,
    origin: &str,
    validate: impl Fn(&str, &str) -> Result<(), String>,
) -> Result<Pushed, RolloutError> {
    validate(text, origin).map_err(|error| RolloutError::Invalid { origin: origin.to_string(), error })?;
    let versions = retry(RetryPolicy::standard(), || history.versions()).await.result?;
    let replaced = versions.iter().find(|v| v.is_current).map(|v| v.version_id.clone());
    let version_id = retry(RetryPolicy::standard(), || history.write(text)).await.result?;
    Ok(Pushed { version_id, replaced, restored_from: None })
}

/// Which version a rollback restores: `to` when given, else the newest version older than the current one whose
/// contents differ from it (so rolling back twice goes further back only through versions that differ).
/// A current delete marker (the document deleted) counts as the current version: rolling back restores what was
/// there before.
pub fn rollback_target<'a>(versions: &'a [VersionInfo], to: Option<&str>) -> Result<&'a VersionInfo, RolloutError> {
    if versions.iter().any(|v| v.version_id.starts_with("etag:")) {
        return Err(RolloutError::Unversioned);
    }
    let current = versions.iter().position(|v| v.is_current);
    if let Some(to) = to {
        let found = versions.iter().find(|v| v.version_id == to).ok_or(RolloutError::UnknownVersion(to.to_string()))?;
        if found.is_current {
            return Err(RolloutError::AlreadyCurrent(to.to_string()));
        }
        if found.deleted {
            return Err(RolloutError::DeleteMarker(to.to_string()));
        }
        return Ok(found);
    }
    let current = current.ok_or(RolloutError::NothingToRollBackTo)?;
    let now = &versions[current];
    versions[current + 1..]
        .iter()
        .find(|v| !v.deleted && (now.deleted || v.etag != now.etag))
        .ok_or(RolloutError::NothingToRollBackTo)
}

/// Restores an old version (see [`rollback_target`]) as a new current version, after validating it.
pub async fn rollback<H: ConfigHistory>(
    history: &H,
    to: Option<&str>,
    validate: impl Fn(&str, &str) -> Result<(), String>,
) -> Result<Pushed, RolloutError> {
    let versions = retry(RetryPolicy::standard(), || history.versions()).await.result?;
    let target = rollback_target(&versions, to)?.version_id.clone();
    let replaced = versions.iter().find(|v| v.is_current).map(|v| v.version_id.clone());
    let text = retry(RetryPolicy::standard(), || history.read_version(&target)).await.result?;
    validate(&text, &format!("version {target}"))
        .map_err(|error| RolloutError::TargetInvalid { version: target.clone(), error })?;
    let version_id = retry(RetryPolicy::standard(), || history.restore(&target)).await.result?;
    Ok(Pushed { version_id, replaced, restored_from: Some(target) })
}
