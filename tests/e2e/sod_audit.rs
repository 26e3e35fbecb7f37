//! The live audit against the emulator: roles created through the IAM API, read back with
//! GetAccountAuthorizationDetails, audited as `scalegate audit --live` does and by the `sod-audit` function's handler.

use scalegate_aws::iam_account_inventory::IamAccountInventory;
use scalegate_iam::sod_audit::{self, AccountInventory};
use scalegate_iam::{audit, AuditVerdict, Duties};
use scalegate_tests::{sdk_config, unique};
use serde_json::{json, Value};

fn trust(service: &str) -> String {
    json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]})
        .to_string()
}

/// A scaling role that can pass a deploy role to ECS tasks: a violation one hop away. Returns both names.
async fn violating_pair(iam: &aws_sdk_iam::Client) -> (String, String) {
    let scaler = unique("asg-scaler");
    let deployer = unique("deploy-app");
    let account = "123456789012";
    iam.create_role()
        .role_name(&deployer)
        .assume_role_policy_document(trust("ecs-tasks.amazonaws.com"))
        .send()
        .await
        .unwrap();
    iam.put_role_policy()
        .role_name(&deployer)
        .policy_name("deploy")
        .policy_document(json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "codedeploy:*", "Resource": "*"}]}).to_string())
        .send()
        .await
        .unwrap();
    iam.create_role()
        .role_name(&scaler)
        .assume_role_policy_document(trust("lambda.amazonaws.com"))
        .send()
        .await
        .unwrap();
    // A managed policy whose default version is harmless and whose second version (not default) grants data.
    let policy = iam
        .create_policy()
        .policy_name(unique("scaler-base"))
        .policy_document(json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": ["autoscaling:SetDesiredCapacity", "ecs:RunTask"], "Resource": "*"},
            {"Sid": "PassDeployer", "Effect": "Allow", "Action": "iam:PassRole", "Resource": format!("arn:aws:iam::{account}:role/{deployer}")}
        ]}).to_string())
        .send()
        .await
        .unwrap();
    let policy_arn = policy.policy().and_then(|p| p.arn()).unwrap().to_string();
    iam.create_policy_version()
        .policy_arn(&policy_arn)
        .set_as_default(false)
        .policy_document(json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}).to_string())
        .send()
        .await
        .unwrap();
    iam.attach_role_policy().role_name(&scaler).policy_arn(&policy_arn).send().await.unwrap();
    (scaler, deployer)
}

#[tokio::test]
async fn live_inventory_finds_the_pass_role_path_and_ignores_non_default_versions() {
    let iam = aws_sdk_iam::Client::new(&sdk_config().await);
    let (scaler, deployer) = violating_pair(&iam).await;
    let loaded = IamAccountInventory::new(iam.clone()).read().await.expect("the emulator's account reads");
    assert!(loaded.inventory.complete);
    let report = audit(&loaded.inventory, &Duties::builtin().unwrap());
    let check = |class: &str| report.checks.iter().find(|c| c.principal == scaler && c.class == class).unwrap().clone();
    let deploy = check("deploy");
    let w = deploy.witness.expect("scaler may deploy through the deploy role");
    assert_eq!(w.hops.len(), 1);
    assert_eq!((w.hops[0].to.as_str(), w.holder.as_str()), (deployer.as_str(), deployer.as_str()));
    assert_eq!(w.hops[0].grants[0].statement, "PassDeployer");
    assert_eq!(check("data").verdict, AuditVerdict::Cannot, "s3:GetObject is only in a non-default version");
}

#[tokio::test]
async fn sod_audit_function_logs_findings_and_emits_violations_per_duty() {
    let iam = aws_sdk_iam::Client::new(&sdk_config().await);
    let (scaler, _) = violating_pair(&iam).await;
    let event = json!({"detail-type": "AWS API Call via CloudTrail", "source": "aws.iam",
        "detail": {"eventName": "AttachRolePolicy", "requestParameters": {"roleName": scaler}}});
    let run =
        sod_audit::run(&IamAccountInventory::new(iam.clone()), &Duties::builtin().unwrap(), &event, chrono::Utc::now())
            .await
            .unwrap();
    let lines: Vec<Value> = run.report.texts().map(|l| serde_json::from_str(l).unwrap()).collect();
    let finding = lines
        .iter()
        .find(|l| l["message"] == "separation-of-duties violation" && l["principal"] == scaler.as_str())
        .expect("a finding line for the scaler");
    assert_eq!(
        (finding["class"].as_str(), finding["trigger"].as_str()),
        (Some("deploy"), Some(format!("iam:AttachRolePolicy on {scaler}").as_str()))
    );
    let emf: Vec<&Value> = lines.iter().filter(|l| l.get("_aws").is_some()).collect();
    assert_eq!(emf.len(), 2, "one SodViolations line per duty");
    let scaling = emf.iter().find(|l| l["Duty"] == "scaling").unwrap();
    assert_eq!(scaling["_aws"]["CloudWatchMetrics"][0]["Metrics"][0]["Name"], "SodViolations");
    assert!(scaling["SodViolations"].as_f64().unwrap() >= 1.0);
    assert_eq!(run.response()["violations"]["scaling"], json!(sod_audit::violations_by_duty(&run.audit)["scaling"]));
}

/// Users and groups created through the IAM API come back in the live inventory: a user acts with its group's
/// policies, a duty naming the group applies to the user, and an access-key path from a role to the user is found.
#[tokio::test]
async fn live_inventory_reads_users_and_groups() {
    let iam = aws_sdk_iam::Client::new(&sdk_config().await);
    let group = unique("deployers");
    let user = unique("alice");
    let helper = unique("asg-keymaker");
    iam.create_group().group_name(&group).send().await.unwrap();
    iam.put_group_policy()
        .group_name(&group)
        .policy_name("deploy")
        .policy_document(json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "codedeploy:*", "Resource": "*"}]}).to_string())
        .send()
        .await
        .unwrap();
    iam.create_user().user_name(&user).send().await.unwrap();
    iam.add_user_to_group().group_name(&group).user_name(&user).send().await.unwrap();
    iam.create_role()
        .role_name(&helper)
        .assume_role_policy_document(trust("lambda.amazonaws.com"))
        .send()
        .await
        .unwrap();
    iam.put_role_policy()
        .role_name(&helper)
        .policy_name("keys")
        .policy_document(json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "iam:CreateAccessKey", "Resource": format!("arn:aws:iam::123456789012:user/{user}")}
        ]}).to_string())
        .send()
        .await
        .unwrap();

    let loaded = IamAccountInventory::new(iam.clone()).read().await.expect("the emulator's account reads");
    let alice = loaded.inventory.principals.iter().find(|p| p.name == user).expect("the user is read");
    assert_eq!(alice.kind, scalegate_iam::PrincipalKind::User);
    assert_eq!(alice.groups, std::slice::from_ref(&group));
    assert!(loaded.inventory.groups.iter().any(|g| g.name == group && g.policies.len() == 1));

    let duties = Duties::from_toml(
        &format!(
            "[classes]\ndeploy = [\"codedeploy:*\"]\n[[duty]]\nname = \"people\"\nprincipals = [\"{group}\"]\nforbid = [\"deploy\"]\n\
             [[duty]]\nname = \"scaling\"\nprincipals = [\"{helper}\"]\nforbid = [\"deploy\"]\n"
        ),
        "test",
    )
    .unwrap();
    let report = audit(&loaded.inventory, &duties);
    let by_group = report.checks.iter().find(|c| c.principal == user).expect("the group's duty names the user");
    assert_eq!((by_group.duty.as_str(), by_group.verdict), ("people", AuditVerdict::May));
    let keymaker = report.checks.iter().find(|c| c.principal == helper).unwrap();
    let w = keymaker.witness.as_ref().expect("new access keys for the user reach its group's deploy grant");
    assert_eq!(w.hops.len(), 1);
    assert_eq!((w.hops[0].to.as_str(), w.holder.as_str()), (user.as_str(), user.as_str()));
    assert_eq!(serde_json::to_value(w.hops[0].via).unwrap(), "user-credentials");
}
