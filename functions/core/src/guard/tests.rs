//! The guard over the CloudTrail fixtures in tests/fixtures/cloudtrail (built from AWS's documented record format,
//! not captured): every watched call from an outsider alerts with its action; the same call from the automation set
//! or from Auto Scaling itself does not.

use super::*;
use chrono::Utc;
use serde_json::{json, Value};
use std::path::PathBuf;

const AUTOMATION: &str = "automation = [\"arn:aws:iam::123456789012:role/scalegate-*\"]\n";

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/cloudtrail")
}

fn read(name: &str) -> Value {
    let text = std::fs::read_to_string(fixtures().join(name)).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn expected() -> Vec<(String, String)> {
    let index = read("expected.json");
    index["actions"].as_object().unwrap().iter().map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string())).collect()
}

fn config() -> GuardConfig {
    GuardConfig::from_toml(AUTOMATION, "test").unwrap()
}

fn actions(verdict: &Verdict) -> Vec<&'static str> {
    match verdict {
        Verdict::Alert { changes } => changes.iter().map(Change::action).collect(),
        _ => Vec::new(),
    }
}

#[test]
fn every_watched_call_from_an_outsider_alerts() {
    let cases = expected();
    assert!(cases.len() >= 27, "a fixture per watched call: {}", cases.len());
    let on_disk = std::fs::read_dir(fixtures()).unwrap().filter(|e| {
        let name = e.as_ref().unwrap().file_name().to_string_lossy().to_string();
        name.ends_with(".json") && name != "expected.json"
    });
    assert_eq!(on_disk.count(), cases.len(), "every fixture has its expected action");
    for (name, action) in cases {
        let judged = guard(&read(&format!("{name}.json")), &config(), Utc::now()).unwrap();
        assert!(actions(&judged.verdict).contains(&action.as_str()), "{name}: {:?}", judged.verdict);
        assert_eq!(judged.call.principal.arn, "arn:aws:iam::123456789012:role/Admin", "{name}: the session's issuer");
        let lines: Vec<&str> = judged.report.texts().collect();
        assert!(lines.iter().any(|l| l.contains("\"guard alert\"")), "{name}: {lines:?}");
        assert!(lines.iter().any(|l| l.contains("GuardAlerts") && l.contains(&action)), "{name}: {lines:?}");
    }
}

#[test]
fn the_automation_set_and_auto_scaling_itself_are_trusted() {
    for (name, _) in expected() {
        let mut event = read(&format!("{name}.json"));
        event["detail"]["userIdentity"]["sessionContext"]["sessionIssuer"]["arn"] =
            json!("arn:aws:iam::123456789012:role/scalegate-deployer");
        let judged = guard(&event, &config(), Utc::now()).unwrap();
        assert!(matches!(judged.verdict, Verdict::Trusted { .. }), "{name}: {:?}", judged.verdict);
        assert!(!judged.report.metrics().any(|m| m.contains("GuardAlerts")), "{name}");

        let mut service = read(&format!("{name}.json"));
        service["detail"]["userIdentity"] = json!({
            "type": "AssumedRole",
            "arn": "arn:aws:sts::123456789012:assumed-role/AWSServiceRoleForAutoScaling/AutoScaling",
            "sessionContext": {"sessionIssuer": {"type": "Role",
                "arn": "arn:aws:iam::123456789012:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"}},
            "invokedBy": "autoscaling.amazonaws.com"
        });
        let judged = guard(&service, &config(), Utc::now()).unwrap();
        assert!(matches!(judged.verdict, Verdict::Trusted { .. }), "{name}: {:?}", judged.verdict);
    }
}

#[test]
fn a_worker_releasing_its_own_lease_is_trusted_and_another_instance_is_not() {
    let session = |instance: &str, ids: Value| {
        let mut e = read("SetInstanceProtection.json");
        e["detail"]["userIdentity"]["arn"] = json!(format!("arn:aws:sts::123456789012:assumed-role/worker/{instance}"));
        e["detail"]["userIdentity"]["sessionContext"]["sessionIssuer"]["arn"] =
            json!("arn:aws:iam::123456789012:role/worker");
        e["detail"]["requestParameters"]["instanceIds"] = ids;
        guard(&e, &config(), Utc::now()).unwrap().verdict
    };
    let me = "i-0123456789abcdef0";
    assert!(matches!(session(me, json!([me])), Verdict::Trusted { why } if why.contains("its own")));
    assert!(matches!(session(me, json!([me, "i-0123456789abcdef1"])), Verdict::Alert { .. }), "others' too");
    assert!(matches!(session("i-0fffffffffffffff0", json!([me])), Verdict::Alert { .. }), "another instance's");
    // Another service's own role (EKS node groups manage their groups) is trusted; a look-alike name is not.
    let mut eks = read("UpdateAutoScalingGroup-capacity.json");
    eks["detail"]["userIdentity"]["sessionContext"]["sessionIssuer"]["arn"] =
        json!("arn:aws:iam::123456789012:role/aws-service-role/eks-nodegroup.amazonaws.com/AWSServiceRoleForAmazonEKSNodegroup");
    assert!(matches!(guard(&eks, &config(), Utc::now()).unwrap().verdict, Verdict::Trusted { .. }));
    eks["detail"]["userIdentity"]["sessionContext"]["sessionIssuer"]["arn"] =
        json!("arn:aws:iam::123456789012:role/aws-service-role-lookalike");
    assert!(matches!(guard(&eks, &config(), Utc::now()).unwrap().verdict, Verdict::Alert { .. }));
}

/// Records in the shapes published elsewhere (an EKS node group's call as its service-linked role, logged with no
/// session context; EventBridge Scheduler's failed SetDesiredCapacity; Application Auto Scaling's
/// RegisterScalableTarget under the same eventSource), not in our fixtures' shape.
#[test]
fn records_as_others_published_them() {
    let eks = json!({
        "eventTime": "2026-08-13T00:38:54Z", "eventSource": "autoscaling.amazonaws.com", "eventName": "UpdateAutoScalingGroup",
        "userIdentity": {"type": "AssumedRole",
            "arn": "arn:aws:sts::123456789012:assumed-role/AWSServiceRoleForAmazonEKSNodegroup/EKS",
            "invokedBy": "eks-nodegroup.amazonaws.com"},
        "requestParameters": {"autoScalingGroupName": "eks-system-a6cffc47", "desiredCapacity": 3}
    });
    assert!(matches!(guard(&eks, &config(), Utc::now()).unwrap().verdict, Verdict::Trusted { .. }));
    // The same role name without a service invoking it is not a service.
    let mut forged = eks.clone();
    forged["userIdentity"].as_object_mut().unwrap().remove("invokedBy");
    assert!(matches!(guard(&forged, &config(), Utc::now()).unwrap().verdict, Verdict::Alert { .. }));
    let scheduler = json!({
        "detail-type": DETAIL_TYPE, "source": "aws.autoscaling",
        "detail": {
            "eventVersion": "1.08", "eventSource": "autoscaling.amazonaws.com", "eventName": "SetDesiredCapacity",
            "userIdentity": {"type": "AssumedRole", "arn": "arn:aws:sts::123456789012:assumed-role/ecsEventsRole/xxxxx",
                "sessionContext": {"sessionIssuer": {"type": "Role", "arn": "arn:aws:iam::123456789012:role/ecsEventsRole"},
                    "webIdFederationData": {}, "attributes": {"mfaAuthenticated": "false"}}},
            "userAgent": "AmazonEventBridgeScheduler aws-sdk-java/2.28.29",
            "errorCode": "ValidationException", "errorMessage": "AutoScalingGroup name not found - null",
            "requestParameters": {"autoScalingGroupName": "mambo-ecs-cluster", "desiredCapacity": 1}
        }
    });
    let judged = guard(&scheduler, &config(), Utc::now()).unwrap();
    assert_eq!(judged.call.failed.as_deref(), Some("ValidationException"));
    assert!(matches!(judged.verdict, Verdict::Alert { .. }), "an outsider's schedule, even failed");
    let scalable = json!({
        "eventSource": "autoscaling.amazonaws.com", "eventName": "RegisterScalableTarget",
        "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::123456789012:user/Bob"},
        "requestParameters": {"resourceId": "spot-fleet-request/sfr-73fbd2ce", "minCapacity": 2, "maxCapacity": 10},
        "additionalEventData": {"service": "application-autoscaling"}
    });
    assert!(matches!(guard(&scalable, &config(), Utc::now()).unwrap().verdict, Verdict::NotWatched { .. }));
}

#[test]
fn what_is_not_a_watched_change_is_not_an_alert() {
    let outsider = |event: &str, params: Value| {
        let mut e = read("AttachInstances.json");
        e["detail"]["eventName"] = json!(event);
        e["detail"]["requestParameters"] = params;
        guard(&e, &config(), Utc::now()).unwrap().verdict
    };
    let quiet = |v: &Verdict| matches!(v, Verdict::NotWatched { .. });
    assert!(quiet(&outsider(
        "SetInstanceProtection",
        json!({"autoScalingGroupName": "web", "instanceIds": ["i-1"], "protectedFromScaleIn": true})
    )));
    assert!(quiet(&outsider("SetInstanceHealth", json!({"instanceId": "i-1", "healthStatus": "Unhealthy"}))));
    assert!(quiet(&outsider("PutWarmPool", json!({"autoScalingGroupName": "web", "poolState": "Stopped"}))));
    assert!(quiet(&outsider("DeleteAutoScalingGroup", json!({"autoScalingGroupName": "web"}))));
    assert!(quiet(&outsider(
        "SuspendProcesses",
        json!({"autoScalingGroupName": "web", "scalingProcesses": ["AZRebalance"]})
    )));
    assert!(quiet(&outsider("DescribeAutoScalingGroups", json!({}))));
    assert!(quiet(&outsider(
        "UpdateAutoScalingGroup",
        json!({"autoScalingGroupName": "web", "deletionProtection": "prevent-all-deletion"})
    )));
    // A hook that is not the gate's or the drain's is the owner's business.
    assert!(quiet(&outsider(
        "DeleteLifecycleHook",
        json!({"autoScalingGroupName": "web", "lifecycleHookName": "my-own-hook"})
    )));
    // Suspending every process (no list) suspends the watched ones.
    let all = outsider("SuspendProcesses", json!({"autoScalingGroupName": "web"}));
    assert!(
        matches!(&all, Verdict::Alert { changes } if matches!(&changes[0], Change::ProcessesSuspended { processes } if processes.len() == 6)),
        "{all:?}"
    );
    // Groups outside the watched ones are not watched.
    let narrow = GuardConfig::from_toml("groups = [\"payments-*\"]", "t").unwrap();
    assert!(quiet(&guard(&read("AttachInstances.json"), &narrow, Utc::now()).unwrap().verdict));
}

#[test]
fn a_gate_hook_put_to_continue_is_weakened_and_a_failed_call_still_alerts() {
    let judged = guard(&read("PutLifecycleHook.json"), &config(), Utc::now()).unwrap();
    let line = judged.report.logs().next().unwrap().to_string();
    assert!(line.contains("\"gate_weakened\":true"), "{line}");
    let mut failed = read("DeleteLifecycleHook.json");
    failed["detail"]["errorCode"] = json!("AccessDenied");
    let judged = guard(&failed, &config(), Utc::now()).unwrap();
    assert_eq!(judged.call.failed.as_deref(), Some("AccessDenied"));
    assert!(judged.report.logs().any(|l| l.contains("guard alert (the call failed)")));
}

#[test]
fn records_are_read_leniently_and_refused_clearly() {
    // A bare record (no EventBridge envelope), unknown fields, parameters in another case.
    let bare = json!({
        "eventSource": "autoscaling.amazonaws.com", "eventName": "AttachInstances", "somethingNew": {"x": 1},
        "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::123456789012:user/bob"},
        "requestParameters": {"AutoScalingGroupName": "web", "InstanceIds": {"member": ["i-1"]}}
    });
    let judged = guard(&bare, &config(), Utc::now()).unwrap();
    assert_eq!(judged.call.group.as_deref(), Some("web"));
    assert_eq!(judged.call.principal.arn, "arn:aws:iam::123456789012:user/bob");
    assert!(
        matches!(&judged.verdict, Verdict::Alert { changes } if changes == &[Change::InstancesAttached { instances: vec!["i-1".into()] }])
    );
    let other = json!({"detail-type": "EC2 Instance Launch Successful", "detail": {}});
    assert_eq!(
        guard(&other, &config(), Utc::now()).unwrap_err(),
        RecordError::DetailType("EC2 Instance Launch Successful".into())
    );
    let nameless = json!({"detail-type": DETAIL_TYPE, "detail": {"eventSource": "autoscaling.amazonaws.com"}});
    assert_eq!(guard(&nameless, &config(), Utc::now()).unwrap_err(), RecordError::Missing("eventName"));
    assert!(matches!(guard(&json!([1]), &config(), Utc::now()), Err(RecordError::NotJson(_))));
    assert!(matches!(CloudTrailRecord::from_json("{not json"), Err(RecordError::NotJson(_))));
}

#[test]
fn the_guard_document_is_validated() {
    let bad = |t: &str| GuardConfig::from_toml(t, "g.toml").unwrap_err().to_string();
    assert!(bad("automation = [\"scalegate-*\"]").contains("not an ARN pattern"));
    assert!(bad("automation = [\"arn:aws:sts::1:assumed-role/x/y\"]").contains("names a session"));
    assert!(bad("watch = 1").contains("watch"));
    assert!(GuardConfig::default().eq(&GuardConfig::from_toml("", "x").unwrap()));
}

const RESTORE: &str = "[restore]\nhook = \"scalegate-launch-gate\"\nheartbeat_timeout = 300\n";

fn restoring() -> GuardConfig {
    GuardConfig::from_toml(&format!("{AUTOMATION}{RESTORE}"), "test").unwrap()
}

#[test]
fn the_restore_mode_plans_for_a_deleted_or_weakened_gate_hook_only() {
    let restoring = restoring();
    let plan = |event: &Value| {
        let judged = guard(event, &restoring, Utc::now()).unwrap();
        restore_plan(&judged.call, &judged.verdict, &restoring)
    };
    let deleted = plan(&read("DeleteLifecycleHook.json")).expect("a deleted gate hook is put back");
    assert_eq!((deleted.group.as_str(), deleted.after, deleted.spec.heartbeat_timeout), ("web", "hook-deleted", 300));
    assert_eq!(deleted.spec.default_result, "ABANDON");
    assert_eq!(plan(&read("PutLifecycleHook.json")).map(|p| p.after), Some("hook-changed"), "put to CONTINUE");
    // Not for: a failed call, the automation's own call, another hook, a config without [restore].
    let mut failed = read("DeleteLifecycleHook.json");
    failed["detail"]["errorCode"] = json!("AccessDenied");
    assert_eq!(plan(&failed), None);
    let mut automation = read("DeleteLifecycleHook.json");
    automation["detail"]["userIdentity"]["sessionContext"]["sessionIssuer"]["arn"] =
        json!("arn:aws:iam::123456789012:role/scalegate-deployer");
    assert_eq!(plan(&automation), None);
    let mut drain = read("DeleteLifecycleHook.json");
    drain["detail"]["requestParameters"]["lifecycleHookName"] = json!("scalegate-drain");
    assert_eq!(plan(&drain), None);
    let judged = guard(&read("DeleteLifecycleHook.json"), &config(), Utc::now()).unwrap();
    assert_eq!(restore_plan(&judged.call, &judged.verdict, &config()), None, "no [restore], no restore");
}

#[test]
fn the_hook_put_back_exactly_as_specified_is_no_alert_and_anything_else_is() {
    let config = restoring();
    let mut put = read("PutLifecycleHook.json");
    put["detail"]["requestParameters"]["defaultResult"] = json!("ABANDON");
    put["detail"]["requestParameters"]["heartbeatTimeout"] = json!(300);
    let judged = guard(&put, &config, Utc::now()).unwrap();
    assert!(matches!(judged.verdict, Verdict::Trusted { .. }), "{:?}", judged.verdict);
    put["detail"]["requestParameters"]["heartbeatTimeout"] = json!(7200);
    let judged = guard(&put, &config, Utc::now()).unwrap();
    assert_eq!(actions(&judged.verdict), ["hook-changed"], "another heartbeat is a change");
}

#[test]
fn the_restore_section_is_validated() {
    for (text, says) in [
        ("[restore]\nhook = \"scalegate-drain\"\n", "not a gate hook"),
        ("[restore]\nhook = \"scalegate-launch-gate\"\nheartbeat_timeout = 10\n", "30–7200"),
        ("[restore]\nhook = \"scalegate-launch-gate\"\ndefault_result = \"CONTINUE\"\n", "ABANDON only"),
        ("[restore]\nhook = \"scalegate-launch-gate\"\nrole = \"x\"\n", "unknown field"),
    ] {
        let e = GuardConfig::from_toml(text, "guard.toml").unwrap_err().to_string();
        assert!(e.contains(says) && e.contains("guard.toml"), "{text}: {e}");
    }
}

/// In-memory hooks: which groups carry the tag, what was put, and an error to answer with.
#[derive(Default)]
struct Hooks {
    tagged: Vec<&'static str>,
    put: std::sync::Mutex<Vec<(String, HookSpec)>>,
    broken: bool,
}

impl GateHooks for Hooks {
    async fn opted_in(&self, group: &str) -> Result<bool, crate::ports::AwsError> {
        Ok(self.tagged.contains(&group))
    }
    async fn put_hook(&self, group: &str, spec: &HookSpec) -> Result<(), crate::ports::AwsError> {
        if self.broken {
            return Err(crate::ports::AwsError::new(
                "PutLifecycleHook",
                crate::ports::AwsErrorKind::AccessDenied,
                "no",
            ));
        }
        self.put.lock().unwrap().push((group.into(), spec.clone()));
        Ok(())
    }
}

#[tokio::test]
async fn restore_puts_the_hook_on_opted_in_groups_and_says_what_it_did() {
    let config = restoring();
    let judged = guard(&read("DeleteLifecycleHook.json"), &config, Utc::now()).unwrap();
    let plan = restore_plan(&judged.call, &judged.verdict, &config).unwrap();
    let hooks = Hooks { tagged: vec!["web"], ..Hooks::default() };
    let (outcome, report) = restore(&hooks, &plan, Utc::now()).await;
    assert_eq!(outcome, RestoreOutcome::Restored);
    assert_eq!(hooks.put.lock().unwrap()[0], ("web".to_string(), config.restore().unwrap().clone()));
    assert!(report
        .logs()
        .any(|l| l.contains("guard restored the gate hook") && l.contains("\"after\":\"hook-deleted\"")));
    assert!(report.metrics().any(|l| l.contains("GuardRestores")));

    let untagged = Hooks::default();
    assert_eq!(restore(&untagged, &plan, Utc::now()).await.0, RestoreOutcome::NotOptedIn);
    assert!(untagged.put.lock().unwrap().is_empty(), "nothing put on a group that did not opt in");
    let broken = Hooks { tagged: vec!["web"], broken: true, ..Hooks::default() };
    let (outcome, report) = restore(&broken, &plan, Utc::now()).await;
    assert!(matches!(outcome, RestoreOutcome::Failed { .. }), "{outcome:?}");
    assert!(report.logs().any(|l| l.contains("guard restore failed")));
}
