//! What one audit run writes: a WARN line per widened input and per violation, `SodViolations` per duty (0 included),
//! and an INFO summary line.

use super::service::violations_by_duty;
use crate::{AuditReport, Duties};
use chrono::{DateTime, Utc};
use scalegate_core::emf::Metric;
use scalegate_core::report::{Level, Report};
use serde_json::json;
use std::collections::BTreeSet;

pub(super) fn run_report(
    trigger: &str,
    warnings: &[String],
    audited: &AuditReport,
    duties: &Duties,
    now: DateTime<Utc>,
) -> Report {
    let mut report = Report::default();
    for w in warnings {
        report.log(now, Level::Warn, "input widened", json!({"trigger": trigger, "warning": w}));
    }
    for c in audited.checks.iter().filter(|c| c.verdict == crate::AuditVerdict::May) {
        report.log(
            now,
            Level::Warn,
            "separation-of-duties violation",
            json!({"trigger": trigger, "principal": c.principal, "duty": c.duty, "class": c.class, "witness": c.witness}),
        );
    }
    let by_duty = violations_by_duty(audited);
    let names: BTreeSet<&str> = duties.duties.iter().map(|d| d.name.as_str()).collect();
    for duty in names {
        let n = by_duty.get(duty).copied().unwrap_or(0);
        report.metric(now, &[("Duty", duty)], &[Metric::new("SodViolations", n as f64, "Count")]);
    }
    report.log(
        now,
        Level::Info,
        "sod audit",
        json!({"trigger": trigger, "summary": audited.summary, "violations": by_duty}),
    );
    report
}
