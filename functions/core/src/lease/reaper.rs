//! The protection reaper's rules: which protected instances lose their protection.

use super::service::parse_expiry;
use chrono::{DateTime, Utc};
use serde::Serialize;

/// `SetInstanceProtection` takes at most this many instances per call.
pub const MAX_PROTECTION_BATCH: usize = 50;

/// A member of an opted-in group that is protected from scale-in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProtectedMember {
    /// The EC2 instance (`i-…`).
    pub instance_id: String,
    /// Its lease tag value, if any.
    pub lease: Option<String>,
}

/// An opted-in group and its protected members.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupLeases {
    /// The Auto Scaling group, tagged `scalegate:leases=true`.
    pub group: String,
    /// Members with `ProtectedFromScaleIn`.
    pub protected: Vec<ProtectedMember>,
}

/// What happens to one protected instance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum LeaseVerdict {
    /// The lease is live: keep the protection.
    Keep {
        /// Expiry.
        expires: DateTime<Utc>,
    },
    /// Remove the protection, and why.
    Release {
        /// `expired`, `no lease` or `unreadable lease tag`.
        reason: String,
    },
}

/// Decides for one protected member of an opted-in group. A tag that is not a timestamp proves no live lease.
pub fn decide(member: &ProtectedMember, now: DateTime<Utc>) -> LeaseVerdict {
    match member.lease.as_deref() {
        None => LeaseVerdict::Release { reason: "no lease".into() },
        Some(tag) => match parse_expiry(tag) {
            Some(expires) if expires > now => LeaseVerdict::Keep { expires },
            Some(expires) => LeaseVerdict::Release { reason: format!("expired at {}", expires.to_rfc3339()) },
            None => LeaseVerdict::Release { reason: format!("unreadable lease tag `{tag}`") },
        },
    }
}

/// Instances (ids, or ids with what goes with them) in batches `SetInstanceProtection` accepts.
pub fn batches<T>(items: &[T]) -> impl Iterator<Item = &[T]> {
    items.chunks(MAX_PROTECTION_BATCH)
}
