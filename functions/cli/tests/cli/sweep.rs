//! `scalegate sweep` against the local emulator, run as a user would: groups tagged scalegate:drift-sweep whose
//! instances the default gate rules refuse (no instance profile, IMDSv1 allowed), AWS_ENDPOINT_URL and the binary.

use aws_sdk_autoscaling::types::{LaunchTemplateSpecification, Tag};
use scalegate::emulator::{point_at, sdk_config_for, Emulator};
use scalegate_aws::sdk::Clients;
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Output;

fn scalegate(endpoint: &str, args: &[&str]) -> Output {
    point_at(&mut std::process::Command::new(env!("CARGO_BIN_EXE_scalegate")), endpoint).args(args).output().unwrap()
}

async fn members(c: &Clients, group: &str) -> BTreeSet<String> {
    let out = c.autoscaling.describe_auto_scaling_groups().auto_scaling_group_names(group).send().await.unwrap();
    out.auto_scaling_groups()[0].instances().iter().filter_map(|i| i.instance_id()).map(str::to_owned).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sweep_reports_until_apply_then_marks_within_the_tags_limit() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let emulator = Emulator::start(&root).expect("emulator (run `make setup`)");
    let endpoint = emulator.endpoint().to_string();
    let c = Clients::new(&sdk_config_for(&endpoint).await);
    crate::demo_template(&c, "sweep-cli").await;
    for (group, tag) in [("sweep-workers", "replace:1"), ("sweep-typo", "replce")] {
        c.autoscaling
            .create_auto_scaling_group()
            .auto_scaling_group_name(group)
            .min_size(0)
            .max_size(10)
            .desired_capacity(3)
            .availability_zones("us-east-1a")
            .launch_template(LaunchTemplateSpecification::builder().launch_template_name("sweep-cli").build())
            .tags(
                Tag::builder()
                    .key("scalegate:drift-sweep")
                    .value(tag)
                    .resource_id(group)
                    .resource_type("auto-scaling-group")
                    .propagate_at_launch(false)
                    .build(),
            )
            .send()
            .await
            .unwrap();
    }
    let before = members(&c, "sweep-workers").await;

    let dry = scalegate(&endpoint, &["sweep", "--min-healthy-percent", "0"]);
    let said = String::from_utf8_lossy(&dry.stdout);
    assert_eq!(dry.status.code(), Some(1), "the typo fails the run: {said}{}", String::from_utf8_lossy(&dry.stderr));
    assert!(said.contains("sweep-typo") && said.contains("`replce`: not a mode"), "{said}");
    assert_eq!(said.matches("credentials.instance_profile").count(), 3 * 2, "a log line and a row each: {said}");
    assert_eq!(said.matches("\"disposition\":\"would_replace\"").count(), 1, "the limit is one: {said}");
    assert!(said.contains("held: rate_limit") && said.contains("nothing was marked"), "{said}");
    assert_eq!(members(&c, "sweep-workers").await, before, "dry unless --apply");

    let applied = scalegate(&endpoint, &["sweep", "--min-healthy-percent", "0", "--apply", "--metrics"]);
    let said = String::from_utf8_lossy(&applied.stdout);
    let metrics = String::from_utf8_lossy(&applied.stderr);
    assert!(said.contains("\"disposition\":\"replaced\""), "{said}");
    assert!(metrics.contains("\"DriftReplacements\":1") && metrics.contains("\"DriftedInstances\":3"), "{metrics}");
    let after = members(&c, "sweep-workers").await;
    assert_eq!((after.len(), after.intersection(&before).count()), (3, 2), "one replaced: {before:?} → {after:?}");

    let help = scalegate(&endpoint, &["sweep", "--help"]);
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(help.contains("replace:N%") && help.contains("--min-healthy-percent"), "{help}");
}
