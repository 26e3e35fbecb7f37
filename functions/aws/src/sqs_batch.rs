//! Lambda's SQS partial-batch response, shared by the functions that consume queues.

use serde_json::{json, Value};

/// `{"batchItemFailures": [{"itemIdentifier": id}, ...]}`: the messages SQS should deliver again (the rest are
/// deleted). Needs `ReportBatchItemFailures` on the event source mapping.
pub fn batch_item_failures<'a>(message_ids: impl IntoIterator<Item = &'a str>) -> Value {
    let failures: Vec<Value> = message_ids.into_iter().map(|id| json!({ "itemIdentifier": id })).collect();
    json!({ "batchItemFailures": failures })
}
