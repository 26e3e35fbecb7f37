//! CloudTrail's event history (`LookupEvents`): the records of one API call within a window, as CloudTrail wrote them.
//! Event history keeps 90 days of management events in every account with no trail configured.

use crate::errors::classify;
use aws_sdk_cloudtrail::types::{LookupAttribute, LookupAttributeKey};
use chrono::{DateTime, TimeDelta, Utc};
use scalegate_core::backlog::CallRecords;
use scalegate_core::ports::{AwsError, AwsErrorKind};
use std::collections::HashMap;
use std::sync::Mutex;

/// Pages read at most (50 records each): a window of minutes holds far fewer calls of one name on most accounts.
const MAX_PAGES: usize = 20;

/// How long CloudTrail may take to show a call in event history: a window that ended longer ago is complete.
const SETTLED_AFTER: TimeDelta = TimeDelta::minutes(15);

/// Answers for windows CloudTrail has settled, kept for the process's life: a rise that stands is looked up on every
/// run, and LookupEvents allows two calls a second per account.
#[derive(Debug, Default)]
pub(crate) struct SettledCalls(Mutex<HashMap<(String, i64, i64), CallRecords>>);

impl SettledCalls {
    /// `LookupEvents` by event name between `from` and `to`, every page up to [`MAX_PAGES`], or the kept answer.
    pub(crate) async fn calls_named(
        &self,
        cloudtrail: &aws_sdk_cloudtrail::Client,
        event: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<CallRecords, AwsError> {
        let key = (event.to_string(), from.timestamp(), to.timestamp());
        if let Some(kept) = self.0.lock().expect("settled calls").get(&key) {
            return Ok(kept.clone());
        }
        let found = look_up(cloudtrail, event, from, to).await?;
        if found.complete && to < Utc::now() - SETTLED_AFTER {
            self.0.lock().expect("settled calls").insert(key, found.clone());
        }
        Ok(found)
    }
}

async fn look_up(
    cloudtrail: &aws_sdk_cloudtrail::Client,
    event: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<CallRecords, AwsError> {
    let attribute = LookupAttribute::builder()
        .attribute_key(LookupAttributeKey::EventName)
        .attribute_value(event)
        .build()
        .map_err(|e| AwsError::new("LookupEvents", AwsErrorKind::Malformed, e.to_string()))?;
    let mut records = Vec::new();
    let mut token: Option<String> = None;
    for _ in 0..MAX_PAGES {
        let page = cloudtrail
            .lookup_events()
            .lookup_attributes(attribute.clone())
            .start_time(aws_smithy_types::DateTime::from_secs(from.timestamp()))
            .end_time(aws_smithy_types::DateTime::from_secs(to.timestamp()))
            .max_results(50)
            .set_next_token(token.take())
            .send()
            .await
            .map_err(|e| classify("LookupEvents", e))?;
        records.extend(page.events().iter().filter_map(|e| e.cloud_trail_event().map(str::to_string)));
        match page.next_token() {
            Some(next) if !next.is_empty() => token = Some(next.to_string()),
            _ => return Ok(CallRecords { records, complete: true }),
        }
    }
    Ok(CallRecords { records, complete: false })
}
