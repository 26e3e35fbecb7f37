//! The sweep's workflow: list the groups that opted in → one batched snapshot of every member's facts → the gate's
//! checks on each → decide → (unless a dry run) mark the chosen ones unhealthy → report.

use super::config::{SweepMode, SweepSettings};
use super::ports::{FleetFacts, InstanceHealth, SweptGroups};
use super::report::run_report;
use super::select::{decide, findings, Disposition, Finding, FindingKind};
use crate::gate::GateRules;
use crate::ports::AwsError;
use crate::report::Report;
use crate::retry::{retry, RetryPolicy};
use chrono::{DateTime, Utc};
use serde::Serialize;

/// One group's sweep.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupSweep {
    /// The group.
    pub group: String,
    /// Its mode, when its tag could be read.
    pub mode: Option<SweepMode>,
    /// Members checked (in service, standby, ready in the warm pool).
    pub checked: usize,
    /// Every member that is not clean, and what the run did with it.
    pub findings: Vec<(Finding, Disposition)>,
    /// Why the group could not be swept, or a replacement failed.
    pub error: Option<String>,
}

impl GroupSweep {
    /// Members whose checks failed.
    pub fn drifted(&self) -> usize {
        self.findings.iter().filter(|(f, _)| f.kind == FindingKind::Drifted).count()
    }

    /// Members marked unhealthy (or that would be, in a dry run).
    pub fn replaced(&self) -> usize {
        self.findings.iter().filter(|(_, d)| matches!(d, Disposition::Replaced | Disposition::WouldReplace)).count()
    }
}

/// A whole run.
#[derive(Debug, Clone)]
pub struct SweepRun {
    /// Each opted-in group.
    pub groups: Vec<GroupSweep>,
    /// Its lines and metrics.
    pub report: Report,
}

impl SweepRun {
    /// Each group's error, named: a non-empty list fails the invocation (the Errors alarm sees it).
    pub fn failures(&self) -> Vec<String> {
        self.groups.iter().filter_map(|g| g.error.as_ref().map(|e| format!("{}: {e}", g.group))).collect()
    }

    /// Instances found drifted, over every group.
    pub fn drifted(&self) -> usize {
        self.groups.iter().map(GroupSweep::drifted).sum()
    }
}

/// Sweeps every opted-in group. With `apply` false nothing is marked (the dispositions say `would_replace`). Fails
/// only when the groups or the snapshot cannot be read: without facts nothing is judged, and nothing is changed.
pub async fn sweep<P>(
    ports: &P,
    rules: &GateRules,
    settings: &SweepSettings,
    apply: bool,
    now: DateTime<Utc>,
) -> Result<SweepRun, AwsError>
where
    P: SweptGroups + FleetFacts + InstanceHealth,
{
    // Both reads retry each of their calls themselves: retrying them whole would re-read everything for one throttle.
    let groups = ports.opted_in_groups().await?;
    let modes: Vec<_> = groups.iter().map(|g| SweepMode::parse(&g.mode_tag)).collect();
    let readable: Vec<_> = groups.iter().zip(&modes).filter(|(_, m)| m.is_ok()).map(|(g, _)| g.clone()).collect();
    let snapshot = ports.snapshot(&readable).await?;
    let mut out = Vec::with_capacity(groups.len());
    for (group, mode) in groups.iter().zip(modes) {
        let mode = match mode {
            Ok(m) => m,
            Err(e) => {
                out.push(GroupSweep {
                    group: group.facts.name.clone(),
                    mode: None,
                    checked: 0,
                    findings: vec![],
                    error: Some(e.to_string()),
                });
                continue;
            }
        };
        let (checked, found) = findings(group, &snapshot, rules, now);
        let mut decided = decide(group, mode, settings, found);
        let mut errors = Vec::new();
        if apply {
            for (finding, disposition) in decided.iter_mut().filter(|(_, d)| *d == Disposition::WouldReplace) {
                let marked = retry(RetryPolicy::standard(), || ports.mark_unhealthy(&finding.instance_id)).await;
                *disposition = match marked.result {
                    Ok(()) => Disposition::Replaced,
                    Err(e) => {
                        errors.push(format!("marking {} unhealthy: {e}", finding.instance_id));
                        Disposition::ReplaceFailed { error: e.to_string() }
                    }
                };
            }
        }
        out.push(GroupSweep {
            group: group.facts.name.clone(),
            mode: Some(mode),
            checked,
            findings: decided,
            error: (!errors.is_empty()).then(|| errors.join("; ")),
        });
    }
    let report = run_report(&out, now);
    Ok(SweepRun { groups: out, report })
}
