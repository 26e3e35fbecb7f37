//! What one pair's outcome writes: a `backlog` log line with every input and figure, and the metrics as an EMF line
//! or as `PutMetricData` data; a pair without figures writes an ERROR line and publishes nothing.

use super::config::{Pair, Publish};
use super::ports::Datum;
use super::service::PairFigures;
use crate::emf::Metric;
use crate::report::{Level, Report};
use chrono::{DateTime, Utc};
use serde_json::json;

/// Adds the pair's lines to `report`; returns the data to put when publishing through `PutMetricData`.
pub(super) fn pair_report(
    report: &mut Report,
    publish: Publish,
    p: &Pair,
    outcome: &Result<PairFigures, String>,
    now: DateTime<Utc>,
) -> Vec<Datum> {
    let f = match outcome {
        Ok(f) => f,
        Err(reason) => {
            report.log(
                now,
                Level::Error,
                "backlog not published",
                json!({"queue": p.queue, "auto_scaling_group": p.group, "reason": reason}),
            );
            return Vec::new();
        }
    };
    let fields = json!({
        "queue": p.queue, "auto_scaling_group": p.group,
        "messages": f.figures.messages, "visible": f.depth.visible, "in_flight": f.depth.in_flight,
        "delayed": f.depth.delayed, "capacity": f.capacity,
        "backlog_per_instance": f.figures.backlog_per_instance, "backlog_target": f.figures.target,
        "capacity_wanted": f.figures.capacity_wanted, "seconds_per_message": f.seconds_per_message,
        "measured_seconds_per_message": f.measured_seconds_per_message,
        "configured_seconds_per_message": p.seconds_per_message.configured(),
        "instance_warmup_s": f.instance_warmup_s,
    });
    report.log(now, Level::Info, "backlog", fields);
    if let Some(rise) = &f.unexplained {
        report.log(
            now,
            Level::Warn,
            "unexplained scaling",
            json!({"auto_scaling_group": p.group, "queue": p.queue, "rise": rise, "messages": f.figures.messages}),
        );
        report.metric(
            now,
            &[("AutoScalingGroupName", p.group.as_str())],
            &[Metric::new("UnexplainedScaling", 1.0, "Count")],
        );
    }
    let high = p.resolution < 60;
    let metrics = [
        Metric::new("BacklogPerInstance", f.figures.backlog_per_instance, "Count").high_resolution(high),
        Metric::new("BacklogTarget", f.figures.target, "Count").high_resolution(high),
        Metric::new("CapableInstances", f64::from(f.figures.capable), "Count").high_resolution(high),
    ];
    match publish {
        Publish::Emf => {
            report.metric_in(&p.namespace, now, &[("AutoScalingGroupName", p.group.as_str())], &metrics);
            Vec::new()
        }
        Publish::PutMetricData => metrics
            .iter()
            .map(|m| Datum {
                namespace: p.namespace.clone(),
                name: m.name,
                group: p.group.clone(),
                value: m.value,
                unit: m.unit,
                storage_resolution: if high { 1 } else { 60 },
                at: now,
            })
            .collect(),
    }
}
