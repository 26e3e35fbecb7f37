//! Acquire, renew and release a lease through a [`LeaseStore`] port.

use super::ports::{LeaseStore, OptedInGroups};
use super::reaper::{batches, decide, LeaseVerdict};
use super::report;
use crate::ports::{AwsError, AwsErrorKind};
use crate::report::Report;
use crate::retry::retried;
use chrono::{DateTime, SecondsFormat, Utc};
use std::time::Duration;

/// The instance tag holding the lease's expiry (RFC 3339, UTC).
pub const LEASE_TAG: &str = "scalegate:lease-expires";
/// The group tag (value `true`) by which a group opts in to leases: the reaper touches no other group.
pub const OPT_IN_TAG: &str = "scalegate:leases";

/// A lease operation that failed, and what state it left.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LeaseError {
    /// The TTL is out of range.
    #[error("lease TTL {0:?} is out of range (1 s to 48 h)")]
    Ttl(Duration),
    /// The expiry tag could not be written: nothing changed, the instance is not protected by this call.
    #[error("could not write the lease tag on {instance}: {error}; the instance is NOT protected")]
    Tag {
        /// The instance whose lease tag could not be written.
        instance: String,
        /// The AWS error.
        error: Box<AwsError>,
    },
    /// The instance is leaving its group (terminating, or returning to the warm pool): no lease was taken.
    #[error("{instance} is leaving {group} (not InService): no lease taken; do not start new work on it")]
    LeavingGroup {
        /// The instance that is terminating or returning to the warm pool.
        instance: String,
        /// The group it is leaving.
        group: String,
    },
    /// Protection could not be set or removed.
    #[error("could not {action} scale-in protection of {instance} in {group}: {error}; {state}")]
    Protection {
        /// `set` or `remove`.
        action: &'static str,
        /// The instance whose protection did not change.
        instance: String,
        /// Its Auto Scaling group.
        group: String,
        /// The AWS error.
        error: Box<AwsError>,
        /// What state is left, in words.
        state: &'static str,
    },
}

/// The tag value for a lease of `ttl` from `now`.
pub fn expiry_tag(now: DateTime<Utc>, ttl: Duration) -> Result<String, LeaseError> {
    if ttl < Duration::from_secs(1) || ttl > Duration::from_secs(48 * 3600) {
        return Err(LeaseError::Ttl(ttl));
    }
    let expires = now + chrono::Duration::from_std(ttl).map_err(|_| LeaseError::Ttl(ttl))?;
    Ok(expires.to_rfc3339_opts(SecondsFormat::Secs, true))
}

/// Reads a lease tag; `None` when it is not a timestamp.
pub fn parse_expiry(value: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(value.trim()).ok().map(|t| t.with_timezone(&Utc))
}

/// True when `SetInstanceProtection` refused because the instance is not in service (the adapter classifies AWS's
/// "not in InService or EnteringStandby or Standby" as [`AwsErrorKind::WrongState`]): in `Terminating:Wait`, say,
/// where the drain function honours the lease tag alone.
pub fn leaving_group(error: &AwsError) -> bool {
    error.kind == AwsErrorKind::WrongState
}

/// Takes a lease: writes the expiry tag, then sets protection. If protection fails the tag is taken back, so a
/// failed acquire leaves no lease behind; an instance that is leaving the group gets [`LeaseError::LeavingGroup`]:
/// its worker should not start new work. Returns the expiry written.
pub async fn acquire<S: LeaseStore>(
    store: &S,
    group: &str,
    instance: &str,
    ttl: Duration,
    now: DateTime<Utc>,
) -> Result<String, LeaseError> {
    let expires = write_tag(store, instance, ttl, now).await?;
    let ids = [instance.to_string()];
    let Err(error) = retried(|| store.protect(group, &ids, true)).await else {
        return Ok(expires);
    };
    let untagged = retried(|| store.untag(instance, LEASE_TAG)).await.is_ok();
    if leaving_group(&error) {
        return Err(LeaseError::LeavingGroup { instance: instance.into(), group: group.into() });
    }
    let state = if untagged {
        "the instance is NOT protected and holds no lease"
    } else {
        "the instance is NOT protected; its lease tag stays until it expires"
    };
    Err(protection_error("set", group, instance, error, state))
}

/// Extends a lease: a new expiry, and protection set again (idempotent) in case the reaper removed it meanwhile. On
/// an instance that is leaving the group only the tag can be extended, and that is enough: the drain function holds
/// the terminate action while the lease is live.
pub async fn renew<S: LeaseStore>(
    store: &S,
    group: &str,
    instance: &str,
    ttl: Duration,
    now: DateTime<Utc>,
) -> Result<String, LeaseError> {
    let expires = write_tag(store, instance, ttl, now).await?;
    let ids = [instance.to_string()];
    match retried(|| store.protect(group, &ids, true)).await {
        Err(error) if !leaving_group(&error) => Err(protection_error(
            "set",
            group,
            instance,
            error,
            "the lease tag was extended, but the instance may be unprotected until the next renewal",
        )),
        _ => Ok(expires),
    }
}

async fn write_tag<S: LeaseStore>(
    store: &S,
    instance: &str,
    ttl: Duration,
    now: DateTime<Utc>,
) -> Result<String, LeaseError> {
    let expires = expiry_tag(now, ttl)?;
    retried(|| store.tag(instance, LEASE_TAG, &expires))
        .await
        .map_err(|error| LeaseError::Tag { instance: instance.into(), error: Box::new(error) })?;
    Ok(expires)
}

/// Ends a lease: removes protection first, then the tag. If removing protection fails the tag stays, so the reaper
/// removes the protection once the lease expires. On an instance that is leaving the group there is no protection to
/// remove: the tag goes, and the drain function lets the termination continue.
pub async fn release<S: LeaseStore>(store: &S, group: &str, instance: &str) -> Result<(), LeaseError> {
    let ids = [instance.to_string()];
    match retried(|| store.protect(group, &ids, false)).await {
        Err(error) if !leaving_group(&error) => {
            return Err(protection_error(
                "remove",
                group,
                instance,
                error,
                "the instance stays protected until its lease expires and the reaper removes it",
            ))
        }
        _ => {}
    }
    retried(|| store.untag(instance, LEASE_TAG))
        .await
        .map_err(|error| LeaseError::Tag { instance: instance.into(), error: Box::new(error) })
}

fn protection_error(
    action: &'static str,
    group: &str,
    instance: &str,
    error: AwsError,
    state: &'static str,
) -> LeaseError {
    LeaseError::Protection { action, instance: instance.into(), group: group.into(), error: Box::new(error), state }
}

/// One reaper run over every opted-in group.
#[derive(Debug, Clone, Default)]
pub struct ReaperRun {
    /// Instances whose protection was removed: (group, instance, reason).
    pub released: Vec<(String, String, String)>,
    /// Protected instances kept (live lease).
    pub kept: usize,
    /// Batches that failed: the instances stay protected until the next run.
    pub failures: Vec<String>,
    /// A log line per instance released or batch failed, and `ExpiredLeases` per group.
    pub report: Report,
}

/// Removes scale-in protection whose lease expired (or that has no lease) in every opted-in group, at most
/// [`MAX_PROTECTION_BATCH`](super::MAX_PROTECTION_BATCH) instances per call. A failed batch stays protected and is
/// reported; the other batches and groups go on.
pub async fn reap<S: LeaseStore + OptedInGroups>(store: &S, now: DateTime<Utc>) -> Result<ReaperRun, AwsError> {
    let mut run = ReaperRun::default();
    for group in retried(|| store.opted_in_groups()).await? {
        // (instance, why its protection goes)
        let mut release: Vec<(String, String)> = Vec::new();
        for m in &group.protected {
            match decide(m, now) {
                LeaseVerdict::Keep { .. } => run.kept += 1,
                LeaseVerdict::Release { reason } => release.push((m.instance_id.clone(), reason)),
            }
        }
        let mut released_here = 0;
        for batch in batches(&release) {
            let ids: Vec<String> = batch.iter().map(|(id, _)| id.clone()).collect();
            match retried(|| store.protect(&group.group, &ids, false)).await {
                Ok(()) => {
                    for (id, reason) in batch {
                        report::released(&mut run.report, now, &group.group, id, reason);
                        run.released.push((group.group.clone(), id.clone(), reason.clone()));
                        released_here += 1;
                    }
                }
                Err(e) => {
                    let failure = format!("{}: {} instance(s) still protected: {e}", group.group, batch.len());
                    report::failed(&mut run.report, now, &failure);
                    run.failures.push(failure);
                }
            }
        }
        report::expired_leases(&mut run.report, now, &group.group, released_here);
    }
    Ok(run)
}
