//! `make bench`: figures for the drain. Prints them; asserts nothing (it is not a test).
//!
//! Against the local emulator, 30 leased workers are terminated at once; the drain's invocations are timed batch by
//! batch (up to 10 records, as Lambda's SQS event source delivers them) through three kinds of look: the first (lease
//! live: describe the lease and the hook, heartbeat, re-queue), a re-check (the hook's timeouts travel in the
//! message), and the last (lease released: complete). An SDK interceptor counts the dependent round trips of each
//! invocation. Then the handler's own CPU time per record, with in-memory ports.

use drain::{aws_drain, handle_value};
use scalegate::demo::queue;
use scalegate_aws::ec2_leases::Ec2Leases;
use scalegate_aws::round_trips::RoundTripCounter;
use scalegate_aws::sdk::Clients;
use scalegate_aws::sqs_recheck_queue::SqsRecheckQueue;
use scalegate_core::drain::{
    parse_input, recheck_body, Drain, DrainConfig, DrainFacts, DrainOutcome, HookTimeouts, RecheckQueue, Ticket,
};
use scalegate_core::lease::{acquire, release};
use scalegate_core::lifecycle::{ActionResult, Completion, LifecycleActions};
use scalegate_core::lifecycle::{Delivery, LifecycleAction, Transition};
use scalegate_core::ports::AwsError;
use scalegate_tests::figures::{cpu_time, summary};
use scalegate_tests::{clients, sdk_config, unique, worker_group};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

const WORKERS: usize = 30;

#[tokio::main]
async fn main() {
    println!("scalegate drain benchmark\n");
    emulator_looks().await;
    handler_cpu().await;
}

async fn emulator_looks() {
    let c = clients().await;
    let group = worker_group(&c, "bench-drain", WORKERS as i32).await;
    let (url, arn) = queue(&c, &unique("bench-drain")).await.expect("queue");
    let (dead_letters, _) = queue(&c, &unique("bench-drain-dlq")).await.expect("dead-letter queue");
    c.autoscaling
        .put_lifecycle_hook()
        .auto_scaling_group_name(&group)
        .lifecycle_hook_name("scalegate-drain")
        .lifecycle_transition("autoscaling:EC2_INSTANCE_TERMINATING")
        .heartbeat_timeout(600)
        .notification_target_arn(&arn)
        .role_arn("arn:aws:iam::123456789012:role/scalegate-hooks")
        .send()
        .await
        .expect("PutLifecycleHook");
    let leases = Ec2Leases::new(c.autoscaling.clone(), c.ec2.clone());
    let out = c.autoscaling.describe_auto_scaling_groups().auto_scaling_group_names(&group).send().await.unwrap();
    let workers: Vec<String> =
        out.auto_scaling_groups()[0].instances().iter().filter_map(|i| i.instance_id()).map(str::to_string).collect();
    for w in &workers {
        acquire(&leases, &group, w, Duration::from_secs(3600), chrono::Utc::now()).await.expect("acquire");
        c.autoscaling
            .terminate_instance_in_auto_scaling_group()
            .instance_id(w)
            .should_decrement_desired_capacity(true)
            .send()
            .await
            .expect("TerminateInstanceInAutoScalingGroup");
    }
    println!("{WORKERS} leased workers terminated at once; each waits in Terminating:Wait for the drain\n");

    let counter = RoundTripCounter::new();
    let counted = Clients::from_shared(&sdk_config().await, Some(&counter));
    let queue = SqsRecheckQueue::new(counted.sqs.clone(), url.clone(), Some(dead_letters));
    let config = DrainConfig::new(Duration::from_secs(3600), Duration::from_secs(1), Duration::from_secs(1)).unwrap();
    let drain = aws_drain(&counted.ec2, &counted.autoscaling, queue, config, false);
    let looks = [
        "first look, lease live (describe ‖ describe hook, heartbeat, re-queue)",
        "re-check, lease live (describe, heartbeat, re-queue)",
        "last look, lease released (describe, complete)",
    ];
    for (i, look) in looks.iter().enumerate() {
        if i == 2 {
            for w in &workers {
                release(&leases, &group, w).await.expect("release");
            }
        }
        let (mut wall, mut dependent, mut calls, mut records) = (Vec::new(), Vec::new(), 0, 0);
        while records < WORKERS {
            let got = c.sqs.receive_message().queue_url(&url).max_number_of_messages(10).wait_time_seconds(2);
            let got = got.send().await.expect("ReceiveMessage");
            if got.messages().is_empty() {
                continue;
            }
            let batch: Vec<Value> = got
                .messages()
                .iter()
                .map(|m| json!({"eventSource": "aws:sqs", "messageId": m.message_id(), "body": m.body()}))
                .collect();
            counter.reset();
            let t = Instant::now();
            let report = handle_value(&drain, &json!({ "Records": batch }), chrono::Utc::now).await.expect("a batch");
            wall.push(t.elapsed().as_secs_f64() * 1000.0);
            dependent.push(counter.dependent() as f64);
            calls += counter.total();
            records += report
                .records
                .iter()
                .filter(|(_, o)| matches!(o, DrainOutcome::Requeued { .. } | DrainOutcome::Completed { .. }))
                .count();
            for m in got.messages() {
                c.sqs
                    .delete_message()
                    .queue_url(&url)
                    .receipt_handle(m.receipt_handle().unwrap())
                    .send()
                    .await
                    .unwrap();
            }
        }
        println!("{look}:");
        summary("  invocation wall time (batches of ≤10)", "ms", wall);
        summary("  dependent round trips per invocation", "  ", dependent);
        println!("  {:<42} {:.2}\n", "AWS calls per record", calls as f64 / records as f64);
    }
}

/// In-memory ports: a live lease, a described hook, every call succeeding.
struct Steady;

impl DrainFacts for Steady {
    async fn lease_tag(&self, _: &str) -> Result<Option<String>, AwsError> {
        Ok(Some("2099-01-01T00:00:00Z".into()))
    }
    async fn hook_timeouts(&self, _: &str, _: &str) -> Result<HookTimeouts, AwsError> {
        Ok(HookTimeouts { heartbeat: Duration::from_secs(300), global: Duration::from_secs(30_000) })
    }
    async fn clear_lease_tag(&self, _: &str) -> Result<(), AwsError> {
        Ok(())
    }
}

impl LifecycleActions for Steady {
    async fn complete(&self, _: &LifecycleAction, _: ActionResult) -> Result<Completion, AwsError> {
        Ok(Completion::Done)
    }
    async fn heartbeat(&self, _: &LifecycleAction) -> Result<Completion, AwsError> {
        Ok(Completion::Done)
    }
}

impl RecheckQueue for Steady {
    async fn requeue(&self, body: &str, _: Duration) -> Result<(), AwsError> {
        std::hint::black_box(body);
        Ok(())
    }
    async fn dead_letter(&self, _: &str, _: &str) -> Result<(), AwsError> {
        Ok(())
    }
}

async fn handler_cpu() {
    let action = LifecycleAction {
        token: "0b3e2d4c-1111-2222-3333-444455556666".into(),
        auto_scaling_group: "workers".into(),
        hook: "scalegate-drain".into(),
        instance_id: "i-0123456789abcdef0".into(),
        transition: Transition::Terminating,
        origin: None,
        destination: None,
        metadata: None,
        delivery: Delivery::Sqs,
    };
    let ticket = Ticket { attempt: 2, first_seen: chrono::Utc::now(), hook: None };
    let event =
        json!({"Records": [{"eventSource": "aws:sqs", "messageId": "m", "body": recheck_body(&action, &ticket)}]});
    let drain = Drain::new(Steady, Steady, Steady, DrainConfig::default(), false);
    let n = 20_000;
    let mut per = Vec::with_capacity(n);
    let (cpu0, wall0) = (cpu_time(), Instant::now());
    for _ in 0..n {
        let t = Instant::now();
        let now = chrono::Utc::now();
        for record in parse_input(&event, now).unwrap() {
            let outcome = drain.handle_record(&record, now).await;
            std::hint::black_box(scalegate_core::drain::outcome_report(&outcome, now));
        }
        per.push(t.elapsed().as_secs_f64() * 1e6);
    }
    let (cpu, wall) = (cpu_time().saturating_sub(cpu0), wall0.elapsed());
    println!("handler overhead with in-memory ports ({n} re-checks: parse, decide, re-check body, log and EMF lines):");
    summary("  per record (wall, single thread)", "µs", per);
    println!(
        "  {:<42} {:.1} µs per record (process CPU {:.2} s over {:.2} s wall)",
        "mean CPU time",
        cpu.as_secs_f64() * 1e6 / n as f64,
        cpu.as_secs_f64(),
        wall.as_secs_f64()
    );
}
