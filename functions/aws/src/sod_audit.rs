//! The `sod-audit` function: on a schedule and on IAM change events, audits the live account's roles and users
//! against the duties, logs each finding as a JSON line and emits `SodViolations` per duty as EMF.

use crate::iam_inventory::live_inventory;
use chrono::{DateTime, Utc};
use scalegate_core::emf::{self, log_line, Metric, NAMESPACE};
use scalegate_core::iam::{audit, AuditReport, Duties, DutiesError};
use scalegate_core::ports::AwsError;
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

    fn describe(&self) -> String {
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
    /// The audit.
    pub report: AuditReport,
    /// JSON log lines (one per finding, one summary) and EMF lines (one per duty).
    pub lines: Vec<String>,
}

impl SodRun {
    /// The function's answer: the summary and the violations per duty.
    pub fn response(&self) -> Value {
        json!({"summary": self.report.summary, "violations": violations_by_duty(&self.report)})
    }
}

/// `may` checks per duty; every duty appears, with 0 when clean, so the metric and its alarm have data.
pub fn violations_by_duty(report: &AuditReport) -> BTreeMap<String, usize> {
    let mut by_duty = BTreeMap::new();
    for c in &report.checks {
        *by_duty.entry(c.duty.clone()).or_insert(0) += usize::from(c.verdict == "may");
    }
    by_duty
}

/// Audits the live account and builds the lines to write.
pub async fn run(
    iam: &aws_sdk_iam::Client,
    duties: &Duties,
    event: &Value,
    now: DateTime<Utc>,
) -> Result<SodRun, AwsError> {
    let trigger = Trigger::of(event).describe();
    let loaded = live_inventory(iam).await?;
    let report = audit(&loaded.inventory, duties);
    let mut lines = Vec::new();
    for w in &loaded.warnings {
        lines.push(log_line(now, "WARN", "input widened", json!({"trigger": trigger, "warning": w})));
    }
    for c in report.checks.iter().filter(|c| c.verdict == "may") {
        lines.push(log_line(
            now,
            "WARN",
            "separation-of-duties violation",
            json!({"trigger": trigger, "principal": c.principal, "duty": c.duty, "class": c.class, "witness": c.witness}),
        ));
    }
    let by_duty = violations_by_duty(&report);
    let names: std::collections::BTreeSet<&str> = duties.duties.iter().map(|d| d.name.as_str()).collect();
    for duty in names {
        let n = by_duty.get(duty).copied().unwrap_or(0);
        lines.push(emf::line(
            NAMESPACE,
            &[("Duty", duty)],
            &[Metric::new("SodViolations", n as f64, "Count")],
            now.timestamp_millis(),
        ));
    }
    lines.push(log_line(
        now,
        "INFO",
        "sod audit",
        json!({"trigger": trigger, "summary": report.summary, "violations": by_duty}),
    ));
    Ok(SodRun { report, lines })
}

/// Duties for the function: inline TOML in `SCALEGATE_DUTIES`, else the file `SCALEGATE_DUTIES_FILE`, else the
/// built-in `policies/duties.toml`.
pub fn duties_from_env() -> Result<Duties, DutiesError> {
    if let Ok(inline) = std::env::var("SCALEGATE_DUTIES") {
        return Duties::from_toml(&inline, "SCALEGATE_DUTIES");
    }
    if let Ok(path) = std::env::var("SCALEGATE_DUTIES_FILE") {
        let text = std::fs::read_to_string(&path)
            .map_err(|e| DutiesError { origin: path.clone(), message: format!("cannot read: {e}") })?;
        return Duties::from_toml(&text, &path);
    }
    Duties::builtin()
}

/// The Lambda entry: runs, writes its lines to stdout, answers with the summary. A failure to read the account is
/// an error (the invocation fails and the Errors alarm sees it), never a clean report.
pub async fn lambda(iam: &aws_sdk_iam::Client, duties: &Duties, payload: Value) -> Result<Value, AwsError> {
    let run = run(iam, duties, &payload, Utc::now()).await?;
    crate::telemetry::write_lines(&run.lines);
    Ok(run.response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn triggers_are_read_from_the_event() {
        assert_eq!(Trigger::of(&json!({"detail-type": "Scheduled Event", "source": "aws.events"})), Trigger::Schedule);
        let change = json!({"detail-type": "AWS API Call via CloudTrail", "source": "aws.iam",
            "detail": {"eventName": "PutRolePolicy", "requestParameters": {"roleName": "asg-scaler"}}});
        assert_eq!(
            Trigger::of(&change),
            Trigger::IamChange { event: "PutRolePolicy".into(), principal: Some("asg-scaler".into()) }
        );
        assert_eq!(Trigger::of(&change).describe(), "iam:PutRolePolicy on asg-scaler");
        let join = json!({"detail-type": "AWS API Call via CloudTrail", "source": "aws.iam",
            "detail": {"eventName": "AddUserToGroup", "requestParameters": {"groupName": "admins", "userName": "alice"}}});
        assert_eq!(Trigger::of(&join).describe(), "iam:AddUserToGroup on alice");
        assert_eq!(Trigger::of(&json!({})), Trigger::Invocation);
    }

    #[test]
    fn terraform_and_cdk_rules_match_every_change_event() {
        let terraform = include_str!("../../../infra/terraform/sod_audit.tf");
        let cdk = include_str!("../../../infra/cdk/lib/sod-audit.js");
        for event in IAM_CHANGE_EVENTS {
            let quoted = format!("\"{event}\"");
            assert!(terraform.contains(&quoted), "infra/terraform/sod_audit.tf does not match {event}");
            assert!(cdk.contains(&quoted), "infra/cdk/lib/sod-audit.js does not match {event}");
        }
    }
}
