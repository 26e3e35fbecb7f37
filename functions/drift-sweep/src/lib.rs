//! The `drift-sweep` function's shell: on a schedule, re-runs the launch gate's checks — the same rules document,
//! the same code — on every InService, Standby and warm-pool member of the groups tagged `scalegate:drift-sweep`,
//! writes a `drift found` line per member that is not clean and a `drift sweep` line per group, `DriftedInstances`
//! (by check and in total) and `DriftReplacements`, and in `replace` mode marks drifted members unhealthy within the
//! group's limits.

use chrono::Utc;
use scalegate_aws::settings::Document;
use scalegate_aws::telemetry;
use scalegate_core::gate::GateRules;
use scalegate_core::sweep::{sweep, FleetFacts, InstanceHealth, SweepSettings, SweptGroups};
use serde_json::{json, Value};

/// The Lambda entry: runs, writes its lines, answers with counts. Fails the invocation when the rules, the groups or
/// the snapshot cannot be read (nothing is judged, nothing changes), or when a group's tag is unreadable or a mark
/// was refused: the Errors alarm sees it.
pub async fn lambda<P>(
    ports: &P,
    rules: &Document<GateRules>,
    settings: &SweepSettings,
    dry_run: bool,
    _payload: Value,
) -> Result<Value, String>
where
    P: SweptGroups + FleetFacts + InstanceHealth,
{
    let (loaded, config_report) = rules.current(Utc::now()).await;
    telemetry::write_report(&config_report);
    let loaded = loaded.map_err(|e| format!("no usable gate rules: {e}; nothing was checked"))?;
    let run = sweep(ports, &loaded.value, settings, !dry_run, Utc::now())
        .await
        .map_err(|e| format!("cannot read the opted-in groups and their instances: {e}; nothing was changed"))?;
    telemetry::write_report(&run.report);
    let failures = run.failures();
    if !failures.is_empty() {
        return Err(failures.join("; "));
    }
    Ok(json!({
        "groups": run.groups.len(),
        "checked": run.groups.iter().map(|g| g.checked).sum::<usize>(),
        "drifted": run.drifted(),
        "replaced": run.groups.iter().map(|g| g.replaced()).sum::<usize>(),
        "dry_run": dry_run,
    }))
}
