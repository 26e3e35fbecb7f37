//! The backlog function's tick queue on SQS: a delayed message per computation still due this minute.

use crate::errors::classify;
use scalegate_core::backlog::TickQueue;
use scalegate_core::ports::AwsError;
use std::time::Duration;

/// The body every tick carries; the function only counts that a tick arrived.
pub const TICK_BODY: &str = r#"{"scalegate":"backlog-tick"}"#;

/// Sends ticks to one queue, which invokes the function through its SQS event source.
#[derive(Debug, Clone)]
pub struct SqsTickQueue {
    sqs: aws_sdk_sqs::Client,
    queue_url: String,
}

impl SqsTickQueue {
    /// The function's tick queue.
    pub fn new(sqs: aws_sdk_sqs::Client, queue_url: String) -> Self {
        Self { sqs, queue_url }
    }
}

impl TickQueue for SqsTickQueue {
    async fn send_tick(&self, delay: Duration) -> Result<(), AwsError> {
        let delay = i32::try_from(delay.as_secs().min(900)).unwrap_or(900);
        self.sqs
            .send_message()
            .queue_url(&self.queue_url)
            .message_body(TICK_BODY)
            .delay_seconds(delay)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| classify("SendMessage", e))
    }
}
