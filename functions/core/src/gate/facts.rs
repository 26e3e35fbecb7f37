//! What the gate looks at, as plain data. Adapters fill these from AWS; tests build them by hand.

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
    /// Instance-profile associations of the instance (to tell "none" from "still associating").
    pub profile_associations: Vec<ProfileAssociation>,
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
    /// Instance type.
    pub instance_type: String,
    /// Subnet, when in a VPC.
    pub subnet_id: Option<String>,
    /// Attached security group ids.
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
    /// Device name.
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

/// One ingress permission, flattened.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IngressRule {
    /// `tcp`, `udp`, `icmp`, or `-1` for all.
    pub protocol: String,
    /// First port (absent for all-traffic rules).
    pub from_port: Option<i32>,
    /// Last port.
    pub to_port: Option<i32>,
    /// IPv4 CIDRs.
    pub ipv4_ranges: Vec<String>,
    /// IPv6 CIDRs.
    pub ipv6_ranges: Vec<String>,
}

impl IngressRule {
    /// True when the rule admits the whole internet.
    pub fn open_to_world(&self) -> bool {
        self.ipv4_ranges.iter().any(|c| c == "0.0.0.0/0") || self.ipv6_ranges.iter().any(|c| c == "::/0")
    }

    /// The inclusive port range this rule opens; all ports for `-1` or when ports are absent.
    pub fn port_range(&self) -> (i32, i32) {
        if self.protocol == "-1" {
            return (0, 65535);
        }
        match (self.from_port, self.to_port) {
            (Some(f), Some(t)) if f >= 0 && t >= 0 => (f.min(t), f.max(t)),
            _ => (0, 65535),
        }
    }
}

/// The Auto Scaling group.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GroupFacts {
    /// Group name.
    pub name: String,
    /// The launch template the group launches from (directly or through a mixed-instances policy).
    pub template: Option<TemplateRef>,
    /// Instance types a mixed-instances policy allows besides the template's.
    pub allowed_instance_types: Vec<String>,
    /// Subnets of `VPCZoneIdentifier`.
    pub subnets: Vec<String>,
    /// Lifecycle state of this instance in the group, when the group lists it (warm-pool instances are not).
    pub instance_lifecycle_state: Option<String>,
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
    /// AMI.
    pub image_id: Option<String>,
    /// Instance type.
    pub instance_type: Option<String>,
    /// Security group ids.
    pub security_group_ids: Vec<String>,
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
    /// Profile ARN.
    pub profile_arn: Option<String>,
    /// `associating`, `associated`, `disassociating`, `disassociated`.
    pub state: String,
}

/// The name at the end of an instance-profile ARN (`arn:aws:iam::1:instance-profile/path/name` → `name`).
pub fn profile_name(arn_or_name: &str) -> &str {
    arn_or_name.rsplit(['/', ':']).next().unwrap_or(arn_or_name)
}
