//! The demo's second act: a busy worker whose instance is terminated anyway (as an instance refresh or a health
//! replacement would). The drain holds the termination while the worker's lease is live — heartbeating and
//! re-checking through its own queue, never sleeping — and lets it go once the worker releases the lease.

use super::fleet::{queue, template_spec};
use super::{aws, DemoError, Fleet};
use aws_sdk_autoscaling::types::LifecycleHookSpecification;
use drain::{aws_drain, handle_value, AwsDrain};
use scalegate_aws::ec2_leases::Ec2Leases;
use scalegate_aws::sdk::Clients;
use scalegate_aws::sqs_recheck_queue::SqsRecheckQueue;
use scalegate_core::drain::{DrainConfig, DrainOutcome};
use scalegate_core::lease::{acquire, release};
use scalegate_core::lifecycle::Redelivery;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// Looks the drain takes while the lease is live before the demo's worker finishes its job.
const LOOKS_BEFORE_RELEASE: u32 = 3;

/// What the demo shows as it happens.
#[derive(Debug, Clone)]
pub enum DrainEvent {
    /// The worker took its lease and its instance was terminated.
    Terminated {
        /// The drain demo's worker group.
        group: String,
        /// The worker's instance.
        instance_id: String,
        /// Its lifecycle state right after.
        lifecycle_state: String,
    },
    /// One look by the drain at the worker's instance.
    Look {
        /// Which look this is, counting from 1.
        look: u32,
        /// Since the termination.
        at: Duration,
        /// What the drain did, in words.
        outcome: String,
        /// How long the invocation ran.
        invocation: Duration,
    },
    /// The worker finished its job and released the lease.
    Released,
}

/// How the act ended.
#[derive(Debug, Clone)]
pub struct DrainAct {
    /// The worker's instance.
    pub instance_id: String,
    /// Invocations that looked at it.
    pub looks: u32,
    /// The longest of them.
    pub longest_invocation: Duration,
    /// From the start of the terminate action to CONTINUE.
    pub drained: Duration,
    /// The instance's lifecycle state at the end (`None`: gone from the group).
    pub final_state: Option<String>,
}

/// One invocation, as Lambda's SQS event source makes it: receive up to 10 messages, invoke the handler with the
/// batch, delete the messages it did not report as failed. `None` when nothing was visible within a second.
pub async fn invoke_once(
    c: &Clients,
    drain: &AwsDrain,
    queue_url: &str,
) -> Result<Option<(Duration, Vec<DrainOutcome>)>, DemoError> {
    let got = c
        .sqs
        .receive_message()
        .queue_url(queue_url)
        .max_number_of_messages(10)
        .wait_time_seconds(1)
        .send()
        .await
        .map_err(aws("ReceiveMessage"))?;
    let messages = got.messages();
    if messages.is_empty() {
        return Ok(None);
    }
    let records: Vec<Value> = messages
        .iter()
        .map(|m| json!({"eventSource": "aws:sqs", "messageId": m.message_id(), "body": m.body()}))
        .collect();
    let started = Instant::now();
    let report = handle_value(drain, &json!({ "Records": records }), chrono::Utc::now)
        .await
        .map_err(|e| DemoError::Aws { operation: "drain", message: e.to_string() })?;
    let took = started.elapsed();
    for (m, (_, outcome)) in messages.iter().zip(&report.records) {
        if outcome.redelivery().is_none() {
            let handle = m.receipt_handle().unwrap_or_default();
            c.sqs
                .delete_message()
                .queue_url(queue_url)
                .receipt_handle(handle)
                .send()
                .await
                .map_err(aws("DeleteMessage"))?;
        }
    }
    Ok(Some((took, report.records.into_iter().map(|(_, o)| o).collect())))
}

/// A group of two workers with a terminate hook whose notifications go to the drain's queue; one worker takes a
/// lease, its instance is terminated, and the drain runs on every delivery until it completes.
pub async fn drain_a_busy_worker(
    c: &Clients,
    fleet: &Fleet,
    prefix: &str,
    mut on_event: impl FnMut(&DrainEvent),
) -> Result<DrainAct, DemoError> {
    let (drain_queue, drain_arn) = queue(c, &format!("{prefix}-drain-events")).await?;
    let (dead_letters, _) = queue(c, &format!("{prefix}-drain-dlq")).await?;
    let group = format!("{prefix}-workers");
    let hook = LifecycleHookSpecification::builder()
        .lifecycle_hook_name(format!("{prefix}-drain"))
        .lifecycle_transition("autoscaling:EC2_INSTANCE_TERMINATING")
        .heartbeat_timeout(60)
        .default_result("CONTINUE")
        .notification_target_arn(&drain_arn)
        .role_arn("arn:aws:iam::123456789012:role/scalegate-demo-hook")
        .build();
    c.autoscaling
        .create_auto_scaling_group()
        .auto_scaling_group_name(&group)
        .min_size(0)
        .max_size(4)
        .desired_capacity(2)
        .vpc_zone_identifier(fleet.subnets.join(","))
        .launch_template(template_spec(&fleet.compliant_template))
        .lifecycle_hook_specification_list(hook)
        .send()
        .await
        .map_err(aws("CreateAutoScalingGroup"))?;
    let out = c
        .autoscaling
        .describe_auto_scaling_groups()
        .auto_scaling_group_names(&group)
        .send()
        .await
        .map_err(aws("DescribeAutoScalingGroups"))?;
    let worker = out
        .auto_scaling_groups()
        .first()
        .and_then(|g| g.instances().first())
        .and_then(|i| i.instance_id())
        .map(str::to_string)
        .ok_or(DemoError::Aws {
            operation: "DescribeAutoScalingGroups",
            message: format!("{group} has no instances"),
        })?;

    let leases = Ec2Leases::new(c.autoscaling.clone(), c.ec2.clone());
    let lease_error =
        |e: scalegate_core::lease::LeaseError| DemoError::Aws { operation: "lease", message: e.to_string() };
    acquire(&leases, &group, &worker, Duration::from_secs(600), chrono::Utc::now()).await.map_err(lease_error)?;
    c.autoscaling
        .terminate_instance_in_auto_scaling_group()
        .instance_id(&worker)
        .should_decrement_desired_capacity(true)
        .send()
        .await
        .map_err(aws("TerminateInstanceInAutoScalingGroup"))?;
    let terminated = Instant::now();
    on_event(&DrainEvent::Terminated {
        group: group.clone(),
        instance_id: worker.clone(),
        lifecycle_state: lifecycle_state(c, &worker).await?.unwrap_or_else(|| "-".into()),
    });

    let queue = SqsRecheckQueue::new(c.sqs.clone(), drain_queue.clone(), Some(dead_letters));
    // Seconds, so the demo is short; deployed, the first re-check comes after 15 s and they back off to 5 min.
    let config = DrainConfig::new(Duration::from_secs(600), Duration::from_secs(1), Duration::from_secs(2))
        .expect("valid demo settings");
    let drain = aws_drain(&c.ec2, &c.autoscaling, queue, config, false);
    let timeout = Duration::from_secs(60);
    let (mut looks, mut longest, mut released) = (0, Duration::ZERO, false);
    let drained = loop {
        if terminated.elapsed() > timeout {
            return Err(DemoError::Timeout(timeout));
        }
        let Some((took, outcomes)) = invoke_once(c, &drain, &drain_queue).await? else { continue };
        let mut done = None;
        for outcome in outcomes {
            let words = match &outcome {
                DrainOutcome::Requeued { action, delay, why, .. } if action.instance_id == worker => {
                    format!("heartbeat, re-check in {} s ({why})", delay.as_secs())
                }
                DrainOutcome::Completed { action, reason, drained, .. } if action.instance_id == worker => {
                    done = Some(*drained);
                    format!("CONTINUE ({})", reason.as_str())
                }
                _ => continue,
            };
            looks += 1;
            longest = longest.max(took);
            on_event(&DrainEvent::Look { look: looks, at: terminated.elapsed(), outcome: words, invocation: took });
        }
        if let Some(d) = done {
            break d;
        }
        if looks >= LOOKS_BEFORE_RELEASE && !released {
            release(&leases, &group, &worker).await.map_err(lease_error)?;
            released = true;
            on_event(&DrainEvent::Released);
        }
    };
    let mut final_state = lifecycle_state(c, &worker).await?;
    for _ in 0..30 {
        if final_state.is_none() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        final_state = lifecycle_state(c, &worker).await?;
    }
    Ok(DrainAct { instance_id: worker, looks, longest_invocation: longest, drained, final_state })
}

/// The instance's lifecycle state in its group; `None` once it has left the group.
pub async fn lifecycle_state(c: &Clients, instance: &str) -> Result<Option<String>, DemoError> {
    let out = c
        .autoscaling
        .describe_auto_scaling_instances()
        .instance_ids(instance)
        .send()
        .await
        .map_err(aws("DescribeAutoScalingInstances"))?;
    Ok(out.auto_scaling_instances().first().and_then(|i| i.lifecycle_state()).map(str::to_string))
}
