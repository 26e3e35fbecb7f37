//! Work leases on the SDK: instance tags (EC2), scale-in protection (Auto Scaling), and the opted-in groups' protected
//! members with their lease tags (for the reaper), a terminating instance's lease and hook (for the drain). Also where
//! a worker finds itself: IMDSv2.

use crate::errors::classify;
use aws_sdk_autoscaling::types::Filter as GroupFilter;
use aws_sdk_ec2::types::{Filter, Tag};
use scalegate_core::drain::{DrainFacts, HookTimeouts};
use scalegate_core::lease::{GroupLeases, LeaseStore, OptedInGroups, ProtectedMember, LEASE_TAG, OPT_IN_TAG};
use scalegate_core::lifecycle::LifecycleState;
use scalegate_core::ports::{AwsError, AwsErrorKind};
use std::collections::HashMap;
use std::time::Duration;

/// Leases through the EC2 and Auto Scaling clients.
#[derive(Debug, Clone)]
pub struct Ec2Leases {
    autoscaling: aws_sdk_autoscaling::Client,
    ec2: aws_sdk_ec2::Client,
}

impl Ec2Leases {
    /// Wraps the clients.
    pub fn new(autoscaling: aws_sdk_autoscaling::Client, ec2: aws_sdk_ec2::Client) -> Self {
        Self { autoscaling, ec2 }
    }

    /// Lease tag values by instance id (`DescribeTags`, 200 ids a call).
    async fn lease_tags(&self, ids: &[String]) -> Result<HashMap<String, String>, AwsError> {
        let mut out = HashMap::new();
        for chunk in ids.chunks(200) {
            let mut pages = self
                .ec2
                .describe_tags()
                .filters(Filter::builder().name("resource-id").set_values(Some(chunk.to_vec())).build())
                .filters(Filter::builder().name("key").values(LEASE_TAG).build())
                .into_paginator()
                .send();
            while let Some(page) = pages.next().await {
                let page = page.map_err(|e| classify("DescribeTags", e))?;
                for t in page.tags() {
                    if let (Some(id), Some(v)) = (t.resource_id(), t.value()) {
                        out.insert(id.to_string(), v.to_string());
                    }
                }
            }
        }
        Ok(out)
    }

    /// The group an instance belongs to (`DescribeAutoScalingInstances`).
    pub async fn group_of(&self, instance: &str) -> Result<String, AwsError> {
        let out = self
            .autoscaling
            .describe_auto_scaling_instances()
            .instance_ids(instance)
            .send()
            .await
            .map_err(|e| classify("DescribeAutoScalingInstances", e))?;
        out.auto_scaling_instances().first().and_then(|i| i.auto_scaling_group_name()).map(str::to_string).ok_or_else(
            || {
                AwsError::new(
                    "DescribeAutoScalingInstances",
                    AwsErrorKind::NotFound,
                    format!("{instance} is not in any Auto Scaling group"),
                )
            },
        )
    }
}

impl OptedInGroups for Ec2Leases {
    async fn opted_in_groups(&self) -> Result<Vec<GroupLeases>, AwsError> {
        let mut groups = Vec::new();
        let mut pages = self
            .autoscaling
            .describe_auto_scaling_groups()
            .filters(GroupFilter::builder().name(format!("tag:{OPT_IN_TAG}")).values("true").build())
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| classify("DescribeAutoScalingGroups", e))?;
            for g in page.auto_scaling_groups() {
                // The filter does the work in AWS; checking again costs nothing and never touches a group that did
                // not opt in.
                let opted_in = g.tags().iter().any(|t| t.key() == Some(OPT_IN_TAG) && t.value() == Some("true"));
                if !opted_in {
                    continue;
                }
                // Only members that can change protection: AWS refuses SetInstanceProtection for an instance that is
                // launching or leaving, and one refusal fails the whole batch of 50.
                let protected = g
                    .instances()
                    .iter()
                    .filter(|i| i.protected_from_scale_in() == Some(true))
                    .filter(|i| {
                        i.lifecycle_state().is_some_and(|s| LifecycleState::parse(s.as_str()).can_change_protection())
                    })
                    .filter_map(|i| i.instance_id())
                    .map(|id| ProtectedMember { instance_id: id.to_string(), lease: None })
                    .collect();
                groups.push(GroupLeases {
                    group: g.auto_scaling_group_name().unwrap_or_default().to_string(),
                    protected,
                });
            }
        }
        let ids: Vec<String> = groups.iter().flat_map(|g| g.protected.iter().map(|m| m.instance_id.clone())).collect();
        let tags = self.lease_tags(&ids).await?;
        for m in groups.iter_mut().flat_map(|g| g.protected.iter_mut()) {
            m.lease = tags.get(&m.instance_id).cloned();
        }
        Ok(groups)
    }
}

impl LeaseStore for Ec2Leases {
    async fn tag(&self, instance: &str, key: &str, value: &str) -> Result<(), AwsError> {
        self.ec2
            .create_tags()
            .resources(instance)
            .tags(Tag::builder().key(key).value(value).build())
            .send()
            .await
            .map(|_| ())
            .map_err(|e| classify("CreateTags", e))
    }

    async fn untag(&self, instance: &str, key: &str) -> Result<(), AwsError> {
        self.ec2
            .delete_tags()
            .resources(instance)
            .tags(Tag::builder().key(key).build())
            .send()
            .await
            .map(|_| ())
            .map_err(|e| classify("DeleteTags", e))
    }

    async fn protect(&self, group: &str, instances: &[String], on: bool) -> Result<(), AwsError> {
        self.autoscaling
            .set_instance_protection()
            .auto_scaling_group_name(group)
            .set_instance_ids(Some(instances.to_vec()))
            .protected_from_scale_in(on)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| not_in_service(classify("SetInstanceProtection", e)))
    }
}

/// AWS answers a protection change on an instance that is launching or leaving with a plain ValidationError ("The
/// instance … is not in InService or EnteringStandby or Standby."); the core needs to tell that apart.
fn not_in_service(mut e: AwsError) -> AwsError {
    if e.kind == AwsErrorKind::Validation && e.message.contains("is not in InService") {
        e.kind = AwsErrorKind::WrongState;
    }
    e
}

/// This instance's id, from the instance metadata service (IMDSv2: the SDK's client fetches a session token first).
/// `AWS_EC2_METADATA_SERVICE_ENDPOINT` points it elsewhere (tests).
pub async fn imds_instance_id() -> Result<String, String> {
    let client = aws_config::imds::Client::builder().build();
    client
        .get("/latest/meta-data/instance-id")
        .await
        .map(|id| id.as_ref().trim().to_string())
        .map_err(|e| format!("instance metadata (IMDSv2) did not give this instance's id: {e}; pass --instance"))
}

/// This instance's group from its metadata tags, when instance metadata tags are enabled.
pub async fn imds_group() -> Option<String> {
    let client = aws_config::imds::Client::builder().build();
    client
        .get("/latest/meta-data/tags/instance/aws:autoscaling:groupName")
        .await
        .ok()
        .map(|g| g.as_ref().trim().to_string())
        .filter(|g| !g.is_empty())
}

impl DrainFacts for Ec2Leases {
    async fn lease_tag(&self, instance: &str) -> Result<Option<String>, AwsError> {
        Ok(self.lease_tags(&[instance.to_string()]).await?.remove(instance))
    }

    async fn hook_timeouts(&self, group: &str, hook: &str) -> Result<HookTimeouts, AwsError> {
        let out = self
            .autoscaling
            .describe_lifecycle_hooks()
            .auto_scaling_group_name(group)
            .lifecycle_hook_names(hook)
            .send()
            .await
            .map_err(|e| classify("DescribeLifecycleHooks", e))?;
        let found = out.lifecycle_hooks().iter().find(|h| h.lifecycle_hook_name() == Some(hook)).ok_or_else(|| {
            AwsError::new("DescribeLifecycleHooks", AwsErrorKind::NotFound, format!("no hook {hook} on group {group}"))
        })?;
        let seconds = |s: Option<i32>, default: u64| s.and_then(|s| u64::try_from(s).ok()).unwrap_or(default);
        let heartbeat = seconds(found.heartbeat_timeout(), 3600);
        let global = seconds(found.global_timeout(), (100 * heartbeat).min(172_800));
        Ok(HookTimeouts { heartbeat: Duration::from_secs(heartbeat), global: Duration::from_secs(global) })
    }

    async fn clear_lease_tag(&self, instance: &str) -> Result<(), AwsError> {
        self.untag(instance, LEASE_TAG).await
    }
}
