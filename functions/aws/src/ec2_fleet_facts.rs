//! The drift sweep on the SDK: the groups tagged `scalegate:drift-sweep` with their members and warm-pool instances,
//! one batched snapshot of every member's facts, and `SetInstanceHealth`.
//!
//! Round trips: the groups (every page); their warm pools (`DescribeWarmPool`, every page, side by side); the
//! instances, their profile associations and their volumes, 200 ids per call; then every security group, template
//! version and (for attribute-based groups) instance type they name, each once however many instances share it; then
//! the prefix lists those groups' rules name. At most [`CONCURRENCY`] calls are in flight, and each call is retried
//! on its own: a throttled batch of 200 does not re-read the thousands of instances the others already described.

use crate::autoscaling_groups::{count, tagged_groups};
use crate::ec2_launch_facts::{group_facts, instance_facts, security_group_facts, template_ref};
use crate::errors::classify;
use crate::Ec2LaunchFacts;
use aws_sdk_ec2::types::Filter;
use futures::stream::{self, StreamExt, TryStreamExt};
use scalegate_core::gate::{InstanceFacts, ProfileAssociation, TemplateRef};
use scalegate_core::lifecycle::LifecycleState;
use scalegate_core::ports::{AwsError, AwsErrorKind};
use scalegate_core::retry::retried;
use scalegate_core::sweep::{
    swept, templates_needed, FleetFacts, FleetSnapshot, Health, InstanceHealth, Member, SweptGroup, SweptGroups,
    OPT_IN_TAG,
};
use std::collections::{BTreeMap, BTreeSet};

/// Ids per describe call: what a filter's values allow.
pub const BATCH: usize = 200;
/// Describe calls in flight at once.
const CONCURRENCY: usize = 8;

/// The sweep's ports over the EC2 and Auto Scaling clients.
#[derive(Debug, Clone)]
pub struct Ec2FleetFacts {
    ec2: aws_sdk_ec2::Client,
    autoscaling: aws_sdk_autoscaling::Client,
    launch: Ec2LaunchFacts,
}

impl Ec2FleetFacts {
    /// Wraps the clients.
    pub fn new(ec2: aws_sdk_ec2::Client, autoscaling: aws_sdk_autoscaling::Client) -> Self {
        Self { launch: Ec2LaunchFacts::new(ec2.clone(), autoscaling.clone()), ec2, autoscaling }
    }
}

fn health(status: Option<&str>) -> Health {
    // AWS writes "Healthy"/"Unhealthy" for members and "HEALTHY"/"UNHEALTHY" in some warm-pool answers.
    if status.is_some_and(|s| s.eq_ignore_ascii_case("unhealthy")) {
        Health::Unhealthy
    } else {
        Health::Healthy
    }
}

/// Runs `describe` over `ids` in batches of [`BATCH`], [`CONCURRENCY`] at a time, each retried on its own, and joins
/// what they found.
async fn in_batches<T, F, Fut>(ids: &[String], describe: F) -> Result<Vec<T>, AwsError>
where
    F: Fn(Vec<String>) -> Fut,
    Fut: std::future::Future<Output = Result<Vec<T>, AwsError>>,
{
    let describe = &describe;
    let batches: Vec<Vec<T>> = stream::iter(ids.chunks(BATCH).map(<[String]>::to_vec))
        .map(|chunk: Vec<String>| async move { retried(|| describe(chunk.clone())).await })
        .buffer_unordered(CONCURRENCY)
        .try_collect()
        .await?;
    Ok(batches.into_iter().flatten().collect())
}

/// A description that is gone for good (a deleted template version, an instance type no longer offered) is `None`:
/// the members that name it fail their own checks, and every other member is still swept.
fn found<T>(described: Result<T, AwsError>) -> Result<Option<T>, AwsError> {
    match described {
        Ok(t) => Ok(Some(t)),
        Err(e) if e.kind == AwsErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// A member as the group's record (or its warm pool's) describes it.
fn member(i: &aws_sdk_autoscaling::types::Instance) -> Option<Member> {
    Some(Member {
        instance_id: i.instance_id()?.to_string(),
        state: LifecycleState::parse(i.lifecycle_state()?.as_str()),
        health: health(i.health_status()),
        template: i.launch_template().map(template_ref),
    })
}

fn ids_filter(name: &str, ids: &[String]) -> Filter {
    Filter::builder().name(name).set_values(Some(ids.to_vec())).build()
}

impl SweptGroups for Ec2FleetFacts {
    async fn opted_in_groups(&self) -> Result<Vec<SweptGroup>, AwsError> {
        let mut groups = Vec::new();
        let mut pooled = Vec::new();
        for (g, mode_tag) in retried(|| tagged_groups(&self.autoscaling, OPT_IN_TAG)).await? {
            if g.warm_pool_configuration().is_some() {
                pooled.push(groups.len());
            }
            groups.push(SweptGroup {
                // No member named: the group's own facts, each member's state is added when it is judged.
                facts: group_facts(&g, ""),
                mode_tag,
                desired: count(g.desired_capacity()),
                // -1 (or absent) is "no policy".
                min_healthy_percent: g
                    .instance_maintenance_policy()
                    .and_then(|p| p.min_healthy_percentage())
                    .and_then(|n| u32::try_from(n).ok()),
                members: g.instances().iter().filter_map(member).collect(),
            });
        }
        let pools: Vec<(usize, Vec<Member>)> = stream::iter(pooled)
            .map(|i| {
                let name = groups[i].facts.name.clone();
                async move { retried(|| self.warm_pool_members(&name)).await.map(|m| (i, m)) }
            })
            .buffer_unordered(CONCURRENCY)
            .try_collect()
            .await?;
        for (i, members) in pools {
            groups[i].members.extend(members);
        }
        Ok(groups)
    }
}

impl Ec2FleetFacts {
    async fn warm_pool_members(&self, group: &str) -> Result<Vec<Member>, AwsError> {
        let mut out = Vec::new();
        let mut pages = self.autoscaling.describe_warm_pool().auto_scaling_group_name(group).into_paginator().send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| classify("DescribeWarmPool", e))?;
            out.extend(page.instances().iter().filter_map(member));
        }
        Ok(out)
    }

    /// Instances by id, 200 per call, every page.
    async fn instances(&self, ids: &[String]) -> Result<BTreeMap<String, InstanceFacts>, AwsError> {
        let found = in_batches(ids, |chunk| async move {
            let mut out = Vec::new();
            // A filter, not InstanceIds: an id that is gone is left out instead of failing the whole batch.
            let mut pages =
                self.ec2.describe_instances().filters(ids_filter("instance-id", &chunk)).into_paginator().send();
            while let Some(page) = pages.next().await {
                let page = page.map_err(|e| classify("DescribeInstances", e))?;
                for i in page.reservations().iter().flat_map(|r| r.instances()) {
                    let facts = instance_facts(i)?;
                    out.push((facts.id.clone(), facts));
                }
            }
            Ok::<_, AwsError>(out)
        })
        .await?;
        Ok(found.into_iter().collect())
    }

    /// Profile associations by instance id, 200 instances per call, every page.
    async fn associations(&self, ids: &[String]) -> Result<BTreeMap<String, Vec<ProfileAssociation>>, AwsError> {
        let found = in_batches(ids, |chunk| async move {
            let mut out = Vec::new();
            let mut pages = self
                .ec2
                .describe_iam_instance_profile_associations()
                .filters(ids_filter("instance-id", &chunk))
                .into_paginator()
                .send();
            while let Some(page) = pages.next().await {
                let page = page.map_err(|e| classify("DescribeIamInstanceProfileAssociations", e))?;
                for a in page.iam_instance_profile_associations() {
                    let Some(id) = a.instance_id() else { continue };
                    out.push((
                        id.to_string(),
                        ProfileAssociation {
                            profile_arn: a.iam_instance_profile().and_then(|p| p.arn()).map(str::to_owned),
                            state: a.state().map(|s| s.as_str().to_string()).unwrap_or_default(),
                        },
                    ));
                }
            }
            Ok::<_, AwsError>(out)
        })
        .await?;
        let mut by_instance: BTreeMap<String, Vec<ProfileAssociation>> = BTreeMap::new();
        for (id, a) in found {
            by_instance.entry(id).or_default().push(a);
        }
        Ok(by_instance)
    }

    /// Whether each attached volume is encrypted: (instance id, device) → encrypted, 200 instances per call.
    async fn volumes(&self, ids: &[String]) -> Result<BTreeMap<(String, String), bool>, AwsError> {
        let found = in_batches(ids, |chunk| async move {
            let mut out = Vec::new();
            let mut pages = self
                .ec2
                .describe_volumes()
                .filters(ids_filter("attachment.instance-id", &chunk))
                .into_paginator()
                .send();
            while let Some(page) = pages.next().await {
                let page = page.map_err(|e| classify("DescribeVolumes", e))?;
                for v in page.volumes() {
                    let Some(encrypted) = v.encrypted() else { continue };
                    for a in v.attachments() {
                        if let (Some(instance), Some(device)) = (a.instance_id(), a.device()) {
                            out.push(((instance.to_string(), device.to_string()), encrypted));
                        }
                    }
                }
            }
            Ok::<_, AwsError>(out)
        })
        .await?;
        Ok(found.into_iter().collect())
    }

    /// Security groups by id, 200 per call, every page.
    async fn security_groups(
        &self,
        ids: &[String],
    ) -> Result<BTreeMap<String, scalegate_core::gate::SecurityGroupFacts>, AwsError> {
        let found = in_batches(ids, |chunk| async move {
            let mut out = Vec::new();
            let mut pages =
                self.ec2.describe_security_groups().filters(ids_filter("group-id", &chunk)).into_paginator().send();
            while let Some(page) = pages.next().await {
                let page = page.map_err(|e| classify("DescribeSecurityGroups", e))?;
                out.extend(page.security_groups().iter().map(security_group_facts));
            }
            Ok::<_, AwsError>(out)
        })
        .await?;
        Ok(found.into_iter().map(|g| (g.id.clone(), g)).collect())
    }
}

impl FleetFacts for Ec2FleetFacts {
    async fn snapshot(&self, groups: &[SweptGroup]) -> Result<FleetSnapshot, AwsError> {
        let ids: Vec<String> = groups
            .iter()
            .flat_map(|g| g.members.iter().filter(|m| swept(&m.state)).map(|m| m.instance_id.clone()))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let mut snapshot = FleetSnapshot::default();
        if ids.is_empty() {
            return Ok(snapshot);
        }
        let (instances, associations, volumes) =
            futures::join!(self.instances(&ids), self.associations(&ids), self.volumes(&ids));
        snapshot.instances = instances?;
        snapshot.profile_associations = associations?;
        let volumes = volumes?;
        for i in snapshot.instances.values_mut() {
            for d in &mut i.block_devices {
                d.encrypted = volumes.get(&(i.id.clone(), d.device_name.clone())).copied();
            }
        }

        // What the instances name, each once.
        let group_ids: Vec<String> = snapshot
            .instances
            .values()
            .flat_map(|i| i.security_group_ids.iter().cloned())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let templates = templates_needed(groups, &snapshot);
        let by_requirements = groups.iter().any(|g| g.facts.selects_by_requirements());
        let types: Vec<String> = if by_requirements {
            snapshot.instances.values().map(|i| i.instance_type.clone()).collect::<BTreeSet<_>>().into_iter().collect()
        } else {
            vec![]
        };
        let (security_groups, resolved, described_types) = futures::join!(
            self.security_groups(&group_ids),
            stream::iter(templates)
                .map(|t: TemplateRef| async move {
                    found(retried(|| self.launch.template(&t)).await).map(|f| f.map(|f| (t, f)))
                })
                .buffer_unordered(CONCURRENCY)
                .try_collect::<Vec<_>>(),
            stream::iter(types)
                .map(
                    |t| async move { found(retried(|| self.launch.instance_type(&t)).await).map(|f| f.map(|f| (t, f))) }
                )
                .buffer_unordered(CONCURRENCY)
                .try_collect::<Vec<_>>(),
        );
        snapshot.security_groups = security_groups?;
        snapshot.templates = resolved?.into_iter().flatten().collect();
        snapshot.instance_types = described_types?.into_iter().flatten().collect();

        let lists: BTreeSet<String> =
            snapshot.security_groups.values().flat_map(|g| g.prefix_list_ids().map(str::to_owned)).collect();
        snapshot.prefix_lists = stream::iter(lists)
            .map(|id| async move { retried(|| self.launch.prefix_list(&id)).await.map(|l| (l.id.clone(), l)) })
            .buffer_unordered(CONCURRENCY)
            .try_collect()
            .await?;
        Ok(snapshot)
    }
}

impl InstanceHealth for Ec2FleetFacts {
    async fn mark_unhealthy(&self, instance_id: &str) -> Result<(), AwsError> {
        self.autoscaling
            .set_instance_health()
            .instance_id(instance_id)
            .health_status("Unhealthy")
            .should_respect_grace_period(false)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| classify("SetInstanceHealth", e))
    }
}
