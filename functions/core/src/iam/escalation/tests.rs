//! Escalation paths, one test per kind of hop, chains two hops long, and the unknown-role cases.

use super::*;
use crate::iam::parse_policy;

const ACCOUNT: &str = "123456789012";

fn arn(name: &str) -> String {
    format!("arn:aws:iam::{ACCOUNT}:role/{name}")
}

/// A role with one inline policy granting `(actions, resource)` pairs, and an optional trust policy.
fn role(name: &str, grants: &[(&str, &str)], trust: Option<&str>) -> RolePolicies {
    let statements: Vec<String> = grants
        .iter()
        .map(|(a, r)| format!(r#"{{"Effect":"Allow","Action":"{a}","Resource":"{}"}}"#, r.replace("SELF", &arn(name))))
        .collect();
    RolePolicies {
        name: name.into(),
        arn: arn(name),
        identity: vec![AttachedPolicy {
            name: format!("{name}-inline"),
            document: parse_policy(&format!(r#"{{"Statement":[{}]}}"#, statements.join(","))).unwrap(),
        }],
        boundary: None,
        trust: trust.map(|t| parse_policy(t).unwrap()),
    }
}

fn trusts_service(service: &str) -> String {
    format!(r#"{{"Statement":[{{"Effect":"Allow","Principal":{{"Service":"{service}"}},"Action":"sts:AssumeRole"}}]}}"#)
}

fn trusts_role(name: &str) -> String {
    format!(r#"{{"Statement":[{{"Effect":"Allow","Principal":{{"AWS":"{}"}},"Action":"sts:AssumeRole"}}]}}"#, arn(name))
}

fn complete(roles: Vec<RolePolicies>) -> Inventory {
    Inventory { roles, scps: vec![], complete: true }
}

fn deploy() -> Vec<Pattern> {
    vec![Pattern::action("codedeploy:*"), Pattern::action("lambda:UpdateFunctionCode")]
}

/// The path for role `name` to the deploy class.
fn deploy_path(inventory: &Inventory, name: &str) -> Option<Path> {
    let i = inventory.roles.iter().position(|r| r.name == name).unwrap();
    Escalation::new(inventory).reach(&deploy())[i].clone()
}

fn vias(p: &Path) -> Vec<(&str, &str, Via)> {
    p.hops.iter().map(|h| (h.from.as_str(), h.to.as_str(), h.via)).collect()
}

#[test]
fn two_hop_chain_assume_then_pass_role_to_lambda() {
    let inventory = complete(vec![
        role("asg-scaler", &[("sts:AssumeRole", &arn("ops"))], Some(&trusts_service("lambda.amazonaws.com"))),
        role(
            "ops",
            &[("iam:PassRole", &arn("deployer")), ("lambda:CreateFunction", "*")],
            Some(&trusts_role("asg-scaler")),
        ),
        role("deployer", &[("codedeploy:*", "*")], Some(&trusts_service("lambda.amazonaws.com"))),
    ]);
    let p = deploy_path(&inventory, "asg-scaler").expect("a two-hop path");
    assert_eq!(vias(&p), [("asg-scaler", "ops", Via::AssumeRole), ("ops", "deployer", Via::PassRole)]);
    assert_eq!((p.holder.as_str(), p.grant.action.as_str(), p.edit), ("deployer", "codedeploy:*", false));
    let pass = &p.hops[1].grants;
    assert_eq!(
        pass.iter().map(|w| w.action.as_str()).collect::<Vec<_>>(),
        ["iam:PassRole", "lambda:CreateFunction", "sts:AssumeRole"]
    );
    assert_eq!(pass[2].policy, "trust policy of deployer");
}

#[test]
fn assume_needs_the_other_sides_trust() {
    let other_account = r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::999999999999:root"},"Action":"sts:AssumeRole"}]}"#;
    let inventory = complete(vec![
        role("asg-scaler", &[("sts:AssumeRole", &arn("deployer"))], None),
        role("deployer", &[("codedeploy:*", "*")], Some(other_account)),
    ]);
    assert_eq!(deploy_path(&inventory, "asg-scaler"), None);
    // The account root in the trust policy delegates to the caller's own identity policy.
    let same_account = format!(
        r#"{{"Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{ACCOUNT}:root"}},"Action":"sts:AssumeRole"}}]}}"#
    );
    let inventory = complete(vec![
        role("asg-scaler", &[("sts:AssumeRole", &arn("deployer"))], None),
        role("deployer", &[("codedeploy:*", "*")], Some(&same_account)),
    ]);
    let p = deploy_path(&inventory, "asg-scaler").unwrap();
    assert_eq!(vias(&p), [("asg-scaler", "deployer", Via::AssumeRole)]);
    assert_eq!(p.hops[0].grants[1].resource, format!("arn:aws:iam::{ACCOUNT}:root"));
}

#[test]
fn editing_the_trust_policy_first_is_a_path() {
    let inventory = complete(vec![
        role(
            "asg-scaler",
            &[("sts:AssumeRole", &arn("deployer")), ("iam:UpdateAssumeRolePolicy", &arn("deployer"))],
            None,
        ),
        role("deployer", &[("codedeploy:*", "*")], Some(&trusts_service("codebuild.amazonaws.com"))),
    ]);
    let p = deploy_path(&inventory, "asg-scaler").unwrap();
    assert_eq!(vias(&p), [("asg-scaler", "deployer", Via::TrustEdit)]);
}

#[test]
fn a_policy_edit_on_itself_reaches_everything() {
    let inventory = complete(vec![role("asg-scaler", &[("iam:PutRolePolicy", "SELF")], None)]);
    let p = deploy_path(&inventory, "asg-scaler").unwrap();
    assert!(p.hops.is_empty() && p.edit);
    assert_eq!((p.grant.action.as_str(), p.grant.resource.as_str()), ("iam:PutRolePolicy", arn("asg-scaler").as_str()));
    // On another role it cannot act as, the same edit gives nothing.
    let inventory = complete(vec![
        role("asg-scaler", &[("iam:PutRolePolicy", &arn("victim"))], None),
        role("victim", &[], Some(&trusts_service("ec2.amazonaws.com"))),
    ]);
    assert_eq!(deploy_path(&inventory, "asg-scaler"), None);
}

#[test]
fn editing_a_role_it_can_assume_reaches_everything() {
    let inventory = complete(vec![
        role("asg-scaler", &[("sts:AssumeRole", &arn("empty")), ("iam:AttachRolePolicy", &arn("empty"))], None),
        role("empty", &[], Some(&trusts_role("asg-scaler"))),
    ]);
    let p = deploy_path(&inventory, "asg-scaler").unwrap();
    assert_eq!(vias(&p), [("asg-scaler", "empty", Via::AssumeRole)]);
    assert_eq!((p.holder.as_str(), p.grant.action.as_str()), ("asg-scaler", "iam:AttachRolePolicy"));
}

#[test]
fn a_new_version_of_an_attached_managed_policy_is_an_edit() {
    let mut r = role("asg-scaler", &[("iam:CreatePolicyVersion", "arn:aws:iam::*:policy/scaling-*")], None);
    r.identity[0].name = format!("arn:aws:iam::{ACCOUNT}:policy/scaling-base");
    let p = deploy_path(&complete(vec![r.clone()]), "asg-scaler").unwrap();
    assert_eq!(p.grant.resource, format!("arn:aws:iam::{ACCOUNT}:policy/scaling-base"));
    r.identity[0].name = format!("arn:aws:iam::{ACCOUNT}:policy/other");
    assert_eq!(deploy_path(&complete(vec![r]), "asg-scaler"), None);
}

#[test]
fn removing_a_policy_widens_only_a_role_with_a_deny() {
    let mut r = role("asg-scaler", &[("iam:DetachRolePolicy", "SELF"), ("codedeploy:*", "*")], None);
    r.identity.push(AttachedPolicy {
        name: "guardrail".into(),
        document: parse_policy(r#"{"Statement":[{"Effect":"Deny","Action":"codedeploy:*","Resource":"*"}]}"#).unwrap(),
    });
    let p = deploy_path(&complete(vec![r]), "asg-scaler").expect("detaching the guardrail frees codedeploy");
    assert_eq!(p.grant.action, "iam:DetachRolePolicy");
    let no_deny = role("asg-scaler", &[("iam:DetachRolePolicy", "SELF")], None);
    assert_eq!(deploy_path(&complete(vec![no_deny]), "asg-scaler"), None);
}

#[test]
fn code_templates_and_commands_reach_roles_trusting_the_service() {
    for (action, via, service) in [
        ("lambda:UpdateFunctionCode", Via::UpdateFunctionCode, "lambda.amazonaws.com"),
        ("ec2:CreateLaunchTemplateVersion", Via::LaunchTemplate, "ec2.amazonaws.com"),
        ("ssm:SendCommand", Via::SendCommand, "ec2.amazonaws.com"),
    ] {
        let data = [Pattern::action("s3:GetObject")];
        let inventory = complete(vec![
            role("asg-scaler", &[(action, "*")], None),
            role("app", &[("s3:GetObject", "*")], Some(&trusts_service(service))),
        ]);
        let reach = Escalation::new(&inventory).reach(&data);
        let p = reach[0].clone().unwrap_or_else(|| panic!("{action} reaches the app role"));
        assert_eq!(vias(&p), [("asg-scaler", "app", via)], "{action}");
        let other = complete(vec![
            role("asg-scaler", &[(action, "*")], None),
            role("app", &[("s3:GetObject", "*")], Some(&trusts_service("glue.amazonaws.com"))),
        ]);
        assert_eq!(Escalation::new(&other).reach(&data)[0], None, "{action}: app runs only under glue");
    }
}

#[test]
fn unknown_trust_admits_any_service() {
    let inventory = complete(vec![
        role("asg-scaler", &[("iam:PassRole", "*"), ("ecs:RunTask", "*")], None),
        role("deployer", &[("codedeploy:*", "*")], None),
    ]);
    let p = deploy_path(&inventory, "asg-scaler").unwrap();
    assert_eq!(vias(&p), [("asg-scaler", "deployer", Via::PassRole)]);
    assert_eq!(p.hops[0].grants[2].policy, "trust policy of deployer (not in the input)");
}

#[test]
fn pass_role_without_compute_or_under_a_deny_is_no_path() {
    let no_compute = complete(vec![
        role("asg-scaler", &[("iam:PassRole", "*")], None),
        role("deployer", &[("codedeploy:*", "*")], None),
    ]);
    assert_eq!(deploy_path(&no_compute, "asg-scaler"), None);
    let mut denied = role("asg-scaler", &[("iam:PassRole", "*"), ("ec2:RunInstances", "*")], None);
    denied.identity.push(AttachedPolicy {
        name: "no-pass".into(),
        document: parse_policy(
            r#"{"Statement":[{"Effect":"Deny","Action":"iam:Pass*","Resource":"arn:aws:iam::*:role/*"}]}"#,
        )
        .unwrap(),
    });
    let inventory = complete(vec![denied, role("deployer", &[("codedeploy:*", "*")], None)]);
    assert_eq!(deploy_path(&inventory, "asg-scaler"), None);
}

#[test]
fn a_partial_input_leads_wildcards_outside() {
    let roles = vec![
        role("asg-scaler", &[("iam:PassRole", "arn:aws:iam::*:role/app-*"), ("ec2:RunInstances", "*")], None),
        role("app-web", &[], Some(&trusts_service("ec2.amazonaws.com"))),
    ];
    let partial = Inventory { roles: roles.clone(), scps: vec![], complete: false };
    let p = deploy_path(&partial, "asg-scaler").expect("app-* can name a role not in the input");
    assert_eq!(vias(&p), [("asg-scaler", OUTSIDE, Via::PassRole)]);
    assert_eq!(p.holder, OUTSIDE);
    assert_eq!(deploy_path(&complete(roles), "asg-scaler"), None, "the whole account: app-web cannot deploy");
}

#[test]
fn assuming_any_role_can_cross_accounts_even_in_a_complete_input() {
    let star = complete(vec![role("asg-scaler", &[("sts:AssumeRole", "*")], None)]);
    assert_eq!(deploy_path(&star, "asg-scaler").unwrap().holder, OUTSIDE);
    let own_account = complete(vec![
        role("asg-scaler", &[("sts:AssumeRole", &format!("arn:aws:iam::{ACCOUNT}:role/*"))], None),
        role("reader", &[("s3:GetObject", "*")], None),
    ]);
    assert_eq!(deploy_path(&own_account, "asg-scaler"), None);
}

#[test]
fn boundaries_and_scps_cut_hops_too() {
    let mut scaler = role("asg-scaler", &[("sts:AssumeRole", "*")], None);
    scaler.boundary = Some(AttachedPolicy {
        name: "boundary".into(),
        document: parse_policy(r#"{"Statement":[{"Effect":"Allow","Action":"autoscaling:*","Resource":"*"}]}"#)
            .unwrap(),
    });
    let inventory =
        complete(vec![scaler, role("deployer", &[("codedeploy:*", "*")], Some(&trusts_role("asg-scaler")))]);
    assert_eq!(deploy_path(&inventory, "asg-scaler"), None);
    let scp = AttachedPolicy {
        name: "scp".into(),
        document: parse_policy(
            r#"{"Statement":[{"Effect":"Allow","Action":["autoscaling:*","codedeploy:*"],"Resource":"*"}]}"#,
        )
        .unwrap(),
    };
    let inventory = Inventory {
        roles: vec![
            role("asg-scaler", &[("sts:AssumeRole", "*")], None),
            role("deployer", &[("codedeploy:*", "*")], Some(&trusts_role("asg-scaler"))),
        ],
        scps: vec![scp],
        complete: true,
    };
    assert_eq!(deploy_path(&inventory, "asg-scaler"), None, "the SCP allows no sts:AssumeRole");
}
