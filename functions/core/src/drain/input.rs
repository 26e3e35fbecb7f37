//! What a drain invocation receives: Auto Scaling's notifications (any shape the launch gate accepts), and the
//! re-check messages the drain itself puts on its queue. A re-check carries the action in Auto Scaling's own flat
//! form plus a [`Ticket`], so it is read back by the same validating parser.

use super::config::HookTimeouts;
use crate::lifecycle::{self, LifecycleAction, Notification, ParseError};
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{json, Map, Value};
use std::time::Duration;

/// The key that marks a message body as the drain's own re-check.
pub const ENVELOPE_KEY: &str = "scalegate_drain";

/// Where one drain stands between checks; it travels inside the re-check message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ticket {
    /// Checks already made (0 on the first delivery).
    pub attempt: u32,
    /// When the action started: the notification's time, or when the drain first saw it.
    pub first_seen: DateTime<Utc>,
    /// The hook's timeouts, once described (so later checks skip `DescribeLifecycleHooks`).
    pub hook: Option<HookTimeouts>,
}

impl Ticket {
    /// A drain that starts now (or at the notification's own time, when it is earlier).
    pub fn first(now: DateTime<Utc>, notified: Option<DateTime<Utc>>) -> Self {
        Self { attempt: 0, first_seen: notified.map_or(now, |t| t.min(now)), hook: None }
    }

    /// The ticket for the next check.
    pub fn next(&self, hook: Option<HookTimeouts>) -> Self {
        Self { attempt: self.attempt + 1, first_seen: self.first_seen, hook: hook.or(self.hook) }
    }
}

/// One record of an invocation.
#[derive(Debug, Clone, PartialEq)]
pub struct DrainRecord {
    /// The SQS message id (absent for a direct EventBridge invocation).
    pub message_id: Option<String>,
    /// The record as received, for the dead-letter queue.
    pub raw: String,
    /// The notification with its ticket, or why there is none.
    pub item: Result<(Notification, Ticket), ParseError>,
}

/// The body of a re-check message for `action`, to be read at `ticket`.
pub fn recheck_body(action: &LifecycleAction, ticket: &Ticket) -> String {
    let mut state = json!({
        "version": 1,
        "attempt": ticket.attempt,
        "first_seen": ticket.first_seen.to_rfc3339_opts(SecondsFormat::Millis, true),
    });
    if let Some(h) = ticket.hook {
        state["heartbeat_timeout_s"] = json!(h.heartbeat.as_secs());
        state["global_timeout_s"] = json!(h.global.as_secs());
    }
    json!({ ENVELOPE_KEY: state, "notification": action.to_notification_json() }).to_string()
}

/// Splits an invocation into records. An SQS batch is read body by body (re-checks among them); anything else is
/// read as the launch gate reads it. The outer error is for input that is no delivery at all.
pub fn parse_input(value: &Value, now: DateTime<Utc>) -> Result<Vec<DrainRecord>, ParseError> {
    let sqs_records = value
        .get("Records")
        .and_then(Value::as_array)
        .filter(|r| !r.is_empty() && r.iter().all(|r| r.get("eventSource").and_then(Value::as_str) == Some("aws:sqs")));
    let Some(records) = sqs_records else {
        let (raw, ticket) = (value.to_string(), Ticket::first(now, notified_at(value)));
        return Ok(lifecycle::parse_value(value)?
            .into_iter()
            .map(|r| DrainRecord {
                message_id: r.message_id,
                raw: raw.clone(),
                item: r.notification.map(|n| (n, ticket)),
            })
            .collect());
    };
    Ok(records
        .iter()
        .map(|r| {
            let (message_id, body) = lifecycle::sqs_record(r);
            let raw = body.as_ref().map_or_else(|_| r.to_string(), |b| b.to_string());
            DrainRecord { message_id, raw, item: body.and_then(|b| sqs_body(b, now)) }
        })
        .collect())
}

fn sqs_body(body: &str, now: DateTime<Utc>) -> Result<(Notification, Ticket), ParseError> {
    let value: Value = serde_json::from_str(body).map_err(|e| ParseError::BadField {
        context: "SQS record",
        field: "body",
        problem: format!("is not JSON: {e}"),
    })?;
    match value.get(ENVELOPE_KEY) {
        Some(state) => recheck(state, value.get("notification")),
        None => Ok((lifecycle::parse_sqs_body(&value)?, Ticket::first(now, notified_at(&value)))),
    }
}

fn recheck(state: &Value, notification: Option<&Value>) -> Result<(Notification, Ticket), ParseError> {
    const CTX: &str = "drain re-check";
    let state = state.as_object().ok_or(ParseError::BadField {
        context: CTX,
        field: ENVELOPE_KEY,
        problem: "must be an object".into(),
    })?;
    let number = |field: &'static str| -> Result<Option<u64>, ParseError> {
        match state.get(field) {
            None => Ok(None),
            Some(v) => v.as_u64().map(Some).ok_or_else(|| ParseError::BadField {
                context: CTX,
                field,
                problem: format!("must be a whole number, found {v}"),
            }),
        }
    };
    if number("version")? != Some(1) {
        return Err(ParseError::BadField { context: CTX, field: "version", problem: "must be 1".into() });
    }
    let attempt = number("attempt")?.ok_or(ParseError::MissingField { context: CTX, field: "attempt" })?;
    let first_seen = state
        .get("first_seen")
        .and_then(Value::as_str)
        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.with_timezone(&Utc))
        .ok_or(ParseError::BadField {
            context: CTX,
            field: "first_seen",
            problem: "must be an RFC 3339 time".into(),
        })?;
    let hook = match (number("heartbeat_timeout_s")?, number("global_timeout_s")?) {
        (Some(h), Some(g)) => Some(HookTimeouts { heartbeat: Duration::from_secs(h), global: Duration::from_secs(g) }),
        _ => None,
    };
    let notification = notification.ok_or(ParseError::MissingField { context: CTX, field: "notification" })?;
    let ticket = Ticket { attempt: u32::try_from(attempt).unwrap_or(u32::MAX), first_seen, hook };
    Ok((lifecycle::parse_sqs_body(notification)?, ticket))
}

/// The notification's own time: EventBridge's `time`, or the flat notification's `Time`.
fn notified_at(value: &Value) -> Option<DateTime<Utc>> {
    let obj: &Map<String, Value> = value.as_object()?;
    let text = obj.get("time").or_else(|| obj.get("Time"))?.as_str()?;
    DateTime::parse_from_rfc3339(text).ok().map(|t| t.with_timezone(&Utc))
}
