//! The drift sweep against the emulator: a gated fleet in service and in its warm pool, then drift made after the
//! gate let it in (a security group opened on one instance, IMDSv1 turned back on for others, one of them holding a
//! work lease); the function's shell run, then the group read back: the drifted instance marked unhealthy, replaced
//! and the replacement gated in; the limit per run and the minimum healthy capacity held; the leased instance left
//! alone; the drifted warm-pool instance found and replaced.

use aws_sdk_ec2::types::{HttpTokensState, IpPermission, IpRange};
use drift_sweep::lambda;
use scalegate::demo::{gate_until_settled, Fleet, FleetSpec};
use scalegate_aws::ec2_fleet_facts::Ec2FleetFacts;
use scalegate_aws::sdk::Clients;
use scalegate_aws::settings::Document;
use scalegate_core::config::LiveDocument;
use scalegate_core::gate::GateRules;
use scalegate_core::lease::LEASE_TAG;
use scalegate_core::lifecycle::ActionResult;
use scalegate_core::sweep::{sweep, Disposition, FindingKind, Hold, SweepSettings, OPT_IN_TAG};
use scalegate_tests::{clients, tag_group, unique};
use std::collections::BTreeSet;
use std::time::Duration;

async fn imds_v1(c: &Clients, instance: &str) {
    c.ec2
        .modify_instance_metadata_options()
        .instance_id(instance)
        .http_tokens(HttpTokensState::Optional)
        .send()
        .await
        .expect("ModifyInstanceMetadataOptions");
}

/// Attaches a new security group that opens SSH to the world, beside the instance's own.
async fn open_ssh(c: &Clients, fleet: &Fleet, instance: &str) {
    let described = c.ec2.describe_instances().instance_ids(instance).send().await.expect("DescribeInstances");
    let vpc = described.reservations()[0].instances()[0].vpc_id().unwrap().to_string();
    let sg = c
        .ec2
        .create_security_group()
        .group_name(unique("opened"))
        .description("opened after launch")
        .vpc_id(vpc)
        .send()
        .await
        .expect("CreateSecurityGroup");
    let sg = sg.group_id().unwrap().to_string();
    let ssh = IpPermission::builder()
        .ip_protocol("tcp")
        .from_port(22)
        .to_port(22)
        .ip_ranges(IpRange::builder().cidr_ip("0.0.0.0/0").build())
        .build();
    c.ec2.authorize_security_group_ingress().group_id(&sg).ip_permissions(ssh).send().await.expect("Authorize");
    c.ec2
        .modify_instance_attribute()
        .instance_id(instance)
        .groups(&fleet.web_security_group)
        .groups(sg)
        .send()
        .await
        .expect("ModifyInstanceAttribute");
}

fn ids(pairs: &[(String, String)], state: &str) -> BTreeSet<String> {
    pairs.iter().filter(|(_, s)| s == state).map(|(id, _)| id.clone()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sweep_finds_drift_between_the_hooks_and_replaces_it_within_limits() {
    let c = clients().await;
    let fleet =
        Fleet::create(&c, &FleetSpec { prefix: unique("sweep"), heartbeat_timeout: 300, max_size: 20 }).await.unwrap();
    fleet.roll_back(&c).await.unwrap();
    fleet.set_desired(&c, 4).await.unwrap();
    fleet.add_warm_pool(&c, 1).await.unwrap();
    let settle = || gate_until_settled(&c, &fleet, GateRules::default(), Duration::from_secs(120), |_| {});
    let (_, state) = settle().await.unwrap();
    let in_service = ids(&state.instances, "InService");
    assert_eq!((in_service.len(), ids(&state.warm_pool, "Warmed:Stopped").len()), (4, 1), "{state:?}");

    let ports = Ec2FleetFacts::new(c.ec2.clone(), c.autoscaling.clone());
    let rules: Document<GateRules> = LiveDocument::fixed("gate-rules", GateRules::default(), "the defaults");
    tag_group(&c, &fleet.group, OPT_IN_TAG, "replace:1").await;
    // Clean: nothing found, nothing marked.
    let clean =
        lambda(&ports, &rules, &SweepSettings { min_healthy_percent: 50 }, false, serde_json::json!({})).await.unwrap();
    assert_eq!((clean["checked"].as_u64(), clean["drifted"].as_u64()), (Some(5), Some(0)), "{clean}");

    // Drift after the gate: SSH opened on one, IMDSv1 back on another, and on a leased one.
    let members: Vec<&String> = in_service.iter().collect();
    let (opened, v1, leased) = (members[0].clone(), members[1].clone(), members[2].clone());
    open_ssh(&c, &fleet, &opened).await;
    for id in [&v1, &leased] {
        imds_v1(&c, id).await;
    }
    let expires = (chrono::Utc::now() + chrono::TimeDelta::minutes(30)).to_rfc3339();
    c.ec2
        .create_tags()
        .resources(&leased)
        .tags(aws_sdk_ec2::types::Tag::builder().key(LEASE_TAG).value(expires).build())
        .send()
        .await
        .expect("CreateTags");

    // Run 1, at most one per run: the open port goes first; the others wait for the limit or their lease.
    let run =
        sweep(&ports, &GateRules::default(), &SweepSettings { min_healthy_percent: 50 }, true, chrono::Utc::now())
            .await
            .unwrap();
    assert_eq!(run.failures(), Vec::<String>::new());
    let group = &run.groups[0];
    assert_eq!((group.checked, group.drifted()), (5, 3), "{group:#?}");
    let of = |id: &str| group.findings.iter().find(|(f, _)| f.instance_id == id).unwrap().clone();
    assert_eq!(of(&opened).1, Disposition::Replaced);
    assert!(of(&opened).0.check_names().contains(&"firewall.admin_ports"), "{:?}", of(&opened).0.checks);
    assert_eq!(of(&v1).1, Disposition::Held { hold: Hold::RateLimit { limit: 1 } });
    assert!(matches!(of(&leased).1, Disposition::Held { hold: Hold::LiveLease { .. } }));
    assert!(run.report.texts().any(|t| t.contains("\"DriftedInstances\":3") && t.contains("\"DriftReplacements\":1")));

    // The group replaced it at once, out of the warm pool and through the launch hook: the gate lets it in, and the
    // pool's refill.
    let (gated, state) = settle().await.unwrap();
    let now_in_service = ids(&state.instances, "InService");
    assert!(!now_in_service.contains(&opened), "{state:?}");
    assert_eq!(now_in_service.len(), 4, "{state:?}");
    assert!(gated.rows.iter().any(|r| r.route.ends_with("AutoScalingGroup")), "{:?}", gated.rows);
    assert!(gated.rows.iter().all(|r| r.verdict == ActionResult::Continue), "{:?}", gated.rows);

    // The pool's instance drifts too: it would rejoin without relaunching.
    let pool_member = ids(&state.warm_pool, "Warmed:Stopped").into_iter().next().expect("a refilled pool");
    imds_v1(&c, &pool_member).await;

    // Run 2, ten per run but 75 % of 4 must stay healthy in service: one more from service, and the pool's (it
    // serves nothing); the leased one still waits for the drain.
    tag_group(&c, &fleet.group, OPT_IN_TAG, "replace:10").await;
    let settings = SweepSettings { min_healthy_percent: 75 };
    let run = sweep(&ports, &GateRules::default(), &settings, true, chrono::Utc::now()).await.unwrap();
    let group = &run.groups[0];
    let of = |id: &str| group.findings.iter().find(|(f, _)| f.instance_id == id).map(|(_, d)| d.clone());
    assert_eq!((group.drifted(), of(&opened)), (3, None), "{group:#?}");
    let pooled_finding = group.findings.iter().find(|(f, _)| f.instance_id == pool_member).unwrap();
    assert_eq!((pooled_finding.0.kind, pooled_finding.0.state.as_str()), (FindingKind::Drifted, "Warmed:Stopped"));
    assert_eq!(of(&v1), Some(Disposition::Replaced));
    assert_eq!(of(&pool_member), Some(Disposition::Replaced));
    assert!(matches!(of(&leased), Some(Disposition::Held { hold: Hold::LiveLease { .. } })));
    let (_, state) = settle().await.unwrap();
    assert_eq!(ids(&state.instances, "InService").len(), 4, "{state:?}");
    assert!(!ids(&state.warm_pool, "Warmed:Stopped").contains(&pool_member), "{state:?}");

    // Run 3: only the leased instance is left, and report mode marks nothing.
    tag_group(&c, &fleet.group, OPT_IN_TAG, "report").await;
    let run = sweep(&ports, &GateRules::default(), &settings, true, chrono::Utc::now()).await.unwrap();
    let group = &run.groups[0];
    assert_eq!(group.findings.len(), 1, "{group:#?}");
    assert_eq!(group.findings[0].0.instance_id, leased);
    assert_eq!(group.findings[0].1, Disposition::Reported);
}
