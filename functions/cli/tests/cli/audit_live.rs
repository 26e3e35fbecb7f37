//! `scalegate audit --live` against the local emulator, run as a user would: AWS_ENDPOINT_URL and the binary.

use scalegate::emulator::{point_at, sdk_config_for, Emulator};
use serde_json::{json, Value};
use std::path::PathBuf;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_live_reads_every_role_of_the_account() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let emulator = Emulator::start(&root).expect("emulator (run `make setup`)");
    let iam = aws_sdk_iam::Client::new(&sdk_config_for(emulator.endpoint()).await);
    let trust = json!({"Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]});
    for (name, policy) in [
        (
            "scalegate-clean",
            json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "autoscaling:Describe*", "Resource": "*"}]}),
        ),
        // May rewrite its own policy: reaches every class.
        (
            "asg-self-editor",
            json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:PutRolePolicy", "Resource": "arn:aws:iam::123456789012:role/asg-self-editor"}]}),
        ),
    ] {
        iam.create_role().role_name(name).assume_role_policy_document(trust.to_string()).send().await.unwrap();
        iam.put_role_policy()
            .role_name(name)
            .policy_name("p")
            .policy_document(policy.to_string())
            .send()
            .await
            .unwrap();
    }
    let out = point_at(&mut std::process::Command::new(env!("CARGO_BIN_EXE_scalegate")), emulator.endpoint())
        .args(["audit", "--live", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let checks = report["checks"].as_array().unwrap();
    let of = |p: &str| checks.iter().filter(|c| c["principal"] == p).collect::<Vec<_>>();
    assert_eq!(of("scalegate-clean").len(), 3);
    assert!(of("scalegate-clean").iter().all(|c| c["verdict"] == "cannot"));
    let edits = of("asg-self-editor");
    assert_eq!(edits.len(), 3);
    for c in edits {
        // iam:PutRolePolicy is itself in the iam-admin class; for the others it is the way there.
        let ends_in = if c["class"] == "iam-admin" { "action" } else { "policy-edit" };
        assert_eq!((c["verdict"].as_str(), c["witness"]["ends_in"].as_str()), (Some("may"), Some(ends_in)), "{c}");
        assert_eq!(c["witness"]["action"], "iam:PutRolePolicy");
    }
}
