//! What the sweep needs from AWS: the groups that opted in with their members, one snapshot of the facts the
//! gate's checks read for all of them (gathered in batches), and `SetInstanceHealth`.

use crate::gate::{
    GroupFacts, InstanceFacts, InstanceTypeFacts, PrefixListFacts, ProfileAssociation, SecurityGroupFacts,
    TemplateFacts, TemplateRef,
};
use crate::lifecycle::LifecycleState;
use crate::ports::AwsError;
use serde::Serialize;
use std::collections::BTreeMap;
use std::future::Future;

/// A group tagged [`OPT_IN_TAG`](super::OPT_IN_TAG), with its members and its warm pool's.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SweptGroup {
    /// The group as the gate reads it: its name, the launch template it names now (directly or through its
    /// mixed-instances policy), overrides and subnets; no member's state.
    pub facts: GroupFacts,
    /// The opt-in tag's value, unparsed (the sweep says what is wrong with it).
    pub mode_tag: String,
    /// DesiredCapacity.
    pub desired: u32,
    /// InstanceMaintenancePolicy.MinHealthyPercentage, when the group has one.
    pub min_healthy_percent: Option<u32>,
    /// Members, and instances in the warm pool.
    pub members: Vec<Member>,
}

/// One member of a group (or of its warm pool).
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    /// `i-…`.
    pub instance_id: String,
    /// Its lifecycle state (`Warmed:*` for the warm pool's).
    pub state: LifecycleState,
    /// Auto Scaling's view of its health.
    pub health: Health,
    /// The launch template the group launched it from, when the group's record names one (an instance attached
    /// with `AttachInstances` has none).
    pub template: Option<TemplateRef>,
}

/// An instance's health as Auto Scaling records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Health {
    /// `Healthy`.
    Healthy,
    /// `Unhealthy`: already on its way to replacement.
    Unhealthy,
}

/// The facts the checks read, for every swept instance at once: shared security groups, templates and prefix lists
/// are described once however many instances name them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FleetSnapshot {
    /// Instances by id (an instance missing here was gone by the time it was described).
    pub instances: BTreeMap<String, InstanceFacts>,
    /// Security groups by id.
    pub security_groups: BTreeMap<String, SecurityGroupFacts>,
    /// Each template reference named, resolved.
    pub templates: Vec<(TemplateRef, TemplateFacts)>,
    /// Instance-profile associations by instance id.
    pub profile_associations: BTreeMap<String, Vec<ProfileAssociation>>,
    /// Instance types, when a group selects types by attributes.
    pub instance_types: BTreeMap<String, InstanceTypeFacts>,
    /// Managed prefix lists the security groups name.
    pub prefix_lists: BTreeMap<String, PrefixListFacts>,
}

impl FleetSnapshot {
    /// The resolved template for a reference.
    pub fn template(&self, reference: &TemplateRef) -> Option<&TemplateFacts> {
        self.templates.iter().find(|(r, _)| r == reference).map(|(_, t)| t)
    }
}

/// The groups the sweep may look at.
pub trait SweptGroups: Send + Sync {
    /// Groups tagged with the opt-in tag (any value: a bad value is reported, not skipped in silence), with their
    /// members and warm-pool instances, every page; each call retried on its own ([`crate::retry`]).
    fn opted_in_groups(&self) -> impl Future<Output = Result<Vec<SweptGroup>, AwsError>> + Send;
}

/// One snapshot of the facts for every member of these groups.
pub trait FleetFacts: Send + Sync {
    /// Describes every member's instance, volumes and profile associations in batches, then the security groups,
    /// templates ([`templates_needed`](super::templates_needed)), instance types and prefix lists they name; each call
    /// retried on its own ([`crate::retry`]), so the caller does not retry the snapshot.
    fn snapshot(&self, groups: &[SweptGroup]) -> impl Future<Output = Result<FleetSnapshot, AwsError>> + Send;
}

/// The one write the sweep makes.
pub trait InstanceHealth: Send + Sync {
    /// `SetInstanceHealth Unhealthy`, not waiting for the grace period: the group terminates and replaces it.
    fn mark_unhealthy(&self, instance_id: &str) -> impl Future<Output = Result<(), AwsError>> + Send;
}
