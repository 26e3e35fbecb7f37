//! The `sod-audit` function's shell: on a schedule and on IAM change events, audits the live account's principals
//! against the duties, writes a line per finding and `SodViolations` per duty.

use chrono::Utc;
use scalegate_aws::telemetry;
use scalegate_core::ports::AwsError;
use scalegate_iam::sod_audit::{run, AccountInventory};
use scalegate_iam::Duties;
use serde_json::Value;

/// The Lambda entry: runs, writes its lines to stdout, answers with the summary. A failure to read the account is
/// an error (the invocation fails and the Errors alarm sees it), never a clean report.
pub async fn lambda<A: AccountInventory>(account: &A, duties: &Duties, payload: Value) -> Result<Value, AwsError> {
    let run = run(account, duties, &payload, Utc::now()).await?;
    telemetry::write_report(&run.report);
    Ok(run.response())
}
