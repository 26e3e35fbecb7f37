//! The emulator's lifecycle extension, driven through the real Rust SDK clients.

use scalegate::demo::{Fleet, FleetSpec};
use scalegate_aws::sdk::Clients;
use scalegate_tests::{clients, unique};
use std::time::Duration;

async fn fleet(c: &Clients, heartbeat: i32) -> Fleet {
    let f = Fleet::create(c, &FleetSpec { prefix: unique("emu"), heartbeat_timeout: heartbeat, max_size: 10 })
        .await
        .unwrap();
    f.roll_back(c).await.unwrap();
    f
}

async fn receive_all(c: &Clients, queue: &str, want: usize) -> Vec<serde_json::Value> {
    let mut out = vec![];
    for _ in 0..20 {
        let r = c.sqs.receive_message().queue_url(queue).max_number_of_messages(10).send().await.unwrap();
        for m in r.messages() {
            out.push(serde_json::from_str(m.body().unwrap()).unwrap());
            c.sqs.delete_message().queue_url(queue).receipt_handle(m.receipt_handle().unwrap()).send().await.unwrap();
        }
        if out.len() >= want {
            break;
        }
    }
    out
}

/// Completes an action by instance id, as a hook consumer would.
async fn complete(c: &Clients, f: &Fleet, hook: &str, instance: &str, result: &str) {
    c.autoscaling
        .complete_lifecycle_action()
        .auto_scaling_group_name(&f.group)
        .lifecycle_hook_name(hook)
        .instance_id(instance)
        .lifecycle_action_result(result)
        .send()
        .await
        .unwrap();
}

async fn states(c: &Clients, f: &Fleet) -> Vec<(String, String)> {
    f.state(c).await.unwrap().instances
}

#[tokio::test]
async fn launch_waits_notifies_and_continue_puts_in_service() {
    let c = clients().await;
    let f = fleet(&c, 300).await;
    f.set_desired(&c, 1).await.unwrap();
    let s = states(&c, &f).await;
    assert_eq!(s.len(), 1);
    assert_eq!(s[0].1, "Pending:Wait");

    // The hook's own target got the TEST_NOTIFICATION, then the flat notification.
    let direct = receive_all(&c, &f.hook_queue, 2).await;
    assert_eq!(direct[0]["Event"], "autoscaling:TEST_NOTIFICATION");
    assert_eq!(direct[1]["LifecycleTransition"], "autoscaling:EC2_INSTANCE_LAUNCHING");
    assert_eq!(direct[1]["EC2InstanceId"], s[0].0.as_str());
    assert_eq!(direct[1]["Origin"], "EC2");
    // EventBridge delivered the event form through the rule.
    let events = receive_all(&c, &f.events_queue, 1).await;
    assert_eq!(events[0]["source"], "aws.autoscaling");
    assert_eq!(events[0]["detail-type"], "EC2 Instance-launch Lifecycle Action");
    let token = events[0]["detail"]["LifecycleActionToken"].as_str().unwrap().to_string();
    assert_eq!(direct[1]["LifecycleActionToken"], token.as_str());

    c.autoscaling
        .complete_lifecycle_action()
        .auto_scaling_group_name(&f.group)
        .lifecycle_hook_name(&f.hook)
        .lifecycle_action_token(&token)
        .lifecycle_action_result("CONTINUE")
        .send()
        .await
        .unwrap();
    assert_eq!(states(&c, &f).await[0].1, "InService");

    // Completing again: AWS's answer for a finished action.
    let err = c
        .autoscaling
        .complete_lifecycle_action()
        .auto_scaling_group_name(&f.group)
        .lifecycle_hook_name(&f.hook)
        .lifecycle_action_token(&token)
        .lifecycle_action_result("CONTINUE")
        .send()
        .await
        .unwrap_err();
    let text = format!("{}", aws_smithy_types::error::display::DisplayErrorContext(&err));
    assert!(text.contains("No active Lifecycle Action found"), "{text}");
}

#[tokio::test]
async fn abandon_by_instance_id_terminates_and_replaces() {
    let c = clients().await;
    let f = fleet(&c, 300).await;
    f.set_desired(&c, 1).await.unwrap();
    let first = states(&c, &f).await[0].0.clone();
    complete(&c, &f, &f.hook, &first, "ABANDON").await;
    let s = states(&c, &f).await;
    assert_eq!(s.len(), 1, "{s:?}");
    assert_ne!(s[0].0, first, "replaced by a new instance");
    assert_eq!(s[0].1, "Pending:Wait");
    let described = c.ec2.describe_instances().instance_ids(&first).send().await.unwrap();
    let state = described.reservations()[0].instances()[0].state().unwrap().name().unwrap().as_str().to_string();
    assert!(state == "terminated" || state == "shutting-down", "{state}");
}

#[tokio::test]
async fn heartbeat_extends_and_timeout_applies_the_default_result() {
    let c = clients().await;
    // Below AWS's 30 s minimum on purpose: the emulator accepts it so this test is quick.
    let f = fleet(&c, 2).await;
    f.set_desired(&c, 1).await.unwrap();
    let first = states(&c, &f).await[0].0.clone();
    for _ in 0..3 {
        tokio::time::sleep(Duration::from_millis(1200)).await;
        c.autoscaling
            .record_lifecycle_action_heartbeat()
            .auto_scaling_group_name(&f.group)
            .lifecycle_hook_name(&f.hook)
            .instance_id(&first)
            .send()
            .await
            .unwrap();
    }
    // 3.6 s after launch, past the 2 s timeout: the heartbeats kept it waiting.
    assert_eq!(states(&c, &f).await[0], (first.clone(), "Pending:Wait".to_string()));
    tokio::time::sleep(Duration::from_millis(2600)).await;
    let s = states(&c, &f).await;
    assert!(s.iter().all(|(id, _)| *id != first), "default ABANDON terminated it: {s:?}");
}

#[tokio::test]
async fn unknown_token_is_a_validation_error() {
    let c = clients().await;
    let f = fleet(&c, 300).await;
    let err = c
        .autoscaling
        .record_lifecycle_action_heartbeat()
        .auto_scaling_group_name(&f.group)
        .lifecycle_hook_name(&f.hook)
        .lifecycle_action_token("00000000-0000-0000-0000-000000000000")
        .send()
        .await
        .unwrap_err();
    let text = format!("{}", aws_smithy_types::error::display::DisplayErrorContext(&err));
    assert!(text.contains("ValidationError") && text.contains("No active Lifecycle Action"), "{text}");
}

#[tokio::test]
async fn warm_pool_instances_wait_enter_the_pool_and_leave_it_through_the_hook() {
    let c = clients().await;
    let f = fleet(&c, 300).await;
    f.add_warm_pool(&c, 1).await.unwrap();
    let pool = f.state(&c).await.unwrap().warm_pool;
    assert_eq!(pool.len(), 1);
    assert_eq!(pool[0].1, "Warmed:Pending:Wait");
    let pooled = pool[0].0.clone();
    let notes = receive_all(&c, &f.hook_queue, 2).await;
    let enter = notes.iter().find(|n| n["EC2InstanceId"] == pooled.as_str()).unwrap();
    assert_eq!((enter["Origin"].as_str(), enter["Destination"].as_str()), (Some("EC2"), Some("WarmPool")));
    complete(&c, &f, &f.hook, &pooled, "CONTINUE").await;
    assert_eq!(f.state(&c).await.unwrap().warm_pool[0], (pooled.clone(), "Warmed:Stopped".to_string()));

    f.set_desired(&c, 1).await.unwrap();
    let s = f.state(&c).await.unwrap();
    assert_eq!(s.instances, vec![(pooled.clone(), "Pending:Wait".to_string())], "scale-out draws from the pool");
    let notes = receive_all(&c, &f.hook_queue, 1).await;
    let leave = notes.iter().find(|n| n["EC2InstanceId"] == pooled.as_str()).unwrap();
    assert_eq!((leave["Origin"].as_str(), leave["Destination"].as_str()), (Some("WarmPool"), Some("AutoScalingGroup")));
}

#[tokio::test]
async fn terminate_hook_holds_instances_and_protection_blocks_scale_in() {
    let c = clients().await;
    let f = fleet(&c, 300).await;
    let terminate_hook = format!("{}-drain", f.group);
    c.autoscaling
        .put_lifecycle_hook()
        .auto_scaling_group_name(&f.group)
        .lifecycle_hook_name(&terminate_hook)
        .lifecycle_transition("autoscaling:EC2_INSTANCE_TERMINATING")
        .heartbeat_timeout(300)
        .send()
        .await
        .unwrap();
    f.set_desired(&c, 2).await.unwrap();
    for (id, _) in states(&c, &f).await {
        complete(&c, &f, &f.hook, &id, "CONTINUE").await;
    }
    let ids: Vec<String> = states(&c, &f).await.into_iter().map(|(id, _)| id).collect();
    c.autoscaling
        .set_instance_protection()
        .auto_scaling_group_name(&f.group)
        .instance_ids(&ids[0])
        .protected_from_scale_in(true)
        .send()
        .await
        .unwrap();
    f.set_desired(&c, 0).await.unwrap();
    let s = states(&c, &f).await;
    let find = |id: &str| s.iter().find(|(i, _)| i == id).map(|(_, st)| st.clone());
    assert_eq!(find(&ids[0]).as_deref(), Some("InService"), "protected instance stays");
    assert_eq!(find(&ids[1]).as_deref(), Some("Terminating:Wait"), "unprotected one waits on the terminate hook");
    complete(&c, &f, &terminate_hook, &ids[1], "CONTINUE").await;
    assert_eq!(states(&c, &f).await.len(), 1);
    // Removing protection lets the group finish scaling in by itself.
    c.autoscaling
        .set_instance_protection()
        .auto_scaling_group_name(&f.group)
        .instance_ids(&ids[0])
        .protected_from_scale_in(false)
        .send()
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(states(&c, &f).await, vec![(ids[0].clone(), "Terminating:Wait".to_string())]);
}
