//! `scalegate warm-pools` and `--from-cloudwatch` against the local emulator, run as a user would: a planner
//! document, AWS_ENDPOINT_URL and the binary. Six hours of demand are seeded with PutMetricData at past timestamps.

use scalegate::emulator::{point_at, sdk_config_for, Emulator};
use scalegate_aws::sdk::Clients;
use std::path::PathBuf;
use std::process::Output;
use std::time::SystemTime;

fn scalegate(endpoint: &str, args: &[&str]) -> Output {
    point_at(&mut std::process::Command::new(env!("CARGO_BIN_EXE_scalegate")), endpoint).args(args).output().unwrap()
}

/// Six hours of one-minute sums ending at the last whole minute: 200 a second, 1000 in the middle two hours;
/// `keep` picks the minutes that have a datapoint.
async fn seed(c: &Clients, metric: &str, keep: impl Fn(i64) -> bool) {
    let now = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).unwrap().as_secs() as i64;
    let end = now - now % 60;
    let data: Vec<_> = (1..=360i64)
        .filter(|m| keep(*m))
        .map(|m| {
            let rate = if (120..240).contains(&(360 - m)) { 1000.0 } else { 200.0 };
            aws_sdk_cloudwatch::types::MetricDatum::builder()
                .metric_name(metric)
                .timestamp(aws_smithy_types::DateTime::from_secs(end - 60 * m))
                .value(rate * 60.0)
                .build()
        })
        .collect();
    c.cloudwatch.put_metric_data().namespace("cli/demand").set_metric_data(Some(data)).send().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn warm_pools_is_dry_until_apply_and_cloudwatch_history_feeds_the_plan() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let emulator = Emulator::start(&root).expect("emulator (run `make setup`)");
    let endpoint = emulator.endpoint().to_string();
    let c = Clients::new(&sdk_config_for(&endpoint).await);
    seed(&c, "Sent", |_| true).await;
    seed(&c, "Holey", |m| m % 4 != 0).await;
    let template_id = crate::demo_template(&c, "pool-cli").await;
    c.autoscaling
        .create_auto_scaling_group()
        .auto_scaling_group_name("pool-workers")
        .min_size(0)
        .max_size(20)
        .desired_capacity(0)
        .availability_zones("us-east-1a")
        .launch_template(
            aws_sdk_autoscaling::types::LaunchTemplateSpecification::builder().launch_template_id(template_id).build(),
        )
        .tags(
            aws_sdk_autoscaling::types::Tag::builder()
                .key("scalegate:warm-pool")
                .value("0-10")
                .resource_id("pool-workers")
                .resource_type("auto-scaling-group")
                .propagate_at_launch(false)
                .build(),
        )
        .send()
        .await
        .unwrap();
    // A group with three cold launches of its own: plan-headroom measures its dead time from them.
    c.autoscaling
        .create_auto_scaling_group()
        .auto_scaling_group_name("cold-workers")
        .min_size(0)
        .max_size(20)
        .desired_capacity(3)
        .availability_zones("us-east-1a")
        .launch_template(
            aws_sdk_autoscaling::types::LaunchTemplateSpecification::builder().launch_template_name("pool-cli").build(),
        )
        .send()
        .await
        .unwrap();
    let dir = std::env::temp_dir().join(format!("scalegate-pools-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let document = dir.join("planner.toml");
    std::fs::write(
        &document,
        "[defaults]\nhistory = \"6h\"\n\n[[group]]\nname = \"pool-workers\"\nper_instance = 100\n\
         metric = { namespace = \"cli/demand\", name = \"Sent\" }\n\n[[group]]\nname = \"holey\"\nper_instance = 100\n\
         metric = { namespace = \"cli/demand\", name = \"Holey\" }\n\n[[group]]\nname = \"cold-workers\"\n\
         per_instance = 100\nmetric = { namespace = \"cli/demand\", name = \"Sent\" }\n",
    )
    .unwrap();
    let doc = document.to_str().unwrap();
    let pool = |c: Clients| async move {
        let out = c.autoscaling.describe_warm_pool().auto_scaling_group_name("pool-workers").send().await.unwrap();
        out.warm_pool_configuration().map(|w| (w.min_size(), w.max_group_prepared_capacity()))
    };

    let dry = scalegate(&endpoint, &["warm-pools", "--document", doc]);
    let said = String::from_utf8_lossy(&dry.stdout);
    assert_eq!(dry.status.code(), Some(0), "{said}{}", String::from_utf8_lossy(&dry.stderr));
    assert!(said.contains("would_apply") && said.contains("nothing was put"), "{said}");
    assert_eq!(pool(c.clone()).await, None, "dry unless --apply");

    let applied = scalegate(&endpoint, &["warm-pools", "--document", doc, "--apply"]);
    let said = String::from_utf8_lossy(&applied.stdout);
    assert_eq!(applied.status.code(), Some(0), "{said}");
    assert!(said.contains("\"action\":\"applied\""), "{said}");
    assert_eq!(pool(c.clone()).await, Some((Some(8), Some(8))));

    // The same history through plan-headroom: the launch-morning scenario's dead time, CloudWatch's demand.
    let scenario = root.join("scenarios/launch-morning.toml");
    let planned = scalegate(
        &endpoint,
        &[
            "plan-headroom",
            "--scenario",
            scenario.to_str().unwrap(),
            "--from-cloudwatch",
            "pool-workers",
            "--document",
            doc,
        ],
    );
    let text = String::from_utf8_lossy(&planned.stdout);
    assert_eq!(planned.status.code(), Some(0), "{text}{}", String::from_utf8_lossy(&planned.stderr));
    let report: serde_json::Value = serde_json::from_str(&text[text.find('{').unwrap()..]).unwrap();
    assert_eq!(report["plan"]["climb"], 800.0, "{report}");
    // Six hours, one sample a second; when the minute turns between seeding and reading, the newest minute has no
    // datapoint yet and ends the window a minute early.
    let samples = report["plan"]["samples"].as_u64().unwrap_or(0);
    assert!(samples == 21_600 || samples == 21_540, "six hours, one sample a second: {report}");
    // The group's own launches into its new pool (8: boot and hooks, the cold path) measure its dead time.
    assert_eq!(
        report["launch_source"],
        serde_json::json!({"source": "measured", "launches": 8, "group": "pool-workers"}),
        "{report}"
    );

    let measured = scalegate(
        &endpoint,
        &[
            "plan-headroom",
            "--scenario",
            scenario.to_str().unwrap(),
            "--from-cloudwatch",
            "cold-workers",
            "--document",
            doc,
        ],
    );
    let text = String::from_utf8_lossy(&measured.stdout);
    let report: serde_json::Value = serde_json::from_str(&text[text.find('{').unwrap()..]).unwrap();
    assert_eq!(report["launch_source"]["source"], "measured", "{report}");
    assert_eq!(report["launch_source"]["launches"], 3, "{report}");
    assert!(report["dead_time"]["launch"].as_f64().unwrap() < 30.0 && report["dead_time"]["hook"] == 0.0, "{report}");

    // A live group's own target tracking alarms replace the scenario's assumptions, and the run says so.
    c.autoscaling
        .put_scaling_policy()
        .auto_scaling_group_name("pool-workers")
        .policy_name("requests")
        .policy_type("TargetTrackingScaling")
        .target_tracking_configuration(
            aws_sdk_autoscaling::types::TargetTrackingConfiguration::builder()
                .predefined_metric_specification(
                    aws_sdk_autoscaling::types::PredefinedMetricSpecification::builder()
                        .predefined_metric_type(aws_sdk_autoscaling::types::MetricType::AsgAverageCpuUtilization)
                        .build(),
                )
                .target_value(80.0)
                .build(),
        )
        .send()
        .await
        .unwrap();

    // Calibration reads the group's own record over the same window; this group changed nothing in it.
    let calibrated = scalegate(
        &endpoint,
        &[
            "simulate",
            scenario.to_str().unwrap(),
            "--from-cloudwatch",
            "pool-workers",
            "--document",
            doc,
            "--calibrate",
        ],
    );
    let text = String::from_utf8_lossy(&calibrated.stdout);
    assert_eq!(calibrated.status.code(), Some(0), "{text}{}", String::from_utf8_lossy(&calibrated.stderr));
    assert!(text.contains("calibration: the group changed its desired capacity no time in the window"), "{text}");
    assert!(text.contains("\"real_changes\"") && text.contains("\"simulated_changes\""), "{text}");
    let said = String::from_utf8_lossy(&calibrated.stderr);
    assert!(said.contains("target 80 (the scenario said 70)"), "{said}");
    assert!(
        said.contains("scale out on 3 of 3 datapoints of 60 s above 80 (TargetTracking-pool-workers-AlarmHigh-"),
        "{said}"
    );
    let refused = scalegate(&endpoint, &["simulate", scenario.to_str().unwrap(), "--calibrate"]);
    assert_eq!(refused.status.code(), Some(2), "--calibrate needs --from-cloudwatch");

    // A history with holes is not simulated as quiet minutes.
    let holey = scalegate(
        &endpoint,
        &["simulate", scenario.to_str().unwrap(), "--from-cloudwatch", "holey", "--document", doc, "--since", "6h"],
    );
    assert_eq!(holey.status.code(), Some(2));
    let err = String::from_utf8_lossy(&holey.stderr);
    assert!(err.contains("have no datapoint") && err.contains("missing = \"zero\""), "{err}");
    let unknown = scalegate(
        &endpoint,
        &["simulate", scenario.to_str().unwrap(), "--from-cloudwatch", "nobody", "--document", doc],
    );
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no [[group]] named nobody"));
    std::fs::remove_dir_all(&dir).ok();
}
