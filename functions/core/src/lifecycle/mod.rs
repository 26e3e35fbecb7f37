//! Lifecycle notifications: one normalized type, parsed from every shape Auto Scaling delivers them in.
//!
//! Shapes: an EventBridge event (directly, or as the body of an SQS message when a rule targets a
//! queue), a direct SQS notification (a flat JSON body), an SNS notification (the flat JSON as a string in the SNS
//! `Message`, delivered to Lambda or wrapped once more in an SQS body), batches of SQS records, and the
//! `autoscaling:TEST_NOTIFICATION` that Auto Scaling sends when a hook is created. And what a function fed these
//! answers Lambda (`answer.rs`): the SQS partial-batch response, the same for every such function.

mod answer;
mod parse;
mod ports;
mod state;

pub use answer::{answer, batch_item_failures, InvocationError, Redelivery};
pub use parse::{parse, parse_all, parse_sqs_body, parse_value, sqs_record};
pub use ports::{ActionResult, Completion, LifecycleActions};
pub use state::LifecycleState;

use serde::Serialize;
use std::fmt;

/// How a notification reached us, by its format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Delivery {
    /// An EventBridge event (delivered to Lambda directly or through an SQS queue).
    EventBridge,
    /// The flat notification body Auto Scaling sends to an SQS hook target.
    Sqs,
    /// The flat notification inside an SNS envelope (to Lambda, or SNS → SQS).
    Sns,
}

/// Which lifecycle transition an action belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Transition {
    /// `autoscaling:EC2_INSTANCE_LAUNCHING`
    #[serde(rename = "autoscaling:EC2_INSTANCE_LAUNCHING")]
    Launching,
    /// `autoscaling:EC2_INSTANCE_TERMINATING`
    #[serde(rename = "autoscaling:EC2_INSTANCE_TERMINATING")]
    Terminating,
}

impl Transition {
    /// The wire value Auto Scaling uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Transition::Launching => "autoscaling:EC2_INSTANCE_LAUNCHING",
            Transition::Terminating => "autoscaling:EC2_INSTANCE_TERMINATING",
        }
    }
}

/// Where an instance comes from or goes to (warm-pool aware hooks carry these).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Place {
    /// A brand-new (or finally terminated) EC2 instance.
    #[serde(rename = "EC2")]
    Ec2,
    /// In service in the group.
    AutoScalingGroup,
    /// The group's warm pool.
    WarmPool,
}

impl Place {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            Place::Ec2 => "EC2",
            Place::AutoScalingGroup => "AutoScalingGroup",
            Place::WarmPool => "WarmPool",
        }
    }
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A pending lifecycle action: what a handler must complete (or heartbeat).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LifecycleAction {
    /// `LifecycleActionToken`.
    pub token: String,
    /// `AutoScalingGroupName`.
    pub auto_scaling_group: String,
    /// `LifecycleHookName`.
    pub hook: String,
    /// `EC2InstanceId`.
    pub instance_id: String,
    /// `LifecycleTransition`.
    pub transition: Transition,
    /// `Origin`, when the hook reports it.
    pub origin: Option<Place>,
    /// `Destination`, when the hook reports it.
    pub destination: Option<Place>,
    /// `NotificationMetadata`: an opaque string, often JSON.
    pub metadata: Option<String>,
    /// The notification's format.
    pub delivery: Delivery,
}

impl LifecycleAction {
    /// True when the instance is leaving the warm pool for the group (the re-check path).
    pub fn leaves_warm_pool(&self) -> bool {
        self.origin == Some(Place::WarmPool) && self.destination == Some(Place::AutoScalingGroup)
    }

    /// The action as Auto Scaling's flat notification (what a hook sends to an SQS target): [`parse_sqs_body`] reads
    /// it back into the same action, so a handler can carry an action through a queue of its own.
    pub fn to_notification_json(&self) -> serde_json::Value {
        let mut n = serde_json::json!({
            "LifecycleActionToken": self.token,
            "AutoScalingGroupName": self.auto_scaling_group,
            "LifecycleHookName": self.hook,
            "EC2InstanceId": self.instance_id,
            "LifecycleTransition": self.transition.as_str(),
        });
        let optional = [
            ("Origin", self.origin.map(|p| p.as_str().to_string())),
            ("Destination", self.destination.map(|p| p.as_str().to_string())),
            ("NotificationMetadata", self.metadata.clone()),
        ];
        for (key, value) in optional {
            if let Some(v) = value {
                n[key] = serde_json::Value::String(v);
            }
        }
        n
    }

    /// `origin→destination`, or `-` when the hook did not say.
    pub fn route(&self) -> String {
        match (self.origin, self.destination) {
            (None, None) => "-".to_string(),
            (o, d) => format!("{}→{}", o.map_or("?", Place::as_str), d.map_or("?", Place::as_str)),
        }
    }
}

/// `autoscaling:TEST_NOTIFICATION`: acknowledged and dropped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TestNotification {
    /// The group the hook belongs to, when the notification names it.
    pub auto_scaling_group: Option<String>,
    /// The notification's format.
    pub delivery: Delivery,
}

/// One notification found in an input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notification {
    /// A lifecycle action to act on.
    Action(LifecycleAction),
    /// A test notification to drop.
    Test(TestNotification),
}

impl Notification {
    /// `launch`, `terminate` or `test`.
    pub fn kind(&self) -> &'static str {
        match self {
            Notification::Action(a) if a.transition == Transition::Launching => "launch",
            Notification::Action(_) => "terminate",
            Notification::Test(_) => "test",
        }
    }

    /// The flat JSON form the CLI prints: exactly the documented keys, absent values as `null`.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Notification::Action(a) => serde_json::json!({
                "kind": self.kind(),
                "token": a.token,
                "auto_scaling_group": a.auto_scaling_group,
                "hook": a.hook,
                "instance_id": a.instance_id,
                "transition": a.transition.as_str(),
                "origin": a.origin.map(Place::as_str),
                "destination": a.destination.map(Place::as_str),
                "metadata": a.metadata,
                "delivery": a.delivery,
            }),
            Notification::Test(t) => serde_json::json!({
                "kind": "test",
                "token": null,
                "auto_scaling_group": t.auto_scaling_group,
                "hook": null,
                "instance_id": null,
                "transition": null,
                "origin": null,
                "destination": null,
                "metadata": null,
                "delivery": t.delivery,
            }),
        }
    }
}

/// One record of an input, as delivered: an SQS batch has one per message, everything else has one.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// The SQS message id, when the record came from an SQS batch (for partial-batch failure reports).
    pub message_id: Option<String>,
    /// The notification, or why this record holds none that can be acted on.
    pub notification: Result<Notification, ParseError>,
}

/// Why an input or a record was rejected. Every variant names what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// Not JSON at all.
    #[error("malformed JSON: {0}")]
    MalformedJson(String),
    /// A required field is absent.
    #[error("{context}: missing required field `{field}`")]
    MissingField {
        /// Where in the input.
        context: &'static str,
        /// The field's name.
        field: &'static str,
    },
    /// A field is present but of the wrong type or an unknown value.
    #[error("{context}: field `{field}` {problem}")]
    BadField {
        /// Where in the input.
        context: &'static str,
        /// The field's name.
        field: &'static str,
        /// What is wrong with it.
        problem: String,
    },
    /// Valid JSON, but no lifecycle notification in it (an S3 event, say).
    #[error("no lifecycle notification in input: {0}")]
    NotLifecycle(String),
}
