//! The sweep's rules, pure: which members are swept, each one's facts out of the shared snapshot, what the gate's
//! checks find, and which drifted members a run replaces.

use super::config::{SweepMode, SweepSettings};
use super::ports::{FleetSnapshot, Health, Member, SweptGroup};
use crate::gate::{
    evaluate, CheckResult, CheckStatus, GateRules, GroupFacts, LaunchFacts, SecurityGroupFacts, TemplateRef,
};
use crate::lease::{parse_expiry, LEASE_TAG};
use crate::lifecycle::LifecycleState;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::BTreeSet;

/// Whether a member is swept: in service, in standby, or ready in the warm pool (it rejoins without relaunching).
/// Members on their way in or out belong to the gate and the drain.
pub fn swept(state: &LifecycleState) -> bool {
    matches!(
        state,
        LifecycleState::InService
            | LifecycleState::Standby
            | LifecycleState::EnteringStandby
            | LifecycleState::WarmedStopped
            | LifecycleState::WarmedRunning
            | LifecycleState::WarmedHibernated
    )
}

/// True when the group's record names no launch template for a member while the group has one: it entered with
/// `AttachInstances`, so no launch hook ran on it.
fn attached(group: &SweptGroup, member: &Member) -> bool {
    member.template.is_none() && group.facts.template.is_some()
}

/// The template a member is compared with: the one it was launched from (its `aws:ec2launchtemplate:*` tags, else
/// the group's record of it), so a new template version is an update, not drift; an attached instance, which the
/// group never launched, is compared with the group's template whatever template it was started from elsewhere.
pub(super) fn reference_template(
    group: &SweptGroup,
    member: &Member,
    instance: Option<&crate::gate::InstanceFacts>,
) -> Option<TemplateRef> {
    if attached(group, member) {
        return group.facts.template.clone();
    }
    if let Some(tags) = instance.map(|i| &i.tags) {
        if let (Some(id), Some(version)) =
            (tags.get("aws:ec2launchtemplate:id"), tags.get("aws:ec2launchtemplate:version"))
        {
            return Some(TemplateRef { id: Some(id.clone()), name: None, version: Some(version.clone()) });
        }
    }
    member.template.clone().or_else(|| group.facts.template.clone())
}

/// Every template reference the snapshot must resolve for these groups, given the instances described so far.
pub fn templates_needed(groups: &[SweptGroup], snapshot: &FleetSnapshot) -> Vec<TemplateRef> {
    let mut out: Vec<TemplateRef> = Vec::new();
    let mut add = |t: TemplateRef| {
        if !out.contains(&t) {
            out.push(t);
        }
    };
    for g in groups {
        for m in g.members.iter().filter(|m| swept(&m.state)) {
            if let Some(t) = reference_template(g, m, snapshot.instances.get(&m.instance_id)) {
                add(t);
            }
        }
        for t in g.facts.override_template_refs() {
            add(t.clone());
        }
    }
    out
}

/// One member's facts, as the gate would gather them, out of the shared snapshot; `None` when the instance was not
/// described (it left meanwhile).
pub(super) fn member_facts(group: &SweptGroup, member: &Member, snapshot: &FleetSnapshot) -> Option<LaunchFacts> {
    let instance = snapshot.instances.get(&member.instance_id)?.clone();
    let reference = reference_template(group, member, Some(&instance));
    let group_facts = GroupFacts {
        template: reference.clone(),
        instance_lifecycle_state: Some(member.state.clone()),
        ..group.facts.clone()
    };
    let security_groups = instance
        .security_group_ids
        .iter()
        .filter_map(|id| snapshot.security_groups.get(id))
        .cloned()
        .collect::<Vec<_>>();
    let lists: BTreeSet<&str> = security_groups.iter().flat_map(SecurityGroupFacts::prefix_list_ids).collect();
    let override_templates = group_facts
        .override_template_refs()
        .into_iter()
        .filter_map(|r| snapshot.template(r).map(|t| (r.clone(), t.clone())))
        .collect();
    let instance_type_info = if group_facts.selects_by_requirements() {
        snapshot.instance_types.get(&instance.instance_type).cloned()
    } else {
        None
    };
    Some(LaunchFacts {
        template: reference.as_ref().and_then(|r| snapshot.template(r)).cloned(),
        profile_associations: snapshot.profile_associations.get(&member.instance_id).cloned().unwrap_or_default(),
        prefix_lists: lists.into_iter().filter_map(|id| snapshot.prefix_lists.get(id)).cloned().collect(),
        instance_type_info,
        override_templates,
        security_groups,
        group: group_facts,
        instance,
    })
}

/// What the checks found on one swept member.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    /// A check failed: the instance no longer meets the rules.
    Drifted,
    /// No check failed but one cannot tell yet (a profile still associating): looked at again next run.
    Unsettled,
    /// It was listed but EC2 no longer describes it: it left between the two reads.
    Gone,
}

/// A member that is not clean, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// `i-…`.
    pub instance_id: String,
    /// Its lifecycle state.
    pub state: LifecycleState,
    /// What was found.
    pub kind: FindingKind,
    /// True when the group's record names no launch template for it: it entered with `AttachInstances`, so no
    /// launch hook ever ran on it.
    pub attached: bool,
    /// The checks that failed (or are pending), with their reasons.
    pub checks: Vec<CheckResult>,
    /// When its work lease ends, when it holds a live one.
    pub lease_expires: Option<DateTime<Utc>>,
    /// Auto Scaling's view of its health.
    pub health: Health,
}

impl Finding {
    /// The failed checks' names.
    pub fn check_names(&self) -> Vec<&'static str> {
        self.checks.iter().map(|c| c.name).collect()
    }

    /// Firewall failures first (an open port is reachable now), then credentials, then the rest.
    fn urgency(&self) -> u8 {
        let family = |c: &CheckResult| match c.name.split('.').next() {
            Some("firewall") => 0,
            Some("credentials") => 1,
            _ => 2,
        };
        self.checks.iter().map(family).min().unwrap_or(3)
    }
}

/// Sweeps one group's members: how many were checked, and every one that is not clean.
pub fn findings(
    group: &SweptGroup,
    snapshot: &FleetSnapshot,
    rules: &GateRules,
    now: DateTime<Utc>,
) -> (usize, Vec<Finding>) {
    let mut checked = 0;
    let mut out = Vec::new();
    for member in group.members.iter().filter(|m| swept(&m.state)) {
        checked += 1;
        let attached = attached(group, member);
        let mut finding = Finding {
            instance_id: member.instance_id.clone(),
            state: member.state.clone(),
            kind: FindingKind::Gone,
            attached,
            checks: vec![],
            lease_expires: None,
            health: member.health,
        };
        let Some(facts) = member_facts(group, member, snapshot) else {
            out.push(finding);
            continue;
        };
        finding.lease_expires =
            facts.instance.tags.get(LEASE_TAG).and_then(|t| parse_expiry(t)).filter(|expires| *expires > now);
        let results = evaluate(&facts, rules);
        let failed: Vec<CheckResult> = results.iter().filter(|c| c.status == CheckStatus::Fail).cloned().collect();
        if !failed.is_empty() {
            finding.kind = FindingKind::Drifted;
            finding.checks = failed;
        } else {
            let pending: Vec<CheckResult> = results.into_iter().filter(|c| c.status == CheckStatus::Pending).collect();
            if pending.is_empty() {
                continue;
            }
            finding.kind = FindingKind::Unsettled;
            finding.checks = pending;
        }
        out.push(finding);
    }
    (checked, out)
}

/// What the run does with one finding.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "disposition", rename_all = "snake_case")]
pub enum Disposition {
    /// Marked unhealthy: the group replaces it with a fresh, gated instance.
    Replaced,
    /// Would be marked unhealthy (a dry run).
    WouldReplace,
    /// Marking it failed (the error); it is left as it is and the run fails.
    ReplaceFailed {
        /// The error after retries.
        error: String,
    },
    /// Reported only: the group's mode is `report`.
    Reported,
    /// Left for now, and why.
    Held {
        /// Why.
        hold: Hold,
    },
}

/// Why a drifted member is left in place this run.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "because", rename_all = "snake_case")]
pub enum Hold {
    /// It holds a live work lease: the drain takes it once the work is done.
    LiveLease {
        /// When the lease ends.
        expires: DateTime<Utc>,
    },
    /// It is in standby: the group does not replace standby instances; it is checked again when it returns.
    Standby,
    /// Auto Scaling already has it as unhealthy.
    AlreadyUnhealthy,
    /// Nothing failed yet; one check cannot tell.
    Unsettled,
    /// The group's limit for one run is spent.
    RateLimit {
        /// The limit.
        limit: u32,
    },
    /// Replacing it would leave fewer healthy instances in service than the group's minimum.
    MinimumHealthy {
        /// Healthy in-service instances before it.
        healthy: u32,
        /// The minimum: the group's MinHealthyPercentage (or the sweep's) of desired capacity, rounded up.
        minimum: u32,
    },
    /// EC2 no longer describes it.
    Gone,
}

/// Decides every finding of one group: in `replace` mode the most urgent drifted members are replaced up to the
/// limit, never a leased or standby one, and never below the minimum healthy capacity; the rest are held, saying
/// why. Warm-pool members count toward the limit but not toward capacity (they are not serving).
pub fn decide(
    group: &SweptGroup,
    mode: SweepMode,
    settings: &SweepSettings,
    found: Vec<Finding>,
) -> Vec<(Finding, Disposition)> {
    let percent = group.min_healthy_percent.unwrap_or(settings.min_healthy_percent).min(100);
    let minimum = ((u64::from(group.desired) * u64::from(percent)).div_ceil(100)) as u32;
    let mut healthy =
        group.members.iter().filter(|m| m.state == LifecycleState::InService && m.health == Health::Healthy).count()
            as u32;
    let mut found = found;
    found.sort_by(|a, b| a.urgency().cmp(&b.urgency()).then_with(|| a.instance_id.cmp(&b.instance_id)));
    let SweepMode::Replace { limit } = mode else {
        return found
            .into_iter()
            .map(|f| {
                let d = match f.kind {
                    FindingKind::Drifted => Disposition::Reported,
                    FindingKind::Unsettled => Disposition::Held { hold: Hold::Unsettled },
                    FindingKind::Gone => Disposition::Held { hold: Hold::Gone },
                };
                (f, d)
            })
            .collect();
    };
    let limit = limit.of(group.desired);
    let mut left = limit;
    found
        .into_iter()
        .map(|f| {
            let hold = match f.kind {
                FindingKind::Unsettled => Some(Hold::Unsettled),
                FindingKind::Gone => Some(Hold::Gone),
                FindingKind::Drifted => None,
            }
            .or_else(|| f.lease_expires.map(|expires| Hold::LiveLease { expires }))
            .or_else(|| {
                matches!(f.state, LifecycleState::Standby | LifecycleState::EnteringStandby).then_some(Hold::Standby)
            })
            .or_else(|| (f.health == Health::Unhealthy).then_some(Hold::AlreadyUnhealthy))
            .or_else(|| (left == 0).then_some(Hold::RateLimit { limit }))
            .or_else(|| {
                (f.state == LifecycleState::InService && healthy <= minimum)
                    .then_some(Hold::MinimumHealthy { healthy, minimum })
            });
            if let Some(hold) = hold {
                return (f, Disposition::Held { hold });
            }
            left -= 1;
            if f.state == LifecycleState::InService {
                healthy -= 1;
            }
            (f, Disposition::WouldReplace)
        })
        .collect()
}
