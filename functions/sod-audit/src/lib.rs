//! The `sod-audit` function's shell: on a schedule and on IAM change events, audits the live account's principals
//! against the duties, writes a line per finding and `SodViolations` per duty.

use chrono::Utc;
use scalegate_aws::telemetry;
use scalegate_core::config::{ConfigError, ConfigStore, LiveDocument};
use scalegate_core::ports::AwsError;
use scalegate_iam::sod_audit::{run, AccountInventory};
use scalegate_iam::Duties;
use serde_json::Value;

/// Why an audit did not run: the invocation fails and the Errors alarm sees it, never a clean report.
#[derive(Debug, thiserror::Error)]
pub enum AuditRunError {
    /// The account could not be read.
    #[error(transparent)]
    Account(#[from] AwsError),
    /// No good version of the duties was ever loaded.
    #[error("no duties to audit against: {0}")]
    NoConfiguration(#[from] ConfigError),
}

/// The Lambda entry: brings the duties up to date with their document, runs, writes its lines to stdout, answers
/// with the summary.
pub async fn lambda<A: AccountInventory, S: ConfigStore>(
    account: &A,
    duties: &LiveDocument<Duties, S>,
    payload: Value,
) -> Result<Value, AuditRunError> {
    let (loaded, config_report) = duties.current(Utc::now()).await;
    telemetry::write_report(&config_report);
    let loaded = loaded?;
    let run = run(account, &loaded.value, &payload, Utc::now()).await?;
    telemetry::write_report(&run.report);
    Ok(run.response())
}
