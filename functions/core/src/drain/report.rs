//! The drain's log and EMF lines: one log line per record; `DrainSeconds` and `DrainCompletions` per completion,
//! `DrainRequeues` per re-check, `DrainDeadLetters` per dead-lettered record.

use super::service::DrainOutcome;
use crate::emf::Metric;
use crate::report::{Level, Report};
use chrono::{DateTime, Utc};
use serde_json::json;

/// The lines for one record's outcome.
pub fn outcome_report(outcome: &DrainOutcome, now: DateTime<Utc>) -> Report {
    let mut report = Report::default();
    match outcome {
        DrainOutcome::Completed { action, reason, drained, looks, completion, warning } => {
            let group = action.auto_scaling_group.as_str();
            let fields = json!({
                "instance_id": action.instance_id, "auto_scaling_group": group, "hook": action.hook,
                "route": action.route(), "result": "CONTINUE", "why": reason, "drain_seconds": drained.as_secs_f64(),
                "looks": looks, "completion": completion, "warning": warning,
            });
            let level =
                if matches!(reason, super::DrainReason::BudgetSpent { .. }) { Level::Warn } else { Level::Info };
            report.log(now, level, "drain complete", fields);
            report.metric(
                now,
                &[("AutoScalingGroupName", group)],
                &[Metric::new("DrainSeconds", drained.as_secs_f64(), "Seconds")],
            );
            report.metric(
                now,
                &[("AutoScalingGroupName", group), ("Reason", reason.as_str())],
                &[Metric::new("DrainCompletions", 1.0, "Count")],
            );
        }
        DrainOutcome::Requeued { action, delay, attempt, why, warning } => {
            let group = action.auto_scaling_group.as_str();
            let fields = json!({
                "instance_id": action.instance_id, "auto_scaling_group": group, "hook": action.hook,
                "why": why, "recheck_in_s": delay.as_secs(), "attempt": attempt, "warning": warning,
            });
            report.log(now, if warning.is_some() { Level::Warn } else { Level::Info }, "drain waiting", fields);
            report.metric(now, &[("AutoScalingGroupName", group)], &[Metric::new("DrainRequeues", 1.0, "Count")]);
        }
        DrainOutcome::AlreadyDone { action, during } => report.log(
            now,
            Level::Info,
            "drain: no active lifecycle action (completed already, or timed out)",
            json!({"instance_id": action.instance_id, "auto_scaling_group": action.auto_scaling_group, "during": during}),
        ),
        DrainOutcome::TestDropped { auto_scaling_group } => report.log(
            now,
            Level::Info,
            "dropping autoscaling:TEST_NOTIFICATION",
            json!({"auto_scaling_group": auto_scaling_group}),
        ),
        DrainOutcome::DeadLettered { reason } => {
            report.log(now, Level::Error, "record sent to the dead-letter queue", json!({"reason": reason}));
            report.metric(now, &[], &[Metric::new("DrainDeadLetters", 1.0, "Count")]);
        }
        DrainOutcome::Failed { instance_id, error } => report.log(
            now,
            Level::Error,
            "drain failed; the delivery comes back",
            json!({"instance_id": instance_id, "error": error}),
        ),
    }
    report
}
