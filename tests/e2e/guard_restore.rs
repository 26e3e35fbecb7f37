//! The scaling guard's restore mode against the emulator: an outsider deletes the gate hook of a group tagged
//! `scalegate:guard-restore` (then sets it to CONTINUE), the function's shell judges the CloudTrail record (the
//! fixture, pointed at the test's group) and the hook is back, exactly as the document specifies; a group without the
//! tag keeps its alert and gets nothing put; an event that is not a record fails the invocation with its reason.

use aws_sdk_autoscaling::types::LifecycleHook;
use scalegate_aws::autoscaling_gate_hooks::AutoScalingGateHooks;
use scalegate_aws::sdk::Clients;
use scalegate_core::guard::{GuardConfig, RESTORE_TAG};
use scalegate_tests::{clients, project_root, tag_group, worker_group};
use scaling_guard::lambda;
use serde_json::{json, Value};

const HOOK: &str = "scalegate-launch-gate";

fn event(fixture: &str, group: &str) -> Value {
    let path = project_root().join("tests/fixtures/cloudtrail").join(fixture);
    let mut event: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    event["detail"]["requestParameters"]["autoScalingGroupName"] = json!(group);
    event
}

async fn hook(c: &Clients, group: &str) -> Option<LifecycleHook> {
    let out = c.autoscaling.describe_lifecycle_hooks().auto_scaling_group_name(group).send().await.unwrap();
    out.lifecycle_hooks().iter().find(|h| h.lifecycle_hook_name() == Some(HOOK)).cloned()
}

async fn put_hook(c: &Clients, group: &str, default_result: &str) {
    c.autoscaling
        .put_lifecycle_hook()
        .auto_scaling_group_name(group)
        .lifecycle_hook_name(HOOK)
        .lifecycle_transition("autoscaling:EC2_INSTANCE_LAUNCHING")
        .heartbeat_timeout(300)
        .default_result(default_result)
        .send()
        .await
        .expect("PutLifecycleHook");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deleted_or_weakened_gate_hook_is_put_back_on_opted_in_groups_only() {
    let c = clients().await;
    let config =
        GuardConfig::from_toml("[restore]\nhook = \"scalegate-launch-gate\"\nheartbeat_timeout = 600\n", "test")
            .unwrap();
    let ports = AutoScalingGateHooks::new(c.autoscaling.clone());
    let opted = worker_group(&c, "restore-in", 0).await;
    let other = worker_group(&c, "restore-out", 0).await;
    tag_group(&c, &opted, RESTORE_TAG, "true").await;
    for g in [&opted, &other] {
        put_hook(&c, g, "ABANDON").await;
        c.autoscaling
            .delete_lifecycle_hook()
            .auto_scaling_group_name(g)
            .lifecycle_hook_name(HOOK)
            .send()
            .await
            .unwrap();
    }

    let answer = lambda(&ports, &config, event("DeleteLifecycleHook.json", &opted)).await.unwrap();
    assert_eq!(answer["restore"]["restore"], "restored", "{answer}");
    let back = hook(&c, &opted).await.expect("the gate hook is back");
    assert_eq!(back.default_result(), Some("ABANDON"));
    assert_eq!(back.heartbeat_timeout(), Some(600), "as the document says, not as it was");
    assert_eq!(back.lifecycle_transition(), Some("autoscaling:EC2_INSTANCE_LAUNCHING"));

    // Weakened to CONTINUE: put back to ABANDON.
    put_hook(&c, &opted, "CONTINUE").await;
    let answer = lambda(&ports, &config, event("PutLifecycleHook.json", &opted)).await.unwrap();
    assert_eq!(answer["restore"]["restore"], "restored", "{answer}");
    assert_eq!(hook(&c, &opted).await.and_then(|h| h.default_result().map(str::to_owned)).as_deref(), Some("ABANDON"));

    // The restore's own call, as CloudTrail would record it: trusted, nothing more to do.
    let mut own = event("PutLifecycleHook.json", &opted);
    own["detail"]["requestParameters"]["defaultResult"] = json!("ABANDON");
    own["detail"]["requestParameters"]["heartbeatTimeout"] = json!(600);
    let answer = lambda(&ports, &config, own).await.unwrap();
    assert_eq!((answer["verdict"]["verdict"].as_str(), answer.get("restore")), (Some("trusted"), None), "{answer}");

    // Not opted in: the alert stands, nothing is put.
    let answer = lambda(&ports, &config, event("DeleteLifecycleHook.json", &other)).await.unwrap();
    assert_eq!(
        (answer["verdict"]["verdict"].as_str(), answer["restore"]["restore"].as_str()),
        (Some("alert"), Some("not_opted_in"))
    );
    assert!(hook(&c, &other).await.is_none());

    let refused = lambda(&ports, &config, json!({"detail-type": "Scheduled Event", "detail": {}})).await.unwrap_err();
    assert!(refused.starts_with("not a CloudTrail record the guard can judge"), "{refused}");
}
