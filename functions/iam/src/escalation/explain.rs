//! Witnesses for the edges a path takes: the grants (and the trust statement) that make each step possible, worked
//! out again for the one pair of nodes, with literal ARNs, so every witness names real statements.

use super::build::{assume_outside, credentials_outside, holds_any_write, new_principal, pass_outside, write_of};
use super::conditions::{excludes_service, names_services_exactly};
use super::services::{compute_starts, is_modelled};
use super::trust::{self, Caller};
use super::*;
use crate::methods::Method;

impl Escalation<'_> {
    fn caller_of(&self, v: usize) -> Caller<'_> {
        match self.nodes[v] {
            Node::Group(g) => Caller::AnyUserOf(self.inventory.groups[g].arn.split(':').nth(4).unwrap_or("")),
            _ => Caller::Principal(self.view(v)),
        }
    }

    fn hop(&self, a: usize, b: usize, via: Via, method: impl Into<String>, grants: Vec<Witness>) -> Hop {
        Hop { from: self.name(a), to: self.name(b), via, method: method.into(), grants }
    }

    /// The step `a → b` for an edge that is not an edit edge.
    pub(super) fn explain_base(&self, a: usize, b: usize) -> Option<Hop> {
        let view = self.view(a);
        let scps = &self.inventory.scps;
        let star = Pattern::resource("*");
        let may = |actions: &[&str], on: &Pattern| allows(view, &patterns(actions), on, scps);
        match self.nodes[b] {
            Node::Outside => {
                if let Some(g) = assume_outside(self.inventory, view, scps) {
                    return Some(self.hop(a, b, Via::AssumeRole, "assume a role the input does not describe", vec![g]));
                }
                if let Some(g) = pass_outside(self.inventory, view, scps) {
                    return Some(self.hop(a, b, Via::PassRole, "pass a role the input does not describe", vec![g]));
                }
                if let Some(m) = self.reuse_methods(a).next() {
                    let grants = m.actions.iter().filter_map(|x| may(&[x], &star)).collect();
                    return Some(self.hop(a, b, Via::ReuseCompute, m.name, grants));
                }
                credentials_outside(view, scps).map(|g| {
                    self.hop(a, b, Via::UserCredentials, "credentials of a user the input does not describe", vec![g])
                })
            }
            Node::New => {
                let chain = new_principal(view, scps, || holds_any_write(view))?;
                Some(self.hop(a, b, Via::NewPrincipal, "create a principal and give it permissions", chain))
            }
            Node::Group(g) => {
                let group = &self.inventory.groups[g];
                let g = may(&["iam:AddUserToGroup"], &Pattern::resource(&group.arn))?;
                Some(self.hop(a, b, Via::JoinGroup, "Add a user it acts as to a group", vec![g]))
            }
            Node::Principal(r) => {
                let target = &self.inventory.principals[r];
                let on = Pattern::resource(&target.arn);
                if target.kind == PrincipalKind::User {
                    for m in METHODS.iter().filter(|m| m.yields == Yields::UserCredentials) {
                        if let Some(g) = may(m.actions, &on) {
                            return Some(self.hop(a, b, Via::UserCredentials, m.name, vec![g]));
                        }
                    }
                    return None;
                }
                if let Some(g) = may(&["sts:AssumeRole"], &on) {
                    if let Some(t) = trust::admits(target, self.caller_of(a)) {
                        return Some(self.hop(a, b, Via::AssumeRole, method_name(Yields::AssumeRole), vec![g, t]));
                    }
                    if let Some(e) = may(&["iam:UpdateAssumeRolePolicy"], &on) {
                        return Some(self.hop(a, b, Via::TrustEdit, method_name(Yields::TrustEdit), vec![e, g]));
                    }
                }
                self.pass_step(a, b, r).or_else(|| self.reuse_step(a, b, r))
            }
            _ => None,
        }
    }

    fn pass_step(&self, a: usize, b: usize, r: usize) -> Option<Hop> {
        let view = self.view(a);
        let scps = &self.inventory.scps;
        let star = Pattern::resource("*");
        let target = &self.inventory.principals[r];
        let on = Pattern::resource(&target.arn);
        let pass = patterns(&["iam:PassRole"]);
        let passed = |filter: &dyn Fn(&Statement) -> bool| allows_filtered(view, &pass, &on, scps, &|_| true, filter);
        for (service, starts) in compute_starts() {
            let Some(start) = allows(view, starts, &star, scps) else { continue };
            let Some(t) = trust::admits(target, Caller::Service(service)) else { continue };
            if let Some(p) = passed(&|s| !excludes_service(s, service)) {
                let method = METHODS
                    .iter()
                    .find(|m| {
                        m.yields == Yields::PassRole(service) && Pattern::action(m.actions[0]).matches(&start.action)
                    })
                    .map_or_else(|| format!("pass a role to {service}"), |m| m.name.to_string());
                return Some(self.hop(a, b, Via::PassRole, method, vec![p, start, t]));
            }
        }
        for service in self.services.iter().filter(|s| !is_modelled(s)) {
            if !trust::trusts(target, Caller::Service(service)) {
                continue;
            }
            let Some(write) = write_of(view, service, scps) else { continue };
            let Some(t) = trust::admits(target, Caller::Service(service)) else { continue };
            if let Some(p) = passed(&|s| !excludes_service(s, service)) {
                let method =
                    format!("pass a role to {service}, a service the table does not list (unmodelled service)");
                return Some(self.hop(a, b, Via::PassRoleToUnmodelledService, method, vec![p, write, t]));
            }
        }
        if target.trust.is_none() && holds_any_write(view) {
            let p = passed(&|s| names_services_exactly(s).is_none())?;
            let t = trust::admits(target, Caller::Service("*"))?;
            let method = "pass a role whose trust policy is unknown to any service it holds a write-level action of \
                          (unmodelled service)";
            let write = Witness {
                action: "(a write-level action)".into(),
                resource: "*".into(),
                policy: "(any Allow of a write-level action)".into(),
                statement: "-".into(),
            };
            return Some(self.hop(a, b, Via::PassRoleToUnmodelledService, method, vec![p, write, t]));
        }
        None
    }

    fn reuse_methods(&self, a: usize) -> impl Iterator<Item = &'static Method> + '_ {
        let view = self.view(a);
        let scps = &self.inventory.scps;
        let star = Pattern::resource("*");
        METHODS.iter().filter(move |m| {
            matches!(m.yields, Yields::ReuseCompute(_))
                && m.actions.iter().all(|x| allows(view, &[Pattern::action(x)], &star, scps).is_some())
        })
    }

    fn reuse_step(&self, a: usize, b: usize, r: usize) -> Option<Hop> {
        let view = self.view(a);
        let scps = &self.inventory.scps;
        let star = Pattern::resource("*");
        let target = &self.inventory.principals[r];
        self.reuse_methods(a).find_map(|m| {
            let Yields::ReuseCompute(service) = m.yields else { return None };
            let t = trust::admits(target, Caller::Service(service))?;
            let mut grants: Vec<Witness> =
                m.actions.iter().filter_map(|x| allows(view, &[Pattern::action(x)], &star, scps)).collect();
            grants.push(t);
            Some(self.hop(a, b, Via::ReuseCompute, m.name, grants))
        })
    }

    /// The grant by which `editor` changes `edited`'s policies.
    pub(super) fn edit_grant(&self, editor: usize, edited: usize) -> Option<Witness> {
        let view = self.view(editor);
        let scps = &self.inventory.scps;
        let may = |actions: &[&str], on: &str| allows(view, &patterns(actions), &Pattern::resource(on), scps);
        let group_edit =
            |group: &Group| {
                may(GROUP_POLICY_EDITS, &group.arn).or_else(|| may(GROUP_POLICY_REMOVALS, &group.arn)).or_else(|| {
                    group.policies.iter().filter(|p| is_customer_managed(&p.name)).find_map(|p| {
                        may(POLICY_VERSION_CREATE, &p.name).or_else(|| may(POLICY_VERSION_DEFAULT, &p.name))
                    })
                })
            };
        match self.nodes[edited] {
            Node::Group(g) => group_edit(&self.inventory.groups[g]),
            Node::Principal(x) => {
                let principal = &self.inventory.principals[x];
                let edits = match principal.kind {
                    PrincipalKind::Role => ROLE_POLICY_EDITS,
                    PrincipalKind::User => USER_POLICY_EDITS,
                };
                may(edits, &principal.arn)
                    .or_else(|| may(POLICY_REMOVALS, &principal.arn))
                    .or_else(|| {
                        principal
                            .identity
                            .iter()
                            .chain(principal.boundary.iter())
                            .filter(|p| is_customer_managed(&p.name))
                            .find_map(|p| {
                                may(POLICY_VERSION_CREATE, &p.name).or_else(|| may(POLICY_VERSION_DEFAULT, &p.name))
                            })
                    })
                    .or_else(|| {
                        // An edit of a group it is in.
                        self.inventory.groups.iter().filter(|g| principal.groups.contains(&g.name)).find_map(group_edit)
                    })
            }
            _ => None,
        }
    }
}

fn method_name(yields: Yields) -> &'static str {
    METHODS.iter().find(|m| m.yields == yields).map_or("", |m| m.name)
}
