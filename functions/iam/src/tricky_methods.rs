//! The tricky-case table, one row per method of the catalogue table ([`METHODS`]): each row a small account built
//! from the method (the audited principal holds exactly the method's actions), its verdict and the hop kinds of its
//! witness, and next to it a blocked variant (the trust refuses, a boundary cuts, a Deny covers, or PassRole is
//! conditioned away) that must be `cannot`. The rows are generated from the same table the audit reads, so a method
//! added there is tested here without another line.

use super::escalation::{End, Escalation, Inventory, Via};
use super::methods::{Method, Yields, METHODS};
use super::policy::parse_policy_value;
use super::reasoner::{AttachedPolicy, Group, Principal, PrincipalKind};
use crate::Pattern;
use serde_json::{json, Value};

const ACCOUNT: &str = "123456789012";
/// What every target holds and the audited principal must not reach.
const CLASS: &str = "codedeploy:*";

fn role_arn(name: &str) -> String {
    format!("arn:aws:iam::{ACCOUNT}:role/{name}")
}

fn user_arn(name: &str) -> String {
    format!("arn:aws:iam::{ACCOUNT}:user/{name}")
}

fn policy(name: &str, statements: Value) -> AttachedPolicy {
    AttachedPolicy {
        name: name.to_string(),
        document: parse_policy_value(&json!({"Version": "2012-10-17", "Statement": statements})).unwrap(),
    }
}

fn allow(actions: &[&str], resource: &str) -> Value {
    json!({"Sid": "Method", "Effect": "Allow", "Action": actions, "Resource": resource})
}

fn trust(principal: Value, action: &str) -> Option<super::policy::PolicyDocument> {
    Some(policy("trust", json!([{"Effect": "Allow", "Principal": principal, "Action": action}])).document)
}

fn service_trust(service: &str) -> Option<super::policy::PolicyDocument> {
    if service == "cognito-identity.amazonaws.com" {
        trust(json!({"Federated": service}), "sts:AssumeRoleWithWebIdentity")
    } else {
        trust(json!({"Service": service}), "sts:AssumeRole")
    }
}

/// The role the paths aim at: it holds the class.
fn target(trusted: Option<super::policy::PolicyDocument>) -> Principal {
    Principal {
        name: "target".into(),
        arn: role_arn("target"),
        identity: vec![policy("target-inline", json!([allow(&[CLASS], "*")]))],
        trust: trusted,
        ..Default::default()
    }
}

/// The audited principal: a role trusted by nobody in the account, or a user.
fn subject(kind: PrincipalKind, statements: Value) -> Principal {
    let (arn, trust) = match kind {
        PrincipalKind::Role => {
            (role_arn("subject"), trust(json!({"AWS": "arn:aws:iam::999999999999:root"}), "sts:AssumeRole"))
        }
        PrincipalKind::User => (user_arn("subject"), None),
    };
    Principal {
        kind,
        name: "subject".into(),
        arn,
        identity: vec![policy("subject-inline", statements)],
        trust,
        ..Default::default()
    }
}

fn boundary(actions: &[&str]) -> Option<AttachedPolicy> {
    Some(policy("boundary", json!([allow(actions, "*")])))
}

fn deny(actions: &[&str]) -> AttachedPolicy {
    policy("guardrail", json!([{"Effect": "Deny", "Action": actions, "Resource": "*"}]))
}

fn complete(principals: Vec<Principal>, groups: Vec<Group>) -> Inventory {
    Inventory { principals, groups, complete: true, ..Default::default() }
}

/// How a row's `may` path must look.
#[derive(Debug, PartialEq)]
struct Shape {
    vias: Vec<Via>,
    end: End,
}

/// A row: the account where the method works, how its witness looks, and the blocked variant with what blocks it.
struct Row {
    method: &'static Method,
    may: Inventory,
    shape: Shape,
    blocked: Inventory,
    blocked_by: &'static str,
}

/// Reuse methods of `service` whose actions are all among `actions`: a PassRole row holding them also reaches the
/// target without passing it.
fn reuses_too(actions: &[&str], service: &'static str) -> bool {
    METHODS.iter().any(|m| m.yields == Yields::ReuseCompute(service) && m.actions.iter().all(|a| actions.contains(a)))
}

fn row(m: &'static Method) -> Row {
    let shape = |vias: &[Via], end| Shape { vias: vias.to_vec(), end };
    let target_arn = role_arn("target");
    match m.yields {
        Yields::AssumeRole => Row {
            method: m,
            may: complete(vec![subject(PrincipalKind::Role, json!([allow(m.actions, &target_arn)])), target(trust(json!({"AWS": role_arn("subject")}), "sts:AssumeRole"))], vec![]),
            shape: shape(&[Via::AssumeRole], End::Action),
            blocked: complete(
                vec![
                    subject(PrincipalKind::Role, json!([allow(m.actions, &target_arn)])),
                    target(Some(policy("trust", json!([
                        {"Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{ACCOUNT}:root")}, "Action": "sts:AssumeRole"},
                        {"Effect": "Deny", "Principal": {"AWS": role_arn("subject")}, "Action": "sts:AssumeRole"}
                    ])).document)),
                ],
                vec![],
            ),
            blocked_by: "a Deny in the trust policy refuses",
        },
        Yields::TrustEdit => {
            let s = || subject(PrincipalKind::Role, json!([allow(m.actions, &target_arn)]));
            let mut denied = s();
            denied.identity.push(deny(&["iam:UpdateAssumeRolePolicy"]));
            Row {
                method: m,
                may: complete(vec![s(), target(service_trust("glue.amazonaws.com"))], vec![]),
                shape: shape(&[Via::TrustEdit], End::Action),
                blocked: complete(vec![denied, target(service_trust("glue.amazonaws.com"))], vec![]),
                blocked_by: "a Deny covers the trust edit",
            }
        }
        Yields::UserCredentials => {
            let victim = Principal {
                kind: PrincipalKind::User,
                name: "target".into(),
                arn: user_arn("target"),
                identity: vec![policy("target-inline", json!([allow(&[CLASS], "*")]))],
                ..Default::default()
            };
            let s = || subject(PrincipalKind::Role, json!([allow(m.actions, &user_arn("target"))]));
            let mut cut = s();
            cut.boundary = boundary(&["autoscaling:*"]);
            Row {
                method: m,
                may: complete(vec![s(), victim.clone()], vec![]),
                shape: shape(&[Via::UserCredentials], End::Action),
                blocked: complete(vec![cut, victim], vec![]),
                blocked_by: "the caller's boundary cuts the credential action",
            }
        }
        Yields::JoinGroup => {
            let group = Group {
                name: "deployers".into(),
                arn: format!("arn:aws:iam::{ACCOUNT}:group/deployers"),
                policies: vec![policy("deployers-inline", json!([allow(&[CLASS], "*")]))],
            };
            let statements = json!([allow(m.actions, &group.arn)]);
            Row {
                method: m,
                may: complete(vec![subject(PrincipalKind::User, statements.clone())], vec![group.clone()]),
                shape: shape(&[Via::JoinGroup], End::Action),
                blocked: complete(vec![subject(PrincipalKind::Role, statements)], vec![group]),
                blocked_by: "a role is no group's member, and it acts as no user",
            }
        }
        Yields::PolicyEdit => policy_edit_row(m),
        Yields::NewPrincipal => {
            // Scoped to the principals it creates, so it cannot edit itself instead.
            let fresh = if m.actions[0] == "iam:CreateUser" { user_arn("new-*") } else { role_arn("new-*") };
            let s = || subject(PrincipalKind::Role, json!([allow(m.actions, &fresh)]));
            let mut denied = s();
            denied.identity.push(deny(&m.actions[..1]));
            // Passing the new role needs compute to pass it to.
            let mut may_subject = s();
            let mut blocked_subject = denied;
            if m.actions.contains(&"iam:PassRole") {
                for p in [&mut may_subject, &mut blocked_subject] {
                    p.identity.push(policy("compute", json!([allow(&["lambda:CreateFunction"], "*")])));
                }
            }
            Row {
                method: m,
                may: complete(vec![may_subject], vec![]),
                shape: shape(&[Via::NewPrincipal], End::NewPrincipal),
                blocked: complete(vec![blocked_subject], vec![]),
                blocked_by: "a Deny covers the creation",
            }
        }
        Yields::PassRole(service) => {
            let pass = |condition: Option<Value>| {
                let mut p = json!({"Sid": "Pass", "Effect": "Allow", "Action": "iam:PassRole", "Resource": target_arn});
                if let Some(c) = condition {
                    p["Condition"] = c;
                }
                subject(PrincipalKind::Role, json!([allow(m.actions, "*"), p]))
            };
            if reuses_too(m.actions, service) {
                // Holding the action alone already reuses the role's compute: only a trust that names another
                // service blocks.
                Row {
                    method: m,
                    may: complete(vec![pass(None), target(service_trust(service))], vec![]),
                    shape: shape(&[Via::PassRole], End::Action),
                    blocked: complete(vec![pass(None), target(service_trust("glacier.amazonaws.com"))], vec![]),
                    blocked_by: "the role trusts another service",
                }
            } else {
                let elsewhere = json!({"StringEquals": {"iam:PassedToService": "glacier.amazonaws.com"}});
                Row {
                    method: m,
                    may: complete(vec![pass(None), target(service_trust(service))], vec![]),
                    shape: shape(&[Via::PassRole], End::Action),
                    blocked: complete(vec![pass(Some(elsewhere)), target(service_trust(service))], vec![]),
                    blocked_by: "iam:PassedToService names another service",
                }
            }
        }
        Yields::ReuseCompute(service) => {
            let s = || subject(PrincipalKind::Role, json!([allow(m.actions, "*")]));
            Row {
                method: m,
                may: complete(vec![s(), target(service_trust(service))], vec![]),
                shape: shape(&[Via::ReuseCompute], End::Action),
                blocked: complete(vec![s(), target(service_trust("glacier.amazonaws.com"))], vec![]),
                blocked_by: "the role trusts another service",
            }
        }
    }
}

/// Policy edits: the audited principal edits itself (or its group, or its managed policy), so the edit is what it
/// reaches the class with.
fn policy_edit_row(m: &'static Method) -> Row {
    let action = m.actions[0];
    let on_user = action.contains("User");
    let kind = if on_user { PrincipalKind::User } else { PrincipalKind::Role };
    let self_arn = if on_user { user_arn("subject") } else { role_arn("subject") };
    let group_arn = format!("arn:aws:iam::{ACCOUNT}:group/team");
    let managed_arn = format!("arn:aws:iam::{ACCOUNT}:policy/team-base");
    let shape = Shape { vias: vec![], end: End::PolicyEdit };
    let edit_only = |resource: &str| subject(kind, json!([allow(m.actions, resource)]));
    let member = |mut p: Principal, extra: Vec<AttachedPolicy>| {
        p.kind = PrincipalKind::User;
        p.arn = user_arn("subject");
        p.groups = vec!["team".into()];
        p.identity
            .extend(extra.iter().map(|x| AttachedPolicy { name: format!("group team: {}", x.name), ..x.clone() }));
        (p, Group { name: "team".into(), arn: group_arn.clone(), policies: extra })
    };
    let removal = action.starts_with("iam:Delete") || action.starts_with("iam:Detach");
    let boundary_change = action.contains("PermissionsBoundary");
    let on_group = action.contains("Group");
    if boundary_change {
        // It holds the class, under a boundary that cuts it: changing the boundary frees it.
        let build = |resource: &str| {
            let mut p = subject(kind, json!([allow(m.actions, resource), allow(&[CLASS], "*")]));
            p.boundary = boundary(&["autoscaling:*", action]);
            complete(vec![p], vec![])
        };
        return Row {
            method: m,
            may: build(&self_arn),
            shape,
            blocked: build(&format!("arn:aws:iam::{ACCOUNT}:{}/someone-else", if on_user { "user" } else { "role" })),
            blocked_by: "the boundary change is scoped to another principal",
        };
    }
    if removal {
        // It holds the class under a Deny in the policy the method removes.
        let guard = |name: &str| AttachedPolicy { name: name.to_string(), ..deny(&[CLASS]) };
        let guard_name = if action.contains("Detach") { managed_arn.clone() } else { "guardrail".to_string() };
        let build = |resource: &str| {
            let grants = json!([allow(m.actions, resource), allow(&[CLASS], "*")]);
            if on_group {
                let (p, g) = member(subject(kind, grants), vec![guard(&guard_name)]);
                complete(vec![p], vec![g])
            } else {
                let mut p = subject(kind, grants);
                p.identity.push(guard(&guard_name));
                complete(vec![p], vec![])
            }
        };
        let own = if on_group { group_arn.clone() } else { self_arn.clone() };
        return Row {
            method: m,
            may: build(&own),
            shape,
            blocked: build(&format!(
                "arn:aws:iam::{ACCOUNT}:{}/someone-else",
                if on_group {
                    "group"
                } else if on_user {
                    "user"
                } else {
                    "role"
                }
            )),
            blocked_by: "the removal is scoped to another principal",
        };
    }
    let cut = |mut inventory: Inventory| {
        inventory.principals[0].boundary = boundary(&["autoscaling:*", "iam:*Policy*", "iam:Attach*"]);
        inventory
    };
    match action {
        "iam:CreatePolicyVersion" => {
            let build = || {
                let mut p = subject(kind, json!([]));
                p.identity = vec![policy(&managed_arn, json!([allow(m.actions, &managed_arn)]))];
                complete(vec![p], vec![])
            };
            let mut denied = build();
            denied.principals[0].identity.push(deny(m.actions));
            Row { method: m, may: build(), shape, blocked: denied, blocked_by: "a Deny covers the new version" }
        }
        "iam:SetDefaultPolicyVersion" => {
            // The versions are all known: the switch reaches what one of them grants, no more.
            let build = |other_version: &[&str]| {
                let mut p = subject(kind, json!([]));
                let current = json!([allow(m.actions, &managed_arn)]);
                p.identity = vec![policy(&managed_arn, current.clone())];
                let mut inventory = complete(vec![p], vec![]);
                inventory.policy_versions.insert(
                    managed_arn.clone(),
                    vec![
                        ("v1".into(), policy("v1", current).document),
                        ("v2".into(), policy("v2", json!([allow(other_version, "*")])).document),
                    ],
                );
                inventory
            };
            Row {
                method: m,
                may: build(&[CLASS]),
                shape: Shape { vias: vec![Via::PolicyEdit], end: End::Action },
                blocked: build(&["cloudwatch:PutMetricData"]),
                blocked_by: "no version of the policy grants the class",
            }
        }
        _ if on_group => {
            let (p, g) = member(edit_only(&group_arn), vec![]);
            let may = complete(vec![p], vec![g]);
            Row { method: m, blocked: cut(may.clone()), may, shape, blocked_by: "the member's boundary cuts the edit" }
        }
        _ => {
            let may = complete(vec![edit_only(&self_arn)], vec![]);
            Row {
                method: m,
                blocked: cut(may.clone()),
                may,
                shape,
                blocked_by: "its boundary cuts what the edit writes",
            }
        }
    }
}

/// The source of truth each row states: the method's name and where it is published.
fn label(m: &Method) -> String {
    format!("{} ({:?}; {})", m.name, m.yields, m.sources.first().unwrap_or(&"no source"))
}

#[test]
fn every_catalogue_method_reaches_the_class_and_its_blocked_variant_does_not() {
    let class = [Pattern::action(CLASS)];
    let mut failures = Vec::new();
    for m in METHODS {
        assert!(!m.sources.is_empty(), "{}: every method names where it is published", m.name);
        let row = row(m);
        let got = Escalation::new(&row.may).reach(&class).swap_remove(0);
        match got {
            None => failures.push(format!("{}: expected may, got cannot", label(row.method))),
            Some(p) => {
                let shape = Shape { vias: p.hops.iter().map(|h| h.via).collect(), end: p.end };
                if shape != row.shape {
                    failures.push(format!("{}: expected {:?}, got {shape:?} ({p:?})", label(row.method), row.shape));
                }
            }
        }
        if let Some(p) = Escalation::new(&row.blocked).reach(&class).swap_remove(0) {
            failures.push(format!("{}: blocked ({}) but got may: {p:?}", label(row.method), row.blocked_by));
        }
    }
    assert!(failures.is_empty(), "{} of {} method(s) wrong:\n{}", failures.len(), METHODS.len(), failures.join("\n"));
}

#[test]
fn the_generated_table_covers_every_kind_and_every_blocker() {
    let rows: Vec<Row> = METHODS.iter().map(row).collect();
    assert!(rows.len() >= 100, "{} rows", rows.len());
    let mut blockers: Vec<&str> = rows.iter().map(|r| r.blocked_by).collect();
    blockers.sort_unstable();
    blockers.dedup();
    for needed in ["trust", "boundary", "Deny", "PassedToService"] {
        assert!(blockers.iter().any(|b| b.contains(needed)), "no blocked variant by {needed}: {blockers:?}");
    }
}
