//! A CloudTrail record as the guard reads it: our own structs with optional fields, unknown fields ignored, from an
//! EventBridge "AWS API Call via CloudTrail" event or a bare record. Auto Scaling's Query API writes its request
//! parameters in lowerCamelCase (`autoScalingGroupName`); newer EC2 calls wrap theirs in a `…Request` object
//! (`ModifyLaunchTemplateRequest`); [`Params`] reads both, names compared without regard to case.

use serde::Deserialize;
use serde_json::{Map, Value};

/// The detail-type EventBridge gives CloudTrail's management events.
pub const DETAIL_TYPE: &str = "AWS API Call via CloudTrail";

/// Why an event is not a record the guard can judge.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    /// Not JSON, or not an object.
    #[error("the event is not a JSON object: {0}")]
    NotJson(String),
    /// An EventBridge event of another kind.
    #[error("detail-type is `{0}`, not `AWS API Call via CloudTrail`")]
    DetailType(String),
    /// A field the guard needs is missing or not a string.
    #[error("the CloudTrail record has no `{0}`")]
    Missing(&'static str),
}

/// The identity behind a call.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct UserIdentity {
    /// `AssumedRole`, `IAMUser`, `Root`, `AWSService`, …
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// The caller's ARN (an assumed role's session ARN, a user's ARN).
    pub arn: Option<String>,
    /// The service that made the call on the caller's behalf (`autoscaling.amazonaws.com`).
    pub invoked_by: Option<String>,
    /// For a role session: who issued it.
    pub session_context: Option<SessionContext>,
}

/// A role session's context.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SessionContext {
    /// The role (or user) that issued the session.
    pub session_issuer: Option<SessionIssuer>,
}

/// The issuer of a session.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SessionIssuer {
    /// `Role`, `IAMUser`, …
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// The role's ARN (`arn:aws:iam::123456789012:role/path/name`).
    pub arn: Option<String>,
}

/// The fields of a CloudTrail record the guard uses.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CloudTrailRecord {
    /// `autoscaling.amazonaws.com`, `ec2.amazonaws.com`.
    pub event_source: Option<String>,
    /// The API call.
    pub event_name: Option<String>,
    /// When.
    pub event_time: Option<String>,
    /// The record's id.
    #[serde(rename = "eventID")]
    pub event_id: Option<String>,
    /// The region.
    pub aws_region: Option<String>,
    /// Who.
    pub user_identity: UserIdentity,
    /// The call's parameters, as the service logged them.
    pub request_parameters: Option<Value>,
    /// Set when the call failed (`AccessDenied`, `ValidationError`, …).
    pub error_code: Option<String>,
}

impl CloudTrailRecord {
    /// Reads an EventBridge event (its `detail`) or a bare record.
    pub fn from_value(value: &Value) -> Result<Self, RecordError> {
        let object = value.as_object().ok_or_else(|| RecordError::NotJson("not an object".into()))?;
        let record = match object.get("detail-type") {
            Some(kind) if kind.as_str() != Some(DETAIL_TYPE) => {
                return Err(RecordError::DetailType(kind.as_str().unwrap_or("?").to_string()))
            }
            Some(_) => object.get("detail").ok_or(RecordError::Missing("detail"))?,
            None => value,
        };
        let parsed: Self = serde_json::from_value(record.clone()).map_err(|e| RecordError::NotJson(e.to_string()))?;
        if parsed.event_name.as_deref().is_none_or(str::is_empty) {
            return Err(RecordError::Missing("eventName"));
        }
        if parsed.event_source.as_deref().is_none_or(str::is_empty) {
            return Err(RecordError::Missing("eventSource"));
        }
        Ok(parsed)
    }

    /// Reads JSON text.
    pub fn from_json(text: &str) -> Result<Self, RecordError> {
        let value: Value = serde_json::from_str(text).map_err(|e| RecordError::NotJson(e.to_string()))?;
        Self::from_value(&value)
    }

    /// The call's name.
    pub fn event(&self) -> &str {
        self.event_name.as_deref().unwrap_or_default()
    }

    /// Its parameters.
    pub fn params(&self) -> Params<'_> {
        Params::of(self.request_parameters.as_ref())
    }
}

/// Request parameters, looked up by name whatever its case, inside a `…Request` wrapper when there is one.
#[derive(Debug, Clone, Copy)]
pub struct Params<'a> {
    map: Option<&'a Map<String, Value>>,
}

impl<'a> Params<'a> {
    /// The parameters of `value` (an object, possibly `{"XRequest": {…}}`).
    pub fn of(value: Option<&'a Value>) -> Self {
        let map = value.and_then(Value::as_object);
        let unwrapped = match map {
            Some(m) if m.len() == 1 => {
                let (key, inner) = m.iter().next().map_or(("", &Value::Null), |(k, v)| (k.as_str(), v));
                if key.ends_with("Request") {
                    inner.as_object().or(map)
                } else {
                    map
                }
            }
            other => other,
        };
        Self { map: unwrapped }
    }

    /// The value named `name`, case-insensitively.
    pub fn get(&self, name: &str) -> Option<&'a Value> {
        self.map?.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v)
    }

    /// A string (numbers and booleans as written).
    pub fn text(&self, name: &str) -> Option<String> {
        match self.get(name)? {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    /// A boolean (`true`, `"true"`).
    pub fn flag(&self, name: &str) -> Option<bool> {
        match self.get(name)? {
            Value::Bool(b) => Some(*b),
            Value::String(s) => s.parse().ok(),
            _ => None,
        }
    }

    /// A nested object's parameters.
    pub fn nested(&self, name: &str) -> Params<'a> {
        Params { map: self.get(name).and_then(Value::as_object) }
    }

    /// A list of strings; CloudTrail writes a list, or sometimes `{"member": [...]}` or one string.
    pub fn list(&self, name: &str) -> Vec<String> {
        let strings =
            |v: &Value| v.as_array().map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect());
        match self.get(name) {
            Some(Value::String(s)) => vec![s.clone()],
            Some(v @ Value::Array(_)) => strings(v).unwrap_or_default(),
            Some(Value::Object(o)) => o.values().find_map(strings).unwrap_or_default(),
            _ => Vec::new(),
        }
    }

    /// True when the name is present at all.
    pub fn has(&self, name: &str) -> bool {
        self.get(name).is_some()
    }
}
