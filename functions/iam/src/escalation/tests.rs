//! Escalation paths, one test per kind of hop, chains two hops long, and the unknown-role cases.

use super::*;
use crate::parse_policy;

const ACCOUNT: &str = "123456789012";

fn arn(name: &str) -> String {
    format!("arn:aws:iam::{ACCOUNT}:role/{name}")
}

/// A role with one inline policy granting `(actions, resource)` pairs, and an optional trust policy.
fn role(name: &str, grants: &[(&str, &str)], trust: Option<&str>) -> Principal {
    let statements: Vec<String> = grants
        .iter()
        .map(|(a, r)| format!(r#"{{"Effect":"Allow","Action":"{a}","Resource":"{}"}}"#, r.replace("SELF", &arn(name))))
        .collect();
    Principal {
        name: name.into(),
        arn: arn(name),
        identity: vec![AttachedPolicy {
            name: format!("{name}-inline"),
            document: parse_policy(&format!(r#"{{"Statement":[{}]}}"#, statements.join(","))).unwrap(),
        }],
        trust: trust.map(|t| parse_policy(t).unwrap()),
        ..Default::default()
    }
}

fn trusts_service(service: &str) -> String {
    format!(r#"{{"Statement":[{{"Effect":"Allow","Principal":{{"Service":"{service}"}},"Action":"sts:AssumeRole"}}]}}"#)
}

fn trusts_role(name: &str) -> String {
    format!(r#"{{"Statement":[{{"Effect":"Allow","Principal":{{"AWS":"{}"}},"Action":"sts:AssumeRole"}}]}}"#, arn(name))
}

fn complete(principals: Vec<Principal>) -> Inventory {
    Inventory { principals, complete: true, ..Default::default() }
}

fn deploy() -> Vec<Pattern> {
    vec![Pattern::action("codedeploy:*"), Pattern::action("lambda:UpdateFunctionCode")]
}

/// The path for role `name` to the deploy class.
fn deploy_path(inventory: &Inventory, name: &str) -> Option<Path> {
    let i = inventory.principals.iter().position(|r| r.name == name).unwrap();
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
    assert_eq!((p.holder.as_str(), p.grant.action.as_str(), p.end), ("deployer", "codedeploy:*", End::Action));
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
    assert!(p.hops.is_empty() && p.end == End::PolicyEdit);
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
        ("lambda:UpdateFunctionCode", Via::ReuseCompute, "lambda.amazonaws.com"),
        ("ec2:CreateLaunchTemplateVersion", Via::ReuseCompute, "ec2.amazonaws.com"),
        ("ssm:SendCommand", Via::ReuseCompute, "ec2.amazonaws.com"),
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
    let partial = Inventory { principals: roles.clone(), ..Default::default() };
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
        principals: vec![
            role("asg-scaler", &[("sts:AssumeRole", "*")], None),
            role("deployer", &[("codedeploy:*", "*")], Some(&trusts_role("asg-scaler"))),
        ],
        scps: vec![scp],
        complete: true,
        ..Default::default()
    };
    assert_eq!(deploy_path(&inventory, "asg-scaler"), None, "the SCP allows no sts:AssumeRole");
}

fn with_boundary(mut p: Principal, actions: &str) -> Principal {
    p.boundary = Some(AttachedPolicy {
        name: "boundary".into(),
        document: parse_policy(&format!(r#"{{"Statement":[{{"Effect":"Allow","Action":{actions},"Resource":"*"}}]}}"#))
            .unwrap(),
    });
    p
}

#[test]
fn aws_managed_policies_cannot_be_edited() {
    let mut r = role("asg-scaler", &[("iam:CreatePolicyVersion", "*"), ("iam:SetDefaultPolicyVersion", "*")], None);
    r.identity[0].name = "arn:aws:iam::aws:policy/AutoScalingFullAccess".into();
    assert_eq!(deploy_path(&complete(vec![r.clone()]), "asg-scaler"), None, "AWS owns its managed policies");
    r.identity[0].name = format!("arn:aws:iam::{ACCOUNT}:policy/AutoScalingFullAccess");
    assert!(deploy_path(&complete(vec![r]), "asg-scaler").is_some(), "a customer copy of the same name is editable");
}

#[test]
fn a_boundary_cuts_a_self_edit_unless_the_boundary_is_editable_too() {
    let bounded = |extra: &[(&str, &str)], boundary: &str| {
        let mut grants = vec![("iam:PutRolePolicy", "SELF")];
        grants.extend_from_slice(extra);
        with_boundary(role("asg-scaler", &grants, None), boundary)
    };
    let no_boundary_edits = r#"["autoscaling:*", "iam:PutRolePolicy"]"#;
    // Its identity may delete the boundary, but the boundary itself does not allow that: the cut holds.
    let held = bounded(&[("iam:DeleteRolePermissionsBoundary", "SELF")], no_boundary_edits);
    assert_eq!(deploy_path(&complete(vec![held]), "asg-scaler"), None, "the boundary allows no codedeploy");
    // A boundary that allows deleting itself: the role writes that grant, deletes the boundary, then anything.
    let lifts = r#"["autoscaling:*", "iam:PutRolePolicy", "iam:DeleteRolePermissionsBoundary"]"#;
    let p = deploy_path(&complete(vec![bounded(&[], lifts)]), "asg-scaler").expect("two edits lift the cut");
    assert_eq!(p.end, End::PolicyEdit);
    // Editing another role's boundary does not lift its own.
    let other = bounded(&[("iam:DeleteRolePermissionsBoundary", &arn("someone-else"))], no_boundary_edits);
    assert_eq!(deploy_path(&complete(vec![other]), "asg-scaler"), None);
}

#[test]
fn set_default_version_reaches_only_what_the_known_versions_grant() {
    let policy_arn = format!("arn:aws:iam::{ACCOUNT}:policy/scaling");
    let mut r = role("asg-scaler", &[("iam:SetDefaultPolicyVersion", &policy_arn)], None);
    r.identity[0].name = policy_arn.clone();
    let with_versions = |other: &str| {
        let mut inventory = complete(vec![r.clone()]);
        let doc = |a: &str| {
            parse_policy(&format!(r#"{{"Statement":[{{"Effect":"Allow","Action":"{a}","Resource":"*"}}]}}"#)).unwrap()
        };
        inventory
            .policy_versions
            .insert(policy_arn.clone(), vec![("v1".into(), r.identity[0].document.clone()), ("v2".into(), doc(other))]);
        inventory
    };
    assert_eq!(deploy_path(&with_versions("cloudwatch:*"), "asg-scaler"), None);
    let p = deploy_path(&with_versions("codedeploy:CreateDeployment"), "asg-scaler").unwrap();
    assert_eq!(
        (p.grant.action.as_str(), p.grant.policy.as_str()),
        ("codedeploy:CreateDeployment", &*format!("{policy_arn} version v2"))
    );
    assert_eq!(p.hops.iter().map(|h| h.via).collect::<Vec<_>>(), [Via::PolicyEdit]);
    // Versions not in the input: any document may be one of them.
    assert_eq!(deploy_path(&complete(vec![r.clone()]), "asg-scaler").unwrap().end, End::PolicyEdit);
}

#[test]
fn associated_resource_arn_and_passed_to_service_are_decided_per_service() {
    let pass = |condition: &str| {
        let mut r = role("asg-scaler", &[("ec2:RunInstances", "*"), ("lambda:CreateFunction", "*")], None);
        r.identity.push(AttachedPolicy {
            name: "pass".into(),
            document: parse_policy(&format!(
                r#"{{"Statement":[{{"Effect":"Allow","Action":"iam:PassRole","Resource":"*","Condition":{condition}}}]}}"#
            ))
            .unwrap(),
        });
        r
    };
    let deployer = |service: &str| role("deployer", &[("codedeploy:*", "*")], Some(&trusts_service(service)));
    let lambda_only = r#"{"ArnLike":{"iam:AssociatedResourceArn":"arn:aws:lambda:*:*:function:*"}}"#;
    assert_eq!(deploy_path(&complete(vec![pass(lambda_only), deployer("ec2.amazonaws.com")]), "asg-scaler"), None);
    let p = deploy_path(&complete(vec![pass(lambda_only), deployer("lambda.amazonaws.com")]), "asg-scaler").unwrap();
    assert_eq!(p.hops[0].grants[1].action, "lambda:CreateFunction");
    let to_ec2 = r#"{"StringEquals":{"iam:PassedToService":"ec2.amazonaws.com"}}"#;
    assert_eq!(deploy_path(&complete(vec![pass(to_ec2), deployer("lambda.amazonaws.com")]), "asg-scaler"), None);
    assert!(deploy_path(&complete(vec![pass(to_ec2), deployer("ec2.amazonaws.com")]), "asg-scaler").is_some());
    // Any other condition may hold: it is ignored.
    let tagged = r#"{"StringEquals":{"aws:ResourceTag/team":"ops"}}"#;
    assert!(deploy_path(&complete(vec![pass(tagged), deployer("lambda.amazonaws.com")]), "asg-scaler").is_some());
}

#[test]
fn a_service_the_table_does_not_list_is_reached_with_any_write_action_of_it() {
    let omics = trusts_service("omics.amazonaws.com");
    let with = |action: &str| {
        complete(vec![
            role("asg-scaler", &[("iam:PassRole", &arn("deployer")), (action, "*")], None),
            role("deployer", &[("codedeploy:*", "*")], Some(&omics)),
        ])
    };
    let p = deploy_path(&with("omics:StartRun"), "asg-scaler").expect("a write-level omics action runs the role");
    assert_eq!(vias(&p), [("asg-scaler", "deployer", Via::PassRoleToUnmodelledService)]);
    assert!(p.hops[0].method.contains("unmodelled service"), "{}", p.hops[0].method);
    assert_eq!(deploy_path(&with("omics:GetRun"), "asg-scaler"), None, "a read-level action starts nothing");
}

#[test]
fn users_assume_roles_and_join_groups() {
    let mut alice = role("alice", &[("sts:AssumeRole", &arn("deployer")), ("iam:AddUserToGroup", "*")], None);
    alice.kind = PrincipalKind::User;
    alice.arn = format!("arn:aws:iam::{ACCOUNT}:user/alice");
    let trusts_alice = format!(
        r#"{{"Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{ACCOUNT}:user/alice"}},"Action":"sts:AssumeRole"}}]}}"#
    );
    let inventory = complete(vec![alice.clone(), role("deployer", &[("codedeploy:*", "*")], Some(&trusts_alice))]);
    assert_eq!(vias(&deploy_path(&inventory, "alice").unwrap()), [("alice", "deployer", Via::AssumeRole)]);

    let admins = Group {
        name: "admins".into(),
        arn: format!("arn:aws:iam::{ACCOUNT}:group/admins"),
        policies: role("g", &[("codedeploy:*", "*")], None).identity,
    };
    let inventory = Inventory { groups: vec![admins], ..complete(vec![alice]) };
    let p = deploy_path(&inventory, "alice").unwrap();
    assert_eq!(vias(&p), [("alice", "admins (group)", Via::JoinGroup)]);
}

#[test]
fn a_created_principal_is_witnessed_by_the_chain_of_actions() {
    let new_roles = format!("arn:aws:iam::{ACCOUNT}:role/build-*");
    let inventory = complete(vec![role(
        "asg-scaler",
        &[("iam:CreateRole", &new_roles), ("iam:AttachRolePolicy", &new_roles), ("sts:AssumeRole", &new_roles)],
        None,
    )]);
    let p = deploy_path(&inventory, "asg-scaler").unwrap();
    assert_eq!((p.end, p.holder.as_str()), (End::NewPrincipal, NEW_PRINCIPAL));
    assert_eq!(
        p.hops[0].grants.iter().map(|g| g.action.as_str()).collect::<Vec<_>>(),
        ["iam:CreateRole", "iam:AttachRolePolicy", "sts:AssumeRole"]
    );
    // Without a way to use it (assume or pass), creating a role gives nothing.
    let idle = complete(vec![role(
        "asg-scaler",
        &[("iam:CreateRole", &new_roles), ("iam:AttachRolePolicy", &new_roles)],
        None,
    )]);
    assert_eq!(deploy_path(&idle, "asg-scaler"), None);
}

#[test]
fn an_exempt_resource_does_not_reach_the_class_but_anything_wider_does() {
    let data = vec![Pattern::action("s3:GetObject"), Pattern::action("s3:PutObject")];
    let exemption = Exemption {
        class: "data".into(),
        actions: vec![Pattern::action("s3:GetObject")],
        resources: vec![Pattern::resource("arn:*:s3:::scalegate-*-config-*/*")],
    };
    let exempt = [&exemption];
    let reaches_with = |action: &str, resource: &str| {
        let inventory = complete(vec![role("scalegate-gate", &[(action, resource)], None)]);
        Escalation::new(&inventory).reach_except(&data, &exempt)[0].is_some()
    };
    let reaches = |resource: &str| reaches_with("s3:GetObject", resource);
    assert!(
        reaches_with("s3:PutObject", "arn:aws:s3:::scalegate-launch-gate-config-2026/gate-rules.toml"),
        "writing a configuration document is not exempt: only the actions the exemption names are"
    );
    assert!(reaches_with("s3:*", "arn:aws:s3:::scalegate-launch-gate-config-2026/gate-rules.toml"));
    assert!(!reaches("arn:aws:s3:::scalegate-launch-gate-config-2026/gate-rules.toml"), "inside the exemption");
    assert!(!reaches("arn:aws-us-gov:s3:::scalegate-a-config-b/*"), "every object of an exempt bucket");
    for wider in
        ["*", "arn:aws:s3:::*", "arn:aws:s3:::scalegate-*", "arn:aws:s3:::scalegate-a-config*", "arn:aws:s3:::b/*"]
    {
        assert!(reaches(wider), "{wider} is not wholly exempt");
    }
    // NotResource grants everything but what it names: never wholly inside an exemption.
    let inventory = complete(vec![Principal {
        identity: vec![AttachedPolicy {
            name: "not-resource".into(),
            document: parse_policy(
                r#"{"Statement":[{"Effect":"Allow","Action":"s3:GetObject","NotResource":"arn:aws:s3:::other/*"}]}"#,
            )
            .unwrap(),
        }],
        ..role("scalegate-x", &[], None)
    }]);
    assert!(Escalation::new(&inventory).reach_except(&data, &exempt)[0].is_some());
}
