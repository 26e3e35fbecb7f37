//! `scalegate gate` against the local emulator, run as a user would: a real event file, AWS_ENDPOINT_URL, the binary.

use scalegate::demo::{Fleet, FleetSpec};
use scalegate::emulator::{point_at, sdk_config_for, Emulator};
use scalegate_aws::sdk::Clients;
use std::path::PathBuf;
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn gate(endpoint: &str, event: &std::path::Path, dry_run: bool) -> (i32, Vec<serde_json::Value>) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_scalegate"));
    point_at(&mut cmd, endpoint).args(["gate", "--event", event.to_str().unwrap()]);
    if dry_run {
        cmd.arg("--dry-run");
    }
    let out = cmd.output().unwrap();
    let lines = String::from_utf8_lossy(&out.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    (out.status.code().unwrap_or(-1), lines)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dry_run_decides_without_completing_then_a_real_run_completes() {
    let emulator = Emulator::start(&root()).expect("emulator (run `make setup`)");
    let c = Clients::new(&sdk_config_for(emulator.endpoint()).await);
    let fleet = Fleet::create(&c, &FleetSpec { prefix: "cli".into(), ..FleetSpec::default() }).await.unwrap();
    fleet.roll_back(&c).await.unwrap();
    fleet.set_desired(&c, 1).await.unwrap();
    let out = c.sqs.receive_message().queue_url(&fleet.events_queue).send().await.unwrap();
    let body = out.messages()[0].body().unwrap().to_string();
    let event = std::env::temp_dir().join(format!("scalegate-gate-cli-{}.json", std::process::id()));
    std::fs::write(&event, &body).unwrap();

    let (code, lines) = gate(emulator.endpoint(), &event, true);
    assert_eq!(code, 0);
    assert_eq!(lines.len(), 1, "{lines:?}");
    let decision = &lines[0];
    assert_eq!(decision["message"], "gate decision");
    assert_eq!(decision["verdict"], "CONTINUE");
    assert_eq!(decision["dry_run"], true);
    assert_eq!(decision["checks"].as_array().unwrap().len(), 16);
    assert!(decision["rules_version"].as_str().unwrap().len() == 16);
    assert_eq!(fleet.state(&c).await.unwrap().count("Pending:Wait"), 1, "dry run completed nothing");

    let (code, lines) = gate(emulator.endpoint(), &event, false);
    assert_eq!(code, 0);
    assert_eq!(lines[0]["completion"], "done");
    assert_eq!(fleet.state(&c).await.unwrap().count("InService"), 1);

    // The same event again: already decided, nothing changes.
    let (code, lines) = gate(emulator.endpoint(), &event, false);
    assert_eq!(code, 0);
    assert_eq!(lines[0]["message"], "already decided");
    assert_eq!(lines[0]["lifecycle_state"], "InService");
}

/// `scalegate drain --dry-run` reads the instance's lease in the emulator and says what the function would do.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drain_dry_run_waits_on_a_live_lease_and_completes_without_one() {
    use aws_sdk_ec2::types::Tag;
    let emulator = Emulator::start(&root()).expect("emulator (run `make setup`)");
    let c = Clients::new(&sdk_config_for(emulator.endpoint()).await);
    let run = c.ec2.run_instances().image_id(scalegate::demo::DEMO_AMI).min_count(1).max_count(1).send().await.unwrap();
    let instance = run.instances()[0].instance_id().unwrap().to_string();
    let expires = (chrono::Utc::now() + chrono::Duration::minutes(10)).to_rfc3339();
    let lease = Tag::builder().key(scalegate_core::lease::LEASE_TAG).value(&expires).build();
    c.ec2.create_tags().resources(&instance).tags(lease).send().await.unwrap();
    let body = serde_json::json!({
        "LifecycleActionToken": "tok", "AutoScalingGroupName": "workers", "LifecycleHookName": "scalegate-drain",
        "EC2InstanceId": instance, "LifecycleTransition": "autoscaling:EC2_INSTANCE_TERMINATING",
    });
    let event = std::env::temp_dir().join(format!("scalegate-drain-cli-{}.json", std::process::id()));
    std::fs::write(&event, body.to_string()).unwrap();
    let drain = || {
        let out = point_at(&mut Command::new(env!("CARGO_BIN_EXE_scalegate")), emulator.endpoint())
            .args(["drain", "--event", event.to_str().unwrap(), "--dry-run"])
            .output()
            .unwrap();
        let line: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {out:?}"));
        (out.status.code(), line)
    };
    let (code, line) = drain();
    assert_eq!(code, Some(0));
    assert_eq!(line["message"], "drain waiting");
    assert!(line["why"].as_str().unwrap().starts_with("lease live until"), "{line}");
    // The hook does not exist here, so the shortest heartbeat timeout (30 s) is assumed: look again within 15 s.
    assert_eq!(line["recheck_in_s"], 15);

    let released = Tag::builder().key(scalegate_core::lease::LEASE_TAG).build();
    c.ec2.delete_tags().resources(&instance).tags(released).send().await.unwrap();
    let (code, line) = drain();
    assert_eq!(code, Some(0));
    assert_eq!(line["message"], "drain complete");
    assert_eq!(line["why"]["reason"], "no_lease");
    assert_eq!(line["completion"], serde_json::Value::Null, "a dry run completes nothing");
}
