//! The restore mode: when an outsider deletes or weakens the gate hook of a group that opted in (the group tag
//! [`RESTORE_TAG`]), the guard puts the hook back exactly as its document's `[restore]` specifies, and says so.

use super::classify::{Call, Change};
use super::judge::{GuardConfig, HookSpec, Verdict};
use crate::emf::Metric;
use crate::ports::AwsError;
use crate::report::{Level, Report};
use crate::retry::{retry, RetryPolicy};
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::json;
use std::future::Future;

/// The group tag (any value) by which a group lets the guard put its gate hook back; the guard's role may put
/// lifecycle hooks on groups carrying it only.
pub const RESTORE_TAG: &str = "scalegate:guard-restore";

/// What the guard's restore needs from AWS.
pub trait GateHooks: Send + Sync {
    /// Whether the group carries [`RESTORE_TAG`] (`Ok(false)` for a group that no longer exists).
    fn opted_in(&self, group: &str) -> impl Future<Output = Result<bool, AwsError>> + Send;
    /// `PutLifecycleHook`: the launch hook, as `spec` says.
    fn put_hook(&self, group: &str, spec: &HookSpec) -> impl Future<Output = Result<(), AwsError>> + Send;
}

/// A hook to put back, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RestorePlan {
    /// The group.
    pub group: String,
    /// The hook as it must be.
    pub spec: HookSpec,
    /// The change that called for it (`hook-deleted`, `hook-changed`).
    pub after: &'static str,
}

/// The hook to put back after this judged call, if any: an alert that deleted the restore hook, or put it other than
/// specified, on a named group, by a call that succeeded (a failed call changed nothing).
pub fn restore_plan(call: &Call, verdict: &Verdict, config: &GuardConfig) -> Option<RestorePlan> {
    let spec = config.restore()?;
    let Verdict::Alert { changes } = verdict else { return None };
    if call.failed.is_some() {
        return None;
    }
    let group = call.group.clone()?;
    let change = changes
        .iter()
        .find(|c| matches!(c, Change::HookDeleted { hook } | Change::HookChanged { hook, .. } if *hook == spec.hook))?;
    Some(RestorePlan { group, spec: spec.clone(), after: change.action() })
}

/// What the restore did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "restore", rename_all = "snake_case")]
pub enum RestoreOutcome {
    /// The hook was put back.
    Restored,
    /// The group does not carry the restore tag: the alert stands, nothing was put.
    NotOptedIn,
    /// Reading the group or putting the hook failed after retries: the gate hook is still missing or weak.
    Failed {
        /// The error.
        error: String,
    },
}

/// Puts the hook back on an opted-in group; the report says what happened (`guard restored` at WARN,
/// `guard restore failed` at ERROR) and counts `GuardRestores`.
pub async fn restore<P: GateHooks>(ports: &P, plan: &RestorePlan, now: DateTime<Utc>) -> (RestoreOutcome, Report) {
    let policy = RetryPolicy::standard();
    let outcome = match retry(policy, || ports.opted_in(&plan.group)).await.result {
        Err(e) => RestoreOutcome::Failed { error: e.to_string() },
        Ok(false) => RestoreOutcome::NotOptedIn,
        Ok(true) => match retry(policy, || ports.put_hook(&plan.group, &plan.spec)).await.result {
            Ok(()) => RestoreOutcome::Restored,
            Err(e) => RestoreOutcome::Failed { error: e.to_string() },
        },
    };
    let mut report = Report::default();
    let fields = json!({"auto_scaling_group": plan.group, "hook": plan.spec, "after": plan.after, "outcome": outcome});
    match &outcome {
        RestoreOutcome::Restored => {
            report.log(now, Level::Warn, "guard restored the gate hook", fields);
            report.metric(now, &[], &[Metric::new("GuardRestores", 1.0, "Count")]);
        }
        RestoreOutcome::NotOptedIn => report.log(
            now,
            Level::Info,
            &format!("guard: gate hook not restored (the group does not carry {RESTORE_TAG})"),
            fields,
        ),
        RestoreOutcome::Failed { .. } => report.log(now, Level::Error, "guard restore failed", fields),
    }
    (outcome, report)
}
