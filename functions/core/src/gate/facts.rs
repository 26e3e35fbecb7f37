//! What the gate looks at, as plain data. Adapters fill these from AWS; tests build them by hand.

use super::instance_types::{InstanceRequirements, InstanceTypeFacts};
use crate::lifecycle::LifecycleState;
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

/// Everything the checks need about one launching instance, gathered in one snapshot.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LaunchFacts {
    /// The instance as EC2 describes it.
    pub instance: InstanceFacts,
    /// The security groups attached to the instance.
    pub security_groups: Vec<SecurityGroupFacts>,
    /// The Auto Scaling group.
    pub group: GroupFacts,
    /// The launch template version the group names, resolved (`$Latest`/`$Default` to a number).
    pub template: Option<TemplateFacts>,
    /// Templates that mixed-instances overrides carry and that could apply to this instance, resolved.
    pub override_templates: Vec<(TemplateRef, TemplateFacts)>,
    /// What EC2 says about the instance's type, when an override selects types by their attributes.
    pub instance_type_info: Option<InstanceTypeFacts>,
    /// Instance-profile associations of the instance (to tell "none" from "still associating").
    pub profile_associations: Vec<ProfileAssociation>,
    /// Every managed prefix list the security groups' rules name, resolved (or not).
    pub prefix_lists: Vec<PrefixListFacts>,
}

/// An EC2 instance.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct InstanceFacts {
    /// `i-...`
    pub id: String,
    /// EC2 state name: pending, running, stopped, ...
    pub state: String,
    /// AMI id.
    pub image_id: String,
    /// What the instance runs on (`m7g.large`), checked against the allowed types.
    pub instance_type: String,
    /// Subnet, when in a VPC.
    pub subnet_id: Option<String>,
    /// Security group ids of every network interface of the instance, deduplicated.
    pub security_group_ids: Vec<String>,
    /// Instance profile ARN, when one is attached.
    pub instance_profile_arn: Option<String>,
    /// SSH key pair name.
    pub key_name: Option<String>,
    /// Instance metadata service options.
    pub metadata: MetadataOptions,
    /// Block devices with what is known of their volumes.
    pub block_devices: Vec<BlockDevice>,
    /// Instance tags.
    pub tags: BTreeMap<String, String>,
    /// When EC2 launched it.
    pub launch_time: Option<DateTime<Utc>>,
}

/// IMDS settings of an instance or a launch template.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MetadataOptions {
    /// `pending` while a change is applied, then `applied` (instances only).
    pub state: Option<String>,
    /// `required` (IMDSv2 only) or `optional`.
    pub http_tokens: Option<String>,
    /// PUT response hop limit.
    pub hop_limit: Option<i32>,
    /// `enabled` or `disabled`.
    pub http_endpoint: Option<String>,
}

/// A volume attached to an instance (or one a launch template declares).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BlockDevice {
    /// Where the volume is attached (`/dev/xvda`).
    pub device_name: String,
    /// Whether the EBS volume is encrypted, when known.
    pub encrypted: Option<bool>,
}

/// A security group and its ingress rules.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SecurityGroupFacts {
    /// `sg-...`
    pub id: String,
    /// Group name.
    pub name: String,
    /// Ingress rules.
    pub ingress: Vec<IngressRule>,
}

impl SecurityGroupFacts {
    /// The managed prefix lists its ingress rules name (each rule's sources are looked up by these ids).
    pub fn prefix_list_ids(&self) -> impl Iterator<Item = &str> {
        self.ingress.iter().flat_map(|r| r.prefix_list_ids.iter().map(String::as_str))
    }
}

/// One ingress permission (one entry of a group's `IpPermissions`), flattened.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IngressRule {
    /// `tcp`, `udp`, `icmp`, `icmpv6`, a protocol number, or `-1` for all.
    pub protocol: String,
    /// First port (ICMP type for ICMP; absent for all-traffic rules).
    pub from_port: Option<i32>,
    /// Last port (ICMP code for ICMP).
    pub to_port: Option<i32>,
    /// IPv4 CIDRs.
    pub ipv4_ranges: Vec<String>,
    /// IPv6 CIDRs.
    pub ipv6_ranges: Vec<String>,
    /// Managed prefix lists (`pl-...`) whose entries are sources.
    pub prefix_list_ids: Vec<String>,
    /// Security groups referenced as sources (instances in them, never the internet).
    pub group_refs: Vec<String>,
}

/// A managed prefix list a rule names, with what it held when the gate looked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrefixListFacts {
    /// `pl-...`
    pub id: String,
    /// Its entries, or why they could not be read.
    pub entries: PrefixListEntries,
}

/// The entries of a prefix list, if they could be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrefixListEntries {
    /// The CIDRs it holds.
    Resolved(Vec<String>),
    /// It could not be read (why); the firewall checks count it as the whole internet.
    Unresolved(String),
}

/// The Auto Scaling group.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GroupFacts {
    /// Group name.
    pub name: String,
    /// The launch template the group launches from (directly or through a mixed-instances policy).
    pub template: Option<TemplateRef>,
    /// A mixed-instances policy's overrides: the types (or requirements) it launches, some with their own template.
    pub overrides: Vec<TypeOverride>,
    /// Subnets of `VPCZoneIdentifier`.
    pub subnets: Vec<String>,
    /// Lifecycle state of this instance in the group, when the group lists it (warm-pool instances are not).
    pub instance_lifecycle_state: Option<LifecycleState>,
}

impl GroupFacts {
    /// Every template the group's overrides carry, once each. Adapters describe them alongside the group's: which
    /// one applies is decided once the instance's type is known, and an instance whose type no override lists is
    /// compared with the one it was launched from.
    pub fn override_template_refs(&self) -> Vec<&TemplateRef> {
        let mut out: Vec<&TemplateRef> = Vec::new();
        for t in self.overrides.iter().filter_map(|o| o.template.as_ref()) {
            if !out.contains(&t) {
                out.push(t);
            }
        }
        out
    }

    /// True when some override selects instance types by requirements.
    pub fn selects_by_requirements(&self) -> bool {
        self.overrides.iter().any(|o| o.requirements.is_some())
    }
}

/// One override of a mixed-instances policy.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TypeOverride {
    /// An instance type the group launches.
    pub instance_type: Option<String>,
    /// Or: every type that meets these requirements.
    pub requirements: Option<InstanceRequirements>,
    /// The template for instances of this override, when not the group's.
    pub template: Option<TemplateRef>,
    /// The AMI for instances of this override, when not the template's.
    pub image_id: Option<String>,
}

/// A launch template as a group names it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TemplateRef {
    /// `lt-...`
    pub id: Option<String>,
    /// Template name.
    pub name: Option<String>,
    /// `$Latest`, `$Default` or a number; absent means `$Default`.
    pub version: Option<String>,
}

/// A resolved launch template version.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TemplateFacts {
    /// `lt-...`
    pub template_id: String,
    /// The version number `$Latest`/`$Default` resolved to.
    pub version: i64,
    /// AMI, resolved when the template names it through an SSM parameter (a `resolve:ssm:` value left here means
    /// it could not be resolved).
    pub image_id: Option<String>,
    /// The template's instance type, when it names one (attribute-based selection names none).
    pub instance_type: Option<String>,
    /// Security group ids, from `SecurityGroupIds` and from every `NetworkInterfaces[].Groups`.
    pub security_group_ids: Vec<String>,
    /// Security group names, from `SecurityGroups` (default VPCs).
    pub security_group_names: Vec<String>,
    /// Instance profile ARN, when the template gives one by ARN.
    pub instance_profile_arn: Option<String>,
    /// Instance profile name, when the template gives one by name.
    pub instance_profile_name: Option<String>,
    /// Key pair.
    pub key_name: Option<String>,
    /// IMDS settings.
    pub metadata: MetadataOptions,
    /// Declared block devices.
    pub block_devices: Vec<BlockDevice>,
}

/// An instance-profile association as EC2 reports it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProfileAssociation {
    /// The instance profile the association attaches.
    pub profile_arn: Option<String>,
    /// `associating`, `associated`, `disassociating`, `disassociated`.
    pub state: String,
}

/// The name at the end of an instance-profile ARN (`arn:aws:iam::1:instance-profile/path/name` → `name`).
pub(super) fn profile_name(arn_or_name: &str) -> &str {
    arn_or_name.rsplit(['/', ':']).next().unwrap_or(arn_or_name)
}
