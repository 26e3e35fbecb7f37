//! [`LaunchFactsSource`] over EC2 and Auto Scaling: two rounds of concurrent describes.
//!
//! Round 1 needs only the ids in the notification: the instance, the group, the instance's profile associations and
//! its volumes. Round 2 needs round 1's answers: the instance's security groups and the launch template version the
//! group names. With `CompleteLifecycleAction` that makes three dependent round trips per decision.

use crate::errors::classify;
use aws_sdk_autoscaling::types::AutoScalingGroup;
use aws_sdk_ec2::types::{Filter, Instance, ResponseLaunchTemplateData, SecurityGroup};
use chrono::{DateTime, Utc};
use scalegate_core::gate::{
    BlockDevice, GroupFacts, IngressRule, InstanceFacts, LaunchFacts, MetadataOptions, ProfileAssociation,
    SecurityGroupFacts, TemplateFacts, TemplateRef,
};
use scalegate_core::lifecycle::LifecycleAction;
use scalegate_core::ports::{AwsError, AwsErrorKind, LaunchFactsSource};

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
        let sg_ids = instance_facts.security_group_ids.clone();
        let template_ref = group_facts.template.clone();
        let (sgs, template) = futures::join!(
            async {
                if sg_ids.is_empty() {
                    return Ok(vec![]);
                }
                self.ec2
                    .describe_security_groups()
                    .set_group_ids(Some(sg_ids))
                    .send()
                    .await
                    .map(|o| o.security_groups().iter().map(security_group_facts).collect())
                    .map_err(|e| classify("DescribeSecurityGroups", e))
            },
            async {
                let Some(t) = template_ref else { return Ok(None) };
                let version = t.version.clone().unwrap_or_else(|| "$Default".to_string());
                let out = self
                    .ec2
                    .describe_launch_template_versions()
                    .set_launch_template_id(t.id.clone())
                    .set_launch_template_name(if t.id.is_some() { None } else { t.name.clone() })
                    .versions(version.clone())
                    .send()
                    .await
                    .map_err(|e| classify("DescribeLaunchTemplateVersions", e))?;
                let v = out.launch_template_versions().first().ok_or_else(|| {
                    AwsError::new(
                        "DescribeLaunchTemplateVersions",
                        AwsErrorKind::NotFound,
                        format!("launch template version {version} not found"),
                    )
                })?;
                let template_id = v.launch_template_id().unwrap_or_default().to_string();
                let number = v.version_number().ok_or_else(|| {
                    AwsError::new("DescribeLaunchTemplateVersions", AwsErrorKind::Malformed, "version has no number")
                })?;
                Ok::<_, AwsError>(Some(template_facts(template_id, number, v.launch_template_data())))
            },
        );

        Ok(LaunchFacts {
            instance: instance_facts,
            security_groups: sgs?,
            group: group_facts,
            template: template?,
            profile_associations: associations
                .iam_instance_profile_associations()
                .iter()
                .map(|a| ProfileAssociation {
                    profile_arn: a.iam_instance_profile().and_then(|p| p.arn()).map(str::to_owned),
                    state: a.state().map(|s| s.as_str().to_string()).unwrap_or_default(),
                })
                .collect(),
        })
    }
}

fn to_chrono(t: &aws_smithy_types::DateTime) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(t.secs(), t.subsec_nanos())
}

fn instance_facts(i: &Instance) -> Result<InstanceFacts, AwsError> {
    let malformed = |what: &str| {
        AwsError::new("DescribeInstances", AwsErrorKind::Malformed, format!("instance description has no {what}"))
    };
    let m = i.metadata_options();
    Ok(InstanceFacts {
        id: i.instance_id().ok_or_else(|| malformed("InstanceId"))?.to_string(),
        state: i.state().and_then(|s| s.name()).map(|n| n.as_str().to_string()).unwrap_or_default(),
        image_id: i.image_id().ok_or_else(|| malformed("ImageId"))?.to_string(),
        instance_type: i.instance_type().map(|t| t.as_str().to_string()).ok_or_else(|| malformed("InstanceType"))?,
        subnet_id: i.subnet_id().map(str::to_owned),
        security_group_ids: i.security_groups().iter().filter_map(|g| g.group_id()).map(str::to_owned).collect(),
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

fn group_facts(g: &AutoScalingGroup, instance_id: &str) -> GroupFacts {
    let mixed = g.mixed_instances_policy().and_then(|p| p.launch_template());
    let spec = g.launch_template().map(|t| TemplateRef {
        id: t.launch_template_id().map(str::to_owned),
        name: t.launch_template_name().map(str::to_owned),
        version: t.version().map(str::to_owned),
    });
    let mixed_spec = mixed.and_then(|m| m.launch_template_specification()).map(|t| TemplateRef {
        id: t.launch_template_id().map(str::to_owned),
        name: t.launch_template_name().map(str::to_owned),
        version: t.version().map(str::to_owned),
    });
    GroupFacts {
        name: g.auto_scaling_group_name().unwrap_or_default().to_string(),
        template: spec.or(mixed_spec),
        allowed_instance_types: mixed
            .map(|m| m.overrides().iter().filter_map(|o| o.instance_type()).map(str::to_owned).collect())
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
            .map(|s| s.as_str().to_string()),
    }
}

fn security_group_facts(g: &SecurityGroup) -> SecurityGroupFacts {
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
            })
            .collect(),
    }
}

fn template_facts(template_id: String, version: i64, data: Option<&ResponseLaunchTemplateData>) -> TemplateFacts {
    let Some(d) = data else {
        return TemplateFacts { template_id, version, ..Default::default() };
    };
    let m = d.metadata_options();
    TemplateFacts {
        template_id,
        version,
        image_id: d.image_id().map(str::to_owned),
        instance_type: d.instance_type().map(|t| t.as_str().to_string()),
        security_group_ids: d.security_group_ids().to_vec(),
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
