//! `make bench`: figures for the drift sweep. Prints them; asserts only that the runs did what they must.
//!
//! Against the local emulator, 20 groups of 100 instances each tagged `scalegate:drift-sweep = report`: one sweep over
//! all 2 000 instances, timed, with its AWS calls and dependent round trips counted by an SDK interceptor (the
//! instances are launched from a bare template, so the default rules find every one drifted: every check runs and
//! every finding is reported). Then the sweep's own CPU over in-memory ports: the same 2 000 members, compliant.

use scalegate_aws::ec2_fleet_facts::Ec2FleetFacts;
use scalegate_aws::round_trips::RoundTripCounter;
use scalegate_aws::sdk::Clients;
use scalegate_core::gate::example::compliant;
use scalegate_core::gate::{GateRules, GroupFacts};
use scalegate_core::lifecycle::LifecycleState;
use scalegate_core::ports::AwsError;
use scalegate_core::sweep::{
    sweep, FleetFacts, FleetSnapshot, Health, InstanceHealth, Member, SweepSettings, SweptGroup, SweptGroups,
    OPT_IN_TAG,
};
use scalegate_tests::figures::{cpu_time, summary};
use scalegate_tests::{clients, sdk_config, tag_group, worker_group};
use std::time::Instant;

const GROUPS: usize = 20;
const PER_GROUP: usize = 100;

#[tokio::main]
async fn main() {
    println!("scalegate drift sweep benchmark\n");
    emulator_run().await;
    sweep_cpu().await;
}

async fn emulator_run() {
    let c = clients().await;
    let setup = Instant::now();
    let mut groups = Vec::with_capacity(GROUPS);
    for _ in 0..GROUPS {
        let g = worker_group(&c, "bench-sweep", PER_GROUP as i32).await;
        tag_group(&c, &g, OPT_IN_TAG, "report").await;
        groups.push(g);
    }
    println!("  setup: {GROUPS} tagged groups of {PER_GROUP} instances in {:.1} s", setup.elapsed().as_secs_f64());
    let counter = RoundTripCounter::new();
    let shared = sdk_config().await;
    let counted = Clients::from_shared(&shared, Some(&counter));
    let ports = Ec2FleetFacts::new(counted.ec2, counted.autoscaling);
    let rules = GateRules::default();
    for label in ["first run", "second run", "third run"] {
        counter.reset();
        let started = Instant::now();
        let run = sweep(&ports, &rules, &SweepSettings::default(), false, chrono::Utc::now()).await.expect("sweep");
        let wall = started.elapsed();
        let mine: Vec<_> = run.groups.iter().filter(|g| groups.contains(&g.group)).collect();
        let checked: usize = mine.iter().map(|g| g.checked).sum();
        let drifted: usize = mine.iter().map(|g| g.drifted()).sum();
        assert_eq!((mine.len(), checked, drifted), (GROUPS, GROUPS * PER_GROUP, GROUPS * PER_GROUP));
        println!(
            "  {label:<12} {checked} instances   wall {:>7.1} ms   calls {:>3}   dependent round trips {:>2}   drifted {drifted}",
            wall.as_secs_f64() * 1000.0,
            counter.total(),
            counter.dependent(),
        );
    }
}

/// 2 000 compliant members in 20 groups, in memory: the sweep's own cost (facts rebuilt, 16 checks each, report).
struct Memory {
    groups: Vec<SweptGroup>,
    snapshot: FleetSnapshot,
}

impl SweptGroups for Memory {
    async fn opted_in_groups(&self) -> Result<Vec<SweptGroup>, AwsError> {
        Ok(self.groups.clone())
    }
}

impl FleetFacts for Memory {
    async fn snapshot(&self, _groups: &[SweptGroup]) -> Result<FleetSnapshot, AwsError> {
        Ok(self.snapshot.clone())
    }
}

impl InstanceHealth for Memory {
    async fn mark_unhealthy(&self, _instance_id: &str) -> Result<(), AwsError> {
        Ok(())
    }
}

async fn sweep_cpu() {
    let base = compliant();
    let mut snapshot = FleetSnapshot::default();
    for sg in &base.security_groups {
        snapshot.security_groups.insert(sg.id.clone(), sg.clone());
    }
    let template = base.template.clone().unwrap();
    let launched = scalegate_core::gate::TemplateRef { id: Some("lt-1".into()), name: None, version: Some("3".into()) };
    snapshot.templates = vec![(launched.clone(), template.clone()), (base.group.template.clone().unwrap(), template)];
    let mut groups = Vec::new();
    for g in 0..GROUPS {
        let mut members = Vec::new();
        for i in 0..PER_GROUP {
            let id = format!("i-{g:03}{i:05}");
            let mut instance = base.instance.clone();
            instance.id = id.clone();
            snapshot.instances.insert(id.clone(), instance);
            snapshot.profile_associations.insert(id.clone(), base.profile_associations.clone());
            members.push(Member {
                instance_id: id,
                state: LifecycleState::InService,
                health: Health::Healthy,
                template: Some(launched.clone()),
            });
        }
        groups.push(SweptGroup {
            facts: GroupFacts {
                name: format!("group-{g}"),
                template: base.group.template.clone(),
                subnets: base.group.subnets.clone(),
                ..GroupFacts::default()
            },
            mode_tag: "replace:10%".into(),
            desired: PER_GROUP as u32,
            members,
            ..SweptGroup::default()
        });
    }
    let memory = Memory { groups, snapshot };
    let rules = GateRules::default();
    let mut wall = Vec::new();
    let before = cpu_time();
    for _ in 0..10 {
        let started = Instant::now();
        let run = sweep(&memory, &rules, &SweepSettings::default(), true, chrono::Utc::now()).await.expect("run");
        assert_eq!(run.drifted(), 0, "compliant members: {:?}", run.groups[0].findings.first());
        wall.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    let cpu = (cpu_time() - before).as_secs_f64() * 1000.0 / 10.0;
    summary("  in memory, 2 000 members in 20 groups", "ms", wall);
    println!("  CPU per run {cpu:.0} ms (facts rebuilt from the snapshot, 16 checks each, the report)");
}
