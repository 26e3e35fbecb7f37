//! The `protection-reaper` function's shell: on a schedule, removes scale-in protection whose lease expired (or that
//! has no lease) in groups that opted in, writes a line per instance and `ExpiredLeases` per group.

use chrono::Utc;
use scalegate_aws::telemetry;
use scalegate_core::lease::{reap, LeaseStore, OptedInGroups};
use serde_json::{json, Value};

/// The Lambda entry: runs, writes its lines, answers with counts; fails the invocation when a batch failed (those
/// instances stay protected until the next run, and the Errors alarm sees it).
pub async fn lambda<S: LeaseStore + OptedInGroups>(store: &S, _payload: Value) -> Result<Value, String> {
    let run = reap(store, Utc::now()).await.map_err(|e| e.to_string())?;
    telemetry::write_report(&run.report);
    if !run.failures.is_empty() {
        return Err(run.failures.join("; "));
    }
    Ok(json!({"released": run.released.len(), "kept": run.kept}))
}
