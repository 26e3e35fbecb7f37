//! The drain function against the emulator. The test plays Lambda's SQS event source mapping: it receives from the
//! drain's queue, invokes the handler with the batch, and deletes what the handler did not report as failed. So the
//! re-checks really travel through SQS with their delays, and each invocation is timed.

use aws_sdk_autoscaling::types::InstanceReusePolicy;
use drain::{aws_drain, AwsDrain};
use scalegate::demo::{invoke_once, lifecycle_state, queue};
use scalegate_aws::ec2_leases::Ec2Leases;
use scalegate_aws::sdk::Clients;
use scalegate_aws::sqs_recheck_queue::SqsRecheckQueue;
use scalegate_core::drain::{DrainConfig, DrainOutcome, DrainReason};
use scalegate_core::lease::{acquire, release, renew, LeaseStore, LEASE_TAG};
use scalegate_core::lifecycle::Redelivery;
use scalegate_tests::{clients, unique, worker_group};
use std::time::{Duration, Instant};

const HOOK: &str = "scalegate-drain";

struct Queues {
    url: String,
    arn: String,
    dead_letters: String,
}

async fn queues(c: &Clients) -> Queues {
    let (url, arn) = queue(c, &unique("drain")).await.expect("the drain's queue");
    let (dead_letters, _) = queue(c, &unique("drain-dlq")).await.expect("its dead-letter queue");
    Queues { url, arn, dead_letters }
}

/// A terminate hook on `group` whose notifications (Auto Scaling's flat JSON) go to the drain's queue.
async fn terminate_hook(c: &Clients, group: &str, queue_arn: &str) {
    c.autoscaling
        .put_lifecycle_hook()
        .auto_scaling_group_name(group)
        .lifecycle_hook_name(HOOK)
        .lifecycle_transition("autoscaling:EC2_INSTANCE_TERMINATING")
        .heartbeat_timeout(30)
        .default_result("CONTINUE")
        .notification_target_arn(queue_arn)
        .role_arn("arn:aws:iam::123456789012:role/scalegate-hooks")
        .send()
        .await
        .expect("PutLifecycleHook");
}

fn drain(c: &Clients, q: &Queues) -> AwsDrain {
    let queue = SqsRecheckQueue::new(c.sqs.clone(), q.url.clone(), Some(q.dead_letters.clone()));
    // Short delays so the test takes seconds; the rule is the same at 15 s and 5 min.
    let config = DrainConfig::new(Duration::from_secs(120), Duration::from_secs(1), Duration::from_secs(2)).unwrap();
    aws_drain(&c.ec2, &c.autoscaling, queue, config, false)
}

/// One invocation, as Lambda's event source mapping makes it; no record may fail here.
async fn invoke(c: &Clients, d: &AwsDrain, queue: &str) -> Option<(Duration, Vec<DrainOutcome>)> {
    let got = invoke_once(c, d, queue).await.expect("receive, invoke, delete");
    if let Some((_, outcomes)) = &got {
        assert!(outcomes.iter().all(|o| o.redelivery().is_none()), "no record should fail here: {outcomes:?}");
    }
    got
}

async fn state(c: &Clients, instance: &str) -> Option<String> {
    lifecycle_state(c, instance).await.expect("DescribeAutoScalingInstances")
}

async fn lease_tag(c: &Clients, instance: &str) -> Option<String> {
    let tags = c
        .ec2
        .describe_tags()
        .filters(aws_sdk_ec2::types::Filter::builder().name("resource-id").values(instance).build())
        .send()
        .await
        .unwrap();
    tags.tags().iter().find(|t| t.key() == Some(LEASE_TAG)).and_then(|t| t.value()).map(str::to_string)
}

fn about(outcome: &DrainOutcome, instance: &str) -> bool {
    match outcome {
        DrainOutcome::Completed { action, .. }
        | DrainOutcome::Requeued { action, .. }
        | DrainOutcome::AlreadyDone { action, .. } => action.instance_id == instance,
        _ => false,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_drain_requeues_rather_than_sleeps_and_continues_once_the_lease_is_released() {
    let c = clients().await;
    let group = worker_group(&c, "drained", 2).await;
    let q = queues(&c).await;
    terminate_hook(&c, &group, &q.arn).await;
    let d = drain(&c, &q);
    let leases = Ec2Leases::new(c.autoscaling.clone(), c.ec2.clone());
    let out = c.autoscaling.describe_auto_scaling_groups().auto_scaling_group_names(&group).send().await.unwrap();
    let busy = out.auto_scaling_groups()[0].instances()[0].instance_id().unwrap().to_string();
    acquire(&leases, &group, &busy, Duration::from_secs(120), chrono::Utc::now()).await.unwrap();
    // Something unreadable on the queue must reach the dead-letter queue once, not loop.
    c.sqs.send_message().queue_url(&q.url).message_body("{not a notification").send().await.unwrap();

    // An operator (or an instance refresh) terminates the busy worker: scale-in protection does not stop that.
    c.autoscaling
        .terminate_instance_in_auto_scaling_group()
        .instance_id(&busy)
        .should_decrement_desired_capacity(true)
        .send()
        .await
        .expect("TerminateInstanceInAutoScalingGroup");
    assert_eq!(state(&c, &busy).await.as_deref(), Some("Terminating:Wait"));

    let started = Instant::now();
    let (mut invocations, mut requeues, mut slowest) = (0, 0, Duration::ZERO);
    let mut other = Vec::new();
    let mut completed = None;
    let mut released = false;
    while completed.is_none() && started.elapsed() < Duration::from_secs(40) {
        let Some((took, outcomes)) = invoke(&c, &d, &q.url).await else { continue };
        slowest = slowest.max(took);
        for o in outcomes {
            if !about(&o, &busy) {
                other.push(o);
                continue;
            }
            invocations += 1;
            match o {
                DrainOutcome::Requeued { .. } => {
                    requeues += 1;
                    assert!(!released, "a released lease must not be waited on");
                    assert_eq!(state(&c, &busy).await.as_deref(), Some("Terminating:Wait"));
                }
                DrainOutcome::Completed { action, reason, drained, .. } => completed = Some((action, reason, drained)),
                other => panic!("unexpected {other:?}"),
            }
        }
        if requeues == 2 && !released {
            // Mid-job, the worker renews: on a terminating instance only the tag can change, and that is enough.
            renew(&leases, &group, &busy, Duration::from_secs(120), chrono::Utc::now())
                .await
                .expect("renew on a terminating instance");
        }
        if requeues == 3 && !released {
            // The worker finishes its job. Its instance is terminating, so protection cannot change; the tag goes.
            release(&leases, &group, &busy).await.expect("release on a terminating instance");
            released = true;
        }
    }
    let (action, reason, drained) = completed.expect("the drain completed within 40 s");
    assert_eq!(reason, DrainReason::NoLease);
    assert_eq!((invocations, requeues), (4, 3), "three re-checks while leased, then one that completes");
    assert!(slowest < Duration::from_secs(2), "an invocation took {slowest:?}: the drain must not sleep");
    // Delays of 1, 2 and 2 s passed in the queue, not in an invocation.
    assert!(drained >= Duration::from_secs(4), "drained for {drained:?}");
    for _ in 0..30 {
        if state(&c, &busy).await.is_none() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(state(&c, &busy).await, None, "CONTINUE let the termination finish");

    // The hook's test notification was dropped; the unreadable message went to the dead-letter queue with its reason.
    assert!(other.iter().any(|o| matches!(o, DrainOutcome::TestDropped { .. })), "{other:?}");
    assert!(other.iter().any(|o| matches!(o, DrainOutcome::DeadLettered { .. })), "{other:?}");
    let dead = c
        .sqs
        .receive_message()
        .queue_url(&q.dead_letters)
        .message_attribute_names("All")
        .max_number_of_messages(10)
        .send()
        .await
        .unwrap();
    assert_eq!(dead.messages().len(), 1);
    assert_eq!(dead.messages()[0].body(), Some("{not a notification"));
    let why = dead.messages()[0].message_attributes().unwrap()["scalegate-error"].string_value().unwrap();
    assert!(why.contains("is not JSON"), "{why}");
    assert!(invoke(&c, &d, &q.url).await.is_none(), "nothing is left looping on the drain's queue");

    // EventBridge delivers at least once: the same action again, after it was completed, is done — not an error.
    let again = action.to_notification_json().to_string();
    c.sqs.send_message().queue_url(&q.url).message_body(again).send().await.unwrap();
    let (_, outcomes) = invoke(&c, &d, &q.url).await.expect("the duplicate");
    assert!(
        matches!(&outcomes[..], [DrainOutcome::AlreadyDone { during: "CompleteLifecycleAction", .. }]),
        "{outcomes:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_instance_returning_to_the_warm_pool_is_drained_and_leaves_its_lease_behind() {
    let c = clients().await;
    let group = worker_group(&c, "drained-warm", 1).await;
    let q = queues(&c).await;
    c.autoscaling
        .put_warm_pool()
        .auto_scaling_group_name(&group)
        .min_size(0)
        .max_group_prepared_capacity(1)
        .pool_state(aws_sdk_autoscaling::types::WarmPoolState::Stopped)
        .instance_reuse_policy(InstanceReusePolicy::builder().reuse_on_scale_in(true).build())
        .send()
        .await
        .expect("PutWarmPool");
    terminate_hook(&c, &group, &q.arn).await;
    let d = drain(&c, &q);
    let leases = Ec2Leases::new(c.autoscaling.clone(), c.ec2.clone());
    let out = c.autoscaling.describe_auto_scaling_groups().auto_scaling_group_names(&group).send().await.unwrap();
    let worker = out.auto_scaling_groups()[0].instances()[0].instance_id().unwrap().to_string();
    // A worker that crashed mid-job long ago: its lease expired and the reaper took its protection.
    leases.tag(&worker, LEASE_TAG, "2026-01-01T00:00:00Z").await.unwrap();

    c.autoscaling.set_desired_capacity().auto_scaling_group_name(&group).desired_capacity(0).send().await.unwrap();
    let started = Instant::now();
    let mut completed = None;
    while completed.is_none() && started.elapsed() < Duration::from_secs(20) {
        let Some((_, outcomes)) = invoke(&c, &d, &q.url).await else { continue };
        completed = outcomes.into_iter().find_map(|o| match o {
            DrainOutcome::Completed { action, reason, .. } if action.instance_id == worker => Some((action, reason)),
            _ => None,
        });
    }
    let (action, reason) = completed.expect("the drain completed the return to the pool");
    assert_eq!(action.route(), "AutoScalingGroup→WarmPool");
    assert!(matches!(reason, DrainReason::LeaseExpired { .. }), "{reason:?}");
    assert_eq!(lease_tag(&c, &worker).await, None, "the stale lease does not travel into the pool");
    let pool = c.autoscaling.describe_warm_pool().auto_scaling_group_name(&group).send().await.unwrap();
    assert!(pool.instances().iter().any(|i| i.instance_id() == Some(worker.as_str())), "{pool:?}");
}
