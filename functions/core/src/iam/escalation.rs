//! Escalation paths: the ways one role comes to act as another, and the classes it reaches that way.
//!
//! A role acts as another if it can
//! - assume it (`sts:AssumeRole` allowed by its own policies and by the other's trust policy), or edit that trust
//!   policy first (`iam:UpdateAssumeRolePolicy`) and then assume it;
//! - pass it (`iam:PassRole`) to compute it can start, for a service the other role trusts (EC2, Lambda, ECS,
//!   CloudFormation, CodeBuild, Glue, SageMaker, Step Functions, Data Pipeline);
//! - change the code of a function that runs as it (`lambda:UpdateFunctionCode`);
//! - edit a launch template that runs it as an instance profile (`ec2:CreateLaunchTemplateVersion`, …);
//! - send commands to instances that run it (`ssm:SendCommand`, `ssm:StartSession`).
//!
//! The input rarely says which role a function or instance runs as, so any role whose trust policy admits the service
//! (or whose trust policy is unknown) might be it. A role that can edit the policies of a role it can act as
//! (itself included) reaches every class. When the input is not the whole account, a pattern that can name a role
//! outside it leads to [`OUTSIDE`], which may hold any permission.
//!
//! Reachability is computed backwards, per class: the roles that reach it directly, then every role with a path to
//! one of those, until nothing changes. Each role points to its next hop, so witnesses come out as paths.

use super::pattern::Pattern;
use super::policy::{Effect, Matcher, PolicyDocument};
use super::reasoner::{allows, allows_where, AttachedPolicy, RolePolicies, Witness};
use serde::Serialize;
use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};

/// The roles under audit and what bounds them.
#[derive(Debug, Clone, Default)]
pub struct Inventory {
    /// Every role in the input.
    pub roles: Vec<RolePolicies>,
    /// Service control policies that apply to every role (empty when none are given).
    pub scps: Vec<AttachedPolicy>,
    /// True when the input lists every role of its account (authorization details, the live account). Otherwise a
    /// pattern that can name a role not listed may lead to [`OUTSIDE`].
    pub complete: bool,
}

/// The name used for any role the input does not describe.
pub const OUTSIDE: &str = "(a role outside the input)";

/// How one role comes to act as another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Via {
    /// `sts:AssumeRole`, allowed by both sides.
    AssumeRole,
    /// `iam:UpdateAssumeRolePolicy` on the other role, then `sts:AssumeRole`.
    TrustEdit,
    /// `iam:PassRole` to compute the caller can start.
    PassRole,
    /// New code for a function that runs as the other role.
    UpdateFunctionCode,
    /// A launch template (new version) for instances that run as the other role.
    LaunchTemplate,
    /// Commands or sessions on instances that run as the other role.
    SendCommand,
}

/// One step of an escalation path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hop {
    /// The role acting.
    pub from: String,
    /// The role it comes to act as.
    pub to: String,
    /// How.
    pub via: Via,
    /// The grants that make the step possible (the caller's, then the other role's trust).
    pub grants: Vec<Witness>,
}

/// How a role reaches a class: the hops taken (none for a direct grant) and the final grant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Path {
    /// Hops, in order, from the audited role.
    pub hops: Vec<Hop>,
    /// The role holding the final grant.
    pub holder: String,
    /// The final grant: an action of the class, or a policy edit that can add one.
    pub grant: Witness,
    /// True when the final grant is a policy edit (or an unknown role's), not an action of the class itself.
    pub edit: bool,
}

struct Compute {
    service: &'static str,
    start: &'static [&'static str],
}

/// Services a passed role can run under, and the actions that start compute with it.
const COMPUTE: &[Compute] = &[
    Compute {
        service: "ec2.amazonaws.com",
        start: &[
            "ec2:RunInstances",
            "ec2:RequestSpotInstances",
            "ec2:RequestSpotFleet",
            "ec2:CreateFleet",
            "ec2:AssociateIamInstanceProfile",
            "ec2:ReplaceIamInstanceProfileAssociation",
            "ec2:CreateLaunchTemplate",
            "ec2:CreateLaunchTemplateVersion",
            "autoscaling:CreateAutoScalingGroup",
            "autoscaling:UpdateAutoScalingGroup",
            "autoscaling:CreateLaunchConfiguration",
        ],
    },
    Compute {
        service: "lambda.amazonaws.com",
        start: &["lambda:CreateFunction", "lambda:UpdateFunctionConfiguration"],
    },
    Compute {
        service: "ecs-tasks.amazonaws.com",
        start: &[
            "ecs:RunTask",
            "ecs:StartTask",
            "ecs:RegisterTaskDefinition",
            "ecs:CreateService",
            "ecs:UpdateService",
        ],
    },
    Compute {
        service: "cloudformation.amazonaws.com",
        start: &["cloudformation:CreateStack", "cloudformation:UpdateStack", "cloudformation:CreateChangeSet"],
    },
    Compute {
        service: "codebuild.amazonaws.com",
        start: &["codebuild:CreateProject", "codebuild:UpdateProject", "codebuild:StartBuild"],
    },
    Compute {
        service: "glue.amazonaws.com",
        start: &["glue:CreateDevEndpoint", "glue:UpdateDevEndpoint", "glue:CreateJob", "glue:UpdateJob"],
    },
    Compute {
        service: "sagemaker.amazonaws.com",
        start: &["sagemaker:CreateNotebookInstance", "sagemaker:CreateTrainingJob", "sagemaker:CreateProcessingJob"],
    },
    Compute { service: "states.amazonaws.com", start: &["states:CreateStateMachine", "states:UpdateStateMachine"] },
    Compute {
        service: "datapipeline.amazonaws.com",
        start: &["datapipeline:CreatePipeline", "datapipeline:PutPipelineDefinition"],
    },
];

const ASSUME: &[&str] = &["sts:AssumeRole"];
const PASS: &[&str] = &["iam:PassRole"];
const TRUST_EDIT: &[&str] = &["iam:UpdateAssumeRolePolicy"];
/// Edits that can add any permission to a role.
const POLICY_EDIT: &[&str] = &[
    "iam:PutRolePolicy",
    "iam:AttachRolePolicy",
    "iam:PutRolePermissionsBoundary",
    "iam:DeleteRolePermissionsBoundary",
];
/// Edits that can only remove: they widen a role only by removing a Deny.
const POLICY_REMOVE: &[&str] = &["iam:DeleteRolePolicy", "iam:DetachRolePolicy"];
/// Edits to a managed policy, widening every role it is attached to.
const VERSION_EDIT: &[&str] = &["iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion"];

/// Escalations through a service's running code rather than through a passed role.
const SERVICE_PATHS: &[(Via, &str, &[&str])] = &[
    (Via::UpdateFunctionCode, "lambda.amazonaws.com", &["lambda:UpdateFunctionCode"]),
    (Via::LaunchTemplate, "ec2.amazonaws.com", &["ec2:CreateLaunchTemplateVersion", "ec2:ModifyLaunchTemplate"]),
    (Via::SendCommand, "ec2.amazonaws.com", &["ssm:SendCommand", "ssm:StartSession"]),
];

fn patterns(actions: &[&str]) -> Vec<Pattern> {
    actions.iter().map(|a| Pattern::action(a)).collect()
}

/// What one role can do towards others, computed once for every class.
#[derive(Default)]
struct Capabilities {
    assume: bool,
    /// Start actions, by index into [`COMPUTE`], with their grants (empty unless the role may pass some role).
    starts: Vec<(usize, Witness)>,
    /// Service paths the role may take, by index into [`SERVICE_PATHS`].
    service_paths: Vec<(usize, Witness)>,
    /// A hop to [`OUTSIDE`], if one exists.
    to_outside: Option<Hop>,
    /// A policy edit the role may make on itself.
    self_edit: Option<Witness>,
    /// True when the role may edit some role's (or managed policy's) policies at all.
    edits: bool,
}

impl Capabilities {
    fn can_hop(&self) -> bool {
        self.assume || !self.starts.is_empty() || !self.service_paths.is_empty()
    }
}

/// The escalation graph of an inventory, ready to answer per class.
pub struct Escalation<'a> {
    inventory: &'a Inventory,
    caps: Vec<Capabilities>,
    /// Hops already worked out: they do not depend on the class, and every class asks again.
    hops: RefCell<HashMap<(usize, usize), Option<Hop>>>,
    /// Paths through an edit of another role in the same closure: these reach every class, so each is found once.
    edit_paths: RefCell<HashMap<usize, Option<Path>>>,
    editors: Vec<usize>,
    assume: Vec<Pattern>,
    pass: Vec<Pattern>,
    trust_edit: Vec<Pattern>,
    /// For each role: may each [`COMPUTE`] service assume it (with the trust statement)?
    trusts_service: Vec<Vec<Option<Witness>>>,
}

/// Per role and class: how it reaches the class, pointing at the next role when through a hop.
#[derive(Clone)]
enum Step {
    Final { holder: usize, grant: Witness, edit: bool },
    Outside,
    Hop { next: usize, hop: Hop },
}

impl<'a> Escalation<'a> {
    /// Works out what every role in `inventory` can do towards the others.
    pub fn new(inventory: &'a Inventory) -> Self {
        let star = Pattern::resource("*");
        let scps = &inventory.scps;
        let trusts_service: Vec<Vec<Option<Witness>>> = inventory
            .roles
            .iter()
            .map(|r| COMPUTE.iter().map(|c| trust_admits(r, &|kind, v| service_matches(kind, v, c.service))).collect())
            .collect();
        let caps: Vec<Capabilities> = inventory
            .roles
            .iter()
            .map(|role| {
                let may = |actions: &[&str]| allows(role, &patterns(actions), &star, scps);
                let mut caps = Capabilities { assume: may(ASSUME).is_some(), ..Default::default() };
                if may(PASS).is_some() {
                    caps.starts =
                        COMPUTE.iter().enumerate().filter_map(|(i, c)| may(c.start).map(|w| (i, w))).collect();
                }
                caps.service_paths =
                    SERVICE_PATHS.iter().enumerate().filter_map(|(i, (_, _, a))| may(a).map(|w| (i, w))).collect();
                caps.edits = may(POLICY_EDIT).is_some() || may(VERSION_EDIT).is_some() || may(POLICY_REMOVE).is_some();
                if caps.edits {
                    caps.self_edit = edit_grant(role, role, scps);
                }
                caps.to_outside = hop_to_outside(inventory, role, &caps);
                caps
            })
            .collect();
        let editors: Vec<usize> = (0..inventory.roles.len()).filter(|&r| caps[r].edits).collect();
        Self {
            inventory,
            caps,
            trusts_service,
            hops: RefCell::default(),
            edit_paths: RefCell::default(),
            editors,
            assume: patterns(ASSUME),
            pass: patterns(PASS),
            trust_edit: patterns(TRUST_EDIT),
        }
    }

    /// For every role, how it may reach `class` (directly or through hops), or `None` when it provably cannot.
    pub fn reach(&self, class: &[Pattern]) -> Vec<Option<Path>> {
        let roles = &self.inventory.roles;
        let scps = &self.inventory.scps;
        let star = Pattern::resource("*");
        let mut step: Vec<Option<Step>> = roles
            .iter()
            .enumerate()
            .map(|(i, role)| {
                if let Some(grant) = allows(role, class, &star, scps) {
                    Some(Step::Final { holder: i, grant, edit: false })
                } else if let Some(grant) = self.caps[i].self_edit.clone() {
                    Some(Step::Final { holder: i, grant, edit: true })
                } else {
                    self.caps[i].to_outside.clone().map(|_| Step::Outside)
                }
            })
            .collect();
        let mut queue: VecDeque<usize> = (0..roles.len()).filter(|&i| step[i].is_some()).collect();
        // Only roles with some way to act as another can gain a path through a hop.
        let hoppers: Vec<usize> = (0..roles.len()).filter(|&a| self.caps[a].can_hop()).collect();
        while let Some(b) = queue.pop_front() {
            for &a in &hoppers {
                if step[a].is_some() {
                    continue;
                }
                if let Some(hop) = self.hop(a, b) {
                    step[a] = Some(Step::Hop { next: b, hop });
                    queue.push_back(a);
                }
            }
        }
        let mut paths: Vec<Option<Path>> = (0..roles.len()).map(|a| self.path(a, &step)).collect();
        // A role that edits the policies of another it can act as makes it reach anything. Self-edits were seeds;
        // here the editor and the edited role differ, so it is a question about one role's whole closure.
        for (a, path) in paths.iter_mut().enumerate() {
            // A role that cannot hop has only itself in its closure, and a self-edit was a seed.
            if path.is_none() && !self.editors.is_empty() && self.caps[a].can_hop() {
                let known = self.edit_paths.borrow().get(&a).cloned();
                *path = known.unwrap_or_else(|| {
                    let found = self.edit_in_closure(a, &self.editors);
                    self.edit_paths.borrow_mut().insert(a, found.clone());
                    found
                });
            }
        }
        paths
    }

    /// A hop from role `a` to role `b`, if `a` may act as `b`.
    fn hop(&self, a: usize, b: usize) -> Option<Hop> {
        if a == b {
            return None;
        }
        if let Some(known) = self.hops.borrow().get(&(a, b)) {
            return known.clone();
        }
        let hop = self.work_out_hop(a, b);
        self.hops.borrow_mut().insert((a, b), hop.clone());
        hop
    }

    fn work_out_hop(&self, a: usize, b: usize) -> Option<Hop> {
        let (roles, scps, caps) = (&self.inventory.roles, &self.inventory.scps, &self.caps[a]);
        let (from, to) = (&roles[a], &roles[b]);
        let hop = |via, grants| Some(Hop { from: from.name.clone(), to: to.name.clone(), via, grants });
        let target = Pattern::resource(&to.arn);
        if caps.assume {
            if let Some(g) = allows(from, &self.assume, &target, scps) {
                if let Some(t) = trust_admits(to, &|kind, v| aws_principal_matches(kind, v, from)) {
                    return hop(Via::AssumeRole, vec![g, t]);
                }
                if let Some(e) = allows(from, &self.trust_edit, &target, scps) {
                    return hop(Via::TrustEdit, vec![e, g]);
                }
            }
        }
        if !caps.starts.is_empty() {
            if let Some(p) = allows(from, &self.pass, &target, scps) {
                for (i, start) in &caps.starts {
                    if let Some(t) = &self.trusts_service[b][*i] {
                        return hop(Via::PassRole, vec![p, start.clone(), t.clone()]);
                    }
                }
            }
        }
        for (i, grant) in &caps.service_paths {
            let (via, service, _) = SERVICE_PATHS[*i];
            let c = COMPUTE.iter().position(|c| c.service == service).expect("service paths name compute services");
            if let Some(t) = &self.trusts_service[b][c] {
                return hop(via, vec![grant.clone(), t.clone()]);
            }
        }
        None
    }

    fn path(&self, a: usize, step: &[Option<Step>]) -> Option<Path> {
        let mut hops = Vec::new();
        let mut at = a;
        loop {
            match step[at].as_ref()? {
                Step::Final { holder, grant, edit } => {
                    let holder = self.inventory.roles[*holder].name.clone();
                    return Some(Path { hops, holder, grant: grant.clone(), edit: *edit });
                }
                Step::Outside => {
                    hops.extend(self.caps[at].to_outside.clone());
                    return Some(Path { hops, holder: OUTSIDE.to_string(), grant: outside_grant(), edit: true });
                }
                Step::Hop { next, hop } => {
                    hops.push(hop.clone());
                    at = *next;
                }
            }
        }
    }

    /// Searches `a`'s closure for an editor and an edited role both in it; the path leads to the edited role.
    fn edit_in_closure(&self, a: usize, editors: &[usize]) -> Option<Path> {
        let roles = &self.inventory.roles;
        let mut prev: Vec<Option<(usize, Hop)>> = vec![None; roles.len()];
        let mut seen = vec![false; roles.len()];
        let mut order = vec![a];
        seen[a] = true;
        let mut i = 0;
        while i < order.len() {
            let r = order[i];
            i += 1;
            if !self.caps[r].can_hop() {
                continue;
            }
            for b in 0..roles.len() {
                if !seen[b] {
                    if let Some(hop) = self.hop(r, b) {
                        seen[b] = true;
                        prev[b] = Some((r, hop));
                        order.push(b);
                    }
                }
            }
        }
        for &r in editors.iter().filter(|&&r| seen[r]) {
            for &q in &order {
                if let Some(grant) = edit_grant(&roles[r], &roles[q], &self.inventory.scps) {
                    let mut hops = Vec::new();
                    let mut at = q;
                    while let Some((p, hop)) = prev[at].clone() {
                        hops.push(hop);
                        at = p;
                    }
                    hops.reverse();
                    return Some(Path { hops, holder: roles[r].name.clone(), grant, edit: true });
                }
            }
        }
        None
    }
}

/// May `editor` change `role`'s policies so that it gains permissions? The grant if so.
fn edit_grant(editor: &RolePolicies, role: &RolePolicies, scps: &[AttachedPolicy]) -> Option<Witness> {
    let target = Pattern::resource(&role.arn);
    if let Some(w) = allows(editor, &patterns(POLICY_EDIT), &target, scps) {
        return Some(w);
    }
    let has_deny = role.identity.iter().any(|p| p.document.statements.iter().any(|s| s.effect == Effect::Deny));
    if has_deny {
        if let Some(w) = allows(editor, &patterns(POLICY_REMOVE), &target, scps) {
            return Some(w);
        }
    }
    let versions = patterns(VERSION_EDIT);
    role.identity
        .iter()
        .chain(role.boundary.iter())
        .filter(|p| p.name.starts_with("arn:"))
        .find_map(|p| allows(editor, &versions, &Pattern::resource(&p.name), scps))
}

/// A hop from `role` to a role the input does not describe, if its grants can name one.
fn hop_to_outside(inventory: &Inventory, role: &RolePolicies, caps: &Capabilities) -> Option<Hop> {
    let any_role = Pattern::resource("arn:*:iam::*:role/*");
    let own_account = Pattern::resource(&format!("arn:*:iam::{}:role/*", role.account()));
    let known = |r: &Pattern| r.is_literal() && inventory.roles.iter().any(|k| k.arn == r.as_str());
    // Another account's roles are never in the input; this account's are when the input is complete.
    let outside = |r: &Pattern| r.intersects(&any_role) && !(inventory.complete && own_account.covers(r)) && !known(r);
    let hop = |via, grants| Some(Hop { from: role.name.clone(), to: OUTSIDE.to_string(), via, grants });
    let scps = &inventory.scps;
    if caps.assume {
        if let Some(g) = allows_where(role, &patterns(ASSUME), &any_role, scps, &outside) {
            return hop(Via::AssumeRole, vec![g]);
        }
    }
    if inventory.complete {
        // Passing roles and running code stay in the account, all of whose roles are known.
        return None;
    }
    if let Some(start) = caps.starts.first() {
        if let Some(p) = allows_where(role, &patterns(PASS), &any_role, scps, &outside) {
            return hop(Via::PassRole, vec![p, start.1.clone()]);
        }
    }
    caps.service_paths.first().and_then(|(i, grant)| hop(SERVICE_PATHS[*i].0, vec![grant.clone()]))
}

fn outside_grant() -> Witness {
    Witness {
        action: "*".into(),
        resource: "*".into(),
        policy: "(not in the input: may hold any permission)".into(),
        statement: "-".into(),
    }
}

/// The statement of `role`'s trust policy that lets a principal `admits` accepts assume it; a placeholder witness
/// when the trust policy is unknown.
fn trust_admits(role: &RolePolicies, admits: &dyn Fn(&str, &str) -> bool) -> Option<Witness> {
    let witness = |statement: String, principal: &str| Witness {
        action: "sts:AssumeRole".into(),
        resource: principal.to_string(),
        policy: format!("trust policy of {}", role.name),
        statement,
    };
    let Some(trust) = &role.trust else {
        return Some(Witness {
            policy: format!("trust policy of {} (not in the input)", role.name),
            ..witness("-".into(), "*")
        });
    };
    assume_statements(trust).find_map(|s| match &s.principals {
        // No principal, or NotPrincipal: admits more than we can rule out.
        None | Some((true, _)) => Some(witness(s.label(), "*")),
        Some((false, by_kind)) => by_kind
            .iter()
            .find_map(|(kind, values)| values.iter().find(|v| admits(kind, v)).map(|v| witness(s.label(), v))),
    })
}

fn assume_statements(trust: &PolicyDocument) -> impl Iterator<Item = &super::policy::Statement> {
    let assume = Pattern::action("sts:AssumeRole");
    trust.statements.iter().filter(move |s| {
        s.effect == Effect::Allow
            && match &s.actions {
                Matcher::Only(ps) => ps.iter().any(|p| p.matches("sts:AssumeRole")),
                Matcher::AllBut(ps) => !ps.iter().any(|p| p.covers(&assume)),
            }
    })
}

fn service_matches(kind: &str, value: &str, service: &str) -> bool {
    kind == "*" || value == "*" || (kind.eq_ignore_ascii_case("Service") && value.eq_ignore_ascii_case(service))
}

/// Does a trust policy's principal entry name `role` (directly, its account, or a wildcard)?
fn aws_principal_matches(kind: &str, value: &str, role: &RolePolicies) -> bool {
    if kind == "*" || value == "*" {
        return true;
    }
    if !kind.eq_ignore_ascii_case("AWS") {
        return false;
    }
    let account = role.account();
    value == role.arn
        || value == account
        || value == format!("arn:aws:iam::{account}:root")
        || value.starts_with(&format!("arn:aws:sts::{account}:assumed-role/{}/", role.name))
        || (value.contains('*') && Pattern::resource(value).matches(&role.arn))
}

#[cfg(test)]
mod tests;
