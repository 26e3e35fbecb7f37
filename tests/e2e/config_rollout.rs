//! A rules rollout and its rollback against the emulator's versioned S3, through the launch gate's own loading:
//! the time from a push (or a rollback) to the first decision that names the new version is measured and held to
//! the documented bound (`SCALEGATE_CONFIG_MAX_AGE`, 2 s by default, plus one read; under 5 s).

use chrono::Utc;
use launch_gate::{aws_launch_gate, use_current_rules, AwsLaunchGate};
use scalegate::demo::{Fleet, FleetSpec};
use scalegate_aws::s3_config_document::S3ConfigDocument;
use scalegate_aws::settings::{gate_rules_parser, Document, DocumentKind};
use scalegate_core::config::{push, rollback, ConfigHistory, DocumentLocation, LiveDocument, DEFAULT_MAX_AGE};
use scalegate_core::gate::{Decision, GateMode, GateOutcome, GateRules};
use scalegate_core::lifecycle::{ActionResult, Delivery, LifecycleAction, Place, Transition};
use scalegate_tests::{clients, project_root, unique};
use std::time::{Duration, Instant};

const BOUND: Duration = Duration::from_secs(5);

fn validate(text: &str, origin: &str) -> Result<(), String> {
    DocumentKind::GateRules.validate(text, origin).map(|_| ())
}

/// One invocation's worth: bring the rules up to date, then decide (dry run: the action stays waiting, so every
/// look decides the same launch again). Returns the decision and the configuration lines.
async fn decide(
    gate: &AwsLaunchGate,
    rules: &Document<GateRules>,
    action: &LifecycleAction,
) -> (Decision, Vec<String>) {
    let (used, report) = use_current_rules(gate, rules, Utc::now()).await;
    used.expect("a good version of the rules");
    match gate.handle(action, Utc::now).await {
        GateOutcome::Decided(d) => (d, report.texts().map(str::to_string).collect()),
        other => panic!("expected a decision, got {other:?}"),
    }
}

/// Decides until a decision names `version`; returns it and how long after `since` it came.
async fn until_named(
    gate: &AwsLaunchGate,
    rules: &Document<GateRules>,
    action: &LifecycleAction,
    version: &str,
    since: Instant,
) -> (Decision, Duration) {
    loop {
        let (d, _) = decide(gate, rules, action).await;
        if d.rules_revision.as_deref() == Some(version) {
            return (d, since.elapsed());
        }
        assert!(since.elapsed() < BOUND, "version {version} not in use after {:?}", since.elapsed());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rules_rollout_and_its_rollback_reach_the_gate_within_the_bound() {
    let c = clients().await;
    let bucket = unique("scalegate-config");
    c.s3.create_bucket().bucket(&bucket).send().await.unwrap();
    c.s3.put_bucket_versioning()
        .bucket(&bucket)
        .versioning_configuration(
            aws_sdk_s3::types::VersioningConfiguration::builder()
                .status(aws_sdk_s3::types::BucketVersioningStatus::Enabled)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let location = DocumentLocation::parse(&format!("s3://{bucket}/gate.toml")).unwrap();
    let document = S3ConfigDocument::new(c.s3.clone(), location.clone());
    let enforce = std::fs::read_to_string(project_root().join("policies/gate.toml")).unwrap();
    let report_only = enforce.replace("mode = \"enforce\"", "mode = \"report-only\"");
    assert_ne!(enforce, report_only, "policies/gate.toml names its mode");
    let v1 = push(&document, &enforce, "gate.toml", validate).await.unwrap().version_id;

    // One launch of the drifted template waits on the hook; the gate decides it in dry run, again and again.
    let fleet =
        Fleet::create(&c, &FleetSpec { prefix: unique("rollout"), heartbeat_timeout: 300, max_size: 2 }).await.unwrap();
    fleet.set_desired(&c, 1).await.unwrap();
    let instance_id = fleet.state(&c).await.unwrap().instances[0].0.clone();
    let action = LifecycleAction {
        token: "dry-run".into(),
        auto_scaling_group: fleet.group.clone(),
        hook: fleet.hook.clone(),
        instance_id,
        transition: Transition::Launching,
        origin: Some(Place::Ec2),
        destination: Some(Place::AutoScalingGroup),
        metadata: None,
        delivery: Delivery::EventBridge,
    };
    let rules: Document<GateRules> =
        LiveDocument::live("gate-rules", document.clone(), &location.to_string(), gate_rules_parser(), DEFAULT_MAX_AGE);
    let gate = aws_launch_gate(&c.ec2, &c.autoscaling, GateRules::default(), true);

    let (d, lines) = decide(&gate, &rules, &action).await;
    assert_eq!(d.rules_revision.as_deref(), Some(v1.as_str()));
    assert!(lines.iter().any(|l| l.contains("config loaded")), "{lines:?}");
    assert_eq!((d.mode, d.result, d.completed_with), (GateMode::Enforce, ActionResult::Abandon, ActionResult::Abandon));

    // Rollout: report-only.
    let v2 = push(&document, &report_only, "gate.toml", validate).await.unwrap().version_id;
    let (d, rollout) = until_named(&gate, &rules, &action, &v2, Instant::now()).await;
    assert_eq!(
        (d.mode, d.result, d.completed_with),
        (GateMode::ReportOnly, ActionResult::Abandon, ActionResult::Continue)
    );

    // Rollback, one command: the newest older version that differs (v1's enforce), copied as a new version.
    let restored = rollback(&document, None, validate).await.unwrap();
    assert_eq!(restored.restored_from.as_deref(), Some(v1.as_str()));
    let (d, back) = until_named(&gate, &rules, &action, &restored.version_id, Instant::now()).await;
    assert_eq!((d.mode, d.completed_with), (GateMode::Enforce, ActionResult::Abandon));

    // A version that does not validate, written around `scalegate config push`, never replaces the good one.
    let bad = document.write("[credentials]\nmax_hop_limit = 0\n").await.unwrap();
    tokio::time::sleep(DEFAULT_MAX_AGE + Duration::from_millis(100)).await;
    let (d, lines) = decide(&gate, &rules, &action).await;
    assert_eq!(d.rules_revision.as_deref(), Some(restored.version_id.as_str()), "the last good version decides");
    assert!(
        lines.iter().any(|l| l.contains("config rejected; keeping the last good version") && l.contains(&bad)),
        "{lines:?}"
    );
    assert!(lines.iter().any(|l| l.contains("ConfigRejected")), "the rejection is a metric: {lines:?}");
    // A new process (a cold start) after the bad write takes the newest older version that validates.
    let fresh: Document<GateRules> =
        LiveDocument::live("gate-rules", document.clone(), &location.to_string(), gate_rules_parser(), DEFAULT_MAX_AGE);
    let (loaded, report) = fresh.current(Utc::now()).await;
    assert_eq!(loaded.unwrap().version.as_deref(), Some(restored.version_id.as_str()));
    assert!(report.texts().any(|l| l.contains("config fallback")), "{:?}", report.texts().collect::<Vec<_>>());
    println!(
        "rules propagation on the emulator: rollout {} ms, rollback {} ms (bound: max age {} s + one read < {} s)",
        rollout.as_millis(),
        back.as_millis(),
        DEFAULT_MAX_AGE.as_secs(),
        BOUND.as_secs()
    );
}
