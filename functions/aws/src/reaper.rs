//! The `protection-reaper` function: on a schedule, removes scale-in protection whose lease expired (or that has no
//! lease) in groups that opted in, at most 50 instances per call; logs each and emits `ExpiredLeases` per group.

use crate::leases::SdkLeases;
use chrono::{DateTime, Utc};
use scalegate_core::emf::{self, log_line, Metric, NAMESPACE};
use scalegate_core::lease::{batches, decide, LeaseStore, LeaseVerdict};
use scalegate_core::ports::AwsError;
use serde_json::{json, Value};

/// One reaper run.
#[derive(Debug, Clone, Default)]
pub struct ReaperRun {
    /// Instances whose protection was removed: (group, instance, reason).
    pub released: Vec<(String, String, String)>,
    /// Protected instances kept (live lease).
    pub kept: usize,
    /// Batches that failed: the instances stay protected until the next run.
    pub failures: Vec<String>,
    /// Log and EMF lines.
    pub lines: Vec<String>,
}

/// Runs once over every opted-in group.
pub async fn run(leases: &SdkLeases, now: DateTime<Utc>) -> Result<ReaperRun, AwsError> {
    let mut out = ReaperRun::default();
    for group in leases.opted_in_groups().await? {
        // (instance, why its protection goes)
        let mut release: Vec<(String, String)> = Vec::new();
        for m in &group.protected {
            match decide(m, now) {
                LeaseVerdict::Keep { .. } => out.kept += 1,
                LeaseVerdict::Release { reason } => release.push((m.instance_id.clone(), reason)),
            }
        }
        let mut released_here = 0;
        for batch in batches(&release) {
            let ids: Vec<String> = batch.iter().map(|(id, _)| id.clone()).collect();
            match leases.protect(&group.group, &ids, false).await {
                Ok(()) => {
                    for (id, reason) in batch {
                        let fields = json!({"auto_scaling_group": group.group, "instance_id": id, "reason": reason});
                        out.lines.push(log_line(now, "INFO", "protection removed", fields));
                        out.released.push((group.group.clone(), id.clone(), reason.clone()));
                        released_here += 1;
                    }
                }
                Err(e) => {
                    let failure = format!("{}: {} instance(s) still protected: {e}", group.group, batch.len());
                    out.lines.push(log_line(now, "ERROR", &failure, json!({})));
                    out.failures.push(failure);
                }
            }
        }
        out.lines.push(emf::line(
            NAMESPACE,
            &[("AutoScalingGroupName", group.group.as_str())],
            &[Metric::new("ExpiredLeases", f64::from(released_here), "Count")],
            now.timestamp_millis(),
        ));
    }
    Ok(out)
}

/// The Lambda entry: runs, writes its lines, answers with counts; fails the invocation when a batch failed.
pub async fn lambda(leases: &SdkLeases, _payload: Value) -> Result<Value, String> {
    let run = run(leases, Utc::now()).await.map_err(|e| e.to_string())?;
    crate::telemetry::write_lines(&run.lines);
    if !run.failures.is_empty() {
        return Err(run.failures.join("; "));
    }
    Ok(json!({"released": run.released.len(), "kept": run.kept}))
}
