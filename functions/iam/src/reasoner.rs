//! Can a role reach a class of actions? Sound verdicts over its policies, reasoning on patterns.
//!
//! `Cannot` only when proven; otherwise `May` with a witness (the action, the resource pattern, the policy and
//! statement that grant it). Conditions on an Allow are ignored (it may apply); a Deny subtracts only where it is
//! unconditional, uses no policy variables, and its patterns cover the whole grant. A permissions boundary and SCPs
//! must allow too. This module answers for one role's own permissions; [`super::escalation`] follows the paths by
//! which one role can act as another.

use super::bitset::Bitset;
use super::policy::{Effect, Matcher, PolicyDocument, Statement};
use crate::Pattern;
use std::cell::RefCell;
use std::collections::HashMap;

/// A policy attached to a role, by name (inline) or ARN (managed; its default version only).
#[derive(Debug, Clone, PartialEq)]
pub struct AttachedPolicy {
    /// Inline policy name or managed policy ARN.
    pub name: String,
    /// The document (for a managed policy: the default version).
    pub document: PolicyDocument,
}

/// What kind of principal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PrincipalKind {
    /// An IAM role: assumed through its trust policy.
    #[default]
    Role,
    /// An IAM user: acts with its own credentials (access keys, console password).
    User,
}

/// A role or user and everything that bounds what it can do.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Principal {
    /// Role or user.
    pub kind: PrincipalKind,
    /// The role or user name, as duties match it.
    pub name: String,
    /// The full ARN, as policies name it.
    pub arn: String,
    /// Inline and managed identity policies; for a user, its groups' policies too.
    pub identity: Vec<AttachedPolicy>,
    /// Permissions boundary, if set.
    pub boundary: Option<AttachedPolicy>,
    /// A role's trust (assume-role) policy; `None` when the input does not say, so any principal or service may
    /// assume it. Always `None` for a user.
    pub trust: Option<PolicyDocument>,
    /// A user's groups, by name.
    pub groups: Vec<String>,
}

impl Principal {
    /// The account id in the ARN (empty when the ARN has none).
    pub fn account(&self) -> &str {
        self.arn.split(':').nth(4).unwrap_or("")
    }
}

/// An IAM group: its policies apply to its members, and members can be added.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Group {
    /// Group name.
    pub name: String,
    /// Group ARN.
    pub arn: String,
    /// Inline and managed policies.
    pub policies: Vec<AttachedPolicy>,
}

/// Why the verdict is `may`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Witness {
    /// An action (or action pattern) of the class that is granted.
    pub action: String,
    /// The resource pattern it is granted on.
    pub resource: String,
    /// The policy that grants it.
    pub policy: String,
    /// The statement (`Sid` or `#index`).
    pub statement: String,
}

/// The answer for one (role, class).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reach {
    /// Proven unreachable.
    Cannot,
    /// Possibly reachable, and how.
    May(Witness),
}

/// Can `role` perform any action of `class`, given the organization's SCPs (empty when none apply)?
pub fn can_reach(role: &Principal, class: &[Pattern], scps: &[AttachedPolicy]) -> Reach {
    match allows(role, class, &Pattern::resource("*"), scps) {
        Some(w) => Reach::May(w),
        None => Reach::Cannot,
    }
}

/// May `role` perform an action of `actions` on some resource `target` matches? A witness if so.
pub fn allows(role: &Principal, actions: &[Pattern], target: &Pattern, scps: &[AttachedPolicy]) -> Option<Witness> {
    allows_where(role, actions, target, scps, &|_| true)
}

/// Like [`allows`], counting only grants whose resource pattern satisfies `accept`.
pub(crate) fn allows_where(
    role: &Principal,
    actions: &[Pattern],
    target: &Pattern,
    scps: &[AttachedPolicy],
    accept: &dyn Fn(&Pattern) -> bool,
) -> Option<Witness> {
    allows_filtered(role, actions, target, scps, accept, &|_| true)
}

/// Like [`allows_where`], counting only Allow statements `statement` accepts (one whose condition provably fails
/// in the situation asked about, say).
pub(crate) fn allows_filtered(
    role: &Principal,
    actions: &[Pattern],
    target: &Pattern,
    scps: &[AttachedPolicy],
    accept: &dyn Fn(&Pattern) -> bool,
    statement: &dyn Fn(&Statement) -> bool,
) -> Option<Witness> {
    if role.boundary.is_none() && scps.is_empty() {
        return granted(&role.identity, actions, target, accept, statement);
    }
    // Every layer must allow the same action, so the witness names one all of them allow.
    let boundary = role.boundary.as_ref().map(std::slice::from_ref);
    let allowed_by_all = |c: &[Pattern]| {
        granted(&role.identity, c, target, accept, statement).filter(|_| {
            boundary.is_none_or(|b| granted(b, c, target, &|_| true, &|_| true).is_some())
                && (scps.is_empty() || granted(scps, c, target, &|_| true, &|_| true).is_some())
        })
    };
    actions.iter().find_map(|c| allowed_by_all(std::slice::from_ref(c)))
}

/// Principal ARNs that target sets range over, with a cache of which ARNs each resource pattern matches.
#[derive(Debug, Default)]
pub(crate) struct ArnIndex {
    arns: Vec<String>,
    /// The ARNs sorted, with their positions: a pattern's literal prefix picks a range without matching the rest.
    sorted: Vec<(String, usize)>,
    /// When every ARN has exactly five colons (IAM's do: names hold none), their resource parts sorted: a pattern
    /// with five literal colons maps colon to colon, so the literal start of its resource part picks a range even
    /// when the account is a wildcard.
    by_resource: Option<Vec<(String, usize)>>,
    matches: RefCell<HashMap<String, Bitset>>,
}

/// The part of an ARN (or pattern) after its fifth colon, if it has exactly five.
fn resource_part(arn: &str) -> Option<&str> {
    if arn.bytes().filter(|&b| b == b':').count() != 5 {
        return None;
    }
    arn.splitn(6, ':').nth(5)
}

/// The sorted entries that start with `prefix`.
fn starting_with<'a>(sorted: &'a [(String, usize)], prefix: &'a str) -> impl Iterator<Item = &'a (String, usize)> {
    let from = sorted.partition_point(|(a, _)| a.as_str() < prefix);
    sorted[from..].iter().take_while(move |(a, _)| a.starts_with(prefix))
}

/// The text before the first wildcard.
fn literal_start(pattern: &str) -> &str {
    &pattern[..pattern.find(['*', '?']).unwrap_or(pattern.len())]
}

impl ArnIndex {
    /// An index over these ARNs, in order.
    pub(crate) fn new(arns: Vec<String>) -> Self {
        let mut sorted: Vec<(String, usize)> = arns.iter().cloned().zip(0..).collect();
        sorted.sort();
        let by_resource = arns
            .iter()
            .zip(0..)
            .map(|(a, i)| resource_part(a).map(|r| (r.to_string(), i)))
            .collect::<Option<Vec<_>>>()
            .map(|mut v| {
                v.sort();
                v
            });
        Self { arns, sorted, by_resource, matches: RefCell::default() }
    }

    /// How many ARNs.
    pub(crate) fn len(&self) -> usize {
        self.arns.len()
    }

    /// The ARNs a resource pattern matches.
    pub(crate) fn matching(&self, pattern: &Pattern) -> Bitset {
        if pattern.as_str() == "*" {
            return Bitset::full(self.arns.len());
        }
        if let Some(known) = self.matches.borrow().get(pattern.as_str()) {
            return known.clone();
        }
        let mut set = Bitset::empty(self.arns.len());
        if pattern.is_literal() {
            // Equal ARNs sort together (the same principal may appear twice in an input): every one counts.
            for (_, i) in starting_with(&self.sorted, pattern.as_str()).take_while(|(a, _)| a == pattern.as_str()) {
                set.insert(*i);
            }
        } else {
            let text = pattern.as_str();
            let resource_start =
                self.by_resource.as_ref().zip(resource_part(text).map(literal_start).filter(|r| !r.is_empty()));
            let candidates: Box<dyn Iterator<Item = &(String, usize)>> = match resource_start {
                Some((by_resource, start)) => Box::new(starting_with(by_resource, start)),
                None => Box::new(starting_with(&self.sorted, literal_start(text))),
            };
            for (_, i) in candidates {
                if pattern.matches(&self.arns[*i]) {
                    set.insert(*i);
                }
            }
        }
        self.matches.borrow_mut().insert(pattern.as_str().to_string(), set.clone());
        set
    }

    fn matching_any(&self, patterns: &[Pattern]) -> Bitset {
        let mut set = Bitset::empty(self.arns.len());
        for p in patterns {
            set.union_with(&self.matching(p));
        }
        set
    }
}

/// The ARNs of `index` on which `role` may perform an action of `actions`: [`allows_filtered`] for every ARN at once.
pub(crate) fn allowed_among(
    role: &Principal,
    actions: &[Pattern],
    index: &ArnIndex,
    scps: &[AttachedPolicy],
    statement: &dyn Fn(&Statement) -> bool,
) -> Bitset {
    let mut out = Bitset::empty(index.len());
    for c in actions {
        let mut set = granted_among(&role.identity, c, index, statement);
        if let Some(b) = &role.boundary {
            set.intersect_with(&granted_among(std::slice::from_ref(b), c, index, &|_| true));
        }
        if !scps.is_empty() {
            set.intersect_with(&granted_among(scps, c, index, &|_| true));
        }
        out.union_with(&set);
    }
    out
}

/// The ARNs of `index` some Allow in `policies` grants `c` on, less those an unconditional Deny covers.
fn granted_among(
    policies: &[AttachedPolicy],
    c: &Pattern,
    index: &ArnIndex,
    statement: &dyn Fn(&Statement) -> bool,
) -> Bitset {
    let denies: Vec<&Statement> = policies
        .iter()
        .flat_map(|p| &p.document.statements)
        .filter(|s| s.effect == Effect::Deny && !s.is_conditional() && !s.uses_variables)
        .collect();
    let full = || Bitset::full(index.len());
    let mut out = Bitset::empty(index.len());
    for s in policies.iter().flat_map(|p| &p.document.statements) {
        if s.effect != Effect::Allow || !may_grant(s, c) || !statement(s) {
            continue;
        }
        let mut set = match &s.resources {
            Some(Matcher::Only(rs)) => index.matching_any(rs),
            Some(Matcher::AllBut(rs)) => {
                let mut all = full();
                all.subtract(&index.matching_any(rs));
                all
            }
            None => full(),
        };
        for d in denies.iter().filter(|d| deny_covers_actions(d, &s.actions, c)) {
            match &d.resources {
                Some(Matcher::Only(drs)) => set.subtract(&index.matching_any(drs)),
                Some(Matcher::AllBut(drs)) => set.intersect_with(&index.matching_any(drs)),
                None => {}
            }
        }
        out.union_with(&set);
    }
    out
}

/// The first grant of an action in `class` on a resource `target` matches that no Deny in `policies` provably
/// removes.
fn granted(
    policies: &[AttachedPolicy],
    class: &[Pattern],
    target: &Pattern,
    accept: &dyn Fn(&Pattern) -> bool,
    statement: &dyn Fn(&Statement) -> bool,
) -> Option<Witness> {
    let denies: Vec<&Statement> = policies
        .iter()
        .flat_map(|p| &p.document.statements)
        .filter(|s| s.effect == Effect::Deny && !s.is_conditional() && !s.uses_variables)
        .collect();
    let everything = Pattern::resource("*");
    for policy in policies {
        for s in policy.document.statements.iter().filter(|s| s.effect == Effect::Allow && statement(s)) {
            // The actions first: most statements grant nothing of the class, and that test is the cheaper one.
            if !class.iter().any(|c| may_grant(s, c)) {
                continue;
            }
            let resources: Vec<&Pattern> = match &s.resources {
                Some(Matcher::Only(rs)) => rs.iter().filter(|r| overlaps(r, target)).collect(),
                // NotResource grants every resource but these; the target stands for that remainder.
                Some(Matcher::AllBut(rs)) if rs.iter().any(|r| r.covers(target)) => continue,
                Some(Matcher::AllBut(_)) | None => vec![if target.is_literal() { target } else { &everything }],
            };
            for c in class {
                let Some(action) = grants_action(&s.actions, c) else { continue };
                for r in resources.iter().copied().filter(|r| accept(r)) {
                    // The grant applies to r ∩ target; a Deny covering either side covers that.
                    let denied =
                        |d: &&Statement| denies_all(d, &s.actions, c, r) || denies_all(d, &s.actions, c, target);
                    if !denies.iter().any(denied) {
                        return Some(Witness {
                            action,
                            resource: if target.is_literal() { target } else { r }.as_str().to_string(),
                            policy: policy.name.clone(),
                            statement: s.label(),
                        });
                    }
                }
            }
        }
    }
    None
}

/// Can resource pattern `r` match something `target` matches? A literal target is a plain match (the common case:
/// one role's ARN), which is much cheaper than intersecting automata.
fn overlaps(r: &Pattern, target: &Pattern) -> bool {
    if target.is_literal() {
        r.matches(target.as_str())
    } else {
        r.intersects(target)
    }
}

/// May the statement's actions include something in `c`? ([`grants_action`] without building the witness.)
pub(crate) fn may_grant(s: &Statement, c: &Pattern) -> bool {
    if !s.services.may_include(c) {
        return false;
    }
    match &s.actions {
        Matcher::Only(ps) => ps.iter().any(|p| p.intersects(c)),
        Matcher::AllBut(ps) => !ps.iter().any(|p| p.covers(c)),
    }
}

/// If the statement's actions may include something in `c`, an action (or pattern) to show for it.
fn grants_action(actions: &Matcher, c: &Pattern) -> Option<String> {
    match actions {
        Matcher::Only(ps) => ps.iter().find(|p| p.intersects(c)).map(|p| {
            if p.covers(c) {
                c.as_str().to_string()
            } else if c.covers(p) {
                p.as_str().to_string()
            } else {
                p.intersection(c).unwrap_or_else(|| c.as_str().to_string())
            }
        }),
        // NotAction grants every action it does not list, including ones that do not exist yet. Only a single listed
        // pattern covering `c` proves the class is excluded; anything less stays `may`.
        Matcher::AllBut(ps) => (!ps.iter().any(|p| p.covers(c))).then(|| c.as_str().to_string()),
    }
}

/// Do Deny `d`'s actions cover everything an Allow with `allowed` actions grants of class pattern `c`?
fn deny_covers_actions(d: &Statement, allowed: &Matcher, c: &Pattern) -> bool {
    match &d.actions {
        Matcher::Only(das) => das.iter().any(|da| {
            da.covers(c)
                || matches!(allowed, Matcher::Only(ps) if ps.iter().filter(|p| p.intersects(c)).all(|p| da.covers(p)))
        }),
        Matcher::AllBut(das) => !das.iter().any(|da| da.intersects(c)),
    }
}

/// Does Deny `d` remove everything an Allow with `allowed` actions grants of class pattern `c` on resource `r`?
fn denies_all(d: &Statement, allowed: &Matcher, c: &Pattern, r: &Pattern) -> bool {
    let actions_covered = deny_covers_actions(d, allowed, c);
    let resources_covered = match &d.resources {
        Some(Matcher::Only(drs)) => {
            drs.iter().any(|dr| if r.is_literal() { dr.matches(r.as_str()) } else { dr.covers(r) })
        }
        Some(Matcher::AllBut(drs)) => !drs.iter().any(|dr| overlaps(dr, r)),
        None => false,
    };
    actions_covered && resources_covered
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse_policy;

    fn role(policies: &[&str]) -> Principal {
        Principal {
            name: "r".into(),
            arn: "arn:aws:iam::1:role/r".into(),
            identity: policies
                .iter()
                .enumerate()
                .map(|(i, p)| AttachedPolicy { name: format!("p{i}"), document: parse_policy(p).unwrap() })
                .collect(),
            ..Default::default()
        }
    }

    fn class(actions: &[&str]) -> Vec<Pattern> {
        actions.iter().map(|a| Pattern::action(a)).collect()
    }

    fn allow(action: &str, resource: &str) -> String {
        format!(r#"{{"Statement":[{{"Effect":"Allow","Action":"{action}","Resource":"{resource}"}}]}}"#)
    }

    fn deploy() -> Vec<Pattern> {
        class(&["codedeploy:*", "lambda:UpdateFunctionCode"])
    }

    #[test]
    fn nothing_granted_is_cannot() {
        assert_eq!(can_reach(&role(&[&allow("s3:GetObject", "*")]), &deploy(), &[]), Reach::Cannot);
    }

    #[test]
    fn direct_grant_is_may_with_witness() {
        let r = role(&[&allow("lambda:Update*", "arn:aws:lambda:*:*:function:app")]);
        match can_reach(&r, &deploy(), &[]) {
            Reach::May(w) => {
                assert_eq!(w.action, "lambda:UpdateFunctionCode");
                assert_eq!(w.resource, "arn:aws:lambda:*:*:function:app");
                assert_eq!((w.policy.as_str(), w.statement.as_str()), ("p0", "#0"));
            }
            Reach::Cannot => panic!("missed a grant"),
        }
    }

    #[test]
    fn not_action_grants_everything_else() {
        let r = role(&[r#"{"Statement":[{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}]}"#]);
        assert!(matches!(can_reach(&r, &deploy(), &[]), Reach::May(_)));
        let only_deploy_excluded =
            role(&[r#"{"Statement":[{"Effect":"Allow","NotAction":["codedeploy:*","lambda:*"],"Resource":"*"}]}"#]);
        assert_eq!(can_reach(&only_deploy_excluded, &deploy(), &[]), Reach::Cannot);
    }

    #[test]
    fn not_resource_grants_other_resources() {
        let r = role(&[
            r#"{"Statement":[{"Effect":"Allow","Action":"codedeploy:*","NotResource":"arn:aws:codedeploy:*:*:application:prod"}]}"#,
        ]);
        assert!(matches!(can_reach(&r, &deploy(), &[]), Reach::May(_)));
        let nothing = role(&[r#"{"Statement":[{"Effect":"Allow","Action":"codedeploy:*","NotResource":"*"}]}"#]);
        assert_eq!(can_reach(&nothing, &deploy(), &[]), Reach::Cannot);
    }

    #[test]
    fn question_marks_and_mixed_case_match() {
        assert!(matches!(can_reach(&role(&[&allow("LAMBDA:update?unctioncode", "*")]), &deploy(), &[]), Reach::May(_)));
        assert_eq!(can_reach(&role(&[&allow("lambda:Update?unctionConfig*", "*")]), &deploy(), &[]), Reach::Cannot);
    }

    #[test]
    fn conditional_deny_proves_nothing() {
        let r = role(&[
            &allow("codedeploy:*", "*"),
            r#"{"Statement":[{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"false"}}}]}"#,
        ]);
        assert!(matches!(can_reach(&r, &class(&["codedeploy:*"]), &[]), Reach::May(_)));
    }

    #[test]
    fn deny_subtracts_only_what_it_covers() {
        let narrow = role(&[
            &allow("codedeploy:*", "*"),
            r#"{"Statement":[{"Effect":"Deny","Action":"codedeploy:*","Resource":"arn:aws:codedeploy:*:*:application:prod"}]}"#,
        ]);
        assert!(
            matches!(can_reach(&narrow, &class(&["codedeploy:*"]), &[]), Reach::May(_)),
            "resource-scoped deny does not cover *"
        );
        let wide = role(&[
            &allow("codedeploy:*", "*"),
            r#"{"Statement":[{"Effect":"Deny","Action":"CodeDeploy:*","Resource":"*"}]}"#,
        ]);
        assert_eq!(can_reach(&wide, &class(&["codedeploy:*"]), &[]), Reach::Cannot);
        let not_action_deny = role(&[
            &allow("*", "*"),
            r#"{"Statement":[{"Effect":"Deny","NotAction":["s3:*","ec2:Describe*"],"Resource":"*"}]}"#,
        ]);
        assert_eq!(can_reach(&not_action_deny, &deploy(), &[]), Reach::Cannot);
    }

    #[test]
    fn several_inline_and_managed_policies_all_count() {
        let r = role(&[
            &allow("s3:GetObject", "*"),
            &allow("ec2:Describe*", "*"),
            &allow("codedeploy:CreateDeployment", "*"),
        ]);
        match can_reach(&r, &deploy(), &[]) {
            Reach::May(w) => assert_eq!((w.policy.as_str(), w.action.as_str()), ("p2", "codedeploy:CreateDeployment")),
            Reach::Cannot => panic!(),
        }
    }

    #[test]
    fn boundaries_cut_or_do_not() {
        let mut r = role(&[&allow("*", "*")]);
        r.boundary = Some(AttachedPolicy {
            name: "boundary".into(),
            document: parse_policy(&allow("autoscaling:*", "*")).unwrap(),
        });
        assert_eq!(can_reach(&r, &deploy(), &[]), Reach::Cannot, "boundary without deploy actions cuts");
        r.boundary =
            Some(AttachedPolicy { name: "boundary".into(), document: parse_policy(&allow("lambda:*", "*")).unwrap() });
        assert!(matches!(can_reach(&r, &deploy(), &[]), Reach::May(_)), "boundary allowing lambda does not cut");
    }

    #[test]
    fn scps_must_allow_too() {
        let r = role(&[&allow("*", "*")]);
        let scp = AttachedPolicy { name: "scp".into(), document: parse_policy(&allow("ec2:*", "*")).unwrap() };
        assert_eq!(can_reach(&r, &deploy(), &[scp]), Reach::Cannot);
    }

    #[test]
    fn url_encoded_documents_reason_the_same() {
        let encoded = "%7B%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22codedeploy%3A%2A%22%2C%22Resource%22%3A%22%2A%22%7D%5D%7D";
        assert!(matches!(can_reach(&role(&[encoded]), &deploy(), &[]), Reach::May(_)));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 500, ..Default::default() })]

        /// The index's ranges (by literal start, and by the resource part of five-colon ARNs) pick exactly what
        /// matching every ARN would.
        #[test]
        fn the_arn_index_agrees_with_matching_every_arn(
            names in proptest::collection::vec("(role|user)/(a|b|ab|ba|svc/a)", 1..12),
            accounts in proptest::collection::vec("(1|2|12)", 1..12),
            odd in proptest::bool::ANY,
            pattern in "arn:aws:iam::(1|2|\\*|1\\*|\\?)?:(role|user|\\*|r\\?le)?/?(a|b|\\*|svc/\\*|\\?)?\\*?",
        ) {
            let mut arns: Vec<String> = names
                .iter()
                .zip(accounts.iter().cycle())
                .map(|(n, a)| format!("arn:aws:iam::{a}:{n}"))
                .collect();
            if odd {
                // An ARN with a sixth colon turns the resource-part index off; the prefix index must still agree.
                arns.push("arn:aws:iam::1:role/a:b".into());
            }
            let index = ArnIndex::new(arns.clone());
            let p = Pattern::resource(&pattern);
            let got: Vec<usize> = index.matching(&p).iter().collect();
            let want: Vec<usize> = (0..arns.len()).filter(|&i| p.matches(&arns[i])).collect();
            proptest::prop_assert_eq!(got, want, "{} over {:?}", pattern, arns);
        }
    }
}
