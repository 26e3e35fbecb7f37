//! What one gate decision writes: the `gate decision` log line (every check, reason and timing), and the
//! `GateDecisions` (by result), `GateFailedChecks` (by check), `GateLatency` and `TimeToReady` metrics.

use super::service::Decision;
use crate::emf::Metric;
use crate::report::{Level, Report};
use chrono::{DateTime, Utc};
use serde_json::json;

/// The lines for one decision.
pub fn decision_report(d: &Decision, at: DateTime<Utc>) -> Report {
    let mut report = Report::default();
    report.log(
        at,
        Level::Info,
        "gate decision",
        json!({
            "instance_id": d.action.instance_id,
            "auto_scaling_group": d.action.auto_scaling_group,
            "hook": d.action.hook,
            "origin": d.action.origin,
            "destination": d.action.destination,
            "delivery": d.action.delivery,
            "verdict": d.result,
            "mode": d.mode.as_str(),
            "completed_with": d.completed_with,
            "failed_checks": d.failed_checks,
            "reasons": d.reasons,
            "checks": d.checks,
            "looks": d.looks,
            "heartbeats": d.heartbeats,
            "latency_ms": d.latency.as_secs_f64() * 1000.0,
            "time_to_ready_s": d.time_to_ready,
            "completion": d.completion,
            "completion_error": d.completion_error,
            "rules_version": d.rules_version,
            "rules_revision": d.rules_revision,
            "dry_run": d.dry_run,
        }),
    );
    let group = d.action.auto_scaling_group.as_str();
    report.metric(
        at,
        &[("AutoScalingGroupName", group), ("Result", d.result.as_str())],
        &[Metric::new("GateDecisions", 1.0, "Count")],
    );
    report.metric(
        at,
        &[("AutoScalingGroupName", group)],
        &[Metric::new("GateLatency", d.latency.as_secs_f64() * 1000.0, "Milliseconds")],
    );
    if let Some(ready) = d.time_to_ready {
        report.metric(at, &[("AutoScalingGroupName", group)], &[Metric::new("TimeToReady", ready, "Seconds")]);
    }
    for check in &d.failed_checks {
        report.metric(
            at,
            &[("AutoScalingGroupName", group), ("Check", check)],
            &[Metric::new("GateFailedChecks", 1.0, "Count")],
        );
    }
    report
}
