//! `aws iam get-account-authorization-details` output: the whole account, so the inventory is complete. Only a
//! managed policy's default version counts; documents may arrive URL-encoded, as the API returns them.

use super::{array, bare_role, document, string, unknown_policy, Loaded, SourceError};
use crate::iam::escalation::Inventory;
use crate::iam::policy::PolicyDocument;
use crate::iam::reasoner::AttachedPolicy;
use serde_json::Value;
use std::collections::HashMap;

const INPUT: &str = "authorization details";

/// Reads `GetAccountAuthorizationDetails` output (the CLI's JSON, or the same shape built from the SDK).
pub fn authorization_details(v: &Value) -> Result<Loaded, SourceError> {
    if !v.is_object() || v.get("RoleDetailList").is_none() {
        return Err(SourceError::Shape {
            input: INPUT,
            at: "(top level)".into(),
            problem: "no `RoleDetailList`: expected the output of `aws iam get-account-authorization-details`".into(),
        });
    }
    let mut managed: HashMap<&str, PolicyDocument> = HashMap::new();
    for (i, p) in array(v, "Policies", INPUT, || "Policies".into())?.iter().enumerate() {
        let at = || format!("Policies[{i}]");
        let arn = string(p, "Arn", INPUT, at)?;
        let default = string(p, "DefaultVersionId", INPUT, at)?;
        let versions = array(p, "PolicyVersionList", INPUT, at)?;
        let chosen = versions.iter().find(|ver| {
            ver.get("IsDefaultVersion").and_then(Value::as_bool) == Some(true)
                || ver.get("VersionId").and_then(Value::as_str) == Some(default)
        });
        let Some(version) = chosen else {
            return Err(SourceError::Shape {
                input: INPUT,
                at: format!("policy {arn}"),
                problem: format!("default version {default} is not in its PolicyVersionList"),
            });
        };
        let doc = version.get("Document").unwrap_or(&Value::Null);
        managed.insert(arn, document(doc, INPUT, || format!("policy {arn} version {default}"))?);
    }
    let mut loaded = Loaded::default();
    for (i, r) in array(v, "RoleDetailList", INPUT, || "RoleDetailList".into())?.iter().enumerate() {
        let at = || format!("RoleDetailList[{i}]");
        let name = string(r, "RoleName", INPUT, at)?;
        let arn = string(r, "Arn", INPUT, at)?;
        let trust = match r.get("AssumeRolePolicyDocument") {
            None | Some(Value::Null) => None,
            Some(doc) => Some(document(doc, INPUT, || format!("role {name}: AssumeRolePolicyDocument"))?),
        };
        let mut role = bare_role(name, arn.to_string(), trust);
        for p in array(r, "RolePolicyList", INPUT, || format!("role {name}"))? {
            let policy = string(p, "PolicyName", INPUT, || format!("role {name}: RolePolicyList"))?;
            let doc = p.get("PolicyDocument").unwrap_or(&Value::Null);
            let document = document(doc, INPUT, || format!("role {name}: inline policy {policy}"))?;
            role.identity.push(AttachedPolicy { name: policy.to_string(), document });
        }
        for p in array(r, "AttachedManagedPolicies", INPUT, || format!("role {name}"))? {
            let policy_arn = string(p, "PolicyArn", INPUT, || format!("role {name}: AttachedManagedPolicies"))?;
            role.identity.push(match managed.get(policy_arn) {
                Some(doc) => AttachedPolicy { name: policy_arn.to_string(), document: doc.clone() },
                None => {
                    loaded.warnings.push(format!(
                        "role {name}: managed policy {policy_arn} is not in the input; counted as Allow *"
                    ));
                    unknown_policy(policy_arn)
                }
            });
        }
        if let Some(b) = r.get("PermissionsBoundary").filter(|b| !b.is_null()) {
            let boundary_arn =
                string(b, "PermissionsBoundaryArn", INPUT, || format!("role {name}: PermissionsBoundary"))?;
            match managed.get(boundary_arn) {
                Some(doc) => {
                    role.boundary = Some(AttachedPolicy { name: boundary_arn.to_string(), document: doc.clone() })
                }
                // A boundary only takes away; not knowing it, count none.
                None => loaded.warnings.push(format!(
                    "role {name}: permissions boundary {boundary_arn} is not in the input; counted as no boundary"
                )),
            }
        }
        loaded.inventory.roles.push(role);
    }
    loaded.inventory = Inventory { complete: true, ..loaded.inventory };
    Ok(loaded)
}
