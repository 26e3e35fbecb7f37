//! The sweep's rules on hand-built fleets, and its workflow over in-memory ports (the emulator e2e in
//! tests/e2e/drift_sweep.rs runs it against AWS's API shapes).

use super::*;
use crate::gate::example::compliant;
use crate::gate::{GateRules, GroupFacts, IngressRule, TemplateRef};
use crate::lease::LEASE_TAG;
use crate::lifecycle::LifecycleState;
use crate::ports::{AwsError, AwsErrorKind};
use chrono::{DateTime, TimeDelta, Utc};
use std::sync::Mutex;

fn now() -> DateTime<Utc> {
    "2026-12-05T12:00:00Z".parse().unwrap()
}

fn launched_from() -> TemplateRef {
    TemplateRef { id: Some("lt-1".into()), name: None, version: Some("3".into()) }
}

fn member(id: &str, state: LifecycleState) -> Member {
    Member { instance_id: id.into(), state, health: Health::Healthy, template: Some(launched_from()) }
}

/// A group `web` of `ids` in service (all launched from lt-1 version 3 and compliant), desired = their count.
fn fleet(ids: &[&str]) -> (SweptGroup, FleetSnapshot) {
    let base = compliant();
    let mut snapshot = FleetSnapshot::default();
    let mut group = SweptGroup {
        facts: GroupFacts {
            name: "web".into(),
            overrides: vec![],
            instance_lifecycle_state: None,
            ..base.group.clone()
        },
        mode_tag: "replace".into(),
        desired: ids.len() as u32,
        min_healthy_percent: None,
        members: vec![],
    };
    for id in ids {
        let mut instance = base.instance.clone();
        instance.id = (*id).into();
        snapshot.instances.insert((*id).into(), instance);
        snapshot.profile_associations.insert((*id).into(), base.profile_associations.clone());
        group.members.push(member(id, LifecycleState::InService));
    }
    for sg in &base.security_groups {
        snapshot.security_groups.insert(sg.id.clone(), sg.clone());
    }
    let template = base.template.clone().unwrap();
    snapshot.templates.push((launched_from(), template.clone()));
    snapshot.templates.push((group.facts.template.clone().unwrap(), template));
    (group, snapshot)
}

fn open_ssh_to_the_world(snapshot: &mut FleetSnapshot) {
    snapshot.security_groups.get_mut("sg-web").unwrap().ingress.push(IngressRule {
        protocol: "tcp".into(),
        from_port: Some(22),
        to_port: Some(22),
        ipv4_ranges: vec!["0.0.0.0/0".into()],
        ..Default::default()
    });
}

fn replace(limit: ReplaceLimit) -> SweepMode {
    SweepMode::Replace { limit }
}

#[test]
fn the_tag_names_the_mode_and_the_limit() {
    assert_eq!(SweepMode::parse("report"), Ok(SweepMode::Report));
    assert_eq!(SweepMode::parse(" Replace "), Ok(replace(ReplaceLimit::Percent(10))));
    assert_eq!(SweepMode::parse("replace:2"), Ok(replace(ReplaceLimit::Count(2))));
    assert_eq!(SweepMode::parse("replace:25%"), Ok(replace(ReplaceLimit::Percent(25))));
    assert_eq!(SweepMode::parse("Replace:2"), Ok(replace(ReplaceLimit::Count(2))), "as Replace alone is read");
    for (bad, says) in [
        ("fix", "not a mode"),
        ("replace:0", "replaces nothing"),
        ("replace:150%", "at most 100"),
        ("replace:two", "whole number"),
        ("", "not a mode"),
    ] {
        let e = SweepMode::parse(bad).unwrap_err().to_string();
        assert!(e.contains(says) && e.contains(OPT_IN_TAG), "{bad}: {e}");
    }
    assert_eq!(ReplaceLimit::Percent(10).of(35), 3);
    assert_eq!(ReplaceLimit::Percent(10).of(4), 1, "at least one");
    assert_eq!(ReplaceLimit::Count(5).of(2), 5);
}

#[test]
fn a_compliant_fleet_has_no_findings_and_only_settled_members_are_swept() {
    let (mut group, mut snapshot) = fleet(&["i-1", "i-2"]);
    let rules = GateRules::default();
    group.members.push(member("i-launching", LifecycleState::PendingWait));
    group.members.push(member("i-leaving", LifecycleState::TerminatingWait));
    let (checked, found) = findings(&group, &snapshot, &rules, now());
    assert_eq!((checked, found.len()), (2, 0), "{found:?}");
    // A pool member is swept like a member in service; one EC2 no longer describes is reported as gone.
    group.members.push(member("i-pool", LifecycleState::WarmedStopped));
    let mut pooled = snapshot.instances["i-1"].clone();
    pooled.id = "i-pool".into();
    pooled.state = "stopped".into();
    snapshot.instances.insert("i-pool".into(), pooled);
    group.members.push(member("i-gone", LifecycleState::InService));
    let (checked, found) = findings(&group, &snapshot, &rules, now());
    assert_eq!(checked, 4);
    assert_eq!(
        found.iter().map(|f| (f.instance_id.as_str(), f.kind)).collect::<Vec<_>>(),
        [("i-gone", FindingKind::Gone)]
    );
}

#[test]
fn a_security_group_opened_after_launch_is_drift_on_every_instance_behind_it() {
    let (group, mut snapshot) = fleet(&["i-1", "i-2", "i-3"]);
    open_ssh_to_the_world(&mut snapshot);
    let (_, found) = findings(&group, &snapshot, &GateRules::default(), now());
    assert_eq!(found.len(), 3);
    for f in &found {
        assert_eq!(f.kind, FindingKind::Drifted);
        assert!(f.check_names().contains(&"firewall.admin_ports"), "{:?}", f.checks);
        assert!(!f.attached);
    }
}

#[test]
fn a_new_template_version_is_an_update_not_drift_but_a_changed_instance_is() {
    let (mut group, mut snapshot) = fleet(&["i-1"]);
    // The group now launches version 4 with another AMI: the instance still matches the version it came from.
    let newer = TemplateRef { id: Some("lt-1".into()), name: None, version: Some("4".into()) };
    let mut v4 = snapshot.template(&launched_from()).unwrap().clone();
    (v4.version, v4.image_id) = (4, Some("ami-newer".into()));
    snapshot.templates.push((newer.clone(), v4));
    group.facts.template = Some(newer);
    let rules = GateRules::default();
    assert!(findings(&group, &snapshot, &rules, now()).1.is_empty());
    // IMDSv1 turned back on after launch is drift.
    snapshot.instances.get_mut("i-1").unwrap().metadata.http_tokens = Some("optional".into());
    let (_, found) = findings(&group, &snapshot, &rules, now());
    assert_eq!(found[0].check_names(), ["credentials.imdsv2", "drift.metadata_options"]);
}

#[test]
fn a_template_version_that_is_gone_fails_its_own_members_only() {
    let (mut group, mut snapshot) = fleet(&["i-1", "i-2"]);
    // i-2 came from version 2, since deleted: the snapshot could not resolve it.
    snapshot.instances.get_mut("i-2").unwrap().tags.insert("aws:ec2launchtemplate:version".into(), "2".into());
    group.members[1].template = Some(TemplateRef { version: Some("2".into()), ..launched_from() });
    let (_, found) = findings(&group, &snapshot, &GateRules::default(), now());
    assert_eq!(found.iter().map(|f| f.instance_id.as_str()).collect::<Vec<_>>(), ["i-2"], "{found:?}");
    assert!(found[0].check_names().contains(&"drift.ami"), "fail closed: {:?}", found[0].checks);
}

#[test]
fn an_attached_instance_is_checked_against_the_groups_template_and_says_how_it_entered() {
    let (mut group, mut snapshot) = fleet(&["i-1", "i-2"]);
    let attached = snapshot.instances.get_mut("i-1").unwrap();
    attached.tags.retain(|k, _| !k.starts_with("aws:ec2launchtemplate"));
    attached.image_id = "ami-someone-elses".into();
    group.members[0].template = None;
    // Started elsewhere from a template of its own (whose tags it keeps) with its own AMI: still the group's template.
    let foreign = TemplateRef { id: Some("lt-elsewhere".into()), name: None, version: Some("1".into()) };
    let mut theirs = snapshot.template(&launched_from()).unwrap().clone();
    (theirs.template_id, theirs.version, theirs.image_id) = ("lt-elsewhere".into(), 1, Some("ami-theirs".into()));
    snapshot.templates.push((foreign, theirs));
    let tagged = snapshot.instances.get_mut("i-2").unwrap();
    tagged.tags.insert("aws:ec2launchtemplate:id".into(), "lt-elsewhere".into());
    tagged.tags.insert("aws:ec2launchtemplate:version".into(), "1".into());
    tagged.image_id = "ami-theirs".into();
    group.members[1].template = None;
    let (_, found) = findings(&group, &snapshot, &GateRules::default(), now());
    assert_eq!(found.len(), 2, "{found:?}");
    for f in &found {
        assert!(f.attached, "{f:?}");
        assert!(f.check_names().contains(&"drift.ami"), "{}: {:?}", f.instance_id, f.checks);
    }
}

#[test]
fn replace_mode_keeps_to_its_limit_and_the_minimum_healthy_capacity() {
    let ids = ["i-1", "i-2", "i-3", "i-4", "i-5", "i-6", "i-7", "i-8", "i-9", "i-10"];
    let (group, mut snapshot) = fleet(&ids);
    open_ssh_to_the_world(&mut snapshot);
    let rules = GateRules::default();
    let settings = SweepSettings { min_healthy_percent: 50 };
    let run = |group: &SweptGroup, mode| {
        let (_, found) = findings(group, &snapshot, &rules, now());
        decide(group, mode, &settings, found)
    };
    let count = |d: &[(Finding, Disposition)], want: &Disposition| d.iter().filter(|(_, x)| x == want).count();
    let decided = run(&group, replace(ReplaceLimit::Count(3)));
    assert_eq!(count(&decided, &Disposition::WouldReplace), 3);
    assert_eq!(count(&decided, &Disposition::Held { hold: Hold::RateLimit { limit: 3 } }), 7);
    // The limit as a share of desired: 20 % of 10.
    assert_eq!(count(&run(&group, replace(ReplaceLimit::Percent(20))), &Disposition::WouldReplace), 2);
    // A group's own MinHealthyPercentage wins: 80 % of 10 keeps 8 healthy, so 2 go whatever the limit.
    let mut strict = group.clone();
    strict.min_healthy_percent = Some(80);
    let decided = run(&strict, replace(ReplaceLimit::Count(10)));
    assert_eq!(count(&decided, &Disposition::WouldReplace), 2);
    assert!(decided
        .iter()
        .any(|(_, d)| *d == Disposition::Held { hold: Hold::MinimumHealthy { healthy: 8, minimum: 8 } }));
    // Instances already unhealthy count against the healthy capacity, and are not marked again.
    let mut sick = strict.clone();
    sick.members[0].health = Health::Unhealthy;
    let decided = run(&sick, replace(ReplaceLimit::Count(10)));
    assert_eq!(count(&decided, &Disposition::WouldReplace), 1);
    assert_eq!(count(&decided, &Disposition::Held { hold: Hold::AlreadyUnhealthy }), 1);
    // Report mode changes nothing.
    let decided = run(&group, SweepMode::Report);
    assert_eq!(count(&decided, &Disposition::Reported), 10);
}

#[test]
fn leased_standby_and_pooled_members_are_handled_as_their_place_demands() {
    let (mut group, mut snapshot) = fleet(&["i-busy", "i-expired", "i-standby", "i-pool", "i-free"]);
    open_ssh_to_the_world(&mut snapshot);
    let later = (now() + TimeDelta::minutes(10)).to_rfc3339();
    let earlier = (now() - TimeDelta::minutes(10)).to_rfc3339();
    snapshot.instances.get_mut("i-busy").unwrap().tags.insert(LEASE_TAG.into(), later);
    snapshot.instances.get_mut("i-expired").unwrap().tags.insert(LEASE_TAG.into(), earlier);
    group.members[2].state = LifecycleState::Standby;
    group.members[3].state = LifecycleState::WarmedStopped;
    // Desired 2 at the default 90 %: both healthy in-service instances must stay, but the pool member can go.
    group.desired = 2;
    group.members.retain(|m| m.instance_id != "i-free");
    let (_, found) = findings(&group, &snapshot, &GateRules::default(), now());
    let decided = decide(&group, replace(ReplaceLimit::Count(10)), &SweepSettings::default(), found);
    let of = |id: &str| decided.iter().find(|(f, _)| f.instance_id == id).map(|(_, d)| d.clone()).unwrap();
    assert!(matches!(of("i-busy"), Disposition::Held { hold: Hold::LiveLease { .. } }), "{:?}", of("i-busy"));
    assert_eq!(of("i-standby"), Disposition::Held { hold: Hold::Standby });
    assert_eq!(of("i-pool"), Disposition::WouldReplace);
    assert_eq!(of("i-expired"), Disposition::Held { hold: Hold::MinimumHealthy { healthy: 2, minimum: 2 } });
}

/// In-memory ports: the groups and snapshot as given, and a record of the instances marked unhealthy.
struct Fleet {
    groups: Vec<SweptGroup>,
    snapshot: FleetSnapshot,
    marked: Mutex<Vec<String>>,
    refuse: Option<&'static str>,
}

impl SweptGroups for Fleet {
    async fn opted_in_groups(&self) -> Result<Vec<SweptGroup>, AwsError> {
        Ok(self.groups.clone())
    }
}

impl FleetFacts for Fleet {
    async fn snapshot(&self, groups: &[SweptGroup]) -> Result<FleetSnapshot, AwsError> {
        assert!(groups.iter().all(|g| SweepMode::parse(&g.mode_tag).is_ok()), "a bad tag's group is not described");
        Ok(self.snapshot.clone())
    }
}

impl InstanceHealth for Fleet {
    async fn mark_unhealthy(&self, instance_id: &str) -> Result<(), AwsError> {
        if self.refuse == Some(instance_id) {
            return Err(AwsError::new("SetInstanceHealth", AwsErrorKind::Validation, "not in a group"));
        }
        self.marked.lock().unwrap().push(instance_id.into());
        Ok(())
    }
}

#[tokio::test]
async fn a_run_marks_what_it_decided_reports_it_and_fails_on_a_bad_tag_or_a_refused_mark() {
    let (mut group, mut snapshot) = fleet(&["i-1", "i-2", "i-3", "i-4"]);
    open_ssh_to_the_world(&mut snapshot);
    group.mode_tag = "replace:1".into();
    let mut quiet = group.clone();
    (quiet.facts.name, quiet.mode_tag) = ("quiet".into(), "report".into());
    let mut broken = group.clone();
    (broken.facts.name, broken.mode_tag) = ("broken".into(), "sometimes".into());
    let ports = Fleet { groups: vec![group, quiet, broken], snapshot, marked: Mutex::new(vec![]), refuse: None };
    let rules = GateRules::default();
    let settings = SweepSettings { min_healthy_percent: 50 };

    let dry = sweep(&ports, &rules, &settings, false, now()).await.unwrap();
    assert!(ports.marked.lock().unwrap().is_empty(), "a dry run marks nothing");
    assert_eq!(dry.groups[0].replaced(), 1);
    let run = sweep(&ports, &rules, &settings, true, now()).await.unwrap();
    assert_eq!(*ports.marked.lock().unwrap(), ["i-1"], "the limit is one per run, the first by id at equal urgency");
    assert_eq!(run.drifted(), 8, "both readable groups' members");
    assert_eq!(run.failures().len(), 1);
    assert!(run.failures()[0].starts_with("broken: tag scalegate:drift-sweep = `sometimes`"), "{:?}", run.failures());
    let texts: Vec<&str> = run.report.texts().collect();
    let metric = texts.iter().find(|t| t.contains("\"Check\":\"firewall.admin_ports\"")).expect("by check");
    assert!(metric.contains("\"DriftedInstances\":8"), "{metric}");
    assert!(texts.iter().any(|t| t.contains("\"DriftedInstances\":8") && t.contains("\"DriftReplacements\":1")));
    assert_eq!(texts.iter().filter(|t| t.contains("\"drift found\"")).count(), 8);

    // A refused mark is said, leaves the instance as it is, and fails the run.
    let ports = Fleet { refuse: Some("i-1"), marked: Mutex::new(vec![]), ..ports };
    let run = sweep(&ports, &rules, &settings, true, now()).await.unwrap();
    assert!(
        matches!(run.groups[0].findings[0].1, Disposition::ReplaceFailed { .. }),
        "{:?}",
        run.groups[0].findings[0]
    );
    assert!(run.failures().iter().any(|f| f.starts_with("web: marking i-1 unhealthy")), "{:?}", run.failures());
}
