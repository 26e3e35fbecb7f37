//! The live account's roles, users, groups and policies, read with `GetAccountAuthorizationDetails` (every page)
//! into the JSON shape `aws iam get-account-authorization-details` prints, so one parser ([`authorization_details`])
//! serves both.

use crate::errors::classify;
use aws_sdk_iam::types::{AttachedPermissionsBoundary, AttachedPolicy, EntityType, PolicyDetail};
use scalegate_core::ports::{AwsError, AwsErrorKind};
use scalegate_iam::sod_audit::AccountInventory;
use scalegate_iam::{authorization_details, Loaded};
use serde_json::{json, Value};

/// Reads every role, user and group with its inline, attached and boundary policies (and a user's groups), and
/// every managed policy's versions. An error names the operation and the page it stopped at; the audit's workflow
/// retries the whole read.
pub async fn account_authorization_details(client: &aws_sdk_iam::Client) -> Result<Value, AwsError> {
    let mut roles = Vec::new();
    let mut users = Vec::new();
    let mut groups = Vec::new();
    let mut policies = Vec::new();
    let mut pages = client
        .get_account_authorization_details()
        .filter(EntityType::Role)
        .filter(EntityType::User)
        .filter(EntityType::Group)
        .filter(EntityType::LocalManagedPolicy)
        .filter(EntityType::AwsManagedPolicy)
        .into_paginator()
        .send();
    let mut page = 0;
    while let Some(output) = pages.next().await {
        page += 1;
        let output = output.map_err(|e| {
            let mut err = classify("GetAccountAuthorizationDetails", e);
            err.message = format!("page {page}: {}", err.message);
            err
        })?;
        for r in output.role_detail_list() {
            roles.push(json!({
                "RoleName": r.role_name(),
                "Arn": r.arn(),
                "AssumeRolePolicyDocument": r.assume_role_policy_document(),
                "RolePolicyList": inline(r.role_policy_list()),
                "AttachedManagedPolicies": attached(r.attached_managed_policies()),
                "PermissionsBoundary": r.permissions_boundary().map(boundary),
            }));
        }
        for u in output.user_detail_list() {
            users.push(json!({
                "UserName": u.user_name(),
                "Arn": u.arn(),
                "GroupList": u.group_list(),
                "UserPolicyList": inline(u.user_policy_list()),
                "AttachedManagedPolicies": attached(u.attached_managed_policies()),
                "PermissionsBoundary": u.permissions_boundary().map(boundary),
            }));
        }
        for g in output.group_detail_list() {
            groups.push(json!({
                "GroupName": g.group_name(),
                "Arn": g.arn(),
                "GroupPolicyList": inline(g.group_policy_list()),
                "AttachedManagedPolicies": attached(g.attached_managed_policies()),
            }));
        }
        for p in output.policies() {
            policies.push(json!({
                "PolicyName": p.policy_name(),
                "Arn": p.arn(),
                "DefaultVersionId": p.default_version_id(),
                "PolicyVersionList": p.policy_version_list().iter().map(|v| json!({
                    "VersionId": v.version_id(),
                    "IsDefaultVersion": v.is_default_version(),
                    "Document": v.document(),
                })).collect::<Vec<_>>(),
            }));
        }
    }
    Ok(json!({ "RoleDetailList": roles, "UserDetailList": users, "GroupDetailList": groups, "Policies": policies }))
}

fn inline(list: &[PolicyDetail]) -> Vec<Value> {
    list.iter().map(|p| json!({"PolicyName": p.policy_name(), "PolicyDocument": p.policy_document()})).collect()
}

fn attached(list: &[AttachedPolicy]) -> Vec<Value> {
    list.iter().map(|p| json!({"PolicyName": p.policy_name(), "PolicyArn": p.policy_arn()})).collect()
}

fn boundary(b: &AttachedPermissionsBoundary) -> Value {
    json!({"PermissionsBoundaryArn": b.permissions_boundary_arn()})
}

/// The live account through IAM: what `scalegate audit --live` and the `sod-audit` function audit.
#[derive(Debug, Clone)]
pub struct IamAccountInventory {
    iam: aws_sdk_iam::Client,
}

impl IamAccountInventory {
    /// Wraps the client.
    pub fn new(iam: aws_sdk_iam::Client) -> Self {
        Self { iam }
    }
}

impl AccountInventory for IamAccountInventory {
    async fn read(&self) -> Result<Loaded, AwsError> {
        let details = account_authorization_details(&self.iam).await?;
        authorization_details(&details)
            .map_err(|e| AwsError::new("GetAccountAuthorizationDetails", AwsErrorKind::Malformed, e.to_string()))
    }
}
