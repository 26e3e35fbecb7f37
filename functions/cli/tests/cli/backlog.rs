//! `scalegate backlog` against the local emulator, run as a user would: a group raised by hand with an empty queue
//! is flagged, and the line names the IAM user whose keys made the call (CloudTrail's event history).

use aws_sdk_autoscaling::types::LaunchTemplateSpecification;
use scalegate::emulator::{point_at, sdk_config_for, Emulator};
use scalegate_aws::sdk::Clients;
use std::path::PathBuf;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backlog_prints_an_unexplained_rise_with_who_made_it() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let emulator = Emulator::start(&root).expect("emulator (run `make setup`)");
    let endpoint = emulator.endpoint().to_string();
    let shared = sdk_config_for(&endpoint).await;
    let c = Clients::new(&shared);
    crate::demo_template(&c, "backlog-cli").await;
    c.autoscaling
        .create_auto_scaling_group()
        .auto_scaling_group_name("backlog-workers")
        .min_size(1)
        .max_size(10)
        .desired_capacity(1)
        .availability_zones("us-east-1a")
        .launch_template(LaunchTemplateSpecification::builder().launch_template_name("backlog-cli").build())
        .send()
        .await
        .unwrap();
    let queue = c.sqs.create_queue().queue_name("backlog-jobs").send().await.unwrap();
    c.iam.create_user().user_name("ops-alice").send().await.unwrap();
    let key = c.iam.create_access_key().user_name("ops-alice").send().await.unwrap();
    let key = key.access_key().unwrap();
    let alice = aws_sdk_autoscaling::Client::from_conf(
        aws_sdk_autoscaling::config::Builder::from(&shared)
            .credentials_provider(aws_sdk_autoscaling::config::Credentials::new(
                key.access_key_id(),
                key.secret_access_key(),
                None,
                None,
                "cli-test",
            ))
            .build(),
    );
    alice.set_desired_capacity().auto_scaling_group_name("backlog-workers").desired_capacity(8).send().await.unwrap();

    let dir = std::env::temp_dir().join(format!("scalegate-backlog-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("pairs.toml");
    std::fs::write(
        &config,
        format!(
            "[[pair]]\nqueue = \"{}\"\ngroup = \"backlog-workers\"\nlatency = \"10s\"\nseconds_per_message = 0.1\n\
             [unexplained]\ndead_time = \"0s\"\n",
            queue.queue_url().unwrap()
        ),
    )
    .unwrap();
    let out = point_at(&mut std::process::Command::new(env!("CARGO_BIN_EXE_scalegate")), &endpoint)
        .args(["backlog", "--config", config.to_str().unwrap()])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{said}\n{}", String::from_utf8_lossy(&out.stderr));
    let line = said.lines().find(|l| l.contains("\"unexplained scaling\"")).unwrap_or_else(|| panic!("{said}"));
    assert!(line.contains("\"caller\":\"arn:aws:iam::123456789012:user/ops-alice\""), "{line}");
    assert!(
        line.contains("\"event\":\"SetDesiredCapacity\"") && line.contains("\"from\":1") && line.contains("\"to\":8"),
        "{line}"
    );
    std::fs::remove_dir_all(&dir).ok();
}
