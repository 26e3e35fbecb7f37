//! Building the graph: the nodes, every rule's edges, the edits, and the fixpoint that turns "can edit" and "can act
//! as" into edges.

use super::conditions::{excludes_service, names_services_exactly};
use super::graph::{reached_by, transpose};
use super::services::{compute_starts, is_modelled, may_write, prefixes, write_actions};
use super::trust::{self, Caller};
use super::*;
use crate::policy::Services;
use crate::reasoner::may_grant;

pub(super) struct Builder<'a> {
    inventory: &'a Inventory,
    nodes: Vec<Node>,
    views: Vec<Cow<'a, Principal>>,
    principals: Space,
    groups: Space,
    /// Customer-managed policies attached to principals or groups, by ARN.
    policies: ArnIndex,
    policy_arns: Vec<String>,
    roles: Bitset,
    users: Bitset,
    unknown_trust: Bitset,
    with_deny: Bitset,
    services: Vec<String>,
    trusted_by: HashMap<String, Bitset>,
    rewritten: HashMap<usize, usize>,
    versions: HashMap<(usize, Option<usize>), usize>,
    outside: usize,
    new: usize,
    edited: usize,
}

impl<'a> Builder<'a> {
    pub(super) fn new(inventory: &'a Inventory) -> Self {
        let principals = &inventory.principals;
        let p = principals.len();
        let mut nodes: Vec<Node> = (0..p).map(Node::Principal).collect();
        let mut views: Vec<Cow<'a, Principal>> = principals.iter().map(Cow::Borrowed).collect();
        for (g, group) in inventory.groups.iter().enumerate() {
            nodes.push(Node::Group(g));
            views.push(Cow::Owned(Principal {
                kind: PrincipalKind::User,
                name: format!("{} (group)", group.name),
                arn: group.arn.clone(),
                identity: group.policies.clone(),
                ..Default::default()
            }));
        }
        // A rewritten principal with a boundary keeps it: its own node, allowed what the boundary allows.
        let mut rewritten = HashMap::new();
        for (i, principal) in principals.iter().enumerate().filter(|(_, x)| x.boundary.is_some()) {
            rewritten.insert(i, nodes.len());
            nodes.push(Node::Rewritten(i));
            views.push(Cow::Owned(Principal {
                name: format!("{} (rewritten)", principal.name),
                identity: admin().identity,
                groups: Vec::new(),
                ..principal.clone()
            }));
        }
        // A principal with a customer-managed policy (or boundary) whose every version is known: switched to any.
        let mut versions = HashMap::new();
        for (i, principal) in principals.iter().enumerate() {
            let attached = principal.identity.iter().enumerate().map(|(k, a)| (Some(k), a));
            for (k, policy) in attached.chain(principal.boundary.iter().map(|b| (None, b))) {
                let Some(all) = inventory.policy_versions.get(&policy.name).filter(|v| v.len() > 1) else { continue };
                let mut view = principal.clone();
                view.name = format!("{} ({} at any version)", principal.name, policy.name);
                // Each version's grants, without its Denies: only one version is in force at a time, so a Deny of
                // one must not take away another's grant.
                let every: Vec<AttachedPolicy> = all
                    .iter()
                    .map(|(id, document)| AttachedPolicy {
                        name: format!("{} version {id}", policy.name),
                        document: PolicyDocument {
                            version: document.version.clone(),
                            statements: document
                                .statements
                                .iter()
                                .filter(|s| s.effect == Effect::Allow)
                                .cloned()
                                .collect(),
                        },
                    })
                    .collect();
                match k {
                    Some(k) => {
                        view.identity.remove(k);
                        view.identity.extend(every);
                    }
                    None => {
                        // Any version's statements may bound it: their union.
                        let statements = every.iter().flat_map(|a| a.document.statements.clone()).collect();
                        view.boundary = Some(AttachedPolicy {
                            name: format!("{} at any version", policy.name),
                            document: PolicyDocument { version: None, statements },
                        });
                    }
                }
                versions.insert((i, k), nodes.len());
                nodes.push(Node::Versions { principal: i, policy: k });
                views.push(Cow::Owned(view));
            }
        }
        let outside = nodes.len();
        nodes.push(Node::Outside);
        views.push(Cow::Owned(Principal { name: OUTSIDE.into(), ..admin() }));
        let new = nodes.len();
        nodes.push(Node::New);
        views.push(Cow::Owned(Principal { name: NEW_PRINCIPAL.into(), ..admin() }));
        let edited = nodes.len();
        nodes.push(Node::Edited);
        views.push(Cow::Owned(Principal { name: "(rewritten: any permission)".into(), ..admin() }));

        let principal_space =
            Space { index: ArnIndex::new(principals.iter().map(|x| x.arn.clone()).collect()), nodes: (0..p).collect() };
        let group_space = Space {
            index: ArnIndex::new(inventory.groups.iter().map(|g| g.arn.clone()).collect()),
            nodes: (0..inventory.groups.len()).map(|g| p + g).collect(),
        };
        let mut policy_arns: Vec<String> = principals
            .iter()
            .flat_map(|x| x.identity.iter().chain(x.boundary.iter()))
            .chain(inventory.groups.iter().flat_map(|g| g.policies.iter()))
            .map(|a| a.name.clone())
            .filter(|name| is_customer_managed(name))
            .collect();
        policy_arns.sort();
        policy_arns.dedup();
        let mut roles = Bitset::empty(p);
        let mut users = Bitset::empty(p);
        let mut unknown_trust = Bitset::empty(p);
        let mut with_deny = Bitset::empty(p);
        for (i, x) in principals.iter().enumerate() {
            match x.kind {
                PrincipalKind::Role => roles.insert(i),
                PrincipalKind::User => users.insert(i),
            }
            if x.kind == PrincipalKind::Role && x.trust.is_none() {
                unknown_trust.insert(i);
            }
            if x.identity.iter().any(|a| a.document.statements.iter().any(|s| s.effect == Effect::Deny)) {
                with_deny.insert(i);
            }
        }
        // Every service whose trusted roles a rule may reach: the table's, and every one a trust policy names.
        let mut services: Vec<String> = compute_starts().iter().map(|(s, _)| s.to_string()).collect();
        for m in METHODS {
            if let Yields::ReuseCompute(s) = m.yields {
                services.push(s.to_string());
            }
        }
        for x in principals {
            if let Some(t) = &x.trust {
                services.extend(trust::services_named(t).map(str::to_ascii_lowercase));
            }
        }
        services.sort();
        services.dedup();
        let trusted_by = services
            .iter()
            .map(|s| {
                let mut set = Bitset::empty(p);
                for (i, x) in principals.iter().enumerate() {
                    if trust::trusts(x, Caller::Service(s)) {
                        set.insert(i);
                    }
                }
                (s.clone(), set)
            })
            .collect();
        Self {
            inventory,
            nodes,
            views,
            principals: principal_space,
            groups: group_space,
            policies: ArnIndex::new(policy_arns.clone()),
            policy_arns,
            roles,
            users,
            unknown_trust,
            with_deny,
            services,
            trusted_by,
            rewritten,
            versions,
            outside,
            new,
            edited,
        }
    }

    pub(super) fn build(self) -> Escalation<'a> {
        let n = self.nodes.len();
        let mut succ: Vec<Bitset> = vec![Bitset::empty(n); n];
        let mut edits: Vec<(usize, Vec<Edit>)> = Vec::new();
        for (v, row) in succ.iter_mut().enumerate() {
            if matches!(self.nodes[v], Node::Outside | Node::New | Node::Edited) {
                continue;
            }
            self.edges(v, row);
            let e = self.edits(v);
            if !e.is_empty() {
                edits.push((v, e));
            }
        }
        // Edits become edges from every node that reaches both the editor and the edited principal. An editor's
        // edits with the same outcome are taken together (one editor may edit every role).
        let mut grouped: Vec<(usize, usize, Vec<usize>)> = Vec::new();
        for (editor, list) in &edits {
            let mut by_target: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
            for e in list {
                by_target.entry(e.target).or_default().push(e.edited);
            }
            grouped.extend(by_target.into_iter().map(|(target, edited)| (*editor, target, edited)));
        }
        let mut edit_edges = HashMap::new();
        let mut round = 1;
        loop {
            let reach = reached_by(&succ);
            let mut added = false;
            for (editor, target, edited) in &grouped {
                let mut sources = Bitset::empty(n);
                for &x in edited {
                    sources.union_with(&reach[x]);
                }
                sources.intersect_with(&reach[*editor]);
                for s in sources.iter() {
                    if s != *target && !succ[s].contains(*target) {
                        succ[s].insert(*target);
                        let x = edited.iter().copied().find(|&x| reach[x].contains(s)).unwrap_or(edited[0]);
                        edit_edges.insert((s, *target), EditEdge { editor: *editor, edited: x, round });
                        added = true;
                    }
                }
            }
            if !added {
                break;
            }
            round += 1;
        }
        let pred = transpose(&succ);
        Escalation {
            inventory: self.inventory,
            nodes: self.nodes,
            views: self.views,
            succ,
            pred,
            edit_edges,
            services: self.services,
        }
    }

    fn caller(&self, v: usize) -> Caller<'_> {
        match self.nodes[v] {
            Node::Group(g) => Caller::AnyUserOf(account_of(&self.inventory.groups[g].arn)),
            _ => Caller::Principal(&self.views[v]),
        }
    }

    /// Every edge of node `v` but the edit edges.
    fn edges(&self, v: usize, out: &mut Bitset) {
        let view: &Principal = &self.views[v];
        let scps = &self.inventory.scps;
        let star = Pattern::resource("*");
        // Most questions name services the principal holds nothing of: answered without the reasoner.
        let held = Services::allowed_by(view.identity.iter().map(|p| &p.document));
        let may = |actions: &[Pattern]| {
            actions.iter().any(|a| held.may_include(a)) && allows(view, actions, &star, scps).is_some()
        };
        let among = |actions: &[Pattern], space: &Space, statement: &dyn Fn(&Statement) -> bool| {
            allowed_among(view, actions, &space.index, scps, statement)
        };
        let to_nodes = |set: &Bitset, space: &Space, out: &mut Bitset| {
            for i in set.iter() {
                out.insert(space.nodes[i]);
            }
        };
        let (assume, pass, trust_edit) = (patterns(ASSUME), patterns(PASS), patterns(TRUST_EDIT));
        let complete = self.inventory.complete;

        if may(&assume) {
            let mut allowed = among(&assume, &self.principals, &|_| true);
            allowed.intersect_with(&self.roles);
            let mut editable = allowed.clone();
            editable.intersect_with(&among(&trust_edit, &self.principals, &|_| true));
            for r in allowed.iter() {
                if editable.contains(r) || trust::trusts(&self.inventory.principals[r], self.caller(v)) {
                    out.insert(r);
                }
            }
            if assume_outside(self.inventory, view, scps).is_some() {
                out.insert(self.outside);
            }
        }
        let writes_any = std::cell::OnceCell::new();
        let writes_any = || *writes_any.get_or_init(|| holds_any_write(view));
        if may(&pass) {
            let mut reached = Bitset::empty(self.inventory.principals.len());
            let mut starts_any = false;
            // Which roles it may pass to `service`: worked out per service only when a PassRole grant has a
            // condition that could tell services apart.
            let conditioned = view
                .identity
                .iter()
                .flat_map(|p| &p.document.statements)
                .any(|s| s.effect == Effect::Allow && s.is_conditional() && may_grant(s, &pass[0]));
            let unconditioned = among(&pass, &self.principals, &|_| true);
            let passable = |service: &str| {
                if conditioned {
                    among(&pass, &self.principals, &|s| !excludes_service(s, service))
                } else {
                    unconditioned.clone()
                }
            };
            for (service, starts) in compute_starts() {
                if may(starts) {
                    starts_any = true;
                    let mut set = passable(service);
                    set.intersect_with(&self.trusted_by[*service]);
                    reached.union_with(&set);
                }
            }
            for service in self.services.iter().filter(|s| !is_modelled(s)) {
                if holds_write_of(view, service, scps) {
                    let mut set = passable(service);
                    set.intersect_with(&self.trusted_by[service]);
                    reached.union_with(&set);
                }
            }
            // A role whose trust policy is unknown may be trusted by a service nobody listed.
            if writes_any() {
                let mut set = among(&pass, &self.principals, &|s| names_services_exactly(s).is_none());
                set.intersect_with(&self.unknown_trust);
                reached.union_with(&set);
            }
            to_nodes(&reached, &self.principals, out);
            if !complete && (starts_any || writes_any()) && pass_outside(self.inventory, view, scps).is_some() {
                out.insert(self.outside);
            }
        }
        for (service, actions) in reuse_methods() {
            if actions.iter().all(|a| may(std::slice::from_ref(a))) {
                to_nodes(&self.trusted_by[*service], &self.principals, out);
                if !complete {
                    out.insert(self.outside);
                }
            }
        }
        let credentials = patterns(USER_CREDENTIALS);
        let mut own_users = Bitset::empty(self.inventory.principals.len());
        if may(&credentials) {
            own_users = among(&credentials, &self.principals, &|_| true);
            own_users.intersect_with(&self.users);
            to_nodes(&own_users, &self.principals, out);
            if !complete && credentials_outside(view, scps).is_some() {
                out.insert(self.outside);
            }
        }
        let add = patterns(ADD_TO_GROUP);
        if may(&add) {
            let acts_as_user = view.kind == PrincipalKind::User || !own_users.is_empty() || creates_user(view, scps);
            if acts_as_user {
                to_nodes(&among(&add, &self.groups, &|_| true), &self.groups, out);
            }
        }
        if new_principal(view, scps, writes_any).is_some() {
            out.insert(self.new);
        }
    }

    /// The edits node `v` can make, whoever acts as whom.
    fn edits(&self, v: usize) -> Vec<Edit> {
        let view: &Principal = &self.views[v];
        let scps = &self.inventory.scps;
        let among =
            |actions: &[&str], index: &ArnIndex| allowed_among(view, &patterns(actions), index, scps, &|_| true);
        if !Services::allowed_by(view.identity.iter().map(|p| &p.document)).may_include(&patterns(CREATE_ROLE)[0]) {
            return Vec::new();
        }
        let quick = |actions: &[&str]| allows(view, &patterns(actions), &Pattern::resource("*"), scps).is_some();
        let mut out = Vec::new();
        let any_edit =
            [ROLE_POLICY_EDITS, USER_POLICY_EDITS, POLICY_REMOVALS, GROUP_POLICY_EDITS, GROUP_POLICY_REMOVALS]
                .iter()
                .chain([POLICY_VERSION_CREATE, POLICY_VERSION_DEFAULT].iter())
                .any(|a| quick(a));
        if !any_edit {
            return out;
        }
        let boundaries = among(BOUNDARY_EDITS, &self.principals.index);
        let target = |x: usize| {
            let unbounded = self.inventory.principals[x].boundary.is_none() || boundaries.contains(x);
            if unbounded {
                self.edited
            } else {
                self.rewritten[&x]
            }
        };
        let mut roles = among(ROLE_POLICY_EDITS, &self.principals.index);
        roles.intersect_with(&self.roles);
        let mut users = among(USER_POLICY_EDITS, &self.principals.index);
        users.intersect_with(&self.users);
        let mut removals = among(POLICY_REMOVALS, &self.principals.index);
        removals.intersect_with(&self.with_deny);
        let mut editable = roles;
        editable.union_with(&users);
        editable.union_with(&removals);
        for x in editable.iter() {
            out.push(Edit { edited: x, target: target(x) });
        }
        let created = among(POLICY_VERSION_CREATE, &self.policies);
        let defaulted = among(POLICY_VERSION_DEFAULT, &self.policies);
        if !created.is_empty() || !defaulted.is_empty() {
            let hit = |name: &str| self.policy_arns.binary_search_by(|a| a.as_str().cmp(name)).ok();
            for (x, principal) in self.inventory.principals.iter().enumerate() {
                let attached = principal.identity.iter().enumerate().map(|(k, a)| (Some(k), a));
                for (k, policy) in attached.chain(principal.boundary.iter().map(|b| (None, b))) {
                    let Some(i) = hit(&policy.name) else { continue };
                    if created.contains(i) {
                        // A new version of the boundary itself lifts it.
                        out.push(Edit { edited: x, target: if k.is_none() { self.edited } else { target(x) } });
                    } else if defaulted.contains(i) {
                        match (self.versions.get(&(x, k)), self.inventory.policy_versions.contains_key(&policy.name)) {
                            (Some(&node), _) => out.push(Edit { edited: x, target: node }),
                            // One version only: switching changes nothing.
                            (None, true) => {}
                            (None, false) => out.push(Edit { edited: x, target: target(x) }),
                        }
                    }
                }
            }
        }
        let group_edits = among(GROUP_POLICY_EDITS, &self.groups.index);
        let group_removals = among(GROUP_POLICY_REMOVALS, &self.groups.index);
        for (g, group) in self.inventory.groups.iter().enumerate() {
            let holds_deny =
                group.policies.iter().any(|p| p.document.statements.iter().any(|s| s.effect == Effect::Deny));
            let by_version = group.policies.iter().any(|policy| {
                self.policy_arns
                    .binary_search_by(|a| a.as_str().cmp(&policy.name))
                    .is_ok_and(|i| created.contains(i) || defaulted.contains(i))
            });
            if group_edits.contains(g) || by_version || (holds_deny && group_removals.contains(g)) {
                // Members gain what the edit adds, inside their own boundaries; a user who joins later gains it
                // through the group.
                out.push(Edit { edited: self.groups.nodes[g], target: self.edited });
                for (x, member) in self.inventory.principals.iter().enumerate() {
                    if member.groups.contains(&group.name) {
                        out.push(Edit { edited: x, target: target(x) });
                    }
                }
            }
        }
        out
    }
}

/// The reuse-compute methods: the service and the actions, parsed once.
fn reuse_methods() -> &'static [(&'static str, Vec<Pattern>)] {
    static REUSE: std::sync::OnceLock<Vec<(&'static str, Vec<Pattern>)>> = std::sync::OnceLock::new();
    REUSE.get_or_init(|| {
        METHODS
            .iter()
            .filter_map(|m| match m.yields {
                Yields::ReuseCompute(service) => Some((service, patterns(m.actions))),
                _ => None,
            })
            .collect()
    })
}

/// A managed policy a customer can edit: one of its own account's, never `arn:aws:iam::aws:policy/…`.
pub(crate) fn is_customer_managed(name: &str) -> bool {
    name.starts_with("arn:") && name.contains(":policy/") && account_of(name) != "aws"
}

fn account_of(arn: &str) -> &str {
    arn.split(':').nth(4).unwrap_or("")
}

/// May `view` assume a role the input does not describe?
pub(super) fn assume_outside(inventory: &Inventory, view: &Principal, scps: &[AttachedPolicy]) -> Option<Witness> {
    let any_role = Pattern::resource("arn:*:iam::*:role/*");
    let own_account = Pattern::resource(&format!("arn:*:iam::{}:role/*", view.account()));
    let known = |r: &Pattern| r.is_literal() && inventory.principals.iter().any(|k| k.arn == r.as_str());
    // Another account's roles are never in the input; this account's are when the input is complete.
    let outside = |r: &Pattern| r.intersects(&any_role) && !(inventory.complete && own_account.covers(r)) && !known(r);
    allows_where(view, &patterns(ASSUME), &any_role, scps, &outside)
}

/// May `view` pass a role the input does not describe? (Asked only of an incomplete input.)
pub(super) fn pass_outside(inventory: &Inventory, view: &Principal, scps: &[AttachedPolicy]) -> Option<Witness> {
    let any_role = Pattern::resource("arn:*:iam::*:role/*");
    let known = |r: &Pattern| r.is_literal() && inventory.principals.iter().any(|k| k.arn == r.as_str());
    allows_where(view, &patterns(PASS), &any_role, scps, &|r| r.intersects(&any_role) && !known(r))
}

/// May `view` create credentials for a user the input does not describe? (Asked only of an incomplete input.)
pub(super) fn credentials_outside(view: &Principal, scps: &[AttachedPolicy]) -> Option<Witness> {
    allows(view, &patterns(USER_CREDENTIALS), &Pattern::resource("arn:*:iam::*:user/*"), scps)
}

/// May `view` create a user and give it credentials?
fn creates_user(view: &Principal, scps: &[AttachedPolicy]) -> bool {
    let new_user = Pattern::resource(&format!("arn:*:iam::{}:user/*", account_or_any(view)));
    allows(view, &patterns(CREATE_USER), &new_user, scps).is_some()
        && allows(view, &patterns(NEW_USER_CREDENTIALS), &new_user, scps).is_some()
}

fn account_or_any(view: &Principal) -> &str {
    match view.account() {
        "" => "*",
        a => a,
    }
}

/// The grants by which `view` creates a principal, gives it permissions and acts as it: a role (put or attach a
/// policy; assume it, its trust policy being the creator's to write, or pass it to compute) or a user (put or attach
/// a policy; create its credentials).
pub(super) fn new_principal(
    view: &Principal,
    scps: &[AttachedPolicy],
    writes_any: impl Fn() -> bool,
) -> Option<Vec<Witness>> {
    if !Services::allowed_by(view.identity.iter().map(|p| &p.document)).may_include(&patterns(CREATE_ROLE)[0]) {
        return None;
    }
    let account = account_or_any(view);
    let new_role = Pattern::resource(&format!("arn:*:iam::{account}:role/*"));
    let may = |actions: &[&str], on: &Pattern| allows(view, &patterns(actions), on, scps);
    let role = || -> Option<Vec<Witness>> {
        let create = may(CREATE_ROLE, &new_role)?;
        let policy = may(NEW_ROLE_POLICY, &new_role)?;
        let used = may(ASSUME, &new_role).or_else(|| {
            let starts = compute_starts().iter().any(|(_, s)| allows(view, s, &Pattern::resource("*"), scps).is_some());
            (starts || writes_any()).then(|| may(PASS, &new_role)).flatten()
        })?;
        Some(vec![create, policy, used])
    };
    let new_user = Pattern::resource(&format!("arn:*:iam::{account}:user/*"));
    let user = || -> Option<Vec<Witness>> {
        Some(vec![
            may(CREATE_USER, &new_user)?,
            may(NEW_USER_POLICY, &new_user)?,
            may(NEW_USER_CREDENTIALS, &new_user)?,
        ])
    };
    role().or_else(user)
}

/// Does any Allow of `view` grant a write-level action of some service other than IAM and STS (or an action the
/// catalog does not know)? The sound reading of "holds a write-level action of a service nobody listed".
pub(super) fn holds_any_write(view: &Principal) -> bool {
    view.identity.iter().flat_map(|p| &p.document.statements).any(|s| {
        s.effect == Effect::Allow
            && match &s.actions {
                Matcher::AllBut(_) => true,
                Matcher::Only(ps) => ps.iter().any(pattern_writes),
            }
    })
}

fn pattern_writes(p: &Pattern) -> bool {
    thread_local! {
        static CACHE: std::cell::RefCell<HashMap<String, bool>> = std::cell::RefCell::default();
    }
    if let Some(known) = CACHE.with(|c| c.borrow().get(p.as_str()).copied()) {
        return known;
    }
    let service = p.as_str().split(':').next().unwrap_or("").to_ascii_lowercase();
    let answer = !matches!(service.as_str(), "iam" | "sts") && may_write(p);
    CACHE.with(|c| c.borrow_mut().insert(p.as_str().to_string(), answer));
    answer
}

/// Does `view` hold a write-level action of the service a principal name stands for? When the catalog documents
/// none of the name's labels, any write action counts.
pub(super) fn holds_write_of(view: &Principal, service: &str, scps: &[AttachedPolicy]) -> bool {
    write_of(view, service, scps).is_some()
}

/// The grant of a write-level action of `service`, if `view` holds one.
pub(super) fn write_of(view: &Principal, service: &str, scps: &[AttachedPolicy]) -> Option<Witness> {
    let prefixes = prefixes(service);
    if prefixes.is_empty() {
        return holds_any_write(view).then(|| Witness {
            action: "(a write-level action)".into(),
            resource: "*".into(),
            policy: format!("(no documented service matches {service}: any write counts)"),
            statement: "-".into(),
        });
    }
    let held = Services::allowed_by(view.identity.iter().map(|p| &p.document));
    prefixes
        .iter()
        .filter(|prefix| write_actions(prefix).first().is_some_and(|a| held.may_include(a)))
        .find_map(|prefix| allows(view, write_actions(prefix), &Pattern::resource("*"), scps))
}
