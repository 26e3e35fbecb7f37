//! Who a role's trust policy lets assume it: principals of an account, one ARN, services. An Allow's condition may
//! hold, so it admits; a Deny takes away only where it is unconditional. An unknown trust policy admits anyone.

use crate::policy::{Effect, Matcher, PolicyDocument, Statement};
use crate::reasoner::{Principal, PrincipalKind, Witness};
use crate::Pattern;

/// Who is asking: a principal by its ARN, any user of an account (a group's members), or a service.
#[derive(Debug, Clone, Copy)]
pub(super) enum Caller<'a> {
    /// A role or user.
    Principal(&'a Principal),
    /// Some user of this account (who is in a group).
    AnyUserOf(&'a str),
    /// A service principal (`lambda.amazonaws.com`).
    Service(&'a str),
}

/// The statement of `role`'s trust policy that lets `caller` assume it, if any; a placeholder witness when the
/// trust policy is unknown.
pub(super) fn admits(role: &Principal, caller: Caller) -> Option<Witness> {
    let (statement, principal) = admission(role, caller)?;
    Some(match statement {
        Some(s) => Witness {
            action: "sts:AssumeRole".into(),
            resource: principal.to_string(),
            policy: format!("trust policy of {}", role.name),
            statement: s.label(),
        },
        None => Witness {
            action: "sts:AssumeRole".into(),
            resource: "*".into(),
            policy: format!("trust policy of {} (not in the input)", role.name),
            statement: "-".into(),
        },
    })
}

/// Whether `role`'s trust policy lets `caller` assume it: [`admits`] without the witness.
pub(super) fn trusts(role: &Principal, caller: Caller) -> bool {
    admission(role, caller).is_some()
}

/// The admitting statement (none when the trust policy is unknown) and the principal value in it.
fn admission<'a>(role: &'a Principal, caller: Caller) -> Option<(Option<&'a Statement>, &'a str)> {
    if role.kind != PrincipalKind::Role {
        return None;
    }
    let Some(trust) = &role.trust else { return Some((None, "*")) };
    // A principal assumes with sts:AssumeRole; a service also with sts:AssumeRoleWithWebIdentity (Cognito identity
    // pools). An Allow of either admits; a Deny refuses only when it covers every one.
    let actions: &[&str] = match caller {
        Caller::Service(_) => &["sts:AssumeRole", "sts:AssumeRoleWithWebIdentity"],
        _ => &["sts:AssumeRole"],
    };
    let mut denied = trust.statements.iter().filter(|s| s.effect == Effect::Deny && !s.is_conditional());
    if denied.any(|s| actions.iter().all(|a| covers(s, a)) && names(s, caller).is_some()) {
        return None;
    }
    let mut allowed =
        trust.statements.iter().filter(|s| s.effect == Effect::Allow && actions.iter().any(|a| covers(s, a)));
    allowed.find_map(|s| names(s, caller).map(|v| (Some(s), v)))
}

/// Does the statement's action list name `action`?
fn covers(s: &Statement, action: &str) -> bool {
    match &s.actions {
        Matcher::Only(ps) => ps.iter().any(|p| p.matches(action)),
        Matcher::AllBut(ps) => !ps.iter().any(|p| p.matches(action)),
    }
}

/// The principal value of `s` that names `caller`, if any. `NotPrincipal` names everyone it does not list.
fn names<'a>(s: &'a Statement, caller: Caller) -> Option<&'a str> {
    let (negated, by_kind) = s.principals.as_ref()?;
    if *negated {
        // Everyone but the listed: for an Allow, more than we can rule out; for a Deny, it names the caller only if
        // it is certainly not listed, which we do not try to prove.
        return (s.effect == Effect::Allow).then_some("*");
    }
    by_kind.iter().find_map(|(kind, values)| values.iter().find(|v| matches(kind, v, caller)).map(String::as_str))
}

fn matches(kind: &str, value: &str, caller: Caller) -> bool {
    if kind == "*" || (value == "*" && !kind.eq_ignore_ascii_case("Federated")) {
        // `"Principal": "*"` or `{"AWS": "*"}` admits every principal; `{"Service": "*"}` every service.
        return match caller {
            Caller::Service(_) => kind == "*" || kind.eq_ignore_ascii_case("Service"),
            _ => kind == "*" || kind.eq_ignore_ascii_case("AWS"),
        };
    }
    match caller {
        // Cognito identity pools assume their roles as a federated AWS service principal.
        Caller::Service(service) => {
            (kind.eq_ignore_ascii_case("Service") || is_federated_service(kind, value))
                && value.eq_ignore_ascii_case(service)
        }
        Caller::AnyUserOf(account) => {
            kind.eq_ignore_ascii_case("AWS")
                && (value == account
                    || value == format!("arn:aws:iam::{account}:root")
                    || value.starts_with(&format!("arn:aws:iam::{account}:user/"))
                    || (value.contains('*')
                        && Pattern::resource(value)
                            .intersects(&Pattern::resource(&format!("arn:aws:iam::{account}:user/*")))))
        }
        Caller::Principal(p) => {
            if !kind.eq_ignore_ascii_case("AWS") {
                return false;
            }
            let account = p.account();
            value == p.arn
                || value == account
                || value == format!("arn:aws:iam::{account}:root")
                || (p.kind == PrincipalKind::Role
                    && value.starts_with(&format!("arn:aws:sts::{account}:assumed-role/{}/", p.name)))
                || (value.contains('*') && Pattern::resource(value).matches(&p.arn))
        }
    }
}

fn is_federated_service(kind: &str, value: &str) -> bool {
    kind.eq_ignore_ascii_case("Federated") && value.to_ascii_lowercase().ends_with(".amazonaws.com")
}

/// Every service principal a trust policy names.
pub(super) fn services_named(trust: &PolicyDocument) -> impl Iterator<Item = &str> {
    trust.statements.iter().flat_map(|s| {
        s.principals
            .iter()
            .filter(|(negated, _)| !negated)
            .flat_map(|(_, by_kind)| by_kind.iter())
            .flat_map(|(kind, values)| {
                values
                    .iter()
                    .map(String::as_str)
                    .filter(move |v| kind.eq_ignore_ascii_case("Service") || is_federated_service(kind, v))
            })
            .filter(|v| *v != "*")
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse_policy;

    fn role(trust: &str) -> Principal {
        Principal {
            name: "r".into(),
            arn: "arn:aws:iam::111111111111:role/r".into(),
            trust: Some(parse_policy(trust).unwrap()),
            ..Default::default()
        }
    }

    fn caller(name: &str, kind: PrincipalKind) -> Principal {
        let what = if kind == PrincipalKind::Role { "role" } else { "user" };
        Principal {
            kind,
            name: name.into(),
            arn: format!("arn:aws:iam::111111111111:{what}/{name}"),
            ..Default::default()
        }
    }

    #[test]
    fn accounts_arns_services_and_wildcards() {
        let r = role(
            r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root","Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#,
        );
        let ops = caller("ops", PrincipalKind::Role);
        assert!(admits(&r, Caller::Principal(&ops)).is_some());
        assert!(admits(&r, Caller::Principal(&caller("alice", PrincipalKind::User))).is_some());
        assert!(admits(&r, Caller::AnyUserOf("111111111111")).is_some());
        assert!(admits(&r, Caller::Service("lambda.amazonaws.com")).is_some());
        assert!(admits(&r, Caller::Service("ec2.amazonaws.com")).is_none());
        let user_only = role(
            r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:user/alice"},"Action":"sts:AssumeRole"}]}"#,
        );
        assert!(admits(&user_only, Caller::Principal(&caller("alice", PrincipalKind::User))).is_some());
        assert!(admits(&user_only, Caller::Principal(&ops)).is_none());
        assert!(admits(&user_only, Caller::AnyUserOf("111111111111")).is_some());
    }

    #[test]
    fn an_unconditional_deny_in_the_trust_policy_refuses() {
        let r = role(
            r#"{"Statement":[
                {"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"sts:AssumeRole"},
                {"Effect":"Deny","Principal":{"AWS":"arn:aws:iam::111111111111:role/ops"},"Action":"sts:*"}]}"#,
        );
        assert!(admits(&r, Caller::Principal(&caller("ops", PrincipalKind::Role))).is_none());
        assert!(admits(&r, Caller::Principal(&caller("dev", PrincipalKind::Role))).is_some());
        let conditional = role(
            r#"{"Statement":[
                {"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"sts:AssumeRole"},
                {"Effect":"Deny","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"false"}}}]}"#,
        );
        assert!(admits(&conditional, Caller::Principal(&caller("ops", PrincipalKind::Role))).is_some());
    }

    #[test]
    fn unknown_trust_admits_anyone_and_users_are_never_assumed() {
        let unknown = Principal { name: "x".into(), arn: "arn:aws:iam::1:role/x".into(), ..Default::default() };
        assert_eq!(
            admits(&unknown, Caller::Service("anything.amazonaws.com")).unwrap().policy,
            "trust policy of x (not in the input)"
        );
        let user = Principal { kind: PrincipalKind::User, ..Default::default() };
        assert!(admits(&user, Caller::Service("lambda.amazonaws.com")).is_none());
    }
}
