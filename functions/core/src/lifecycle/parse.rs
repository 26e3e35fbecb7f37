//! Shape detection and field extraction. Never panics, whatever the input (see the property test below).

use super::{Delivery, LifecycleAction, Notification, ParseError, Place, Record, TestNotification, Transition};
use crate::json::kind;
use serde_json::{Map, Value};

const LAUNCH_DETAIL_TYPE: &str = "EC2 Instance-launch Lifecycle Action";
const TERMINATE_DETAIL_TYPE: &str = "EC2 Instance-terminate Lifecycle Action";
const TEST_EVENT: &str = "autoscaling:TEST_NOTIFICATION";

/// Splits an input into its records and parses each one.
///
/// The outer error is for input that cannot be a delivery at all (not JSON, not an object, an event from another
/// service). A batch's records fail one by one, so one bad message does not sink the others.
pub fn parse(input: &str) -> Result<Vec<Record>, ParseError> {
    let value: Value = serde_json::from_str(input).map_err(|e| ParseError::MalformedJson(e.to_string()))?;
    parse_value(&value)
}

/// Like [`parse`], but all or nothing: the first bad record fails the whole input (the CLI's contract).
pub fn parse_all(input: &str) -> Result<Vec<Notification>, ParseError> {
    parse(input)?.into_iter().map(|r| r.notification).collect()
}

/// Like [`parse`], for input already decoded as JSON (the Lambda runtime hands over a `Value`).
pub fn parse_value(value: &Value) -> Result<Vec<Record>, ParseError> {
    let obj = value
        .as_object()
        .ok_or_else(|| ParseError::NotLifecycle(format!("expected a JSON object, found {}", kind(value))))?;
    if let Some(records) = obj.get("Records") {
        return parse_records(records);
    }
    Ok(vec![Record { message_id: None, notification: parse_message(obj, Via::Lambda) }])
}

/// One SQS message body, already decoded as JSON: an EventBridge event, an SNS envelope, or Auto Scaling's flat
/// notification (the drain function reads its queue's bodies one by one, because it also puts its own there).
pub fn parse_sqs_body(body: &Value) -> Result<Notification, ParseError> {
    let obj = body.as_object().ok_or_else(|| ParseError::BadField {
        context: "SQS record",
        field: "body",
        problem: format!("must hold a JSON object, found {}", kind(body)),
    })?;
    parse_message(obj, Via::Sqs)
}

/// An SQS record's message id, and its body or why it has none usable.
pub fn sqs_record(record: &Value) -> (Option<String>, Result<&str, ParseError>) {
    let message_id = record.get("messageId").and_then(Value::as_str).map(str::to_owned);
    let body = match record.as_object() {
        Some(rec) => string_field(rec, "SQS record", "body"),
        None => Err(ParseError::NotLifecycle(format!("a record is {}, not an object", kind(record)))),
    };
    (message_id, body)
}

/// Lambda batches: SQS (`eventSource: aws:sqs`, `body`) and SNS (`EventSource: aws:sns`, `Sns.Message`).
fn parse_records(records: &Value) -> Result<Vec<Record>, ParseError> {
    let records = records.as_array().ok_or_else(|| ParseError::BadField {
        context: "event",
        field: "Records",
        problem: format!("must be an array, found {}", kind(records)),
    })?;
    if records.is_empty() {
        return Err(ParseError::NotLifecycle("`Records` is empty".into()));
    }
    let mut out = Vec::with_capacity(records.len());
    for record in records {
        let Some(rec) = record.as_object() else {
            return Err(ParseError::NotLifecycle(format!("a record is {}, not an object", kind(record))));
        };
        let source = rec.get("eventSource").or_else(|| rec.get("EventSource")).and_then(Value::as_str).unwrap_or("");
        match source {
            "aws:sqs" => {
                let (message_id, body) = sqs_record(record);
                let notification = body.and_then(|body| parse_embedded(body, "SQS record", "body", Via::Sqs));
                out.push(Record { message_id, notification });
            }
            "aws:sns" => {
                let notification = rec
                    .get("Sns")
                    .and_then(Value::as_object)
                    .ok_or(ParseError::MissingField { context: "SNS record", field: "Sns" })
                    .and_then(sns_message);
                out.push(Record { message_id: None, notification });
            }
            other => {
                return Err(ParseError::NotLifecycle(if other.is_empty() {
                    "records without an `eventSource`".to_string()
                } else {
                    format!("records from `{other}`, not from SQS or SNS")
                }))
            }
        }
    }
    Ok(out)
}

/// How far down the envelopes we are, so an SQS body cannot smuggle in another batch.
#[derive(Clone, Copy, PartialEq)]
enum Via {
    Lambda,
    Sqs,
    Sns,
}

fn parse_embedded(
    text: &str,
    context: &'static str,
    field: &'static str,
    via: Via,
) -> Result<Notification, ParseError> {
    let value: Value = serde_json::from_str(text).map_err(|e| ParseError::BadField {
        context,
        field,
        problem: format!("is not JSON: {e}"),
    })?;
    let obj = value.as_object().ok_or_else(|| ParseError::BadField {
        context,
        field,
        problem: format!("must hold a JSON object, found {}", kind(&value)),
    })?;
    parse_message(obj, via)
}

/// One message: an EventBridge event, an SNS envelope, or the flat Auto Scaling notification.
fn parse_message(obj: &Map<String, Value>, via: Via) -> Result<Notification, ParseError> {
    if obj.contains_key("detail-type") || obj.contains_key("detail") {
        return parse_eventbridge(obj);
    }
    if via != Via::Sns && obj.get("Type").and_then(Value::as_str) == Some("Notification") {
        return sns_message(obj);
    }
    if obj.contains_key("LifecycleTransition") || obj.contains_key("LifecycleActionToken") || obj.contains_key("Event")
    {
        let delivery = if via == Via::Sns { Delivery::Sns } else { Delivery::Sqs };
        return parse_flat(obj, delivery);
    }
    if via == Via::Lambda && obj.contains_key("Records") {
        return Err(ParseError::NotLifecycle("nested `Records`".into()));
    }
    Err(ParseError::NotLifecycle(describe_foreign(obj)))
}

fn sns_message(sns: &Map<String, Value>) -> Result<Notification, ParseError> {
    let message = string_field(sns, "SNS notification", "Message")?;
    parse_embedded(message, "SNS notification", "Message", Via::Sns)
}

fn parse_eventbridge(obj: &Map<String, Value>) -> Result<Notification, ParseError> {
    const CTX: &str = "EventBridge event";
    let source = string_field(obj, CTX, "source")?;
    let detail_type = string_field(obj, CTX, "detail-type")?;
    if source != "aws.autoscaling" {
        return Err(ParseError::NotLifecycle(format!("EventBridge event from `{source}` ({detail_type})")));
    }
    let expected = match detail_type {
        LAUNCH_DETAIL_TYPE => Transition::Launching,
        TERMINATE_DETAIL_TYPE => Transition::Terminating,
        other => {
            return Err(ParseError::NotLifecycle(format!("Auto Scaling event `{other}` is not a lifecycle action")))
        }
    };
    let detail = match obj.get("detail") {
        Some(Value::Object(d)) => d,
        Some(other) => {
            return Err(ParseError::BadField {
                context: CTX,
                field: "detail",
                problem: format!("must be an object, found {}", kind(other)),
            })
        }
        None => return Err(ParseError::MissingField { context: CTX, field: "detail" }),
    };
    let action = lifecycle_action(detail, "EventBridge detail", Delivery::EventBridge)?;
    if action.transition != expected {
        return Err(ParseError::BadField {
            context: "EventBridge detail",
            field: "LifecycleTransition",
            problem: format!("is `{}` but detail-type is `{detail_type}`", action.transition.as_str()),
        });
    }
    Ok(Notification::Action(action))
}

fn parse_flat(obj: &Map<String, Value>, delivery: Delivery) -> Result<Notification, ParseError> {
    const CTX: &str = "lifecycle notification";
    if let Some(event) = obj.get("Event") {
        let event = event.as_str().ok_or_else(|| ParseError::BadField {
            context: CTX,
            field: "Event",
            problem: format!("must be a string, found {}", kind(event)),
        })?;
        if event == TEST_EVENT {
            return Ok(Notification::Test(TestNotification {
                auto_scaling_group: optional_string(obj, CTX, "AutoScalingGroupName")?,
                delivery,
            }));
        }
        if !obj.contains_key("LifecycleTransition") {
            return Err(ParseError::NotLifecycle(format!(
                "Auto Scaling notification `{event}` is not a lifecycle action"
            )));
        }
    }
    lifecycle_action(obj, CTX, delivery).map(Notification::Action)
}

fn lifecycle_action(
    obj: &Map<String, Value>,
    context: &'static str,
    delivery: Delivery,
) -> Result<LifecycleAction, ParseError> {
    let transition = match string_field(obj, context, "LifecycleTransition")? {
        "autoscaling:EC2_INSTANCE_LAUNCHING" => Transition::Launching,
        "autoscaling:EC2_INSTANCE_TERMINATING" => Transition::Terminating,
        other => {
            return Err(ParseError::BadField {
                context,
                field: "LifecycleTransition",
                problem: format!(
                    "has unknown value `{other}` (expected autoscaling:EC2_INSTANCE_LAUNCHING or autoscaling:EC2_INSTANCE_TERMINATING)"
                ),
            })
        }
    };
    Ok(LifecycleAction {
        token: non_empty(obj, context, "LifecycleActionToken")?,
        auto_scaling_group: non_empty(obj, context, "AutoScalingGroupName")?,
        hook: non_empty(obj, context, "LifecycleHookName")?,
        instance_id: non_empty(obj, context, "EC2InstanceId")?,
        transition,
        origin: place(obj, context, "Origin")?,
        destination: place(obj, context, "Destination")?,
        metadata: optional_string(obj, context, "NotificationMetadata")?,
        delivery,
    })
}

fn place(obj: &Map<String, Value>, context: &'static str, field: &'static str) -> Result<Option<Place>, ParseError> {
    match optional_string(obj, context, field)?.as_deref() {
        None => Ok(None),
        Some("EC2") => Ok(Some(Place::Ec2)),
        Some("AutoScalingGroup") => Ok(Some(Place::AutoScalingGroup)),
        Some("WarmPool") => Ok(Some(Place::WarmPool)),
        Some(other) => Err(ParseError::BadField {
            context,
            field,
            problem: format!("has unknown value `{other}` (expected EC2, AutoScalingGroup or WarmPool)"),
        }),
    }
}

fn string_field<'a>(
    obj: &'a Map<String, Value>,
    context: &'static str,
    field: &'static str,
) -> Result<&'a str, ParseError> {
    match obj.get(field) {
        Some(Value::String(s)) => Ok(s),
        Some(other) => {
            Err(ParseError::BadField { context, field, problem: format!("must be a string, found {}", kind(other)) })
        }
        None => Err(ParseError::MissingField { context, field }),
    }
}

fn non_empty(obj: &Map<String, Value>, context: &'static str, field: &'static str) -> Result<String, ParseError> {
    let s = string_field(obj, context, field)?;
    if s.trim().is_empty() {
        return Err(ParseError::BadField { context, field, problem: "is empty".into() });
    }
    Ok(s.to_owned())
}

/// Absent and `null` both mean "not given".
fn optional_string(
    obj: &Map<String, Value>,
    context: &'static str,
    field: &'static str,
) -> Result<Option<String>, ParseError> {
    match obj.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => {
            Err(ParseError::BadField { context, field, problem: format!("must be a string, found {}", kind(other)) })
        }
    }
}

fn describe_foreign(obj: &Map<String, Value>) -> String {
    if let Some(source) = obj.get("source").and_then(Value::as_str) {
        return format!("event from `{source}`");
    }
    let mut keys: Vec<&str> = obj.keys().map(String::as_str).take(5).collect();
    keys.sort_unstable();
    if keys.is_empty() {
        "an empty object".to_string()
    } else {
        format!("an object with keys {}", keys.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn fixture(name: &str) -> String {
        let path = format!("{}/../../tests/fixtures/events/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("fixture {path}: {e}"))
    }

    fn action(n: &Notification) -> &LifecycleAction {
        match n {
            Notification::Action(a) => a,
            other => panic!("expected an action, got {other:?}"),
        }
    }

    #[test]
    fn eventbridge_launch_with_every_field() {
        let all = parse_all(&fixture("eventbridge-launch.json")).unwrap();
        assert_eq!(all.len(), 1);
        let a = action(&all[0]);
        assert_eq!(a.token, "87654321-4321-4321-4321-210987654321");
        assert_eq!(a.auto_scaling_group, "web");
        assert_eq!(a.hook, "scalegate-launch");
        assert_eq!(a.instance_id, "i-1234567890abcdef0");
        assert_eq!(a.transition, Transition::Launching);
        assert_eq!(a.origin, Some(Place::Ec2));
        assert_eq!(a.destination, Some(Place::AutoScalingGroup));
        assert_eq!(a.metadata.as_deref(), Some("{\"team\":\"payments\"}"));
        assert_eq!(a.delivery, Delivery::EventBridge);
        assert_eq!(all[0].kind(), "launch");
    }

    #[test]
    fn eventbridge_terminate_into_warm_pool() {
        let all = parse_all(&fixture("eventbridge-terminate-warm.json")).unwrap();
        let a = action(&all[0]);
        assert_eq!(a.transition, Transition::Terminating);
        assert_eq!(a.route(), "AutoScalingGroup→WarmPool");
        assert_eq!(a.metadata, None);
        assert_eq!(all[0].kind(), "terminate");
    }

    #[test]
    fn direct_sqs_body_leaving_warm_pool() {
        let all = parse_all(&fixture("sqs-direct.json")).unwrap();
        let a = action(&all[0]);
        assert_eq!(a.delivery, Delivery::Sqs);
        assert!(a.leaves_warm_pool());
        assert_eq!(a.token, "tok-direct");
    }

    #[test]
    fn test_notification_is_recognized_not_rejected() {
        let all = parse_all(&fixture("test-notification.json")).unwrap();
        assert_eq!(
            all,
            vec![Notification::Test(TestNotification {
                auto_scaling_group: Some("web".into()),
                delivery: Delivery::Sqs
            })]
        );
    }

    #[test]
    fn sqs_batch_of_every_shape_keeps_message_ids_and_deliveries() {
        let records = parse(&fixture("sqs-batch-mixed.json")).unwrap();
        let ids: Vec<_> = records.iter().map(|r| r.message_id.clone().unwrap()).collect();
        assert_eq!(ids, ["msg-1", "msg-2", "msg-3", "msg-4"]);
        let kinds: Vec<_> = records
            .iter()
            .map(|r| {
                let n = r.notification.as_ref().unwrap();
                let delivery = match n {
                    Notification::Action(a) => a.delivery,
                    Notification::Test(t) => t.delivery,
                };
                (n.kind(), delivery)
            })
            .collect();
        assert_eq!(
            kinds,
            [
                ("launch", Delivery::EventBridge),
                ("launch", Delivery::Sqs),
                ("launch", Delivery::Sns),
                ("test", Delivery::Sqs)
            ]
        );
    }

    #[test]
    fn sns_to_lambda() {
        let all = parse_all(&fixture("sns-lambda.json")).unwrap();
        assert_eq!(action(&all[0]).delivery, Delivery::Sns);
        assert_eq!(action(&all[0]).instance_id, "i-0aaaabbbbccccdddd");
    }

    #[test]
    fn bad_records_fail_alone_and_name_the_problem() {
        let records = parse(&fixture("sqs-batch-with-bad-records.json")).unwrap();
        assert!(records[0].notification.is_ok());
        let e1 = records[1].notification.clone().unwrap_err().to_string();
        assert!(e1.contains("`body` is not JSON"), "{e1}");
        let e2 = records[2].notification.clone().unwrap_err();
        assert_eq!(e2, ParseError::MissingField { context: "lifecycle notification", field: "EC2InstanceId" });
        // all-or-nothing for the CLI
        assert!(parse_all(&fixture("sqs-batch-with-bad-records.json")).is_err());
    }

    #[test]
    fn missing_token_is_named() {
        let e = parse_all(&fixture("eventbridge-missing-token.json")).unwrap_err();
        assert_eq!(e.to_string(), "EventBridge detail: missing required field `LifecycleActionToken`");
    }

    #[test]
    fn foreign_events_are_not_lifecycle() {
        let e = parse_all(&fixture("s3-event.json")).unwrap_err();
        assert!(matches!(e, ParseError::NotLifecycle(ref m) if m.contains("aws:s3")), "{e}");
        let e = parse_all(r#"{"source":"aws.ec2","detail-type":"EC2 Instance State-change Notification","detail":{}}"#)
            .unwrap_err();
        assert!(matches!(e, ParseError::NotLifecycle(_)), "{e}");
        let e = parse_all(r#"{"source":"aws.autoscaling","detail-type":"EC2 Instance Launch Successful","detail":{}}"#)
            .unwrap_err();
        assert!(e.to_string().contains("not a lifecycle action"), "{e}");
        assert!(matches!(parse_all("[1,2]").unwrap_err(), ParseError::NotLifecycle(_)));
        assert!(matches!(parse_all("{").unwrap_err(), ParseError::MalformedJson(_)));
    }

    #[test]
    fn unknown_values_are_named() {
        let body = fixture("sqs-direct.json").replace("\"WarmPool\"", "\"Moon\"");
        let e = parse_all(&body).unwrap_err().to_string();
        assert!(e.contains("`Origin` has unknown value `Moon`"), "{e}");
        let body = fixture("sqs-direct.json").replace("EC2_INSTANCE_LAUNCHING", "EC2_INSTANCE_REBOOTING");
        let e = parse_all(&body).unwrap_err().to_string();
        assert!(e.contains("`LifecycleTransition` has unknown value"), "{e}");
        let body = fixture("sqs-direct.json").replace("\"tok-direct\"", "42");
        let e = parse_all(&body).unwrap_err().to_string();
        assert!(e.contains("`LifecycleActionToken` must be a string, found a number"), "{e}");
    }

    #[test]
    fn detail_type_and_transition_must_agree() {
        let body = fixture("eventbridge-launch.json").replace("EC2_INSTANCE_LAUNCHING", "EC2_INSTANCE_TERMINATING");
        let e = parse_all(&body).unwrap_err().to_string();
        assert!(e.contains("but detail-type is"), "{e}");
    }

    #[test]
    fn cli_json_has_exactly_the_documented_keys() {
        for name in ["eventbridge-launch.json", "test-notification.json"] {
            let all = parse_all(&fixture(name)).unwrap();
            let json = all[0].to_json();
            let mut keys: Vec<_> = json.as_object().unwrap().keys().cloned().collect();
            keys.sort();
            assert_eq!(
                keys,
                [
                    "auto_scaling_group",
                    "delivery",
                    "destination",
                    "hook",
                    "instance_id",
                    "kind",
                    "metadata",
                    "origin",
                    "token",
                    "transition"
                ]
            );
        }
    }

    fn arb_json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            prop_oneof![
                ".*",
                Just("aws:sqs".to_string()),
                Just("aws.autoscaling".to_string()),
                Just(LAUNCH_DETAIL_TYPE.to_string()),
                Just("autoscaling:EC2_INSTANCE_LAUNCHING".to_string()),
                Just(TEST_EVENT.to_string()),
                Just("Notification".to_string()),
                Just("{\"Records\":[]}".to_string()),
            ]
            .prop_map(Value::String),
        ];
        let keys = prop_oneof![
            Just("Records".to_string()),
            Just("eventSource".to_string()),
            Just("body".to_string()),
            Just("Sns".to_string()),
            Just("Message".to_string()),
            Just("Type".to_string()),
            Just("source".to_string()),
            Just("detail-type".to_string()),
            Just("detail".to_string()),
            Just("Event".to_string()),
            Just("LifecycleTransition".to_string()),
            Just("LifecycleActionToken".to_string()),
            Just("Origin".to_string()),
            "[a-zA-Z]{1,8}",
        ];
        leaf.prop_recursive(5, 64, 8, move |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::btree_map(keys.clone(), inner.clone(), 0..8)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
                // JSON serialized into a string, as SQS bodies and SNS messages are
                inner.prop_map(|v| Value::String(v.to_string())),
            ]
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

        #[test]
        fn never_panics_on_arbitrary_json(v in arb_json()) {
            let text = v.to_string();
            let _ = parse(&text);
            let _ = parse_all(&text);
        }

        #[test]
        fn never_panics_on_arbitrary_text(s in ".{0,200}") {
            let _ = parse(&s);
        }
    }
}
