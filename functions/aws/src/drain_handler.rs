//! The `drain` function's shell: its SQS queue (re-checks and the dead-letter queue), its configuration, and the
//! Lambda entry that handles a batch and answers with the SQS partial-batch response.

use crate::errors::classify;
use crate::leases::SdkLeases;
use crate::lifecycle_actions::AutoScalingLifecycleActions;
use crate::sqs_batch::{answer, InvocationError, Redelivery};
use aws_sdk_sqs::types::MessageAttributeValue;
use chrono::Utc;
use scalegate_core::drain::{
    outcome_lines, parse_input, Drain, DrainConfig, DrainConfigError, DrainOutcome, RecheckQueue,
};
use scalegate_core::lifecycle::ParseError;
use scalegate_core::ports::{AwsError, AwsErrorKind};
use serde_json::Value;
use std::time::Duration;

/// The drain wired to AWS.
pub type AwsDrain = Drain<SdkLeases, AutoScalingLifecycleActions, SqsRecheckQueue>;

/// Re-checks go back on the drain's own queue; unusable records go to its dead-letter queue.
#[derive(Debug, Clone)]
pub struct SqsRecheckQueue {
    sqs: aws_sdk_sqs::Client,
    queue_url: String,
    dead_letter_url: Option<String>,
}

impl SqsRecheckQueue {
    /// The queue the drain consumes, and its dead-letter queue (without one, unusable records are left to the
    /// queue's redrive policy).
    pub fn new(sqs: aws_sdk_sqs::Client, queue_url: String, dead_letter_url: Option<String>) -> Self {
        Self { sqs, queue_url, dead_letter_url }
    }
}

impl RecheckQueue for SqsRecheckQueue {
    async fn requeue(&self, body: &str, delay: Duration) -> Result<(), AwsError> {
        let delay = i32::try_from(delay.as_secs().min(900)).unwrap_or(900);
        self.sqs
            .send_message()
            .queue_url(&self.queue_url)
            .message_body(body)
            .delay_seconds(delay)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| classify("SendMessage", e))
    }

    async fn dead_letter(&self, raw: &str, reason: &str) -> Result<(), AwsError> {
        let Some(url) = &self.dead_letter_url else {
            return Err(AwsError::new(
                "SendMessage",
                AwsErrorKind::Validation,
                "no dead-letter queue configured (SCALEGATE_DRAIN_DLQ_URL)",
            ));
        };
        // SQS refuses empty bodies; the reason travels as an attribute either way.
        let body = if raw.is_empty() { "(empty record)" } else { raw };
        let reason = MessageAttributeValue::builder()
            .data_type("String")
            .string_value(reason.chars().take(1000).collect::<String>())
            .build()
            .map_err(|e| AwsError::new("SendMessage", AwsErrorKind::Validation, e.to_string()))?;
        self.sqs
            .send_message()
            .queue_url(url)
            .message_body(body)
            .message_attributes("scalegate-error", reason)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| classify("SendMessage", e))
    }
}

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
        SdkLeases::new(autoscaling.clone(), ec2.clone()),
        AutoScalingLifecycleActions::new(autoscaling.clone()),
        queue,
        config,
        dry_run,
    )
}

/// Why the drain cannot start.
#[derive(Debug, thiserror::Error)]
pub enum DrainSetupError {
    /// A duration setting.
    #[error(transparent)]
    Config(#[from] DrainConfigError),
    /// The queue for re-checks is not set.
    #[error("SCALEGATE_DRAIN_QUEUE_URL must name the drain's SQS queue (re-checks are sent there)")]
    NoQueue,
}

/// The drain from the environment: `SCALEGATE_DRAIN_QUEUE_URL` (required), `SCALEGATE_DRAIN_DLQ_URL`, and the
/// durations [`DrainConfig::from_settings`] reads.
pub fn drain_from_env(clients: &crate::sdk::Clients) -> Result<AwsDrain, DrainSetupError> {
    let get = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
    let config = DrainConfig::from_settings(get)?;
    let queue = get("SCALEGATE_DRAIN_QUEUE_URL").ok_or(DrainSetupError::NoQueue)?;
    let dead_letters = get("SCALEGATE_DRAIN_DLQ_URL");
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
    pub lines: Vec<String>,
}

impl DrainReport {
    /// What Lambda is answered: the partial-batch response, or the failures of a direct invocation.
    pub fn answer(&self) -> Result<Value, InvocationError> {
        answer(self.records.iter().map(|(id, o)| (id.as_deref(), o)))
    }
}

impl Redelivery for DrainOutcome {
    fn redelivery(&self) -> Option<String> {
        match self {
            DrainOutcome::Failed { error, .. } => Some(error.clone()),
            _ => None,
        }
    }
}

/// Handles an invocation's payload: every record concurrently (each is a few AWS calls, never a wait).
pub async fn handle_value<F, A, Q>(drain: &Drain<F, A, Q>, payload: &Value) -> Result<DrainReport, ParseError>
where
    F: scalegate_core::drain::DrainFacts,
    A: scalegate_core::ports::LifecycleActions,
    Q: RecheckQueue,
{
    let now = Utc::now();
    let records = parse_input(payload, now)?;
    let outcomes = futures::future::join_all(records.iter().map(|r| drain.handle_record(r, now))).await;
    let mut report = DrainReport::default();
    let at = Utc::now();
    for (record, outcome) in records.into_iter().zip(outcomes) {
        report.lines.extend(outcome_lines(&outcome, at));
        report.records.push((record.message_id, outcome));
    }
    Ok(report)
}

/// The Lambda entry: handles the payload, writes its lines, answers with the partial-batch response.
pub async fn lambda(drain: &AwsDrain, payload: Value) -> Result<Value, InvocationError> {
    let report = handle_value(drain, &payload).await?;
    crate::telemetry::write_lines(&report.lines);
    report.answer()
}
