//! Lease tags, the reaper's decisions, and acquire/renew/release over an in-memory store.

use super::*;
use crate::ports::{AwsError, AwsErrorKind};
use chrono::{TimeZone, Utc};
use std::collections::{HashMap, HashSet};
use std::sync::Mutex;
use std::time::Duration;

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 12, 0, 0).unwrap()
}

#[test]
fn expiry_tags_round_trip_and_bad_ttls_are_refused() {
    let tag = expiry_tag(now(), Duration::from_secs(300)).unwrap();
    assert_eq!(tag, "2026-11-22T12:05:00Z");
    assert_eq!(parse_expiry(&tag), Some(now() + chrono::Duration::seconds(300)));
    assert!(matches!(expiry_tag(now(), Duration::ZERO), Err(LeaseError::Ttl(_))));
    assert!(matches!(expiry_tag(now(), Duration::from_secs(49 * 3600)), Err(LeaseError::Ttl(_))));
}

#[test]
fn the_reaper_keeps_live_leases_and_releases_the_rest() {
    let m = |lease: Option<&str>| ProtectedMember { instance_id: "i-1".into(), lease: lease.map(str::to_string) };
    assert!(matches!(decide(&m(Some("2026-11-22T12:00:01Z")), now()), LeaseVerdict::Keep { .. }));
    assert_eq!(
        decide(&m(Some("2026-11-22T12:00:00Z")), now()),
        LeaseVerdict::Release { reason: "expired at 2026-11-22T12:00:00+00:00".into() }
    );
    assert_eq!(decide(&m(None), now()), LeaseVerdict::Release { reason: "no lease".into() });
    assert_eq!(
        decide(&m(Some("tomorrow")), now()),
        LeaseVerdict::Release { reason: "unreadable lease tag `tomorrow`".into() }
    );
    let ids: Vec<String> = (0..120).map(|i| format!("i-{i}")).collect();
    assert_eq!(batches(&ids).map(<[String]>::len).collect::<Vec<_>>(), [50, 50, 20]);
}

#[derive(Default)]
struct Store {
    tags: Mutex<HashMap<String, String>>,
    protected: Mutex<HashSet<String>>,
    fail_protect: bool,
    leaving: bool,
    /// What `opted_in_groups` answers.
    groups: Vec<GroupLeases>,
    /// `protect` fails for this group only.
    failing_group: Option<&'static str>,
    /// Sizes of the protection calls made.
    batch_sizes: Mutex<Vec<usize>>,
}

impl OptedInGroups for Store {
    async fn opted_in_groups(&self) -> Result<Vec<GroupLeases>, AwsError> {
        Ok(self.groups.clone())
    }
}

impl LeaseStore for Store {
    async fn tag(&self, instance: &str, _: &str, value: &str) -> Result<(), AwsError> {
        self.tags.lock().unwrap().insert(instance.into(), value.into());
        Ok(())
    }
    async fn untag(&self, instance: &str, _: &str) -> Result<(), AwsError> {
        self.tags.lock().unwrap().remove(instance);
        Ok(())
    }
    async fn protect(&self, group: &str, instances: &[String], on: bool) -> Result<(), AwsError> {
        self.batch_sizes.lock().unwrap().push(instances.len());
        if self.failing_group == Some(group) {
            return Err(AwsError::new("SetInstanceProtection", AwsErrorKind::Throttled, "Rate exceeded"));
        }
        if self.leaving {
            let msg = format!(
                "ValidationError: The instance {} is not in InService or EnteringStandby or Standby.",
                instances[0]
            );
            return Err(AwsError::new("SetInstanceProtection", AwsErrorKind::WrongState, msg));
        }
        if self.fail_protect {
            return Err(AwsError::new("SetInstanceProtection", AwsErrorKind::Throttled, "Rate exceeded"));
        }
        let mut p = self.protected.lock().unwrap();
        for i in instances {
            if on {
                p.insert(i.clone());
            } else {
                p.remove(i);
            }
        }
        Ok(())
    }
}

fn block<F: std::future::Future>(f: F) -> F::Output {
    // Paused time: retry pauses pass at once.
    tokio::runtime::Builder::new_current_thread().enable_time().start_paused(true).build().unwrap().block_on(f)
}

#[test]
fn acquire_renew_release() {
    let store = Store::default();
    let expires = block(acquire(&store, "workers", "i-1", Duration::from_secs(60), now())).unwrap();
    assert_eq!(store.tags.lock().unwrap()["i-1"], expires);
    assert!(store.protected.lock().unwrap().contains("i-1"));
    let later =
        block(renew(&store, "workers", "i-1", Duration::from_secs(60), now() + chrono::Duration::seconds(30))).unwrap();
    assert!(later > expires);
    block(release(&store, "workers", "i-1")).unwrap();
    assert!(store.tags.lock().unwrap().is_empty() && store.protected.lock().unwrap().is_empty());
}

#[test]
fn a_failed_protection_says_what_state_is_left() {
    let store = Store { fail_protect: true, ..Default::default() };
    let e = block(acquire(&store, "workers", "i-1", Duration::from_secs(60), now())).unwrap_err();
    assert!(e.to_string().contains("NOT protected and holds no lease"), "{e}");
    assert!(!store.tags.lock().unwrap().contains_key("i-1"), "a failed acquire takes its tag back");
    store.tags.lock().unwrap().insert("i-2".into(), "2026-11-22T12:01:00Z".into());
    let e = block(release(&store, "workers", "i-2")).unwrap_err();
    assert!(e.to_string().contains("until its lease expires"), "{e}");
    assert!(store.tags.lock().unwrap().contains_key("i-2"), "the tag stays so the reaper can finish the job");
}

#[test]
fn on_an_instance_leaving_its_group_the_tag_alone_carries_the_lease() {
    let store = Store { leaving: true, ..Default::default() };
    // No new work on a terminating instance: acquire refuses and leaves nothing behind.
    let e = block(acquire(&store, "workers", "i-1", Duration::from_secs(60), now())).unwrap_err();
    assert!(matches!(e, LeaseError::LeavingGroup { .. }), "{e}");
    assert!(store.tags.lock().unwrap().is_empty());
    // Work already running keeps its lease (the drain function reads the tag) and can end it.
    store.tags.lock().unwrap().insert("i-2".into(), "2026-11-22T12:01:00Z".into());
    let extended = block(renew(&store, "workers", "i-2", Duration::from_secs(600), now())).unwrap();
    assert_eq!(store.tags.lock().unwrap()["i-2"], extended);
    block(release(&store, "workers", "i-2")).unwrap();
    assert!(store.tags.lock().unwrap().is_empty(), "release removes the tag though protection cannot change");
    // A throttled protection call is no such thing.
    let throttled = AwsError::new("SetInstanceProtection", AwsErrorKind::Throttled, "Rate exceeded");
    assert!(!leaving_group(&throttled));
}

#[test]
fn the_reaper_releases_in_batches_keeps_live_leases_and_reports_each_group() {
    let member =
        |id: String, lease: Option<&str>| ProtectedMember { instance_id: id, lease: lease.map(str::to_string) };
    let mut crowded: Vec<ProtectedMember> = (0..120).map(|i| member(format!("i-{i}"), None)).collect();
    crowded.push(member("i-live".into(), Some("2026-11-22T12:30:00Z")));
    let store = Store {
        groups: vec![
            GroupLeases { group: "workers".into(), protected: crowded },
            GroupLeases {
                group: "throttled".into(),
                protected: vec![member("i-x".into(), Some("2026-11-22T11:00:00Z"))],
            },
        ],
        failing_group: Some("throttled"),
        ..Default::default()
    };
    store.protected.lock().unwrap().extend((0..120).map(|i| format!("i-{i}")).chain(["i-live".to_string()]));
    let run = block(reap(&store, now())).unwrap();
    assert_eq!(run.released.len(), 120);
    assert_eq!(run.kept, 1);
    // The throttled group's batch is tried five times (the standard retry policy), then reported.
    assert_eq!(*store.batch_sizes.lock().unwrap(), [50, 50, 20, 1, 1, 1, 1, 1]);
    assert_eq!(*store.protected.lock().unwrap(), HashSet::from(["i-live".to_string()]), "only the live lease stays");
    assert_eq!(run.failures.len(), 1);
    assert!(run.failures[0].starts_with("throttled: 1 instance(s) still protected"), "{:?}", run.failures);
    assert_eq!(run.report.logs().filter(|l| l.contains("protection removed")).count(), 120);
    assert!(run.report.logs().any(|l| l.contains("\"level\":\"ERROR\"") && l.contains("throttled")));
    let expired: Vec<serde_json::Value> = run.report.metrics().map(|m| serde_json::from_str(m).unwrap()).collect();
    let per_group: Vec<(&str, f64)> = expired
        .iter()
        .map(|m| (m["AutoScalingGroupName"].as_str().unwrap(), m["ExpiredLeases"].as_f64().unwrap()))
        .collect();
    assert_eq!(per_group, [("workers", 120.0), ("throttled", 0.0)], "every group reports, 0 included");
}
