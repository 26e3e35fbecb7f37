//! The `warm-pool-planner` function's shell: on a schedule, plans the warm pool of every group tagged
//! `scalegate:warm-pool = MIN-MAX` from its demand and its own dead time, puts it within those bounds past the
//! deadband (or reports only, in dry run), writes a `warm pool plan` line and `PlannedWarmCapacity` /
//! `WarmPoolChanges` per group.

use chrono::Utc;
use scalegate_aws::telemetry;
use scalegate_core::headroom::{plan_warm_pools, Action, DemandMetrics, PlannerConfig, ScalingActivities, WarmPools};
use serde_json::{json, Value};

/// The Lambda entry: runs, writes its lines, answers with counts by action. Fails the invocation when the groups
/// cannot be listed or any group failed (a bad tag, an AWS error after retries): that group's pool is unchanged and
/// the Errors alarm sees it. A group without enough history is not a failure: it is left as it is, and said so.
pub async fn lambda<P>(ports: &P, config: &PlannerConfig, _payload: Value) -> Result<Value, String>
where
    P: WarmPools + DemandMetrics + ScalingActivities,
{
    let run = plan_warm_pools(ports, config, Utc::now())
        .await
        .map_err(|e| format!("cannot list the groups that opted in: {e}; no warm pool changed"))?;
    telemetry::write_report(&run.report);
    let failures = run.failures();
    if !failures.is_empty() {
        return Err(failures.join("; "));
    }
    let count = |a: Action| run.outcomes.iter().filter(|o| o.action == a).count();
    Ok(json!({
        "groups": run.outcomes.len(),
        "applied": count(Action::Applied),
        "would_apply": count(Action::WouldApply),
        "kept": count(Action::Kept),
        "no_plan": count(Action::NoPlan),
    }))
}
