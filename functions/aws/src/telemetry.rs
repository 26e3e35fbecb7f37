//! Structured logs and metrics: the decision log line, EMF metric lines, JSON tracing.

use chrono::{DateTime, Utc};
use scalegate_core::emf::{self, Metric, NAMESPACE};
use scalegate_core::gate::Decision;
use serde_json::json;

/// JSON logs through `tracing`, to stdout (where Lambda sends them to CloudWatch Logs) or stderr (the CLI).
/// `RUST_LOG` filters; the default is `info` for functions and `warn` for the CLI, whose output is its answer.
pub fn init_json_logs(to_stderr: bool) {
    let default = if to_stderr { "warn" } else { "info" };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let builder = tracing_subscriber::fmt()
        .json()
        .with_env_filter(filter)
        .with_current_span(false)
        .with_span_list(false)
        .flatten_event(true)
        .with_target(false);
    let result = if to_stderr {
        builder.with_writer(std::io::stderr).try_init()
    } else {
        builder.with_writer(std::io::stdout).try_init()
    };
    // A second init (tests) keeps the first subscriber.
    drop(result);
}

/// A function that cannot start (bad configuration) says why in one JSON error line, then fails its init with the
/// same words: `main` maps its setup errors through this.
pub fn cannot_start(error: impl std::fmt::Display) -> String {
    let message = error.to_string();
    tracing::error!(error = %message, "cannot start");
    message
}

/// Writes log and EMF lines to stdout, where Lambda hands them to CloudWatch Logs, under one lock.
pub fn write_lines(lines: &[String]) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    for line in lines {
        let _ = writeln!(out, "{line}");
    }
}

/// The one structured line every gate decision writes.
pub fn decision_log(d: &Decision, at: DateTime<Utc>) -> String {
    json!({
        "timestamp": at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        "level": "INFO",
        "message": "gate decision",
        "instance_id": d.action.instance_id,
        "auto_scaling_group": d.action.auto_scaling_group,
        "hook": d.action.hook,
        "origin": d.action.origin,
        "destination": d.action.destination,
        "delivery": d.action.delivery,
        "verdict": d.result,
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
        "dry_run": d.dry_run,
    })
    .to_string()
}

/// EMF lines for one decision: GateDecisions by result, GateFailedChecks by check, GateLatency, TimeToReady.
pub fn gate_metrics(d: &Decision, at: DateTime<Utc>) -> Vec<String> {
    let ts = at.timestamp_millis();
    let group = d.action.auto_scaling_group.as_str();
    let mut lines = vec![
        emf::line(
            NAMESPACE,
            &[("AutoScalingGroupName", group), ("Result", d.result.as_str())],
            &[Metric::new("GateDecisions", 1.0, "Count")],
            ts,
        ),
        emf::line(
            NAMESPACE,
            &[("AutoScalingGroupName", group)],
            &[Metric::new("GateLatency", d.latency.as_secs_f64() * 1000.0, "Milliseconds")],
            ts,
        ),
    ];
    if let Some(ready) = d.time_to_ready {
        lines.push(emf::line(
            NAMESPACE,
            &[("AutoScalingGroupName", group)],
            &[Metric::new("TimeToReady", ready, "Seconds")],
            ts,
        ));
    }
    for check in &d.failed_checks {
        lines.push(emf::line(
            NAMESPACE,
            &[("AutoScalingGroupName", group), ("Check", check)],
            &[Metric::new("GateFailedChecks", 1.0, "Count")],
            ts,
        ));
    }
    lines
}
