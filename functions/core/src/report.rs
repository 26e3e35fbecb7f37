//! The one way an outcome leaves a function: an ordered list of typed lines, each a structured JSON log line or a
//! CloudWatch Embedded Metric Format line. The Lambda writes them to stdout; the CLI prints the same lines and tells
//! the two kinds apart by their type, not by looking inside them.

use crate::emf::{self, Metric, NAMESPACE};
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{json, Value};

/// A log line's severity, as CloudWatch Logs Insights and the alarms' metric filters read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// Something happened as intended.
    Info,
    /// Something was widened, skipped or refused, and the outcome is still sound.
    Warn,
    /// Something failed and left state that needs a look (the line says which).
    Error,
}

impl Level {
    /// `INFO`, `WARN` or `ERROR`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Info => "INFO",
            Self::Warn => "WARN",
            Self::Error => "ERROR",
        }
    }
}

/// One line of a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    /// A structured log line: `timestamp`, `level`, `message`, then the outcome's fields.
    Log(Level, String),
    /// An EMF line: CloudWatch Logs turns it into metric values.
    Metric(String),
}

impl Line {
    /// The JSON text.
    pub fn text(&self) -> &str {
        match self {
            Self::Log(_, text) | Self::Metric(text) => text,
        }
    }
}

/// The lines one run or one decision writes, in the order they were made.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    lines: Vec<Line>,
}

impl Report {
    /// Adds a log line with `fields` (a JSON object) merged after timestamp, level and message.
    pub fn log(&mut self, at: DateTime<Utc>, level: Level, message: &str, fields: Value) {
        let mut line = json!({
            "timestamp": at.to_rfc3339_opts(SecondsFormat::Millis, true),
            "level": level.as_str(),
            "message": message,
        });
        if let (Some(l), Value::Object(f)) = (line.as_object_mut(), fields) {
            l.extend(f);
        }
        self.lines.push(Line::Log(level, line.to_string()));
    }

    /// Adds an EMF line in scalegate's namespace: these metrics under one dimension set.
    pub fn metric(&mut self, at: DateTime<Utc>, dimensions: &[(&str, &str)], metrics: &[Metric]) {
        self.metric_in(NAMESPACE, at, dimensions, metrics);
    }

    /// Adds an EMF line in another namespace (one the user configured for a metric target tracking reads).
    pub fn metric_in(&mut self, namespace: &str, at: DateTime<Utc>, dimensions: &[(&str, &str)], metrics: &[Metric]) {
        self.lines.push(Line::Metric(emf::line(namespace, dimensions, metrics, at.timestamp_millis())));
    }

    /// Appends another report's lines after these.
    pub fn append(&mut self, other: Report) {
        self.lines.extend(other.lines);
    }

    /// Every line, in order.
    pub fn lines(&self) -> &[Line] {
        &self.lines
    }

    /// Every line's text, in order.
    pub fn texts(&self) -> impl Iterator<Item = &str> {
        self.lines.iter().map(Line::text)
    }

    /// The log lines' texts.
    pub fn logs(&self) -> impl Iterator<Item = &str> {
        self.lines.iter().filter_map(|l| match l {
            Line::Log(_, text) => Some(text.as_str()),
            Line::Metric(_) => None,
        })
    }

    /// The log lines' texts at `level` or above (`Warn`: what a person should read).
    pub fn logs_at_least(&self, level: Level) -> impl Iterator<Item = &str> {
        self.lines.iter().filter_map(move |l| match l {
            Line::Log(at, text) if *at >= level => Some(text.as_str()),
            _ => None,
        })
    }

    /// The EMF lines' texts.
    pub fn metrics(&self) -> impl Iterator<Item = &str> {
        self.lines.iter().filter_map(|l| match l {
            Line::Metric(text) => Some(text.as_str()),
            Line::Log(..) => None,
        })
    }

    /// No line at all.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_at_a_level_or_above_are_kept_by_their_type() {
        let mut r = Report::default();
        let at = Utc::now();
        r.log(at, Level::Info, "backlog", json!({}));
        r.log(at, Level::Warn, "unexplained scaling", json!({}));
        r.log(at, Level::Error, "not published", json!({}));
        r.metric(at, &[], &[Metric::new("M", 1.0, "Count")]);
        let kept: Vec<&str> = r.logs_at_least(Level::Warn).collect();
        assert_eq!(kept.len(), 2, "{kept:?}");
        assert!(kept[0].contains("unexplained scaling") && kept[1].contains("not published"));
        assert_eq!(r.logs_at_least(Level::Info).count(), 3);
    }

    #[test]
    fn log_lines_merge_their_fields_and_metrics_are_told_apart_by_type() {
        let at = DateTime::from_timestamp(0, 0).unwrap();
        let mut report = Report::default();
        report.log(at, Level::Warn, "hi", json!({"group": "web"}));
        report.metric(at, &[("AutoScalingGroupName", "web")], &[Metric::new("GateDecisions", 1.0, "Count")]);
        let log: Value = serde_json::from_str(report.logs().next().unwrap()).unwrap();
        assert_eq!(
            log,
            json!({"timestamp": "1970-01-01T00:00:00.000Z", "level": "WARN", "message": "hi", "group": "web"})
        );
        let metric: Value = serde_json::from_str(report.metrics().next().unwrap()).unwrap();
        assert_eq!(metric["GateDecisions"], 1.0);
        assert_eq!(metric["_aws"]["CloudWatchMetrics"][0]["Namespace"], NAMESPACE);
        assert_eq!(report.texts().count(), 2);
        assert_eq!(report.logs().count(), 1);
    }
}
