//! What the guard writes: one line per call it judged (`guard alert` at ERROR, with who, what and where), and
//! `GuardAlerts` by action for each change that alerts, and their total without dimensions (the alarm's metric).

use super::classify::Call;
use super::judge::{weakens_gate, GuardConfig, Verdict};
use crate::emf::Metric;
use crate::report::{Level, Report};
use chrono::{DateTime, Utc};
use serde_json::json;

pub(super) fn call_report(call: &Call, verdict: &Verdict, config: &GuardConfig, now: DateTime<Utc>) -> Report {
    let mut report = Report::default();
    let fields = json!({
        "event": call.event,
        "event_id": call.event_id,
        "event_time": call.at,
        "auto_scaling_group": call.group,
        "principal": call.principal,
        "failed": call.failed,
        "verdict": verdict,
    });
    match verdict {
        Verdict::Alert { changes } => {
            let weakened = changes.iter().any(|c| weakens_gate(c, config));
            let mut fields = fields;
            fields["gate_weakened"] = weakened.into();
            let message = if call.failed.is_some() { "guard alert (the call failed)" } else { "guard alert" };
            report.log(now, Level::Error, message, fields);
            for c in changes {
                report.metric(now, &[("Action", c.action())], &[Metric::new("GuardAlerts", 1.0, "Count")]);
            }
            // One total without dimensions: what the alarm watches, whatever the action.
            report.metric(now, &[], &[Metric::new("GuardAlerts", changes.len() as f64, "Count")]);
        }
        Verdict::Trusted { .. } => report.log(now, Level::Info, "guard: trusted change", fields),
        Verdict::NotWatched { .. } => report.log(now, Level::Info, "guard: not watched", fields),
    }
    report
}
