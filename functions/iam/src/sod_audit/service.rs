//! One run: why it was started, the account read through the port, the audit, and the report.

use super::ports::AccountInventory;
use super::report;
use crate::{audit, AuditReport, Duties};
use chrono::{DateTime, Utc};
use scalegate_core::ports::AwsError;
use scalegate_core::report::Report;
use scalegate_core::retry::{retry, RetryPolicy};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// IAM API calls (CloudTrail event names) that change what a role, user or group can do (a new access key does not:
/// it uses a path the audit already reports); the EventBridge rule (Terraform and CDK alike, which a test checks)
/// matches these.
pub const IAM_CHANGE_EVENTS: &[&str] = &[
    "CreateRole",
    "DeleteRole",
    "UpdateAssumeRolePolicy",
    "PutRolePolicy",
    "DeleteRolePolicy",
    "AttachRolePolicy",
    "DetachRolePolicy",
    "PutRolePermissionsBoundary",
    "DeleteRolePermissionsBoundary",
    "CreatePolicyVersion",
    "SetDefaultPolicyVersion",
    "DeletePolicy",
    "CreateUser",
    "DeleteUser",
    "PutUserPolicy",
    "DeleteUserPolicy",
    "AttachUserPolicy",
    "DetachUserPolicy",
    "PutUserPermissionsBoundary",
    "DeleteUserPermissionsBoundary",
    "CreateGroup",
    "DeleteGroup",
    "PutGroupPolicy",
    "DeleteGroupPolicy",
    "AttachGroupPolicy",
    "DetachGroupPolicy",
    "AddUserToGroup",
    "RemoveUserFromGroup",
];

/// Why a run was started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trigger {
    /// The EventBridge schedule.
    Schedule,
    /// An IAM change recorded by CloudTrail: the API call and the role, user or group it named, if any.
    IamChange {
        /// CloudTrail `eventName`.
        event: String,
        /// `requestParameters.roleName`, `userName` or `groupName`.
        principal: Option<String>,
    },
    /// Anything else (a manual invocation).
    Invocation,
}

impl Trigger {
    /// Reads the trigger from the invocation payload. Every trigger audits the whole account: a change to one role
    /// can open or close paths from others.
    pub fn of(event: &Value) -> Self {
        match event.get("detail-type").and_then(Value::as_str) {
            Some("Scheduled Event") => Self::Schedule,
            Some("AWS API Call via CloudTrail") => Self::IamChange {
                event: event.pointer("/detail/eventName").and_then(Value::as_str).unwrap_or("?").to_string(),
                principal: ["roleName", "userName", "groupName"]
                    .iter()
                    .find_map(|field| event.pointer(&format!("/detail/requestParameters/{field}")))
                    .and_then(Value::as_str)
                    .map(str::to_string),
            },
            _ => Self::Invocation,
        }
    }

    /// How the run's lines name it: `schedule`, `iam:PutRolePolicy on web`, `invocation`.
    pub fn describe(&self) -> String {
        match self {
            Self::Schedule => "schedule".into(),
            Self::IamChange { event, principal: Some(p) } => format!("iam:{event} on {p}"),
            Self::IamChange { event, principal: None } => format!("iam:{event}"),
            Self::Invocation => "invocation".into(),
        }
    }
}

/// One run's result: the report, and the log and metric lines to write.
#[derive(Debug, Clone)]
pub struct SodRun {
    /// Every check, with witnesses for `may`.
    pub audit: AuditReport,
    /// A line per widened input and per violation, `SodViolations` per duty, and a summary line.
    pub report: Report,
}

impl SodRun {
    /// The function's answer: the summary and the violations per duty.
    pub fn response(&self) -> Value {
        json!({"summary": self.audit.summary, "violations": violations_by_duty(&self.audit)})
    }
}

/// `may` checks per duty; every duty appears, with 0 when clean, so the metric and its alarm have data.
pub fn violations_by_duty(report: &AuditReport) -> BTreeMap<String, usize> {
    let mut by_duty = BTreeMap::new();
    for c in &report.checks {
        *by_duty.entry(c.duty.clone()).or_insert(0) += usize::from(c.verdict == crate::AuditVerdict::May);
    }
    by_duty
}

/// Reads the account, audits it and builds the lines to write. A failure to read is an error (the invocation fails
/// and the Errors alarm sees it), never a clean report.
pub async fn run<A: AccountInventory>(
    account: &A,
    duties: &Duties,
    event: &Value,
    now: DateTime<Utc>,
) -> Result<SodRun, AwsError> {
    let trigger = Trigger::of(event).describe();
    // A transient failure reads the account again from its first page: the read is one consistent snapshot.
    let loaded = retry(RetryPolicy::standard(), || account.read()).await.result?;
    let audited = audit(&loaded.inventory, duties);
    let report = report::run_report(&trigger, &loaded.warnings, &audited, duties, now);
    Ok(SodRun { audit: audited, report })
}
