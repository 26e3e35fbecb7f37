//! The live account's roles and policies, read with `GetAccountAuthorizationDetails` (every page) into the JSON shape
//! `aws iam get-account-authorization-details` prints, so one parser ([`authorization_details`]) serves both.

use crate::errors::classify;
use aws_sdk_iam::types::EntityType;
use scalegate_core::iam::{authorization_details, Loaded};
use scalegate_core::ports::{AwsError, AwsErrorKind};
use serde_json::{json, Value};

/// Reads every role with its inline, attached and boundary policies, and every managed policy's versions. The SDK's
/// retry policy handles throttling; an error names the operation and the page it stopped at.
pub async fn account_authorization_details(client: &aws_sdk_iam::Client) -> Result<Value, AwsError> {
    let mut roles = Vec::new();
    let mut policies = Vec::new();
    let mut pages = client
        .get_account_authorization_details()
        .filter(EntityType::Role)
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
                "RolePolicyList": r.role_policy_list().iter().map(|p| json!({
                    "PolicyName": p.policy_name(),
                    "PolicyDocument": p.policy_document(),
                })).collect::<Vec<_>>(),
                "AttachedManagedPolicies": r.attached_managed_policies().iter().map(|p| json!({
                    "PolicyName": p.policy_name(),
                    "PolicyArn": p.policy_arn(),
                })).collect::<Vec<_>>(),
                "PermissionsBoundary": r.permissions_boundary().map(|b| json!({
                    "PermissionsBoundaryArn": b.permissions_boundary_arn(),
                })),
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
    Ok(json!({ "RoleDetailList": roles, "Policies": policies }))
}

/// The live account, read and parsed: what `scalegate audit --live` and the `sod-audit` function audit.
pub async fn live_inventory(client: &aws_sdk_iam::Client) -> Result<Loaded, AwsError> {
    let details = account_authorization_details(client).await?;
    authorization_details(&details)
        .map_err(|e| AwsError::new("GetAccountAuthorizationDetails", AwsErrorKind::Malformed, e.to_string()))
}

/// An IAM client on the shared configuration.
pub fn iam_client(shared: &aws_types::SdkConfig) -> aws_sdk_iam::Client {
    aws_sdk_iam::Client::new(shared)
}
