//! The `scaling-guard` function's shell: EventBridge delivers each "AWS API Call via CloudTrail" event for Auto
//! Scaling and launch templates; the guard writes a line per call (`guard alert` at ERROR for a watched change by a
//! principal outside the automation set) and `GuardAlerts`.

use chrono::Utc;
use scalegate_aws::telemetry;
use scalegate_core::guard::{guard, GuardConfig};
use scalegate_core::report::{Level, Report};
use serde_json::{json, Value};

/// The Lambda entry: judges the event and answers with the verdict. An event that is not a CloudTrail record fails
/// the invocation with its reason, so Lambda's asynchronous retries end in the on-failure destination (the
/// function's dead-letter queue), which keeps the event and the reason together.
pub fn lambda(config: &GuardConfig, payload: Value) -> Result<Value, String> {
    match guard(&payload, config, Utc::now()) {
        Ok(judged) => {
            telemetry::write_report(&judged.report);
            Ok(json!({"event": judged.call.event, "verdict": judged.verdict}))
        }
        Err(e) => {
            let reason = format!("not a CloudTrail record the guard can judge: {e}");
            let mut report = Report::default();
            report.log(Utc::now(), Level::Error, "guard rejected", json!({"reason": reason}));
            telemetry::write_report(&report);
            Err(reason)
        }
    }
}
