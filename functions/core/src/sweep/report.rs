//! What the sweep writes: a `drift found` line per member that is not clean (WARN when drifted), a `drift sweep`
//! line per group, and `DriftedInstances` by check, in total (the alarm's metric) and `DriftReplacements`.

use super::select::{Disposition, FindingKind};
use super::service::GroupSweep;
use crate::emf::Metric;
use crate::report::{Level, Report};
use chrono::{DateTime, Utc};
use serde_json::json;
use std::collections::BTreeMap;

pub(super) fn run_report(groups: &[GroupSweep], now: DateTime<Utc>) -> Report {
    let mut report = Report::default();
    let mut by_check: BTreeMap<&str, usize> = BTreeMap::new();
    for g in groups {
        for (f, d) in &g.findings {
            let checks: Vec<_> = f.checks.iter().map(|c| json!({"check": c.name, "reason": c.reason})).collect();
            let level = if f.kind == FindingKind::Drifted { Level::Warn } else { Level::Info };
            report.log(
                now,
                level,
                "drift found",
                json!({
                    "auto_scaling_group": g.group,
                    "instance_id": f.instance_id,
                    "lifecycle_state": f.state,
                    "finding": f.kind,
                    "attached": f.attached,
                    "checks": checks,
                    "action": d,
                }),
            );
            if f.kind == FindingKind::Drifted {
                for name in f.check_names() {
                    *by_check.entry(name).or_default() += 1;
                }
            }
        }
        let fields = json!({
            "auto_scaling_group": g.group,
            "mode": g.mode,
            "checked": g.checked,
            "drifted": g.drifted(),
            "replaced": g.findings.iter().filter(|(_, d)| *d == Disposition::Replaced).count(),
            "would_replace": g.findings.iter().filter(|(_, d)| *d == Disposition::WouldReplace).count(),
            "held": g.findings.iter().filter(|(_, d)| matches!(d, Disposition::Held { .. })).count(),
            "error": g.error,
        });
        let level = if g.error.is_some() { Level::Error } else { Level::Info };
        report.log(now, level, "drift sweep", fields);
    }
    for (check, count) in by_check {
        report.metric(now, &[("Check", check)], &[Metric::new("DriftedInstances", count as f64, "Count")]);
    }
    let drifted: usize = groups.iter().map(GroupSweep::drifted).sum();
    let replaced = groups.iter().flat_map(|g| &g.findings).filter(|(_, d)| *d == Disposition::Replaced).count();
    // Totals without dimensions, every run (zero included): what the alarms watch.
    report.metric(
        now,
        &[],
        &[
            Metric::new("DriftedInstances", drifted as f64, "Count"),
            Metric::new("DriftReplacements", replaced as f64, "Count"),
        ],
    );
    report
}
