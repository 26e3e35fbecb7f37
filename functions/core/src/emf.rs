//! CloudWatch Embedded Metric Format: metrics leave the functions as structured log lines.
//!
//! One line is one JSON object whose `_aws` member declares which of its members are metrics and which are
//! dimensions; CloudWatch Logs extracts them, so a Lambda publishes metrics without an API call.

use serde_json::{json, Map, Value};

/// The namespace every scalegate metric is published under.
pub const NAMESPACE: &str = "scalegate";

/// A metric value with its unit.
#[derive(Debug, Clone, PartialEq)]
pub struct Metric {
    /// Metric name.
    pub name: &'static str,
    /// The value, in `unit`s.
    pub value: f64,
    /// CloudWatch unit (`Count`, `Milliseconds`, `Seconds`, ...).
    pub unit: &'static str,
    /// Stored at one-second resolution (high-resolution metric) rather than one minute.
    pub high_resolution: bool,
}

impl Metric {
    /// A metric.
    pub fn new(name: &'static str, value: f64, unit: &'static str) -> Self {
        Self { name, value, unit, high_resolution: false }
    }

    /// The same metric, stored at high resolution (1 s) so 10 s and 30 s alarms and policies can use it.
    pub fn high_resolution(mut self, yes: bool) -> Self {
        self.high_resolution = yes;
        self
    }
}

/// One EMF line: these metrics, under one dimension set, at `timestamp_ms`.
pub fn line(namespace: &str, dimensions: &[(&str, &str)], metrics: &[Metric], timestamp_ms: i64) -> String {
    let mut root = Map::new();
    root.insert(
        "_aws".into(),
        json!({
            "Timestamp": timestamp_ms,
            "CloudWatchMetrics": [{
                "Namespace": namespace,
                "Dimensions": [dimensions.iter().map(|(k, _)| *k).collect::<Vec<_>>()],
                "Metrics": metrics.iter().map(|m| if m.high_resolution {
                    json!({"Name": m.name, "Unit": m.unit, "StorageResolution": 1})
                } else {
                    json!({"Name": m.name, "Unit": m.unit})
                }).collect::<Vec<_>>(),
            }],
        }),
    );
    for (k, v) in dimensions {
        root.insert((*k).to_string(), Value::String((*v).to_string()));
    }
    for m in metrics {
        root.insert(m.name.to_string(), json!(m.value));
    }
    Value::Object(root).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_declares_every_metric_and_dimension() {
        let l = line(
            NAMESPACE,
            &[("AutoScalingGroupName", "web"), ("Result", "ABANDON")],
            &[Metric::new("GateDecisions", 1.0, "Count"), Metric::new("GateLatency", 12.5, "Milliseconds")],
            1_700_000_000_000,
        );
        let v: Value = serde_json::from_str(&l).unwrap();
        let cw = &v["_aws"]["CloudWatchMetrics"][0];
        assert_eq!(cw["Namespace"], "scalegate");
        assert_eq!(cw["Dimensions"], json!([["AutoScalingGroupName", "Result"]]));
        assert_eq!(cw["Metrics"][1], json!({"Name": "GateLatency", "Unit": "Milliseconds"}));
        assert_eq!(v["AutoScalingGroupName"], "web");
        assert_eq!(v["GateDecisions"], 1.0);
        assert_eq!(v["_aws"]["Timestamp"], 1_700_000_000_000i64);
    }
}
