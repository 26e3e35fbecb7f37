//! The scaling-control-plane guard: CloudTrail records of Auto Scaling and launch-template calls, read leniently
//! ([`CloudTrailRecord`]), classified ([`classify`]: who did what to which group) and judged ([`judge`]): a watched
//! change — a gate or drain hook deleted or changed, processes suspended, another template or version, instances
//! attached, detached or moved through standby, protection removed, an instance marked healthy, the warm pool
//! deleted or Running, a forced delete, deletion protection lowered, capacity set directly — by a principal outside
//! the automation set is an alert. Auto Scaling's own actions never are. With `[restore]`, a deleted or weakened gate
//! hook is put back on groups that opted in ([`restore`]).

mod classify;
mod judge;
mod record;
mod report;
mod restore;
#[cfg(test)]
mod tests;

pub use classify::{classify, Call, Change, Principal, AUTOSCALING_SERVICE, OPT_IN_PREFIX, WATCHED_PROCESSES};
pub use judge::{judge, weakens_gate, GuardConfig, GuardConfigError, HookSpec, Verdict};
pub use record::{CloudTrailRecord, Params, RecordError, DETAIL_TYPE};
pub use restore::{restore, restore_plan, GateHooks, RestoreOutcome, RestorePlan, RESTORE_TAG};

use crate::report::Report;
use chrono::{DateTime, Utc};

/// One event, judged.
#[derive(Debug)]
pub struct Judged {
    /// What the call did.
    pub call: Call,
    /// The verdict.
    pub verdict: Verdict,
    /// Its log and metric lines.
    pub report: Report,
}

/// Reads, classifies and judges one event (an EventBridge CloudTrail event or a bare record).
pub fn guard(event: &serde_json::Value, config: &GuardConfig, now: DateTime<Utc>) -> Result<Judged, RecordError> {
    let record = CloudTrailRecord::from_value(event)?;
    let call = classify(&record);
    let verdict = judge(&call, config);
    let report = report::call_report(&call, &verdict, config, now);
    Ok(Judged { call, verdict, report })
}
