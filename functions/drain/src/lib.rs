//! The `drain` function's shell, shared by the Lambda, `scalegate drain` and the demo: the drain wired to AWS, its
//! settings, and the handler that takes a batch and answers with the SQS partial-batch response.

use chrono::{DateTime, Utc};
use scalegate_aws::autoscaling_lifecycle_actions::AutoScalingLifecycleActions;
use scalegate_aws::ec2_leases::Ec2Leases;
use scalegate_aws::settings::{self, SettingsError};
use scalegate_aws::sqs_recheck_queue::SqsRecheckQueue;
use scalegate_aws::telemetry;
use scalegate_core::drain::{outcome_report, parse_input, Drain, DrainConfig, DrainOutcome, RecheckQueue};
use scalegate_core::lifecycle::{answer, InvocationError, ParseError};
use scalegate_core::report::Report;
use scalegate_core::settings::{DRAIN_DLQ_URL, DRAIN_QUEUE_URL};
use serde_json::Value;

/// The drain wired to AWS.
pub type AwsDrain = Drain<Ec2Leases, AutoScalingLifecycleActions, SqsRecheckQueue>;

/// Wires the drain to these clients; `queue` says where re-checks and unreadable records go. With `dry_run` it reads
/// and decides, but never heartbeats, completes, re-queues or dead-letters.
pub fn aws_drain(
    ec2: &aws_sdk_ec2::Client,
    autoscaling: &aws_sdk_autoscaling::Client,
    queue: SqsRecheckQueue,
    config: DrainConfig,
    dry_run: bool,
) -> AwsDrain {
    Drain::new(
        Ec2Leases::new(autoscaling.clone(), ec2.clone()),
        AutoScalingLifecycleActions::new(autoscaling.clone()),
        queue,
        config,
        dry_run,
    )
}

/// The drain from the environment: `SCALEGATE_DRAIN_QUEUE_URL` (required), `SCALEGATE_DRAIN_DLQ_URL`, and the
/// durations [`settings::drain_config`] reads.
pub fn drain_from_env(clients: &scalegate_aws::sdk::Clients) -> Result<AwsDrain, SettingsError> {
    let config = settings::drain_config()?;
    let queue = settings::env(DRAIN_QUEUE_URL).ok_or(SettingsError::Missing {
        setting: DRAIN_QUEUE_URL,
        why: "the drain's SQS queue (re-checks are sent there)",
    })?;
    let dead_letters = settings::env(DRAIN_DLQ_URL);
    if dead_letters.is_none() {
        tracing::warn!("SCALEGATE_DRAIN_DLQ_URL is not set: unusable records are left to the queue's redrive policy");
    }
    let queue = SqsRecheckQueue::new(clients.sqs.clone(), queue, dead_letters);
    Ok(aws_drain(&clients.ec2, &clients.autoscaling, queue, config, false))
}

/// One invocation's outcomes, by SQS message id, and its log and EMF lines.
#[derive(Debug, Clone, Default)]
pub struct DrainReport {
    /// (message id, outcome) per record.
    pub records: Vec<(Option<String>, DrainOutcome)>,
    /// Log and EMF lines, in order.
    pub report: Report,
}

impl DrainReport {
    /// What Lambda is answered: the partial-batch response, or the failures of a direct invocation.
    pub fn answer(&self) -> Result<Value, InvocationError> {
        answer(self.records.iter().map(|(id, o)| (id.as_deref(), o)))
    }
}

/// Handles an invocation's payload: every record concurrently (each is a few AWS calls, never a wait). `now` is the
/// clock (`Utc::now` outside tests).
pub async fn handle_value<F, A, Q>(
    drain: &Drain<F, A, Q>,
    payload: &Value,
    now: fn() -> DateTime<Utc>,
) -> Result<DrainReport, ParseError>
where
    F: scalegate_core::drain::DrainFacts,
    A: scalegate_core::lifecycle::LifecycleActions,
    Q: RecheckQueue,
{
    let started = now();
    let records = parse_input(payload, started)?;
    let outcomes = futures::future::join_all(records.iter().map(|r| drain.handle_record(r, started))).await;
    let mut report = DrainReport::default();
    let at = now();
    for (record, outcome) in records.into_iter().zip(outcomes) {
        report.report.append(outcome_report(&outcome, at));
        report.records.push((record.message_id, outcome));
    }
    Ok(report)
}

/// The Lambda entry: handles the payload, writes its lines, answers with the partial-batch response.
pub async fn lambda(drain: &AwsDrain, payload: Value) -> Result<Value, InvocationError> {
    let report = handle_value(drain, &payload, Utc::now).await?;
    telemetry::write_report(&report.report);
    report.answer()
}
