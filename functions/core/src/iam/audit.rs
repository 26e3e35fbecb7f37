//! The audit: every (principal, duty, forbidden class) checked, violations and proofs alike.

use super::duties::Duties;
use super::pattern::Pattern;
use super::reasoner::{can_reach, AttachedPolicy, Reach, RolePolicies, Witness};
use serde::Serialize;

/// Actions through which a role can act as another role or principal. Until escalation paths are modelled one by
/// one, a role that may perform any of these may reach every class: the sound answer.
pub const ESCALATION_ACTIONS: &[&str] = &[
    "iam:PassRole",
    "iam:PutRolePolicy",
    "iam:AttachRolePolicy",
    "iam:PutUserPolicy",
    "iam:AttachUserPolicy",
    "iam:PutGroupPolicy",
    "iam:AttachGroupPolicy",
    "iam:CreatePolicyVersion",
    "iam:SetDefaultPolicyVersion",
    "iam:UpdateAssumeRolePolicy",
    "iam:CreateAccessKey",
    "iam:CreateLoginProfile",
    "iam:UpdateLoginProfile",
    "iam:AddUserToGroup",
    "sts:AssumeRole",
    "lambda:UpdateFunctionCode",
    "lambda:UpdateFunctionConfiguration",
    "lambda:CreateFunction",
    "ec2:RunInstances",
    "ec2:CreateLaunchTemplateVersion",
    "ec2:ModifyLaunchTemplate",
    "ec2:AssociateIamInstanceProfile",
    "ec2:ReplaceIamInstanceProfileAssociation",
    "autoscaling:CreateAutoScalingGroup",
    "autoscaling:UpdateAutoScalingGroup",
    "autoscaling:CreateLaunchConfiguration",
    "ssm:SendCommand",
    "ssm:StartSession",
    "cloudformation:CreateStack",
    "cloudformation:UpdateStack",
    "glue:UpdateDevEndpoint",
    "codebuild:StartBuild",
];

/// One (principal, duty, class) check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    /// Role name.
    pub principal: String,
    /// Duty name.
    pub duty: String,
    /// Forbidden class.
    pub class: String,
    /// `cannot` or `may`.
    pub verdict: &'static str,
    /// How the class may be reached; `null` for `cannot`.
    pub witness: Option<AuditWitness>,
}

/// A witness: a direct grant, or an escalation-capable action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditWitness {
    /// `direct` or `escalation`.
    pub path: &'static str,
    /// The grant.
    #[serde(flatten)]
    pub grant: Witness,
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
    /// Roles audited.
    pub principals: usize,
    /// Roles some duty applied to.
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

/// Audits every role against every duty that names it.
pub fn audit(roles: &[RolePolicies], duties: &Duties, scps: &[AttachedPolicy]) -> AuditReport {
    let escalation: Vec<Pattern> = ESCALATION_ACTIONS.iter().map(|a| Pattern::action(a)).collect();
    let mut checks = Vec::new();
    let mut with_duties = 0;
    for role in roles {
        let applicable: Vec<_> = duties.for_role(&role.name, &role.arn).collect();
        if applicable.is_empty() {
            continue;
        }
        with_duties += 1;
        let escalates = match can_reach(role, &escalation, scps) {
            Reach::May(w) => Some(w),
            Reach::Cannot => None,
        };
        for duty in applicable {
            for class in &duty.forbid {
                let witness = match can_reach(role, &duties.classes[class], scps) {
                    Reach::May(grant) => Some(AuditWitness { path: "direct", grant }),
                    Reach::Cannot => escalates.clone().map(|grant| AuditWitness { path: "escalation", grant }),
                };
                checks.push(Check {
                    principal: role.name.clone(),
                    duty: duty.name.clone(),
                    class: class.clone(),
                    verdict: if witness.is_some() { "may" } else { "cannot" },
                    witness,
                });
            }
        }
    }
    let may = checks.iter().filter(|c| c.verdict == "may").count();
    let summary = Summary {
        principals: roles.len(),
        principals_with_duties: with_duties,
        checks: checks.len(),
        may,
        cannot: checks.len() - may,
    };
    AuditReport { checks, summary }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::iam::parse_policy;

    fn role(name: &str, doc: &str) -> RolePolicies {
        RolePolicies {
            name: name.into(),
            arn: format!("arn:aws:iam::123456789012:role/{name}"),
            identity: vec![AttachedPolicy { name: format!("{name}-inline"), document: parse_policy(doc).unwrap() }],
            boundary: None,
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
        let report = audit(&roles, &duties, &[]);
        assert_eq!(report.summary.principals, 4);
        assert_eq!(report.summary.principals_with_duties, 3, "billing has no duty");
        assert_eq!(report.checks.len(), 3 + 3 + 1);
        let verdict = |p: &str, c: &str| report.checks.iter().find(|x| x.principal == p && x.class == c).unwrap();
        assert_eq!(verdict("scalegate-reaper", "data").verdict, "cannot");
        assert_eq!(verdict("scalegate-reaper", "data").witness, None);
        let w = verdict("asg-web", "data").witness.clone().unwrap();
        assert_eq!((w.path, w.grant.action.as_str()), ("direct", "s3:GetObject"));
        // autoscaling:* includes UpdateAutoScalingGroup, which can swap the launch template: an escalation path.
        assert_eq!(verdict("asg-web", "deploy").witness.clone().unwrap().path, "escalation");
        assert_eq!(verdict("github-actions-deploy", "scaling").verdict, "cannot");
        assert!(!report.clean());
    }
}
