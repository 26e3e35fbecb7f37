//! What the reaper writes: a line per instance released or batch that failed, and `ExpiredLeases` per group (0
//! included, so the metric and its alarm always have data).

use crate::emf::Metric;
use crate::report::{Level, Report};
use chrono::{DateTime, Utc};
use serde_json::json;

pub(super) fn released(report: &mut Report, now: DateTime<Utc>, group: &str, instance: &str, reason: &str) {
    let fields = json!({"auto_scaling_group": group, "instance_id": instance, "reason": reason});
    report.log(now, Level::Info, "protection removed", fields);
}

pub(super) fn failed(report: &mut Report, now: DateTime<Utc>, failure: &str) {
    report.log(now, Level::Error, failure, json!({}));
}

pub(super) fn expired_leases(report: &mut Report, now: DateTime<Utc>, group: &str, released: u32) {
    report.metric(
        now,
        &[("AutoScalingGroupName", group)],
        &[Metric::new("ExpiredLeases", f64::from(released), "Count")],
    );
}
