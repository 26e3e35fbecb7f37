//! The audit: every (principal, duty, forbidden class) checked, violations and proofs alike.

use super::catalog::Catalog;
use super::duties::Duties;
use super::escalation::{End, Escalation, Hop, Inventory, Path};
use super::reasoner::Witness;
use crate::Pattern;
use serde::Serialize;
use std::collections::BTreeMap;

/// One (principal, duty, class) check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    /// Role or user name.
    pub principal: String,
    /// `role` or `user`.
    pub kind: super::reasoner::PrincipalKind,
    /// The duty, as the duties file names it.
    pub duty: String,
    /// Forbidden class.
    pub class: String,
    /// `cannot` (proven) or `may` (with a witness).
    pub verdict: AuditVerdict,
    /// How the class may be reached; `null` for `cannot`.
    pub witness: Option<AuditWitness>,
}

/// The answer to one check. `cannot` is said only when proven.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AuditVerdict {
    /// No path reaches the class: proven.
    Cannot,
    /// A path may reach the class; the witness shows it.
    May,
}

/// How a witness reaches its final grant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PathKind {
    /// The audited principal's own grant.
    Direct,
    /// Through hops, or through an edit of its own policies.
    Escalation,
}

/// A witness: a direct grant, or the hops of an escalation path and the grant at its end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditWitness {
    /// `direct` (the principal's own grant) or `escalation` (through the hops).
    pub path: PathKind,
    /// The final grant: an action of the class, or a policy edit that can add one.
    #[serde(flatten)]
    pub grant: Witness,
    /// What the final grant is: `action` (an action of the class), `policy-edit` (an edit that can add any
    /// action), `unknown-role` (a principal outside the input, which may hold any permission), or `new-principal`
    /// (a principal the audited one creates and gives permissions).
    pub ends_in: End,
    /// The role holding the final grant (the audited role itself when direct).
    pub holder: String,
    /// When the final grant is an action pattern: up to three documented actions of the class it grants (from the
    /// vendored catalog), with their access levels, to show what a wildcard means.
    pub examples: Vec<Example>,
    /// How the audited role comes to act as the holder; empty when direct.
    pub hops: Vec<Hop>,
}

/// A documented action a witness's grant covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Example {
    /// `service:Action`.
    pub action: String,
    /// Its access level in the catalog (`Write`, `Permissions management`, …).
    pub access_level: &'static str,
}

impl AuditWitness {
    fn new(p: Path, class: &[Pattern]) -> Self {
        let path = if p.hops.is_empty() && p.end == End::Action { PathKind::Direct } else { PathKind::Escalation };
        let ends_in = p.end;
        let examples = if ends_in == End::Action {
            let granted = Pattern::action(&p.grant.action);
            let mut found: Vec<_> =
                Catalog::builtin().matching(&granted).filter(|a| class.iter().any(|c| c.matches(&a.name))).collect();
            // The most telling first: permission changes and writes before reads and lists.
            found.sort_by_key(|a| a.level.rank());
            found.iter().take(3).map(|a| Example { action: a.name.clone(), access_level: a.level.as_str() }).collect()
        } else {
            Vec::new()
        };
        Self { path, grant: p.grant, ends_in, holder: p.holder, examples, hops: p.hops }
    }
}

/// The whole audit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditReport {
    /// Every check.
    pub checks: Vec<Check>,
    /// Counts.
    pub summary: Summary,
}

/// Counts for the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Principals (roles and users) audited.
    pub principals: usize,
    /// Principals some duty applied to.
    pub principals_with_duties: usize,
    /// Checks made.
    pub checks: usize,
    /// Checks answered `may`.
    pub may: usize,
    /// Checks answered `cannot`.
    pub cannot: usize,
}

impl AuditReport {
    /// True when every check is `cannot`.
    pub fn clean(&self) -> bool {
        self.summary.may == 0
    }
}

/// Audits every role and user against every duty that names it (or a group it is in), following escalation paths.
pub fn audit(inventory: &Inventory, duties: &Duties) -> AuditReport {
    let roles = &inventory.principals;
    let applicable: Vec<Vec<_>> = roles.iter().map(|r| duties.for_principal(r, &inventory.groups).collect()).collect();
    let escalation = Escalation::new(inventory);
    // Each forbidden class is solved once for every role.
    let mut reach: BTreeMap<&str, Vec<Option<Path>>> = BTreeMap::new();
    for class in applicable.iter().flatten().flat_map(|d| &d.forbid) {
        if !reach.contains_key(class.as_str()) {
            reach.insert(class, escalation.reach_except(&duties.classes[class], &duties.exemptions(class)));
        }
    }
    let mut checks = Vec::new();
    for (i, role) in roles.iter().enumerate() {
        for duty in &applicable[i] {
            for class in &duty.forbid {
                let witness =
                    reach[class.as_str()][i].clone().map(|p| AuditWitness::new(p, &duties.classes[class.as_str()]));
                checks.push(Check {
                    principal: role.name.clone(),
                    kind: role.kind,
                    duty: duty.name.clone(),
                    class: class.clone(),
                    verdict: if witness.is_some() { AuditVerdict::May } else { AuditVerdict::Cannot },
                    witness,
                });
            }
        }
    }
    let may = checks.iter().filter(|c| c.verdict == AuditVerdict::May).count();
    let summary = Summary {
        principals: roles.len(),
        principals_with_duties: applicable.iter().filter(|a| !a.is_empty()).count(),
        checks: checks.len(),
        may,
        cannot: checks.len() - may,
    };
    AuditReport { checks, summary }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{parse_policy, AttachedPolicy, Principal};

    fn role(name: &str, doc: &str) -> Principal {
        Principal {
            name: name.into(),
            arn: format!("arn:aws:iam::123456789012:role/{name}"),
            identity: vec![AttachedPolicy { name: format!("{name}-inline"), document: parse_policy(doc).unwrap() }],
            ..Default::default()
        }
    }

    #[test]
    fn every_principal_duty_class_is_reported_both_ways() {
        let duties = Duties::builtin().unwrap();
        let roles = [
            role(
                "scalegate-reaper",
                r#"{"Statement":[{"Effect":"Allow","Action":"autoscaling:SetInstanceProtection","Resource":"*"}]}"#,
            ),
            role(
                "asg-web",
                r#"{"Statement":[{"Effect":"Allow","Action":["autoscaling:*","s3:GetObject"],"Resource":"*"}]}"#,
            ),
            role(
                "github-actions-deploy",
                r#"{"Statement":[{"Effect":"Allow","Action":"codedeploy:*","Resource":"*"}]}"#,
            ),
            role("billing", r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#),
        ];
        let report = audit(&Inventory { principals: roles.to_vec(), ..Default::default() }, &duties);
        assert_eq!(report.summary.principals, 4);
        assert_eq!(report.summary.principals_with_duties, 3, "billing has no duty");
        assert_eq!(report.checks.len(), 3 + 3 + 1);
        let verdict = |p: &str, c: &str| report.checks.iter().find(|x| x.principal == p && x.class == c).unwrap();
        assert_eq!(verdict("scalegate-reaper", "data").verdict, AuditVerdict::Cannot);
        assert_eq!(verdict("scalegate-reaper", "data").witness, None);
        let w = verdict("asg-web", "data").witness.clone().unwrap();
        assert_eq!((w.path, w.grant.action.as_str()), (PathKind::Direct, "s3:GetObject"));
        // autoscaling:* creates a group from an existing launch configuration, whose instance profile runs with no
        // iam:PassRole: any role EC2 may assume (trust policies are unknown here, so every one) is reached.
        let w = verdict("asg-web", "deploy").witness.clone().unwrap();
        assert_eq!(w.hops[0].via, crate::Via::ReuseCompute);
        assert!(["github-actions-deploy", "billing"].contains(&w.holder.as_str()), "{}", w.holder);
        assert_eq!(verdict("github-actions-deploy", "scaling").verdict, AuditVerdict::Cannot);
        assert!(!report.clean());
    }
}
