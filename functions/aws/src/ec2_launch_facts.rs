//! [`LaunchFactsSource`] over EC2 and Auto Scaling: rounds of concurrent describes, each needing the one before.
//!
//! Round 1 needs only the ids in the notification: the instance, the group, the instance's profile associations and
//! its volumes. Round 2 needs round 1's answers: the security groups of every interface of the instance, the launch
//! template version the group names (and those its mixed-instances overrides carry), AMIs named through SSM
//! resolved (`ResolveAlias`), and the instance's type when the group selects types by attributes. Round 3 runs only
//! when a rule names a managed prefix list: its entries. With `CompleteLifecycleAction` that makes three dependent
//! round trips per decision, four when a prefix list is named.

use crate::ec2_instance_types::{instance_requirements, instance_type_facts};
use crate::errors::classify;
use aws_sdk_autoscaling::types::{AutoScalingGroup, LaunchTemplateSpecification};
use aws_sdk_ec2::types::{Filter, Instance, ResponseLaunchTemplateData, SecurityGroup};
use chrono::{DateTime, Utc};
use futures::future::join_all;
use scalegate_core::gate::LaunchFactsSource;
use scalegate_core::gate::{
    BlockDevice, GroupFacts, IngressRule, InstanceFacts, InstanceTypeFacts, LaunchFacts, MetadataOptions,
    PrefixListEntries, PrefixListFacts, ProfileAssociation, SecurityGroupFacts, TemplateFacts, TemplateRef,
    TypeOverride,
};
use scalegate_core::lifecycle::LifecycleAction;
use scalegate_core::lifecycle::LifecycleState;
use scalegate_core::ports::{AwsError, AwsErrorKind};
use std::collections::BTreeSet;

/// Gathers launch facts with the EC2 and Auto Scaling clients.
#[derive(Debug, Clone)]
pub struct Ec2LaunchFacts {
    ec2: aws_sdk_ec2::Client,
    autoscaling: aws_sdk_autoscaling::Client,
}

impl Ec2LaunchFacts {
    /// An adapter over these clients.
    pub fn new(ec2: aws_sdk_ec2::Client, autoscaling: aws_sdk_autoscaling::Client) -> Self {
        Self { ec2, autoscaling }
    }
}

fn filter(name: &str, value: &str) -> Filter {
    Filter::builder().name(name).values(value).build()
}

impl LaunchFactsSource for Ec2LaunchFacts {
    async fn gather(&self, action: &LifecycleAction) -> Result<LaunchFacts, AwsError> {
        let id = action.instance_id.as_str();
        let (instances, groups, associations, volumes) = futures::join!(
            self.ec2.describe_instances().instance_ids(id).send(),
            self.autoscaling.describe_auto_scaling_groups().auto_scaling_group_names(&action.auto_scaling_group).send(),
            self.ec2.describe_iam_instance_profile_associations().filters(filter("instance-id", id)).send(),
            self.ec2.describe_volumes().filters(filter("attachment.instance-id", id)).send(),
        );
        let instances = instances.map_err(|e| classify("DescribeInstances", e))?;
        let groups = groups.map_err(|e| classify("DescribeAutoScalingGroups", e))?;
        let associations = associations.map_err(|e| classify("DescribeIamInstanceProfileAssociations", e))?;
        let volumes = volumes.map_err(|e| classify("DescribeVolumes", e))?;

        let instance = instances
            .reservations()
            .iter()
            .flat_map(|r| r.instances())
            .find(|i| i.instance_id() == Some(id))
            .ok_or_else(|| {
                AwsError::new("DescribeInstances", AwsErrorKind::NotFound, format!("instance {id} not found"))
            })?;
        let group = groups
            .auto_scaling_groups()
            .iter()
            .find(|g| g.auto_scaling_group_name() == Some(action.auto_scaling_group.as_str()))
            .ok_or_else(|| {
                AwsError::new(
                    "DescribeAutoScalingGroups",
                    AwsErrorKind::NotFound,
                    format!("Auto Scaling group {} not found", action.auto_scaling_group),
                )
            })?;

        let mut instance_facts = instance_facts(instance)?;
        for device in &mut instance_facts.block_devices {
            device.encrypted = volumes
                .volumes()
                .iter()
                .find(|v| v.attachments().iter().any(|a| a.device() == Some(device.device_name.as_str())))
                .and_then(|v| v.encrypted());
        }
        let group_facts = group_facts(group, id);

        // Round 2: what round 1 named.
        let override_refs: Vec<TemplateRef> = group_facts.override_template_refs().into_iter().cloned().collect();
        let (security_groups, template, override_templates, type_info) = futures::join!(
            self.security_groups(instance_facts.security_group_ids.clone()),
            async {
                match &group_facts.template {
                    Some(t) => self.template(t).await.map(Some),
                    None => Ok(None),
                }
            },
            join_all(
                override_refs.iter().map(|t| async move { Ok::<_, AwsError>((t.clone(), self.template(t).await?)) })
            ),
            async {
                if group_facts.selects_by_requirements() {
                    self.instance_type(&instance_facts.instance_type).await.map(Some)
                } else {
                    Ok(None)
                }
            },
        );
        let security_groups = security_groups?;

        // Round 3, only when a rule names a prefix list.
        let list_ids: BTreeSet<&str> = security_groups.iter().flat_map(SecurityGroupFacts::prefix_list_ids).collect();
        let prefix_lists: Vec<PrefixListFacts> = join_all(list_ids.into_iter().map(|id| self.prefix_list(id)))
            .await
            .into_iter()
            .collect::<Result<_, _>>()?;

        Ok(LaunchFacts {
            instance: instance_facts,
            security_groups,
            group: group_facts,
            template: template?,
            override_templates: override_templates.into_iter().collect::<Result<_, _>>()?,
            instance_type_info: type_info?,
            profile_associations: associations
                .iam_instance_profile_associations()
                .iter()
                .map(|a| ProfileAssociation {
                    profile_arn: a.iam_instance_profile().and_then(|p| p.arn()).map(str::to_owned),
                    state: a.state().map(|s| s.as_str().to_string()).unwrap_or_default(),
                })
                .collect(),
            prefix_lists,
        })
    }
}

impl Ec2LaunchFacts {
    async fn security_groups(&self, ids: Vec<String>) -> Result<Vec<SecurityGroupFacts>, AwsError> {
        if ids.is_empty() {
            return Ok(vec![]);
        }
        self.ec2
            .describe_security_groups()
            .set_group_ids(Some(ids))
            .send()
            .await
            .map(|o| o.security_groups().iter().map(security_group_facts).collect())
            .map_err(|e| classify("DescribeSecurityGroups", e))
    }

    /// One template version, `$Latest`/`$Default` resolved to its number and an SSM-named AMI to its id.
    pub(crate) async fn template(&self, t: &TemplateRef) -> Result<TemplateFacts, AwsError> {
        let version = t.version.clone().unwrap_or_else(|| "$Default".to_string());
        let describe = |resolve_alias: bool| {
            self.ec2
                .describe_launch_template_versions()
                .set_launch_template_id(t.id.clone())
                .set_launch_template_name(if t.id.is_some() { None } else { t.name.clone() })
                .versions(version.clone())
                .resolve_alias(resolve_alias)
                .send()
        };
        // Resolving an SSM-named AMI needs ssm:GetParameters on the parameter, which the gate's role has only when
        // the deployment grants it. Without it, the template is read as written and drift.ami fails closed.
        let out = match describe(true).await.map_err(|e| classify("DescribeLaunchTemplateVersions", e)) {
            Err(e) if e.kind == AwsErrorKind::AccessDenied => {
                describe(false).await.map_err(|e| classify("DescribeLaunchTemplateVersions", e))?
            }
            other => other?,
        };
        let named = t.id.as_deref().or(t.name.as_deref()).unwrap_or("(unnamed)");
        let v = out.launch_template_versions().first().ok_or_else(|| {
            AwsError::new(
                "DescribeLaunchTemplateVersions",
                AwsErrorKind::NotFound,
                format!("launch template {named} version {version} not found"),
            )
        })?;
        let template_id = v.launch_template_id().unwrap_or_default().to_string();
        let number = v.version_number().ok_or_else(|| {
            AwsError::new(
                "DescribeLaunchTemplateVersions",
                AwsErrorKind::Malformed,
                format!("launch template {named} version {version} has no number"),
            )
        })?;
        Ok(template_facts(template_id, number, v.launch_template_data()))
    }

    pub(crate) async fn instance_type(&self, name: &str) -> Result<InstanceTypeFacts, AwsError> {
        let out = self
            .ec2
            .describe_instance_types()
            .instance_types(aws_sdk_ec2::types::InstanceType::from(name))
            .send()
            .await
            .map_err(|e| classify("DescribeInstanceTypes", e))?;
        out.instance_types().first().map(instance_type_facts).ok_or_else(|| {
            AwsError::new("DescribeInstanceTypes", AwsErrorKind::NotFound, format!("instance type {name} not found"))
        })
    }

    /// A prefix list's entries, every page. A list that cannot be read for good (denied, gone) is reported as
    /// unresolved, which the firewall checks count as the whole internet; a transient error fails the gathering so
    /// the gate retries it.
    pub(crate) async fn prefix_list(&self, id: &str) -> Result<PrefixListFacts, AwsError> {
        let mut pages = self.ec2.get_managed_prefix_list_entries().prefix_list_id(id).into_paginator().send();
        let mut entries = Vec::new();
        while let Some(page) = pages.next().await {
            match page {
                Ok(page) => entries.extend(page.entries().iter().filter_map(|e| e.cidr()).map(str::to_owned)),
                Err(e) => {
                    let err = classify("GetManagedPrefixListEntries", e);
                    if err.is_retryable() {
                        return Err(err);
                    }
                    return Ok(PrefixListFacts {
                        id: id.to_string(),
                        entries: PrefixListEntries::Unresolved(err.to_string()),
                    });
                }
            }
        }
        Ok(PrefixListFacts { id: id.to_string(), entries: PrefixListEntries::Resolved(entries) })
    }
}

pub(crate) fn to_chrono(t: &aws_smithy_types::DateTime) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(t.secs(), t.subsec_nanos())
}

pub(crate) fn instance_facts(i: &Instance) -> Result<InstanceFacts, AwsError> {
    let malformed = |what: &str| {
        AwsError::new("DescribeInstances", AwsErrorKind::Malformed, format!("instance description has no {what}"))
    };
    let m = i.metadata_options();
    // The groups of every interface: the instance-level list describes the primary interface only.
    let mut security_group_ids: Vec<String> = Vec::new();
    let groups = i.security_groups().iter().chain(i.network_interfaces().iter().flat_map(|n| n.groups()));
    for id in groups.filter_map(|g| g.group_id()) {
        if !security_group_ids.iter().any(|s| s == id) {
            security_group_ids.push(id.to_string());
        }
    }
    Ok(InstanceFacts {
        id: i.instance_id().ok_or_else(|| malformed("InstanceId"))?.to_string(),
        state: i.state().and_then(|s| s.name()).map(|n| n.as_str().to_string()).unwrap_or_default(),
        image_id: i.image_id().ok_or_else(|| malformed("ImageId"))?.to_string(),
        instance_type: i.instance_type().map(|t| t.as_str().to_string()).ok_or_else(|| malformed("InstanceType"))?,
        subnet_id: i.subnet_id().map(str::to_owned),
        security_group_ids,
        instance_profile_arn: i.iam_instance_profile().and_then(|p| p.arn()).map(str::to_owned),
        key_name: i.key_name().map(str::to_owned),
        metadata: MetadataOptions {
            state: m.and_then(|m| m.state()).map(|s| s.as_str().to_string()),
            http_tokens: m.and_then(|m| m.http_tokens()).map(|s| s.as_str().to_string()),
            hop_limit: m.and_then(|m| m.http_put_response_hop_limit()),
            http_endpoint: m.and_then(|m| m.http_endpoint()).map(|s| s.as_str().to_string()),
        },
        block_devices: i
            .block_device_mappings()
            .iter()
            .filter(|b| b.ebs().is_some())
            .map(|b| BlockDevice { device_name: b.device_name().unwrap_or_default().to_string(), encrypted: None })
            .collect(),
        tags: i
            .tags()
            .iter()
            .filter_map(|t| Some((t.key()?.to_string(), t.value().unwrap_or_default().to_string())))
            .collect(),
        launch_time: i.launch_time().and_then(to_chrono),
    })
}

pub(crate) fn template_ref(t: &LaunchTemplateSpecification) -> TemplateRef {
    TemplateRef {
        id: t.launch_template_id().map(str::to_owned),
        name: t.launch_template_name().map(str::to_owned),
        version: t.version().map(str::to_owned),
    }
}

pub(crate) fn group_facts(g: &AutoScalingGroup, instance_id: &str) -> GroupFacts {
    let mixed = g.mixed_instances_policy().and_then(|p| p.launch_template());
    let spec = g.launch_template().map(template_ref);
    let mixed_spec = mixed.and_then(|m| m.launch_template_specification()).map(template_ref);
    GroupFacts {
        name: g.auto_scaling_group_name().unwrap_or_default().to_string(),
        template: spec.or(mixed_spec),
        overrides: mixed
            .map(|m| {
                m.overrides()
                    .iter()
                    .map(|o| TypeOverride {
                        instance_type: o.instance_type().map(str::to_owned),
                        requirements: o.instance_requirements().map(instance_requirements),
                        template: o.launch_template_specification().map(template_ref),
                        image_id: o.image_id().map(str::to_owned),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        subnets: g
            .vpc_zone_identifier()
            .map(|v| v.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect())
            .unwrap_or_default(),
        instance_lifecycle_state: g
            .instances()
            .iter()
            .find(|i| i.instance_id() == Some(instance_id))
            .and_then(|i| i.lifecycle_state())
            .map(|s| LifecycleState::parse(s.as_str())),
    }
}

pub(crate) fn security_group_facts(g: &SecurityGroup) -> SecurityGroupFacts {
    SecurityGroupFacts {
        id: g.group_id().unwrap_or_default().to_string(),
        name: g.group_name().unwrap_or_default().to_string(),
        ingress: g
            .ip_permissions()
            .iter()
            .map(|p| IngressRule {
                protocol: p.ip_protocol().unwrap_or("-1").to_string(),
                from_port: p.from_port(),
                to_port: p.to_port(),
                ipv4_ranges: p.ip_ranges().iter().filter_map(|r| r.cidr_ip()).map(str::to_owned).collect(),
                ipv6_ranges: p.ipv6_ranges().iter().filter_map(|r| r.cidr_ipv6()).map(str::to_owned).collect(),
                prefix_list_ids: p
                    .prefix_list_ids()
                    .iter()
                    .filter_map(|l| l.prefix_list_id())
                    .map(str::to_owned)
                    .collect(),
                group_refs: p.user_id_group_pairs().iter().filter_map(|u| u.group_id()).map(str::to_owned).collect(),
            })
            .collect(),
    }
}

fn template_facts(template_id: String, version: i64, data: Option<&ResponseLaunchTemplateData>) -> TemplateFacts {
    let Some(d) = data else {
        return TemplateFacts { template_id, version, ..Default::default() };
    };
    let m = d.metadata_options();
    // Groups named at the instance level and on every interface: templates written for a public IP or several
    // interfaces (Terraform's network_interfaces, CDK's associatePublicIpAddress) carry them only there.
    let mut security_group_ids: Vec<String> = Vec::new();
    for id in d.security_group_ids().iter().chain(d.network_interfaces().iter().flat_map(|n| n.groups())) {
        if !security_group_ids.contains(id) {
            security_group_ids.push(id.clone());
        }
    }
    TemplateFacts {
        template_id,
        version,
        image_id: d.image_id().map(str::to_owned),
        instance_type: d.instance_type().map(|t| t.as_str().to_string()),
        security_group_ids,
        security_group_names: d.security_groups().to_vec(),
        instance_profile_arn: d.iam_instance_profile().and_then(|p| p.arn()).map(str::to_owned),
        instance_profile_name: d.iam_instance_profile().and_then(|p| p.name()).map(str::to_owned),
        key_name: d.key_name().map(str::to_owned),
        metadata: MetadataOptions {
            state: None,
            http_tokens: m.and_then(|m| m.http_tokens()).map(|s| s.as_str().to_string()),
            hop_limit: m.and_then(|m| m.http_put_response_hop_limit()),
            http_endpoint: m.and_then(|m| m.http_endpoint()).map(|s| s.as_str().to_string()),
        },
        block_devices: d
            .block_device_mappings()
            .iter()
            .filter_map(|b| {
                Some(BlockDevice {
                    device_name: b.device_name()?.to_string(),
                    encrypted: b.ebs().and_then(|e| e.encrypted()),
                })
            })
            .collect(),
    }
}
