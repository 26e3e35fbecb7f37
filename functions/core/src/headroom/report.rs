//! What the planner writes: one `warm pool plan` line per group with its inputs and decision, `PlannedWarmCapacity`
//! when a plan was made, and `WarmPoolChanges` for every group (0 included, so its alarm always has data).

use super::service::{Action, GroupOutcome};
use crate::emf::Metric;
use crate::report::{Level, Report};
use chrono::{DateTime, Utc};
use serde_json::json;

pub(super) fn group_report(o: &GroupOutcome, now: DateTime<Utc>) -> Report {
    let mut report = Report::default();
    let level = match o.action {
        Action::Applied | Action::WouldApply | Action::Kept => Level::Info,
        Action::NoPlan => Level::Warn,
        Action::Failed => Level::Error,
    };
    let fields = json!({
        "auto_scaling_group": o.group,
        "action": o.action,
        "reason": o.reason,
        "bounds": o.bounds,
        "dead_time": o.dead_time.map(|d| json!({
            "metric_lag": d.metric_lag, "detection": d.detection, "launch": d.launch, "hook": d.hook, "total": d.total(),
        })),
        "launch_source": o.launch_source,
        "plan": o.plan,
        "planned_warm": o.planned_warm,
        "before": o.before,
        "after": o.after,
    });
    report.log(now, level, "warm pool plan", fields);
    let dimensions = [("AutoScalingGroupName", o.group.as_str())];
    let changed = if o.action == Action::Applied { 1.0 } else { 0.0 };
    let mut metrics = vec![Metric::new("WarmPoolChanges", changed, "Count")];
    if let Some(w) = o.planned_warm {
        metrics.push(Metric::new("PlannedWarmCapacity", f64::from(w), "Count"));
    }
    report.metric(now, &dimensions, &metrics);
    report
}

pub(super) fn not_opted_in(report: &mut Report, group: &str, now: DateTime<Utc>) {
    let fields = json!({"auto_scaling_group": group, "tag": super::OPT_IN_TAG});
    report.log(now, Level::Warn, "warm pool plan skipped: the document names a group without the opt-in tag", fields);
}
