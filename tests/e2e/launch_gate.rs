//! End to end against the emulator: real SDK clients, real lifecycle waits, the real handler.

use launch_gate::{aws_launch_gate, handle, RecordOutcome};
use scalegate::demo::{gate_until_settled, Fleet, FleetSpec};
use scalegate_core::gate::GateRules;
use scalegate_core::lifecycle::ActionResult;
use scalegate_tests::{clients, unique};
use std::collections::BTreeSet;
use std::time::Duration;

fn spec() -> FleetSpec {
    FleetSpec { prefix: unique("e2e"), heartbeat_timeout: 300, max_size: 20 }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scale_out_by_ten_abandons_exactly_the_two_drifted_instances() {
    let c = clients().await;
    let fleet = Fleet::create(&c, &spec()).await.unwrap();
    fleet.set_desired(&c, 2).await.unwrap();
    let drifted: BTreeSet<String> = fleet.state(&c).await.unwrap().instances.into_iter().map(|(id, _)| id).collect();
    assert_eq!(drifted.len(), 2);
    fleet.roll_back(&c).await.unwrap();
    fleet.set_desired(&c, 10).await.unwrap();
    let first_ten: BTreeSet<String> = fleet.state(&c).await.unwrap().instances.into_iter().map(|(id, _)| id).collect();
    assert_eq!(first_ten.len(), 10);

    let (run, state) =
        gate_until_settled(&c, &fleet, GateRules::default(), Duration::from_secs(120), |_| {}).await.unwrap();

    let abandoned: BTreeSet<String> =
        run.rows.iter().filter(|r| r.verdict == ActionResult::Abandon).map(|r| r.instance_id.clone()).collect();
    assert_eq!(abandoned, drifted, "exactly the drifted instances are abandoned");
    for row in run.rows.iter().filter(|r| r.verdict == ActionResult::Abandon) {
        for check in [
            "firewall.admin_ports",
            "firewall.world_ingress",
            "credentials.imdsv2",
            "drift.security_groups",
            "drift.metadata_options",
            "drift.encrypted_volumes",
            "drift.template_version",
        ] {
            assert!(row.failed_checks.iter().any(|c| c == check), "{check} missing from {:?}", row.failed_checks);
        }
        assert!(
            row.reasons.iter().any(|r| r.contains("SSH (22) admits 100% of public IPv4")),
            "reasons name the open SSH port: {:?}",
            row.reasons
        );
    }
    let compliant_of_first_ten: BTreeSet<_> = first_ten.difference(&drifted).cloned().collect();
    assert_eq!(compliant_of_first_ten.len(), 8);
    let in_service: BTreeSet<String> =
        state.instances.iter().filter(|(_, s)| s == "InService").map(|(id, _)| id.clone()).collect();
    assert!(compliant_of_first_ten.is_subset(&in_service), "the 8 compliant instances reach InService");
    assert_eq!(in_service.len(), 10, "the 2 abandoned were replaced and gated in");
    assert!(in_service.is_disjoint(&drifted));
    assert_eq!(run.tests_dropped, 1, "the hook's TEST_NOTIFICATION is consumed and dropped");
    assert!(run.rejected.is_empty(), "{:?}", run.rejected);
    // Both queues deliver every action (EventBridge and the hook's own target): the second delivery changes nothing.
    assert!(run.duplicates >= 10, "duplicates seen: {}", run.duplicates);
    assert_eq!(run.rows.iter().filter(|r| r.verdict == ActionResult::Continue).count(), 10);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redelivering_every_notification_changes_nothing() {
    let c = clients().await;
    let fleet = Fleet::create(&c, &spec()).await.unwrap();
    fleet.roll_back(&c).await.unwrap();
    fleet.set_desired(&c, 3).await.unwrap();
    // Keep copies of every delivery before the gate consumes them.
    let mut bodies = vec![];
    for _ in 0..5 {
        let out = c
            .sqs
            .receive_message()
            .queue_url(&fleet.events_queue)
            .max_number_of_messages(10)
            .visibility_timeout(0)
            .send()
            .await
            .unwrap();
        for m in out.messages() {
            let body = m.body().unwrap().to_string();
            if !bodies.contains(&body) {
                bodies.push(body);
            }
        }
        if bodies.len() == 3 {
            break;
        }
    }
    assert_eq!(bodies.len(), 3);
    let (_, before) =
        gate_until_settled(&c, &fleet, GateRules::default(), Duration::from_secs(60), |_| {}).await.unwrap();
    assert_eq!(before.count("InService"), 3);

    let gate = aws_launch_gate(&c.ec2, &c.autoscaling, GateRules::default(), false);
    for body in &bodies {
        let report = handle(&gate, body, chrono::Utc::now).await.unwrap();
        assert_eq!(report.records.len(), 1);
        assert!(
            matches!(report.records[0].outcome, RecordOutcome::AlreadyDecided { .. }),
            "{:?}",
            report.records[0].outcome
        );
    }
    let after = fleet.state(&c).await.unwrap();
    assert_eq!(before.instances, after.instances, "duplicate deliveries changed the group");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stale_warm_pool_instance_is_rechecked_and_abandoned_on_leaving_the_pool() {
    let c = clients().await;
    let fleet = Fleet::create(&c, &spec()).await.unwrap();
    fleet.roll_back(&c).await.unwrap();
    fleet.add_warm_pool(&c, 1).await.unwrap();
    let (run, state) =
        gate_until_settled(&c, &fleet, GateRules::default(), Duration::from_secs(60), |_| {}).await.unwrap();
    assert_eq!(run.rows.len(), 1);
    assert_eq!(run.rows[0].route, "EC2→WarmPool");
    assert_eq!(run.rows[0].verdict, ActionResult::Continue);
    let pooled = state.warm_pool[0].0.clone();
    assert_eq!(state.warm_pool[0].1, "Warmed:Stopped");

    // A new template version ships while the instance sleeps in the pool.
    let version = fleet.publish_compliant_version(&c, "ami-0fedcba9876543210").await.unwrap();
    assert_eq!(version, 2);
    fleet.set_desired(&c, 1).await.unwrap();
    let (run, state) =
        gate_until_settled(&c, &fleet, GateRules::default(), Duration::from_secs(60), |_| {}).await.unwrap();
    let leaving = run.rows.iter().find(|r| r.instance_id == pooled).expect("the pooled instance was gated again");
    assert_eq!(leaving.route, "WarmPool→AutoScalingGroup");
    assert_eq!(leaving.verdict, ActionResult::Abandon);
    assert!(leaving.failed_checks.contains(&"drift.template_version".to_string()), "{:?}", leaving.failed_checks);
    assert!(leaving.failed_checks.contains(&"drift.ami".to_string()), "{:?}", leaving.failed_checks);
    assert_eq!(state.count("InService"), 1);
    assert!(state.instances.iter().all(|(id, _)| *id != pooled), "the stale instance never served");
}

/// One launch template named five ways — by id or name, at `$Default`, `$Latest`, a number or no version — resolves
/// to the same facts wherever the ways mean the same version.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_template_named_by_id_or_name_at_any_version_spelling_resolves_to_the_same_facts() {
    use aws_sdk_autoscaling::types::LaunchTemplateSpecification;
    use aws_sdk_ec2::types::{InstanceType, RequestLaunchTemplateData};
    use scalegate_core::gate::LaunchFactsSource;
    use scalegate_core::lifecycle::{Delivery, LifecycleAction, Place, Transition};

    let c = clients().await;
    let name = unique("lt-spelling");
    let data = |t: InstanceType| {
        RequestLaunchTemplateData::builder().image_id(scalegate::demo::DEMO_AMI).instance_type(t).build()
    };
    let created = c
        .ec2
        .create_launch_template()
        .launch_template_name(&name)
        .launch_template_data(data(InstanceType::T3Micro))
        .send()
        .await
        .unwrap();
    let id = created.launch_template().and_then(|t| t.launch_template_id()).unwrap().to_string();
    // Version 2 changes the type; version 1 stays the default.
    c.ec2
        .create_launch_template_version()
        .launch_template_id(&id)
        .source_version("1")
        .launch_template_data(data(InstanceType::T3Small))
        .send()
        .await
        .unwrap();

    let facts = scalegate_aws::Ec2LaunchFacts::new(c.ec2.clone(), c.autoscaling.clone());
    let mut resolved = Vec::new();
    for (by_id, version) in [
        (true, Some("$Default")),
        (false, Some("$Default")),
        (true, Some("1")),
        (false, None),
        (true, Some("$Latest")),
        (false, Some("$Latest")),
        (false, Some("2")),
    ] {
        let group = unique("lt-spelling-group");
        let spec = if by_id {
            LaunchTemplateSpecification::builder().launch_template_id(&id)
        } else {
            LaunchTemplateSpecification::builder().launch_template_name(&name)
        };
        c.autoscaling
            .create_auto_scaling_group()
            .auto_scaling_group_name(&group)
            .min_size(0)
            .max_size(1)
            .desired_capacity(1)
            .availability_zones("us-east-1a")
            .launch_template(spec.set_version(version.map(str::to_owned)).build())
            .send()
            .await
            .unwrap();
        let described =
            c.autoscaling.describe_auto_scaling_groups().auto_scaling_group_names(&group).send().await.unwrap();
        let instance = described.auto_scaling_groups()[0].instances()[0].instance_id().unwrap().to_string();
        let action = LifecycleAction {
            token: "t".into(),
            auto_scaling_group: group,
            hook: "h".into(),
            instance_id: instance,
            transition: Transition::Launching,
            origin: Some(Place::Ec2),
            destination: Some(Place::AutoScalingGroup),
            metadata: None,
            delivery: Delivery::EventBridge,
        };
        let t = facts.gather(&action).await.unwrap().template.expect("the group's template was described");
        resolved.push(((by_id, version), t));
    }
    let default_version = &resolved[0].1;
    assert_eq!(default_version.version, 1);
    assert_eq!(default_version.instance_type.as_deref(), Some("t3.micro"));
    for (spelling, t) in &resolved[1..4] {
        assert_eq!(t, default_version, "{spelling:?} names version 1");
    }
    let latest = &resolved[4].1;
    assert_eq!((latest.version, latest.instance_type.as_deref()), (2, Some("t3.small")));
    assert_eq!(latest.image_id.as_deref(), Some(scalegate::demo::DEMO_AMI), "version 2 inherits the AMI from 1");
    for (spelling, t) in &resolved[5..] {
        assert_eq!(t, latest, "{spelling:?} names version 2");
    }
}
