//! Where roles, users and groups come from: the project's policies directory, `aws iam get-account-authorization-details` output (also
//! what `--live` builds from the SDK), a `terraform show -json` plan, and CloudFormation/CDK templates. Each is
//! parsed into an [`Inventory`]; what the input leaves unknown is widened so verdicts stay sound, and said in
//! [`Loaded::warnings`].

mod authorization_details;
mod cloudformation;
mod terraform;

pub use authorization_details::authorization_details;
pub use cloudformation::cloudformation;
pub use terraform::terraform_plan;

use super::escalation::Inventory;
use super::policy::{parse_policy, parse_policy_value, PolicyDocument, PolicyError};
use super::reasoner::{AttachedPolicy, Principal, PrincipalKind};
use scalegate_core::json::kind;
use serde_json::Value;

/// Principals read from an input, and what was widened on the way.
#[derive(Debug, Clone, Default)]
pub struct Loaded {
    /// The principals and groups.
    pub inventory: Inventory,
    /// Things the input did not say, each counted the permissive way (e.g. a managed policy whose document is
    /// missing counts as `Allow *`).
    pub warnings: Vec<String>,
}

/// Why an input could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SourceError {
    /// The input is not the shape its kind has.
    #[error("{input}: {at}: {problem}")]
    Shape {
        /// The kind of input.
        input: &'static str,
        /// Where in it.
        at: String,
        /// What is wrong.
        problem: String,
    },
    /// A policy document in it is invalid.
    #[error("{input}: {at}: {error}")]
    Policy {
        /// The kind of input.
        input: &'static str,
        /// Which role and policy.
        at: String,
        /// The document's problem.
        error: PolicyError,
    },
}

/// A policy document given as a JSON object or as a (possibly URL-encoded) string.
fn document(v: &Value, input: &'static str, at: impl Fn() -> String) -> Result<PolicyDocument, SourceError> {
    let parsed = match v {
        Value::String(s) => parse_policy(s),
        Value::Object(_) => parse_policy_value(v),
        other => {
            return Err(SourceError::Shape {
                input,
                at: at(),
                problem: format!("a policy document must be an object or a string, found {}", kind(other)),
            })
        }
    };
    parsed.map_err(|error| SourceError::Policy { input, at: at(), error })
}

/// A policy whose document the input does not hold: it may grant anything.
fn unknown_policy(name: &str) -> AttachedPolicy {
    AttachedPolicy {
        name: format!("{name} (document not in the input: counted as Allow *)"),
        document: parse_policy(r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#)
            .expect("a fixed, valid document"),
    }
}

/// A required string field.
fn string<'a>(v: &'a Value, field: &str, input: &'static str, at: impl Fn() -> String) -> Result<&'a str, SourceError> {
    match v.get(field) {
        Some(Value::String(s)) => Ok(s),
        Some(other) => Err(SourceError::Shape {
            input,
            at: at(),
            problem: format!("`{field}` must be a string, found {}", kind(other)),
        }),
        None => Err(SourceError::Shape { input, at: at(), problem: format!("`{field}` is missing") }),
    }
}

/// An optional array field (absent or null reads as empty).
fn array<'a>(
    v: &'a Value,
    field: &str,
    input: &'static str,
    at: impl Fn() -> String,
) -> Result<&'a [Value], SourceError> {
    match v.get(field) {
        None | Some(Value::Null) => Ok(&[]),
        Some(Value::Array(items)) => Ok(items),
        Some(other) => Err(SourceError::Shape {
            input,
            at: at(),
            problem: format!("`{field}` must be an array, found {}", kind(other)),
        }),
    }
}

/// A role with no policies yet.
fn bare_role(name: &str, arn: String, trust: Option<PolicyDocument>) -> Principal {
    Principal { name: name.to_string(), arn, trust, ..Default::default() }
}

/// A user with no policies and no groups yet.
fn bare_user(name: &str, arn: String) -> Principal {
    Principal { kind: PrincipalKind::User, name: name.to_string(), arn, ..Default::default() }
}

/// Gives every user its groups' policies (a user acts with them). A group the input does not hold may grant
/// anything, and is counted as `Allow *`, saying so.
fn attach_group_policies(loaded: &mut Loaded) {
    let groups = loaded.inventory.groups.clone();
    for user in loaded.inventory.principals.iter_mut().filter(|p| p.kind == PrincipalKind::User) {
        for name in user.groups.clone() {
            match groups.iter().find(|g| g.name == name) {
                Some(group) => user.identity.extend(group.policies.iter().map(|p| AttachedPolicy {
                    name: format!("group {name}: {}", p.name),
                    document: p.document.clone(),
                })),
                None => {
                    loaded.warnings.push(format!(
                        "user {}: group {name} is not in the input; its policies counted as Allow *",
                        user.name
                    ));
                    user.identity.push(unknown_policy(&format!("group {name}")));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests;
