//! The `scaling-guard` function's shell: EventBridge delivers each "AWS API Call via CloudTrail" event for Auto
//! Scaling and launch templates; the guard writes a line per call (`guard alert` at ERROR for a watched change by a
//! principal outside the automation set) and `GuardAlerts`; with `[restore]`, a deleted or weakened gate hook on a
//! group tagged `scalegate:guard-restore` is put back (`guard restored the gate hook`, `GuardRestores`).

use chrono::Utc;
use scalegate_aws::telemetry;
use scalegate_core::guard::{guard, restore, restore_plan, GateHooks, GuardConfig, RestoreOutcome};
use scalegate_core::report::{Level, Report};
use serde_json::{json, Value};

/// The Lambda entry: judges the event (restoring the gate hook when the document says to) and answers with the
/// verdict. An event that is not a CloudTrail record, or a restore that failed, fails the invocation with its
/// reason, so Lambda's asynchronous retries (which try the restore again) end in the on-failure destination (the
/// function's dead-letter queue), which keeps the event and the reason together.
pub async fn lambda<P: GateHooks>(ports: &P, config: &GuardConfig, payload: Value) -> Result<Value, String> {
    let judged = match guard(&payload, config, Utc::now()) {
        Ok(judged) => judged,
        Err(e) => {
            let reason = format!("not a CloudTrail record the guard can judge: {e}");
            let mut report = Report::default();
            report.log(Utc::now(), Level::Error, "guard rejected", json!({"reason": reason}));
            telemetry::write_report(&report);
            return Err(reason);
        }
    };
    telemetry::write_report(&judged.report);
    let mut answer = json!({"event": judged.call.event, "verdict": judged.verdict});
    if let Some(plan) = restore_plan(&judged.call, &judged.verdict, config) {
        let (outcome, report) = restore(ports, &plan, Utc::now()).await;
        telemetry::write_report(&report);
        if let RestoreOutcome::Failed { error } = &outcome {
            return Err(format!("the gate hook {} of {} was not restored: {error}", plan.spec.hook, plan.group));
        }
        answer["restore"] = json!(outcome);
    }
    Ok(answer)
}
