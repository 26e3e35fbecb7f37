//! What an SQS-fed function answers Lambda: the partial-batch response, or an error when a record that did not come
//! through SQS must be retried. Every SQS-fed function answers through [`answer`].

use super::ParseError;
use serde_json::{json, Value};

/// One record's outcome, as far as Lambda is concerned.
pub trait Redelivery {
    /// Why the delivery must come back, or `None` when it was handled.
    fn redelivery(&self) -> Option<String>;
}

/// Why an invocation failed (so Lambda, or EventBridge's retry policy, delivers it again).
#[derive(Debug, thiserror::Error)]
pub enum InvocationError {
    /// The event is not a lifecycle delivery at all.
    #[error("rejected event: {0}")]
    Rejected(#[from] ParseError),
    /// Records of a direct (non-SQS) invocation that must be retried.
    #[error("{} record(s) not handled: {}", .0.len(), .0.join("; "))]
    NotHandled(Vec<String>),
    /// The function has no good version of its configuration: the whole delivery comes back.
    #[error("no configuration to decide with: {0}")]
    NoConfiguration(#[from] crate::config::ConfigError),
}

/// `{"batchItemFailures": [{"itemIdentifier": id}, ...]}`: the messages SQS should deliver again (the rest are
/// deleted). Needs `ReportBatchItemFailures` on the event source mapping.
pub fn batch_item_failures<'a>(message_ids: impl IntoIterator<Item = &'a str>) -> Value {
    let failures: Vec<Value> = message_ids.into_iter().map(|id| json!({ "itemIdentifier": id })).collect();
    json!({ "batchItemFailures": failures })
}

/// The answer for (SQS message id, outcome) pairs: the partial-batch response; or, when a record without a message
/// id (a direct EventBridge invocation) must come back, an error, so Lambda retries the invocation.
pub fn answer<'a, O: Redelivery + 'a>(
    records: impl IntoIterator<Item = (Option<&'a str>, &'a O)>,
) -> Result<Value, InvocationError> {
    let (mut sqs, mut direct) = (Vec::new(), Vec::new());
    for (id, outcome) in records {
        if let Some(why) = outcome.redelivery() {
            match id {
                Some(id) => sqs.push(id),
                None => direct.push(why),
            }
        }
    }
    if !direct.is_empty() {
        return Err(InvocationError::NotHandled(direct));
    }
    Ok(batch_item_failures(sqs))
}
