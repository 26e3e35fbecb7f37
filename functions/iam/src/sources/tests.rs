//! Each input kind, read into roles, with what it leaves unknown widened.

use super::*;
use crate::{audit, can_reach, Duties, Pattern, Reach};
use serde_json::json;

fn deploy() -> Vec<Pattern> {
    vec![Pattern::action("codedeploy:*")]
}

fn role<'a>(loaded: &'a Loaded, name: &str) -> &'a Principal {
    loaded.inventory.principals.iter().find(|r| r.name == name).unwrap_or_else(|| panic!("no role {name}"))
}

fn allow(action: &str) -> Value {
    json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action, "Resource": "*"}]})
}

fn details() -> Value {
    let encoded = "%7B%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22autoscaling%3ASetDesiredCapacity%22%2C%22Resource%22%3A%22%2A%22%7D%5D%7D";
    json!({
        "RoleDetailList": [{
            "RoleName": "asg-scaler",
            "Arn": "arn:aws:iam::123456789012:role/asg-scaler",
            "AssumeRolePolicyDocument": {"Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
            "RolePolicyList": [{"PolicyName": "scale", "PolicyDocument": encoded}],
            "AttachedManagedPolicies": [{"PolicyName": "shared", "PolicyArn": "arn:aws:iam::123456789012:policy/shared"}]
        }],
        "Policies": [{
            "PolicyName": "shared",
            "Arn": "arn:aws:iam::123456789012:policy/shared",
            "DefaultVersionId": "v1",
            "PolicyVersionList": [
                {"VersionId": "v2", "IsDefaultVersion": false, "Document": allow("codedeploy:*")},
                {"VersionId": "v1", "IsDefaultVersion": true, "Document": allow("cloudwatch:PutMetricData")}
            ]
        }]
    })
}

#[test]
fn authorization_details_count_only_the_default_version() {
    let loaded = authorization_details(&details()).unwrap();
    assert!(loaded.inventory.complete);
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    let r = role(&loaded, "asg-scaler");
    assert_eq!(r.identity.len(), 2);
    assert!(r.trust.is_some());
    assert_eq!(can_reach(r, &deploy(), &[]), Reach::Cannot, "v2 grants codedeploy:* but is not the default");
    assert!(matches!(can_reach(r, &[Pattern::action("autoscaling:Set*")], &[]), Reach::May(_)), "URL-encoded inline");

    let mut v = details();
    v["Policies"][0]["DefaultVersionId"] = json!("v2");
    v["Policies"][0]["PolicyVersionList"][0]["IsDefaultVersion"] = json!(true);
    v["Policies"][0]["PolicyVersionList"][1]["IsDefaultVersion"] = json!(false);
    let loaded = authorization_details(&v).unwrap();
    match can_reach(role(&loaded, "asg-scaler"), &deploy(), &[]) {
        Reach::May(w) => assert_eq!(w.policy, "arn:aws:iam::123456789012:policy/shared"),
        Reach::Cannot => panic!("the default version grants codedeploy"),
    }
}

#[test]
fn authorization_details_widen_missing_policies_and_name_bad_ones() {
    let mut v = details();
    v["Policies"] = json!([]);
    let loaded = authorization_details(&v).unwrap();
    assert_eq!(loaded.warnings.len(), 1);
    assert!(loaded.warnings[0].contains("arn:aws:iam::123456789012:policy/shared"));
    assert!(matches!(can_reach(role(&loaded, "asg-scaler"), &deploy(), &[]), Reach::May(_)));

    let mut broken = details();
    broken["RoleDetailList"][0]["RolePolicyList"][0]["PolicyDocument"] =
        json!("{\"Statement\": [{\"Effect\": \"Maybe\"}]}");
    let e = authorization_details(&broken).unwrap_err().to_string();
    assert!(e.contains("role asg-scaler: inline policy scale") && e.contains("Effect"), "{e}");
    let e = authorization_details(&json!({"Roles": []})).unwrap_err().to_string();
    assert!(e.contains("RoleDetailList"), "{e}");
}

fn plan() -> Value {
    json!({
        "planned_values": {"root_module": {
            "resources": [
                {"address": "aws_iam_role.scaler", "mode": "managed", "type": "aws_iam_role",
                 "values": {"name": "asg-scaler", "path": "/", "assume_role_policy": allow("sts:AssumeRole").to_string()}},
                {"address": "aws_iam_role_policy.scale", "mode": "managed", "type": "aws_iam_role_policy",
                 "values": {"name": "scale", "role": "asg-scaler", "policy": allow("autoscaling:*").to_string()}},
                {"address": "aws_iam_policy.computed", "mode": "managed", "type": "aws_iam_policy", "values": {"name": "computed"}},
                {"address": "aws_iam_role_policy_attachment.computed", "mode": "managed", "type": "aws_iam_role_policy_attachment",
                 "values": {}}
            ]
        }},
        "configuration": {"root_module": {"resources": [
            {"address": "aws_iam_role_policy_attachment.computed", "expressions": {
                "role": {"references": ["aws_iam_role.scaler.name", "aws_iam_role.scaler"]},
                "policy_arn": {"references": ["aws_iam_policy.computed.arn", "aws_iam_policy.computed"]}}}
        ]}}
    })
}

#[test]
fn terraform_unknown_values_are_wildcards() {
    let loaded = terraform_plan(&plan()).unwrap();
    let r = role(&loaded, "asg-scaler");
    assert_eq!(r.arn, "arn:aws:iam::*:role/asg-scaler");
    assert_eq!(r.identity.len(), 2, "the inline policy and the attachment found through references");
    match can_reach(r, &deploy(), &[]) {
        Reach::May(w) => assert!(w.policy.contains("counted as Allow *"), "{}", w.policy),
        Reach::Cannot => panic!("a policy unknown until apply may grant anything"),
    }
    let mut known = plan();
    known["planned_values"]["root_module"]["resources"][2]["values"]["policy"] =
        json!(allow("cloudwatch:*").to_string());
    let loaded = terraform_plan(&known).unwrap();
    assert_eq!(can_reach(role(&loaded, "asg-scaler"), &deploy(), &[]), Reach::Cannot);
    assert!(terraform_plan(&json!({"resource_changes": []})).unwrap_err().to_string().contains("terraform show -json"));
}

fn template() -> Value {
    json!({"Resources": {
        "ScalerRole": {"Type": "AWS::IAM::Role", "Properties": {
            "AssumeRolePolicyDocument": {"Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
            "Policies": [{"PolicyName": "guard", "PolicyDocument": {"Statement": [
                {"Effect": "Deny", "Action": "codedeploy:*", "Resource": {"Fn::Sub": "arn:aws:codedeploy:${AWS::Region}:*:*"}}
            ]}}]
        }},
        "ScalerPolicy": {"Type": "AWS::IAM::Policy", "Properties": {
            "PolicyName": "scale",
            "Roles": [{"Ref": "ScalerRole"}],
            "PolicyDocument": {"Statement": [
                {"Effect": "Allow", "Action": ["autoscaling:SetDesiredCapacity", "codedeploy:CreateDeployment"],
                 "Resource": {"Fn::GetAtt": ["Group", "Arn"]}},
                {"Effect": "Allow", "NotAction": [{"Ref": "Excluded"}], "Resource": {"Fn::Join": ["", ["arn:aws:s3:::", {"Ref": "Bucket"}, "/*"]]}}
            ]}
        }}
    }})
}

#[test]
fn cloudformation_intrinsics_only_widen() {
    let loaded = cloudformation(&template()).unwrap();
    let r = role(&loaded, "ScalerRole");
    assert_eq!(r.arn, "arn:aws:iam::*:role/*ScalerRole*");
    assert_eq!(r.identity.len(), 2);
    // The Deny's resource is a Fn::Sub: it is dropped rather than read as a Deny on `*`.
    assert_eq!(r.identity[0].document.statements.len(), 0);
    match can_reach(r, &deploy(), &[]) {
        Reach::May(w) => assert_eq!((w.action.as_str(), w.resource.as_str()), ("codedeploy:CreateDeployment", "*")),
        Reach::Cannot => panic!("Fn::GetAtt resource is a wildcard"),
    }
    // NotAction with an unknown entry excludes nothing: it grants everything, on the joined resource pattern.
    let s = &r.identity[1].document.statements[1];
    assert_eq!(s.actions, crate::Matcher::Only(vec![Pattern::action("*")]));
    assert_eq!(s.resources, Some(crate::Matcher::Only(vec![Pattern::resource("arn:aws:s3:::*/*")])));
}

#[test]
fn every_source_feeds_the_same_audit() {
    let duties = Duties::from_toml(
        "[classes]\ndeploy = [\"codedeploy:*\"]\n[[duty]]\nname = \"scaling\"\nprincipals = [\"asg-*\", \"Scaler*\"]\nforbid = [\"deploy\"]\n",
        "test",
    )
    .unwrap();
    for (loaded, verdict) in [
        (authorization_details(&details()).unwrap(), crate::AuditVerdict::Cannot),
        (terraform_plan(&plan()).unwrap(), crate::AuditVerdict::May),
        (cloudformation(&template()).unwrap(), crate::AuditVerdict::May),
    ] {
        let report = audit(&loaded.inventory, &duties);
        assert_eq!(report.checks.len(), 1);
        assert_eq!(report.checks[0].verdict, verdict, "{:?}", report.checks[0]);
    }
}

#[test]
fn terraform_references_resolve_inside_counted_modules() {
    let role_policy = allow("autoscaling:*").to_string();
    let plan = json!({
        "planned_values": {"root_module": {"child_modules": [{"resources": [
            {"address": "module.fn[0].aws_iam_role.this", "mode": "managed", "type": "aws_iam_role",
             "values": {"name": "scalegate-fn"}},
            {"address": "module.fn[0].aws_iam_role_policy.this", "mode": "managed", "type": "aws_iam_role_policy",
             "values": {"name": "p", "policy": role_policy}},
            {"address": "module.other[0].aws_iam_role.this", "mode": "managed", "type": "aws_iam_role",
             "values": {"name": "scalegate-other"}}
        ]}]}},
        "configuration": {"root_module": {"module_calls": {"fn": {"module": {"resources": [
            {"address": "aws_iam_role_policy.this", "expressions": {"role": {"references": ["aws_iam_role.this.id", "aws_iam_role.this"]}}}
        ]}}}}}
    });
    let loaded = terraform_plan(&plan).unwrap();
    assert_eq!(role(&loaded, "scalegate-fn").identity.len(), 1);
    assert!(role(&loaded, "scalegate-other").identity.is_empty(), "the reference names one role, not every role");
}

fn user_plan() -> Value {
    let deploy_policy = allow("codedeploy:*").to_string();
    json!({
        "planned_values": {"root_module": {"resources": [
            {"address": "aws_iam_user.alice", "mode": "managed", "type": "aws_iam_user",
             "values": {"name": "alice", "path": "/people/"}},
            {"address": "aws_iam_user.bob", "mode": "managed", "type": "aws_iam_user", "values": {"name": "bob"}},
            {"address": "aws_iam_group.deployers", "mode": "managed", "type": "aws_iam_group", "values": {"name": "deployers"}},
            {"address": "aws_iam_group_policy.deploy", "mode": "managed", "type": "aws_iam_group_policy",
             "values": {"name": "deploy", "policy": deploy_policy}},
            {"address": "aws_iam_group_membership.deployers", "mode": "managed", "type": "aws_iam_group_membership",
             "values": {"name": "m", "users": ["alice"]}},
            {"address": "aws_iam_user_policy.scale", "mode": "managed", "type": "aws_iam_user_policy",
             "values": {"name": "scale", "user": "bob", "policy": allow("autoscaling:*").to_string()}},
            {"address": "aws_iam_user_group_membership.bob", "mode": "managed", "type": "aws_iam_user_group_membership",
             "values": {"user": "bob", "groups": ["break-glass"]}}
        ]}},
        "configuration": {"root_module": {"resources": [
            {"address": "aws_iam_group_policy.deploy", "expressions": {"group": {"references": ["aws_iam_group.deployers.name", "aws_iam_group.deployers"]}}},
            {"address": "aws_iam_group_membership.deployers", "expressions": {"group": {"references": ["aws_iam_group.deployers.name", "aws_iam_group.deployers"]}}}
        ]}}
    })
}

#[test]
fn terraform_users_act_with_their_groups_policies() {
    let loaded = terraform_plan(&user_plan()).unwrap();
    let alice = role(&loaded, "alice");
    assert_eq!(alice.kind, PrincipalKind::User);
    assert_eq!(alice.arn, "arn:aws:iam::*:user/people/alice");
    assert_eq!(alice.groups, ["deployers"]);
    match can_reach(alice, &deploy(), &[]) {
        Reach::May(w) => assert!(w.policy.contains("group deployers"), "{}", w.policy),
        Reach::Cannot => panic!("alice is in deployers, whose inline policy grants codedeploy:*"),
    }
    assert_eq!(loaded.inventory.groups.len(), 1);
    assert_eq!(loaded.inventory.groups[0].policies.len(), 1);
    // bob's group is not in the plan: it may grant anything, and the warning says so.
    let bob = role(&loaded, "bob");
    assert_eq!(bob.groups, ["break-glass"]);
    assert!(matches!(can_reach(bob, &deploy(), &[]), Reach::May(_)));
    assert!(loaded.warnings.iter().any(|w| w.contains("bob") && w.contains("break-glass")), "{:?}", loaded.warnings);

    // Without the unknown group, bob holds only autoscaling.
    let mut plan = user_plan();
    plan["planned_values"]["root_module"]["resources"].as_array_mut().unwrap().pop();
    let loaded = terraform_plan(&plan).unwrap();
    assert_eq!(can_reach(role(&loaded, "bob"), &deploy(), &[]), Reach::Cannot);
    assert!(matches!(can_reach(role(&loaded, "bob"), &[Pattern::action("autoscaling:*")], &[]), Reach::May(_)));
}

#[test]
fn terraform_policy_attachment_reaches_roles_users_and_groups() {
    let plan = json!({"planned_values": {"root_module": {"resources": [
        {"address": "aws_iam_role.r", "mode": "managed", "type": "aws_iam_role", "values": {"name": "r"}},
        {"address": "aws_iam_user.u", "mode": "managed", "type": "aws_iam_user", "values": {"name": "u"}},
        {"address": "aws_iam_user.v", "mode": "managed", "type": "aws_iam_user", "values": {"name": "v"}},
        {"address": "aws_iam_group.g", "mode": "managed", "type": "aws_iam_group", "values": {"name": "g"}},
        {"address": "aws_iam_group_membership.g", "mode": "managed", "type": "aws_iam_group_membership",
         "values": {"name": "m", "group": "g", "users": ["v"]}},
        {"address": "aws_iam_policy.p", "mode": "managed", "type": "aws_iam_policy",
         "values": {"name": "p", "arn": "arn:aws:iam::1:policy/p", "policy": allow("codedeploy:*").to_string()}},
        {"address": "aws_iam_policy_attachment.p", "mode": "managed", "type": "aws_iam_policy_attachment",
         "values": {"name": "p", "policy_arn": "arn:aws:iam::1:policy/p", "roles": ["r"], "users": null, "groups": ["g"]}}
    ]}}});
    let loaded = terraform_plan(&plan).unwrap();
    assert!(matches!(can_reach(role(&loaded, "r"), &deploy(), &[]), Reach::May(_)));
    assert_eq!(can_reach(role(&loaded, "u"), &deploy(), &[]), Reach::Cannot, "u is in no group and not attached");
    assert!(matches!(can_reach(role(&loaded, "v"), &deploy(), &[]), Reach::May(_)), "v is in g");
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
}

#[test]
fn cloudformation_users_groups_and_additions() {
    let t = json!({"Resources": {
        "Ops": {"Type": "AWS::IAM::Group", "Properties": {"GroupName": "ops"}},
        "OpsPolicy": {"Type": "AWS::IAM::Policy", "Properties": {
            "PolicyName": "deploy", "Groups": [{"Ref": "Ops"}], "PolicyDocument": allow("codedeploy:*")}},
        "Carol": {"Type": "AWS::IAM::User", "Properties": {"UserName": "carol", "Groups": [{"Ref": "Ops"}]}},
        "Dave": {"Type": "AWS::IAM::User", "Properties": {"UserName": "dave"}},
        "Erin": {"Type": "AWS::IAM::User", "Properties": {"UserName": "erin"}},
        "AddErin": {"Type": "AWS::IAM::UserToGroupAddition", "Properties": {"GroupName": {"Ref": "Ops"}, "Users": [{"Ref": "Erin"}]}},
        "DavePolicy": {"Type": "AWS::IAM::UserPolicy", "Properties": {
            "UserName": {"Ref": "Dave"}, "PolicyName": "scale", "PolicyDocument": allow("autoscaling:*")}}
    }});
    let loaded = cloudformation(&t).unwrap();
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    for (name, may) in [("carol", true), ("dave", false), ("erin", true)] {
        let p = role(&loaded, name);
        assert_eq!(p.kind, PrincipalKind::User);
        assert_eq!(matches!(can_reach(p, &deploy(), &[]), Reach::May(_)), may, "{name}");
    }
    assert!(matches!(can_reach(role(&loaded, "dave"), &[Pattern::action("autoscaling:*")], &[]), Reach::May(_)));
    assert_eq!(role(&loaded, "carol").arn, "arn:aws:iam::*:user/carol");
}

#[test]
fn authorization_details_read_users_and_groups() {
    let mut v = details();
    v["GroupDetailList"] = json!([{"GroupName": "deployers", "Arn": "arn:aws:iam::123456789012:group/deployers",
        "GroupPolicyList": [{"PolicyName": "d", "PolicyDocument": allow("codedeploy:*")}], "AttachedManagedPolicies": []}]);
    v["UserDetailList"] = json!([
        {"UserName": "alice", "Arn": "arn:aws:iam::123456789012:user/alice", "GroupList": ["deployers"],
         "UserPolicyList": [], "AttachedManagedPolicies": []},
        {"UserName": "bob", "Arn": "arn:aws:iam::123456789012:user/bob", "GroupList": [],
         "UserPolicyList": [], "AttachedManagedPolicies": [{"PolicyName": "shared", "PolicyArn": "arn:aws:iam::123456789012:policy/shared"}]}
    ]);
    let loaded = authorization_details(&v).unwrap();
    assert_eq!(loaded.inventory.groups.len(), 1);
    assert!(matches!(can_reach(role(&loaded, "alice"), &deploy(), &[]), Reach::May(_)));
    assert_eq!(can_reach(role(&loaded, "bob"), &deploy(), &[]), Reach::Cannot);
    assert_eq!(loaded.inventory.policy_versions["arn:aws:iam::123456789012:policy/shared"].len(), 2);
    v["UserDetailList"][0]["GroupList"] = json!([7]);
    let e = authorization_details(&v).unwrap_err().to_string();
    assert!(e.contains("user alice: GroupList[0]"), "{e}");
}

#[test]
fn a_bucket_the_template_names_literally_resolves_to_its_arn_in_any_partition() {
    let statement = |resource: Value| json!({"Effect": "Allow", "Action": "s3:GetObject", "Resource": resource});
    let template = json!({"Resources": {
        "Named": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "scalegate-gate-config-1-us-east-1"}},
        "Unnamed": {"Type": "AWS::S3::Bucket", "Properties": {}},
        "Role": {"Type": "AWS::IAM::Role", "Properties": {"RoleName": "r", "Policies": [{"PolicyName": "p",
            "PolicyDocument": {"Statement": [
                statement(json!({"Fn::Join": ["", [{"Fn::GetAtt": ["Named", "Arn"]}, "/gate-rules.toml"]]})),
                statement(json!({"Fn::Join": ["", ["arn:aws:s3:::", {"Ref": "Named"}, "/x"]]})),
                statement(json!({"Fn::Join": ["", [{"Fn::GetAtt": ["Unnamed", "Arn"]}, "/gate-rules.toml"]]})),
            ]}}]}}
    }});
    let loaded = cloudformation(&template).unwrap();
    let resources: Vec<_> =
        role(&loaded, "r").identity[0].document.statements.iter().map(|s| s.resources.clone().unwrap()).collect();
    let only = |p: &str| crate::Matcher::Only(vec![Pattern::resource(p)]);
    assert_eq!(
        resources,
        [
            only("arn:*:s3:::scalegate-gate-config-1-us-east-1/gate-rules.toml"),
            only("arn:aws:s3:::scalegate-gate-config-1-us-east-1/x"),
            only("*/gate-rules.toml"),
        ],
        "a bucket without a literal name stays a wildcard"
    );
}
