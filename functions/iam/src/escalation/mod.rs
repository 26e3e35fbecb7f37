//! Escalation paths: the ways a principal comes to act with permissions it does not hold, and the classes it reaches
//! that way.
//!
//! The principals of the input (roles and users), its groups, and three stand-ins are the nodes of a graph: a
//! principal outside the input ([`OUTSIDE`], which may hold any permission), a principal the caller creates
//! ([`NEW_PRINCIPAL`]), and a principal whose policies were rewritten (any permission its boundary and the SCPs
//! allow). An edge says "acts as": by assuming a role, by passing it to compute it starts, by reusing compute that
//! already runs as it, by a user's credentials, by joining a group, by creating a principal. Which edges exist is
//! decided by rules, and each rule is sound for what nobody listed (see [`crate::methods`]):
//! - a role its trust policy lets the caller assume (Deny included), or whose trust policy the caller rewrites;
//! - `iam:PassRole` to a service that may assume the role, with a start action of that service (the table's, for the
//!   services it lists) or, for a service it does not list, any write-level action of that service ("unmodelled
//!   service"); `iam:PassedToService` and `iam:AssociatedResourceArn` conditions are decided per service;
//! - any action that changes what running compute executes, or opens a session in it, reaches every role that
//!   service may assume;
//! - a user's access keys or console password; a group the caller can add a user it acts as to;
//! - a role or user it can create and give permissions to.
//!
//! A policy edit (inline or attached policies, a customer-managed policy's versions, a boundary) makes a principal
//! powerful, and counts for a caller that can both make the edit (as itself or as a principal it acts as) and act
//! as the edited principal; a boundary still cuts what the edit writes unless the caller can change the boundary
//! too, and `SetDefaultPolicyVersion` reaches only what the policy's versions grant when all of them are known.
//! AWS-managed policies cannot be edited. An unknown trust policy admits any principal and any service.
//!
//! The graph is built once; the edits are added until nothing changes; then each class is one backward search from
//! the nodes that hold it, and each principal's witness is the path it finds.

mod conditions;
mod services;
mod trust;

use super::bitset::Bitset;
use super::methods::{
    Yields, BOUNDARY_EDITS, GROUP_POLICY_EDITS, GROUP_POLICY_REMOVALS, METHODS, POLICY_REMOVALS, POLICY_VERSION_CREATE,
    POLICY_VERSION_DEFAULT, ROLE_POLICY_EDITS, USER_CREDENTIALS, USER_POLICY_EDITS,
};
use super::policy::{parse_policy, Effect, Matcher, PolicyDocument, Statement};
use super::reasoner::{
    allowed_among, allows, allows_filtered, allows_where, ArnIndex, AttachedPolicy, Group, Principal, PrincipalKind,
    Witness,
};
use crate::duties::Exemption;
use crate::Pattern;
pub(crate) use build::is_customer_managed;
use serde::Serialize;
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, VecDeque};

/// The principals under audit and what bounds them.
#[derive(Debug, Clone, Default)]
pub struct Inventory {
    /// Every role and user in the input.
    pub principals: Vec<Principal>,
    /// Every group in the input (members carry their groups' policies already).
    pub groups: Vec<Group>,
    /// Service control policies that apply to every principal (empty when none are given).
    pub scps: Vec<AttachedPolicy>,
    /// True when the input lists every principal of its account (authorization details, the live account).
    /// Otherwise a pattern that can name a principal not listed may lead to [`OUTSIDE`].
    pub complete: bool,
    /// Every version of the customer-managed policies the input describes in full, by policy ARN: version id and
    /// document.
    pub policy_versions: BTreeMap<String, Vec<(String, PolicyDocument)>>,
}

/// The name used for any principal the input does not describe.
pub const OUTSIDE: &str = "(a role outside the input)";
/// The name used for a principal the caller creates.
pub const NEW_PRINCIPAL: &str = "(a principal it creates)";

/// How one principal comes to act as another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Via {
    /// `sts:AssumeRole`, allowed by both sides.
    AssumeRole,
    /// `iam:UpdateAssumeRolePolicy` on the other role, then `sts:AssumeRole`.
    TrustEdit,
    /// `iam:PassRole` to compute of a service the table lists, started by one of its actions.
    PassRole,
    /// `iam:PassRole` to a service the table does not list, with a write-level action of that service.
    PassRoleToUnmodelledService,
    /// Compute already running as the role, reused (its code, configuration or a session in it).
    ReuseCompute,
    /// A user's access keys or console password.
    UserCredentials,
    /// A user it acts as added to a group.
    JoinGroup,
    /// A principal's policies changed so it can do more.
    PolicyEdit,
    /// A principal created and given permissions.
    NewPrincipal,
}

/// One step of an escalation path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hop {
    /// The principal acting.
    pub from: String,
    /// The principal it comes to act as.
    pub to: String,
    /// How.
    pub via: Via,
    /// The method of the table (or the rule) this step is an instance of.
    pub method: String,
    /// The grants that make the step possible (the caller's, then the other side's trust).
    pub grants: Vec<Witness>,
}

/// What a path ends in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum End {
    /// An action of the class, granted to the holder.
    Action,
    /// A policy edit that can add an action of the class.
    PolicyEdit,
    /// A principal outside the input, which may hold any permission.
    #[serde(rename = "unknown-role")]
    UnknownPrincipal,
    /// A principal the caller creates with any permission.
    NewPrincipal,
}

/// How a principal reaches a class: the hops taken (none for a direct grant) and the final grant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Path {
    /// Hops, in order, from the audited principal.
    pub hops: Vec<Hop>,
    /// The principal holding the final grant.
    pub holder: String,
    /// The final grant: an action of the class, a policy edit that can add one, or the first grant of a creation.
    pub grant: Witness,
    /// What the final grant is.
    pub end: End,
}

const ASSUME: &[&str] = &["sts:AssumeRole"];
const PASS: &[&str] = &["iam:PassRole"];
const TRUST_EDIT: &[&str] = &["iam:UpdateAssumeRolePolicy"];
const ADD_TO_GROUP: &[&str] = &["iam:AddUserToGroup"];
const CREATE_ROLE: &[&str] = &["iam:CreateRole"];
const CREATE_USER: &[&str] = &["iam:CreateUser"];
const NEW_ROLE_POLICY: &[&str] = &["iam:PutRolePolicy", "iam:AttachRolePolicy"];
const NEW_USER_POLICY: &[&str] = &["iam:PutUserPolicy", "iam:AttachUserPolicy"];
const NEW_USER_CREDENTIALS: &[&str] = &["iam:CreateAccessKey", "iam:CreateLoginProfile"];

fn patterns(actions: &[&str]) -> Vec<Pattern> {
    actions.iter().map(|a| Pattern::action(a)).collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Node {
    Principal(usize),
    Group(usize),
    /// A principal with a boundary whose policies were rewritten: anything its boundary allows.
    Rewritten(usize),
    /// A principal with one customer-managed policy (or its boundary, `None`) switched to any of its versions.
    Versions {
        principal: usize,
        policy: Option<usize>,
    },
    Outside,
    New,
    /// A principal (or group) rewritten with no boundary in the way: anything the SCPs allow.
    Edited,
}

/// An edit a node can make: `edited` gains what `target` stands for.
#[derive(Debug, Clone, Copy)]
struct Edit {
    edited: usize,
    target: usize,
}

/// A "can edit and act as" edge, added by the fixpoint: `editor` edits `edited`, both in the source's reach.
#[derive(Debug, Clone, Copy)]
struct EditEdge {
    editor: usize,
    edited: usize,
    round: usize,
}

/// The escalation graph of an inventory, ready to answer per class.
pub struct Escalation<'a> {
    inventory: &'a Inventory,
    nodes: Vec<Node>,
    views: Vec<Cow<'a, Principal>>,
    succ: Vec<Bitset>,
    pred: Vec<Bitset>,
    edit_edges: HashMap<(usize, usize), EditEdge>,
    /// Every service whose trusted roles a rule may reach.
    services: Vec<String>,
}

/// An index of ARNs and the node each stands for.
struct Space {
    index: ArnIndex,
    nodes: Vec<usize>,
}

impl<'a> Escalation<'a> {
    /// Works out what every principal in `inventory` can do towards the others.
    pub fn new(inventory: &'a Inventory) -> Self {
        let builder = Builder::new(inventory);
        builder.build()
    }

    fn view(&self, v: usize) -> &Principal {
        &self.views[v]
    }

    fn name(&self, v: usize) -> String {
        match self.nodes[v] {
            Node::Outside => OUTSIDE.to_string(),
            Node::New => NEW_PRINCIPAL.to_string(),
            _ => self.view(v).name.clone(),
        }
    }

    /// For every principal, how it may reach `class` (directly or through hops), or `None` when it provably cannot.
    pub fn reach(&self, class: &[Pattern]) -> Vec<Option<Path>> {
        self.reach_except(class, &[])
    }

    /// [`Escalation::reach`] for a class with exemptions: a grant of an exempt action counts unless its resource
    /// pattern lies wholly inside one of the exemption's resources (proven on the automata, so a grant on `*`, on a
    /// `NotResource`, or on anything wider than the exemption still counts); the class's other actions count on
    /// every resource.
    pub fn reach_except(&self, class: &[Pattern], exemptions: &[&Exemption]) -> Vec<Option<Path>> {
        let exempt_actions: Vec<&Pattern> = exemptions.iter().flat_map(|e| &e.actions).collect();
        let rest: Vec<Pattern> = class.iter().filter(|c| !exempt_actions.contains(c)).cloned().collect();
        let grant = |view: &Principal, star: &Pattern, scps: &[AttachedPolicy]| {
            allows(view, &rest, star, scps).or_else(|| {
                exemptions.iter().find_map(|e| {
                    allows_where(view, &e.actions, star, scps, &|r: &Pattern| !e.resources.iter().any(|x| x.covers(r)))
                })
            })
        };
        let n = self.nodes.len();
        let scps = &self.inventory.scps;
        let star = Pattern::resource("*");
        let allowed_by_scps = scps.is_empty() || allows(&admin(), class, &star, scps).is_some();
        let direct: Vec<Option<Witness>> = (0..n)
            .map(|v| match self.nodes[v] {
                Node::Outside => Some(outside_grant()),
                Node::New | Node::Edited => allowed_by_scps.then(outside_grant),
                _ => grant(self.view(v), &star, scps),
            })
            .collect();
        // Backward search from every holder: each node learns its next step towards the nearest one.
        let mut next: Vec<Option<usize>> = vec![None; n];
        let mut seen = Bitset::empty(n);
        let mut queue: VecDeque<usize> = VecDeque::new();
        // Concrete holders first, then an edit, a creation, and last a principal outside the input: when paths
        // are as short, the witness names what is in the input.
        let rank = |v: usize| match self.nodes[v] {
            Node::Edited => 1,
            Node::New => 2,
            Node::Outside => 3,
            _ => 0,
        };
        let mut seeds: Vec<usize> = (0..n).filter(|&v| direct[v].is_some()).collect();
        seeds.sort_by_key(|&v| rank(v));
        for v in seeds {
            seen.insert(v);
            queue.push_back(v);
        }
        while let Some(b) = queue.pop_front() {
            let mut fresh = self.pred[b].clone();
            fresh.subtract(&seen);
            for a in fresh.iter() {
                seen.insert(a);
                next[a] = Some(b);
                queue.push_back(a);
            }
        }
        (0..self.inventory.principals.len()).map(|p| seen.contains(p).then(|| self.path(p, &next, &direct))).collect()
    }

    fn path(&self, p: usize, next: &[Option<usize>], direct: &[Option<Witness>]) -> Path {
        let mut hops = Vec::new();
        let mut at = p;
        let mut last_edit: Option<(usize, usize, Witness)> = None;
        while let Some(b) = next[at] {
            let (mut step, edit) = self.explain(at, b, usize::MAX);
            hops.append(&mut step);
            // An edit in the middle of a path is a hop; the last one is where the path ends.
            if let Some((editor, edited, grant)) = edit {
                if next[b].is_some() {
                    hops.push(self.edit_hop(editor, edited, grant));
                } else {
                    last_edit = Some((editor, edited, grant));
                }
            }
            at = b;
        }
        let grant = direct[at].clone().unwrap_or_else(outside_grant);
        match self.nodes[at] {
            Node::Outside => Path { hops, holder: OUTSIDE.into(), grant, end: End::UnknownPrincipal },
            Node::New => {
                let grant = hops.last().and_then(|h| h.grants.first().cloned()).unwrap_or(grant);
                Path { hops, holder: NEW_PRINCIPAL.into(), grant, end: End::NewPrincipal }
            }
            Node::Edited | Node::Rewritten(_) => match last_edit {
                Some((editor, _, grant)) => Path { hops, holder: self.name(editor), grant, end: End::PolicyEdit },
                None => Path { hops, holder: self.name(at), grant, end: End::Action },
            },
            // Another version of a policy: the switch is a hop, the version's grant the end.
            Node::Versions { .. } => {
                if let Some((editor, edited, edit)) = last_edit {
                    hops.push(self.edit_hop(editor, edited, edit));
                }
                Path { hops, holder: self.name(at), grant, end: End::Action }
            }
            _ => Path { hops, holder: self.name(at), grant, end: End::Action },
        }
    }

    /// The hops that make edge `a → b`; for an edit edge, the hops to the editor and to the edited principal, and
    /// the edit itself (editor, edited, grant) for the caller to place. Edit edges are explained by paths among edges
    /// of earlier rounds, so explanations never loop.
    fn explain(&self, a: usize, b: usize, before_round: usize) -> (Vec<Hop>, Option<(usize, usize, Witness)>) {
        if let Some(e) = self.edit_edges.get(&(a, b)).filter(|e| e.round < before_round) {
            let mut hops = self.steps(a, e.editor, e.round);
            if e.edited != e.editor {
                hops.extend(self.steps(a, e.edited, e.round));
            }
            let grant = self.edit_grant(e.editor, e.edited).unwrap_or_else(outside_grant);
            return (hops, Some((e.editor, e.edited, grant)));
        }
        (self.explain_base(a, b).into_iter().collect(), None)
    }

    fn edit_hop(&self, editor: usize, edited: usize, grant: Witness) -> Hop {
        Hop {
            from: self.name(editor),
            to: self.name(edited),
            via: Via::PolicyEdit,
            method: format!("edit {}'s policies", self.name(edited)),
            grants: vec![grant],
        }
    }

    /// Hops from `from` to `to` over edges of rounds before `round` (none when they are the same node).
    fn steps(&self, from: usize, to: usize, round: usize) -> Vec<Hop> {
        if from == to {
            return Vec::new();
        }
        let n = self.nodes.len();
        let mut prev: Vec<Option<usize>> = vec![None; n];
        let mut seen = Bitset::empty(n);
        seen.insert(from);
        let mut queue = VecDeque::from([from]);
        while let Some(v) = queue.pop_front() {
            if v == to {
                break;
            }
            let mut fresh = self.succ[v].clone();
            fresh.subtract(&seen);
            for w in fresh.iter() {
                let usable = self.edit_edges.get(&(v, w)).is_none_or(|e| e.round < round);
                if usable {
                    seen.insert(w);
                    prev[w] = Some(v);
                    queue.push_back(w);
                }
            }
        }
        let mut chain = vec![to];
        while let Some(p) = prev[*chain.last().unwrap_or(&from)] {
            chain.push(p);
        }
        chain.reverse();
        chain
            .windows(2)
            .flat_map(|w| {
                let (mut hops, edit) = self.explain(w[0], w[1], round);
                hops.extend(edit.map(|(editor, edited, grant)| self.edit_hop(editor, edited, grant)));
                hops
            })
            .collect()
    }
}

/// A principal allowed everything: what a rewritten or created principal may become (the SCPs still apply).
fn admin() -> Principal {
    Principal {
        name: "(any permission)".into(),
        identity: vec![AttachedPolicy {
            name: "(rewritten: any permission)".into(),
            document: parse_policy(r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#)
                .expect("a fixed, valid document"),
        }],
        ..Default::default()
    }
}

fn outside_grant() -> Witness {
    Witness {
        action: "*".into(),
        resource: "*".into(),
        policy: "(not in the input: may hold any permission)".into(),
        statement: "-".into(),
    }
}

mod build;
mod explain;
mod graph;

use build::Builder;

#[cfg(test)]
mod tests;
