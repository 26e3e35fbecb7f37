//! The run over an in-memory account (the port is a plain value here; the e2e test reads the emulator's account).

use super::*;
use crate::{authorization_details, Duties, Loaded};
use chrono::{TimeZone, Utc};
use scalegate_core::ports::{AwsError, AwsErrorKind};
use serde_json::{json, Value};

const ACCOUNT: &str = include_str!("../../../../tests/fixtures/audit/catalogue-account.json");
const DUTIES: &str = include_str!("../../../../tests/fixtures/audit/catalogue-duties.toml");

/// An account read from authorization details, or a read that fails.
struct Account(Result<Value, AwsError>);

impl AccountInventory for Account {
    async fn read(&self) -> Result<Loaded, AwsError> {
        let details = self.0.clone()?;
        Ok(authorization_details(&details).expect("the fixture parses"))
    }
}

fn block<F: std::future::Future>(f: F) -> F::Output {
    // Paused time: retry pauses pass at once.
    tokio::runtime::Builder::new_current_thread().enable_time().start_paused(true).build().unwrap().block_on(f)
}

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
    let terraform = include_str!("../../../../infra/terraform/sod_audit.tf");
    let cdk = include_str!("../../../../infra/cdk/src/sod-audit.ts");
    for event in IAM_CHANGE_EVENTS {
        let quoted = format!("\"{event}\"");
        assert!(terraform.contains(&quoted), "infra/terraform/sod_audit.tf does not match {event}");
        assert!(cdk.contains(&quoted), "infra/cdk/src/sod-audit.ts does not match {event}");
    }
}

#[test]
fn a_run_reports_each_violation_and_every_duty_with_its_count() {
    let account = Account(Ok(serde_json::from_str(ACCOUNT).unwrap()));
    let duties = Duties::from_toml(DUTIES, "catalogue-duties.toml").unwrap();
    let at = Utc.with_ymd_and_hms(2026, 12, 5, 12, 0, 0).unwrap();
    let event = json!({"detail-type": "AWS API Call via CloudTrail",
        "detail": {"eventName": "AttachRolePolicy", "requestParameters": {"roleName": "builder"}}});
    let run = block(run(&account, &duties, &event, at)).unwrap();
    let may = run.audit.checks.iter().filter(|c| c.verdict == crate::AuditVerdict::May).count();
    assert!(may > 0, "the catalogue account has violations");
    let logs: Vec<Value> = run.report.logs().map(|l| serde_json::from_str(l).unwrap()).collect();
    let violations: Vec<&Value> = logs.iter().filter(|l| l["message"] == "separation-of-duties violation").collect();
    assert_eq!(violations.len(), may);
    assert!(violations.iter().all(|l| l["trigger"] == "iam:AttachRolePolicy on builder" && l["level"] == "WARN"));
    let metrics: Vec<Value> = run.report.metrics().map(|l| serde_json::from_str(l).unwrap()).collect();
    let mut named: Vec<&str> = metrics.iter().map(|m| m["Duty"].as_str().unwrap()).collect();
    named.sort_unstable();
    let mut expected: Vec<&str> = duties.duties.iter().map(|d| d.name.as_str()).collect();
    expected.sort_unstable();
    expected.dedup();
    assert_eq!(named, expected, "every duty reports, 0 included");
    let total: f64 = metrics.iter().map(|m| m["SodViolations"].as_f64().unwrap()).sum();
    assert_eq!(total as usize, may);
    assert_eq!(logs.last().unwrap()["message"], "sod audit");
    assert_eq!(run.response()["summary"]["may"], json!(may));
}

#[test]
fn an_account_that_cannot_be_read_is_an_error_never_a_clean_report() {
    let account =
        Account(Err(AwsError::new("GetAccountAuthorizationDetails", AwsErrorKind::Throttled, "Rate exceeded")));
    let duties = Duties::builtin().unwrap();
    let err = block(run(&account, &duties, &json!({}), Utc::now())).unwrap_err();
    assert_eq!(err.kind, AwsErrorKind::Throttled);
}
