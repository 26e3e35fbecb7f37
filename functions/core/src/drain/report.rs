//! The drain's log and EMF lines: one log line per record; `DrainSeconds` and `DrainCompletions` per completion,
//! `DrainRequeues` per re-check, `DrainDeadLetters` per dead-lettered record.

use super::service::DrainOutcome;
use crate::emf::{self, log_line, Metric, NAMESPACE};
use chrono::{DateTime, Utc};
use serde_json::json;

/// The lines for one record's outcome.
pub fn outcome_lines(outcome: &DrainOutcome, now: DateTime<Utc>) -> Vec<String> {
    let ts = now.timestamp_millis();
    match outcome {
        DrainOutcome::Completed { action, reason, drained, looks, completion, warning } => {
            let group = action.auto_scaling_group.as_str();
            let fields = json!({
                "instance_id": action.instance_id, "auto_scaling_group": group, "hook": action.hook,
                "route": action.route(), "result": "CONTINUE", "why": reason, "drain_seconds": drained.as_secs_f64(),
                "looks": looks, "completion": completion, "warning": warning,
            });
            let level = if matches!(reason, super::DrainReason::BudgetSpent { .. }) { "WARN" } else { "INFO" };
            vec![
                log_line(now, level, "drain complete", fields),
                emf::line(
                    NAMESPACE,
                    &[("AutoScalingGroupName", group)],
                    &[Metric::new("DrainSeconds", drained.as_secs_f64(), "Seconds")],
                    ts,
                ),
                emf::line(
                    NAMESPACE,
                    &[("AutoScalingGroupName", group), ("Reason", reason.as_str())],
                    &[Metric::new("DrainCompletions", 1.0, "Count")],
                    ts,
                ),
            ]
        }
        DrainOutcome::Requeued { action, delay, attempt, why, warning } => {
            let group = action.auto_scaling_group.as_str();
            let fields = json!({
                "instance_id": action.instance_id, "auto_scaling_group": group, "hook": action.hook,
                "why": why, "recheck_in_s": delay.as_secs(), "attempt": attempt, "warning": warning,
            });
            vec![
                log_line(now, if warning.is_some() { "WARN" } else { "INFO" }, "drain waiting", fields),
                emf::line(
                    NAMESPACE,
                    &[("AutoScalingGroupName", group)],
                    &[Metric::new("DrainRequeues", 1.0, "Count")],
                    ts,
                ),
            ]
        }
        DrainOutcome::AlreadyDone { action, during } => vec![log_line(
            now,
            "INFO",
            "drain: no active lifecycle action (completed already, or timed out)",
            json!({"instance_id": action.instance_id, "auto_scaling_group": action.auto_scaling_group, "during": during}),
        )],
        DrainOutcome::TestDropped { auto_scaling_group } => vec![log_line(
            now,
            "INFO",
            "dropping autoscaling:TEST_NOTIFICATION",
            json!({"auto_scaling_group": auto_scaling_group}),
        )],
        DrainOutcome::DeadLettered { reason } => vec![
            log_line(now, "ERROR", "record sent to the dead-letter queue", json!({"reason": reason})),
            emf::line(NAMESPACE, &[], &[Metric::new("DrainDeadLetters", 1.0, "Count")], ts),
        ],
        DrainOutcome::Failed { instance_id, error } => vec![log_line(
            now,
            "ERROR",
            "drain failed; the delivery comes back",
            json!({"instance_id": instance_id, "error": error}),
        )],
    }
}
