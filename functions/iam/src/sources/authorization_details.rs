//! `aws iam get-account-authorization-details` output: the whole account (roles, users, groups, managed policies),
//! so the inventory is complete. A managed policy's default version is what is in force; every version of a
//! customer-managed policy is kept too, for `iam:SetDefaultPolicyVersion`. Documents may arrive URL-encoded, as the
//! API returns them.

use super::{
    array, attach_group_policies, bare_role, bare_user, document, string, unknown_policy, Loaded, SourceError,
};
use crate::escalation::Inventory;
use crate::policy::PolicyDocument;
use crate::reasoner::{AttachedPolicy, Group, Principal};
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
    let mut policy_versions = std::collections::BTreeMap::new();
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
        if crate::escalation::is_customer_managed(arn) {
            let mut all = Vec::new();
            for ver in versions {
                let id = ver.get("VersionId").and_then(Value::as_str).unwrap_or("?");
                let doc = ver.get("Document").unwrap_or(&Value::Null);
                all.push((id.to_string(), document(doc, INPUT, || format!("policy {arn} version {id}"))?));
            }
            policy_versions.insert(arn.to_string(), all);
        }
    }
    let mut loaded = Loaded::default();
    let attach =
        |who: &str, policies: &[Value], warnings: &mut Vec<String>| -> Result<Vec<AttachedPolicy>, SourceError> {
            let mut out = Vec::new();
            for p in policies {
                let policy_arn = string(p, "PolicyArn", INPUT, || format!("{who}: AttachedManagedPolicies"))?;
                out.push(match managed.get(policy_arn) {
                    Some(doc) => AttachedPolicy { name: policy_arn.to_string(), document: doc.clone() },
                    None => {
                        warnings.push(format!(
                            "{who}: managed policy {policy_arn} is not in the input; counted as Allow *"
                        ));
                        unknown_policy(policy_arn)
                    }
                });
            }
            Ok(out)
        };
    let inline = |who: &str, list: &[Value]| -> Result<Vec<AttachedPolicy>, SourceError> {
        let mut out = Vec::new();
        for p in list {
            let policy = string(p, "PolicyName", INPUT, || format!("{who}: inline policies"))?;
            let doc = p.get("PolicyDocument").unwrap_or(&Value::Null);
            let document = document(doc, INPUT, || format!("{who}: inline policy {policy}"))?;
            out.push(AttachedPolicy { name: policy.to_string(), document });
        }
        Ok(out)
    };
    let boundary = |who: &str, v: &Value, warnings: &mut Vec<String>| -> Result<Option<AttachedPolicy>, SourceError> {
        let Some(b) = v.get("PermissionsBoundary").filter(|b| !b.is_null()) else { return Ok(None) };
        let arn = string(b, "PermissionsBoundaryArn", INPUT, || format!("{who}: PermissionsBoundary"))?;
        Ok(match managed.get(arn) {
            Some(doc) => Some(AttachedPolicy { name: arn.to_string(), document: doc.clone() }),
            // A boundary only takes away; not knowing it, count none.
            None => {
                warnings.push(format!("{who}: permissions boundary {arn} is not in the input; counted as no boundary"));
                None
            }
        })
    };
    for (i, r) in array(v, "RoleDetailList", INPUT, || "RoleDetailList".into())?.iter().enumerate() {
        let at = || format!("RoleDetailList[{i}]");
        let name = string(r, "RoleName", INPUT, at)?;
        let arn = string(r, "Arn", INPUT, at)?;
        let trust = match r.get("AssumeRolePolicyDocument") {
            None | Some(Value::Null) => None,
            Some(doc) => Some(document(doc, INPUT, || format!("role {name}: AssumeRolePolicyDocument"))?),
        };
        let who = format!("role {name}");
        let mut role = bare_role(name, arn.to_string(), trust);
        role.identity = inline(&who, array(r, "RolePolicyList", INPUT, || who.clone())?)?;
        role.identity.extend(attach(
            &who,
            array(r, "AttachedManagedPolicies", INPUT, || who.clone())?,
            &mut loaded.warnings,
        )?);
        role.boundary = boundary(&who, r, &mut loaded.warnings)?;
        loaded.inventory.principals.push(role);
    }
    for (i, g) in array(v, "GroupDetailList", INPUT, || "GroupDetailList".into())?.iter().enumerate() {
        let at = || format!("GroupDetailList[{i}]");
        let name = string(g, "GroupName", INPUT, at)?;
        let who = format!("group {name}");
        let mut policies = inline(&who, array(g, "GroupPolicyList", INPUT, || who.clone())?)?;
        policies.extend(attach(
            &who,
            array(g, "AttachedManagedPolicies", INPUT, || who.clone())?,
            &mut loaded.warnings,
        )?);
        loaded.inventory.groups.push(Group {
            name: name.to_string(),
            arn: string(g, "Arn", INPUT, at)?.to_string(),
            policies,
        });
    }
    for (i, u) in array(v, "UserDetailList", INPUT, || "UserDetailList".into())?.iter().enumerate() {
        let at = || format!("UserDetailList[{i}]");
        let name = string(u, "UserName", INPUT, at)?;
        let who = format!("user {name}");
        let mut user: Principal = bare_user(name, string(u, "Arn", INPUT, at)?.to_string());
        user.identity = inline(&who, array(u, "UserPolicyList", INPUT, || who.clone())?)?;
        user.identity.extend(attach(
            &who,
            array(u, "AttachedManagedPolicies", INPUT, || who.clone())?,
            &mut loaded.warnings,
        )?);
        user.boundary = boundary(&who, u, &mut loaded.warnings)?;
        for (j, g) in array(u, "GroupList", INPUT, || who.clone())?.iter().enumerate() {
            let group = g.as_str().ok_or_else(|| SourceError::Shape {
                input: INPUT,
                at: format!("{who}: GroupList[{j}]"),
                problem: "a group must be named by a string".into(),
            })?;
            user.groups.push(group.to_string());
        }
        loaded.inventory.principals.push(user);
    }
    attach_group_policies(&mut loaded);
    loaded.inventory.policy_versions = policy_versions;
    loaded.inventory = Inventory { complete: true, ..loaded.inventory };
    Ok(loaded)
}
