//! The drain's queue on SQS: re-checks go back on it with a delay; unusable records go to its dead-letter queue.

use crate::errors::classify;
use aws_sdk_sqs::types::MessageAttributeValue;
use scalegate_core::drain::RecheckQueue;
use scalegate_core::ports::{AwsError, AwsErrorKind};
use std::time::Duration;

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
