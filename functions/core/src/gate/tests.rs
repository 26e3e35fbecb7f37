//! Tests for every check, the verdict, and the workflow with in-memory ports.

use super::*;
use crate::gate::LaunchFactsSource;
use crate::lifecycle::{ActionResult, Completion, LifecycleActions};
use crate::lifecycle::{Delivery, LifecycleAction, LifecycleState, Place, Transition};
use crate::ports::{AwsError, AwsErrorKind};
use std::collections::VecDeque;
use std::sync::Mutex;

use super::example::compliant;

fn results(f: &LaunchFacts, r: &GateRules) -> Vec<CheckResult> {
    evaluate(f, r)
}

fn status_of(f: &LaunchFacts, r: &GateRules, name: &str) -> (CheckStatus, String) {
    let res = results(f, r);
    let c = res.iter().find(|c| c.name == name).unwrap_or_else(|| panic!("no check {name}"));
    (c.status, c.reason.clone())
}

fn failed(f: &LaunchFacts) -> Vec<&'static str> {
    results(f, &GateRules::default()).into_iter().filter(|c| c.status == CheckStatus::Fail).map(|c| c.name).collect()
}

#[test]
fn compliant_instance_passes_every_check() {
    let res = results(&compliant(), &GateRules::default());
    assert_eq!(res.len(), CHECK_NAMES.len());
    for c in &res {
        assert_eq!(c.status, CheckStatus::Pass, "{}: {}", c.name, c.reason);
    }
    assert_eq!(Verdict::from_checks(&res), Verdict::Continue);
}

#[test]
fn missing_instance_profile_fails_and_associating_waits() {
    let mut f = compliant();
    f.instance.instance_profile_arn = None;
    f.profile_associations.clear();
    assert_eq!(failed(&f), ["credentials.instance_profile"]);
    f.profile_associations.push(ProfileAssociation { profile_arn: None, state: "associating".into() });
    let (s, reason) = status_of(&f, &GateRules::default(), "credentials.instance_profile");
    assert_eq!(s, CheckStatus::Pending, "{reason}");
    assert_eq!(Verdict::from_checks(&results(&f, &GateRules::default())), Verdict::NotSettled);
}

#[test]
fn wrong_instance_profile_fails_unless_allowed() {
    let mut f = compliant();
    f.instance.instance_profile_arn = Some("arn:aws:iam::123456789012:instance-profile/admin".into());
    let (s, reason) = status_of(&f, &GateRules::default(), "credentials.instance_profile");
    assert_eq!(s, CheckStatus::Fail);
    assert!(reason.contains("admin is not the launch template's (web-profile)"), "{reason}");
    let mut rules = GateRules::default();
    rules.credentials.allowed_instance_profiles = vec!["admin".into()];
    assert_eq!(status_of(&f, &rules, "credentials.instance_profile").0, CheckStatus::Pass);
}

#[test]
fn imdsv1_fails_and_pending_metadata_waits() {
    let mut f = compliant();
    f.instance.metadata.http_tokens = Some("optional".into());
    assert_eq!(failed(&f), ["credentials.imdsv2", "drift.metadata_options"]);
    f.instance.metadata.state = Some("pending".into());
    assert_eq!(status_of(&f, &GateRules::default(), "credentials.imdsv2").0, CheckStatus::Pending);
    let mut rules = GateRules::default();
    rules.credentials.require_imdsv2 = false;
    f.instance.metadata.state = Some("applied".into());
    assert_eq!(status_of(&f, &rules, "credentials.imdsv2").0, CheckStatus::Pass);
}

#[test]
fn hop_limit_above_rule_fails() {
    let mut f = compliant();
    f.instance.metadata.hop_limit = Some(3);
    f.template.as_mut().unwrap().metadata.hop_limit = Some(3);
    assert_eq!(failed(&f), ["credentials.hop_limit"]);
    let mut rules = GateRules::default();
    rules.credentials.max_hop_limit = 3;
    assert_eq!(status_of(&f, &rules, "credentials.hop_limit").0, CheckStatus::Pass);
}

#[test]
fn key_pair_fails_unless_allowed() {
    let mut f = compliant();
    f.instance.key_name = Some("ops".into());
    assert_eq!(failed(&f), ["credentials.key_pair"]);
    let mut rules = GateRules::default();
    rules.credentials.allowed_key_pairs = vec!["ops".into()];
    assert_eq!(status_of(&f, &rules, "credentials.key_pair").0, CheckStatus::Pass);
}

#[test]
fn ssh_open_to_world_fails_both_firewall_checks() {
    let mut f = compliant();
    f.security_groups[0].ingress[1].ipv4_ranges = vec!["0.0.0.0/0".into()];
    assert_eq!(failed(&f), ["firewall.world_ingress", "firewall.admin_ports"]);
    let (_, reason) = status_of(&f, &GateRules::default(), "firewall.admin_ports");
    assert_eq!(reason, "SSH (22) admits 100% of public IPv4 through sg-web rule 2 (0.0.0.0/0)");
}

#[test]
fn admin_port_fails_even_when_listed_as_world_open_and_via_ipv6() {
    let mut f = compliant();
    f.security_groups[0].ingress[1].ipv6_ranges = vec!["::/0".into()];
    let mut rules = GateRules::default();
    rules.firewall.world_open_ports.push(22);
    assert_eq!(status_of(&f, &rules, "firewall.world_ingress").0, CheckStatus::Pass);
    assert_eq!(status_of(&f, &rules, "firewall.admin_ports").0, CheckStatus::Fail);
}

#[test]
fn all_traffic_and_port_ranges_from_world_fail() {
    let mut f = compliant();
    f.security_groups[0].ingress.push(IngressRule {
        protocol: "-1".into(),
        ipv4_ranges: vec!["0.0.0.0/0".into()],
        ..Default::default()
    });
    let (_, reason) = status_of(&f, &GateRules::default(), "firewall.world_ingress");
    assert_eq!(
        reason,
        "TCP and UDP ports 0-79, 81-442, 444-65535 admit 100% of public IPv4 through sg-web rule 3 (0.0.0.0/0)"
    );
    let (_, reason) = status_of(&f, &GateRules::default(), "firewall.admin_ports");
    assert!(reason.contains("SSH (22) over TCP and UDP") && reason.contains("RDP (3389)"), "{reason}");

    let mut f = compliant();
    f.security_groups[0].ingress[0].from_port = Some(80);
    assert_eq!(
        status_of(&f, &GateRules::default(), "firewall.world_ingress").1,
        "TCP ports 81-442 admit 100% of public IPv4 and 100% of public IPv6 through sg-web rule 1 (0.0.0.0/0, ::/0)"
    );
}

#[test]
fn undescribed_security_group_fails_closed() {
    let mut f = compliant();
    f.instance.security_group_ids.push("sg-ghost".into());
    f.template.as_mut().unwrap().security_group_ids.push("sg-ghost".into());
    let (s, reason) = status_of(&f, &GateRules::default(), "firewall.world_ingress");
    assert_eq!(s, CheckStatus::Fail);
    assert!(reason.contains("sg-ghost"), "{reason}");
}

#[test]
fn security_group_allow_list() {
    let mut rules = GateRules::default();
    rules.firewall.allowed_security_groups = vec!["sg-other".into()];
    let (s, reason) = status_of(&compliant(), &rules, "firewall.allowed_groups");
    assert_eq!(s, CheckStatus::Fail);
    assert!(reason.contains("sg-web"));
}

#[test]
fn pooled_instance_from_older_template_version_fails_drift() {
    let mut f = compliant();
    f.instance.tags.insert("aws:ec2launchtemplate:version".into(), "2".into());
    f.instance.image_id = "ami-old".into();
    assert_eq!(failed(&f), ["drift.template_version", "drift.ami"]);
    let (_, reason) = status_of(&f, &GateRules::default(), "drift.template_version");
    assert_eq!(reason, "launched from lt-1 version 2, the group now names lt-1 version 3");
}

#[test]
fn instance_type_may_come_from_mixed_instances_overrides() {
    let mut f = compliant();
    f.instance.instance_type = "m5.large".into();
    assert_eq!(failed(&f), ["drift.instance_type"]);
    f.group.overrides = vec![TypeOverride { instance_type: Some("m5.large".into()), ..Default::default() }];
    assert!(failed(&f).is_empty());
    // With a mixed-instances policy, the policy decides the type: the template's own type is not launched.
    f.instance.instance_type = "t3.micro".into();
    let (s, reason) = status_of(&f, &GateRules::default(), "drift.instance_type");
    assert_eq!(
        (s, reason.as_str()),
        (CheckStatus::Fail, "instance type t3.micro is not one the group launches (listed: m5.large)")
    );
}

#[test]
fn security_group_drift_names_extra_and_missing() {
    let mut f = compliant();
    f.instance.security_group_ids = vec!["sg-web".into(), "sg-debug".into()];
    f.security_groups.push(SecurityGroupFacts { id: "sg-debug".into(), name: "debug".into(), ingress: vec![] });
    let (s, reason) = status_of(&f, &GateRules::default(), "drift.security_groups");
    assert_eq!(s, CheckStatus::Fail);
    assert_eq!(reason, "security groups differ from the launch template (extra: [sg-debug], missing: [])");
}

#[test]
fn unencrypted_volume_fails_unknown_waits() {
    let mut f = compliant();
    f.instance.block_devices[0].encrypted = Some(false);
    assert_eq!(failed(&f), ["drift.encrypted_volumes"]);
    f.instance.block_devices[0].encrypted = None;
    assert_eq!(status_of(&f, &GateRules::default(), "drift.encrypted_volumes").0, CheckStatus::Pending);
}

#[test]
fn required_tags_approved_amis_and_subnet() {
    let mut rules = GateRules::default();
    rules.drift.required_tags = vec!["team".into(), "cost-center".into()];
    rules.drift.approved_amis = vec!["ami-other".into()];
    let (s, reason) = status_of(&compliant(), &rules, "drift.required_tags");
    assert_eq!((s, reason.as_str()), (CheckStatus::Fail, "missing tag(s): cost-center"));
    assert_eq!(status_of(&compliant(), &rules, "drift.approved_ami").0, CheckStatus::Fail);
    let mut f = compliant();
    f.instance.subnet_id = Some("subnet-z".into());
    assert_eq!(failed(&f), ["drift.subnet"]);
}

#[test]
fn no_launch_template_fails_closed_when_drift_is_checked() {
    let mut f = compliant();
    f.template = None;
    let failed = failed(&f);
    assert!(failed.contains(&"drift.ami"), "{failed:?}");
    let mut rules = GateRules::default();
    rules.drift.match_launch_template = false;
    let res = results(&f, &rules);
    assert_eq!(Verdict::from_checks(&res), Verdict::Continue);
}

#[test]
fn fail_wins_over_pending() {
    let mut f = compliant();
    f.instance.key_name = Some("ops".into());
    f.instance.block_devices[0].encrypted = None;
    assert_eq!(Verdict::from_checks(&results(&f, &GateRules::default())), Verdict::Abandon);
}

#[path = "tests_drift.rs"]
mod drift;
#[path = "tests_firewall.rs"]
mod firewall;

// ---- workflow -----------------------------------------------------------------------------------------------------

fn action() -> LifecycleAction {
    LifecycleAction {
        token: "tok".into(),
        auto_scaling_group: "web".into(),
        hook: "gate".into(),
        instance_id: "i-0123".into(),
        transition: Transition::Launching,
        origin: Some(Place::Ec2),
        destination: Some(Place::AutoScalingGroup),
        metadata: None,
        delivery: Delivery::EventBridge,
    }
}

/// Answers `gather` from a script; the last answer repeats.
struct ScriptedFacts(Mutex<VecDeque<Result<LaunchFacts, AwsError>>>);

impl ScriptedFacts {
    fn new(script: Vec<Result<LaunchFacts, AwsError>>) -> Self {
        Self(Mutex::new(script.into()))
    }
}

impl LaunchFactsSource for ScriptedFacts {
    async fn gather(&self, _: &LifecycleAction) -> Result<LaunchFacts, AwsError> {
        let mut q = self.0.lock().unwrap();
        if q.len() > 1 {
            q.pop_front().unwrap()
        } else {
            q.front().cloned().unwrap()
        }
    }
}

/// Records completions and heartbeats; `complete` answers from a script.
#[derive(Default)]
struct RecordingActions {
    completions: Mutex<Vec<ActionResult>>,
    heartbeats: Mutex<u32>,
    complete_script: Mutex<VecDeque<Result<Completion, AwsError>>>,
}

impl LifecycleActions for RecordingActions {
    async fn complete(&self, _: &LifecycleAction, result: ActionResult) -> Result<Completion, AwsError> {
        self.completions.lock().unwrap().push(result);
        self.complete_script.lock().unwrap().pop_front().unwrap_or(Ok(Completion::Done))
    }
    async fn heartbeat(&self, _: &LifecycleAction) -> Result<Completion, AwsError> {
        *self.heartbeats.lock().unwrap() += 1;
        Ok(Completion::Done)
    }
}

fn now() -> chrono::DateTime<chrono::Utc> {
    "2026-11-22T00:01:00Z".parse().unwrap()
}

fn decided(o: GateOutcome) -> Decision {
    match o {
        GateOutcome::Decided(d) => d,
        other => panic!("expected a decision, got {other:?}"),
    }
}

#[tokio::test(start_paused = true)]
async fn compliant_instance_is_continued_once() {
    let gate = LaunchGate::new(
        ScriptedFacts::new(vec![Ok(compliant())]),
        RecordingActions::default(),
        GateRules::default(),
        false,
    );
    let d = decided(gate.handle(&action(), now).await);
    assert_eq!(d.result, ActionResult::Continue);
    assert_eq!(d.completion, Some(Completion::Done));
    assert_eq!(d.time_to_ready, Some(60.0));
    assert_eq!(*gate.actions.completions.lock().unwrap(), [ActionResult::Continue]);
}

#[tokio::test(start_paused = true)]
async fn violation_is_abandoned_with_every_reason() {
    let mut f = compliant();
    f.instance.metadata.http_tokens = Some("optional".into());
    f.security_groups[0].ingress[1].ipv4_ranges = vec!["0.0.0.0/0".into()];
    let gate =
        LaunchGate::new(ScriptedFacts::new(vec![Ok(f)]), RecordingActions::default(), GateRules::default(), false);
    let d = decided(gate.handle(&action(), now).await);
    assert_eq!(d.result, ActionResult::Abandon);
    assert_eq!(
        d.failed_checks,
        ["credentials.imdsv2", "firewall.world_ingress", "firewall.admin_ports", "drift.metadata_options"]
    );
    assert!(
        d.reasons
            .iter()
            .any(|r| r == "firewall.admin_ports: SSH (22) admits 100% of public IPv4 through sg-web rule 2 (0.0.0.0/0)"),
        "{:?}",
        d.reasons
    );
}

#[tokio::test(start_paused = true)]
async fn settling_facts_heartbeat_then_continue() {
    let mut settling = compliant();
    settling.instance.metadata.state = Some("pending".into());
    let gate = LaunchGate::new(
        ScriptedFacts::new(vec![Ok(settling.clone()), Ok(settling), Ok(compliant())]),
        RecordingActions::default(),
        GateRules::default(),
        false,
    );
    let d = decided(gate.handle(&action(), now).await);
    assert_eq!(d.result, ActionResult::Continue);
    assert_eq!(d.looks, 3);
    assert_eq!(d.heartbeats, 2);
    assert_eq!(*gate.actions.heartbeats.lock().unwrap(), 2);
}

#[tokio::test(start_paused = true)]
async fn never_settling_is_abandoned_after_the_timeout() {
    let mut settling = compliant();
    settling.profile_associations = vec![ProfileAssociation { profile_arn: None, state: "associating".into() }];
    settling.instance.instance_profile_arn = None;
    let gate = LaunchGate::new(
        ScriptedFacts::new(vec![Ok(settling)]),
        RecordingActions::default(),
        GateRules::default(),
        false,
    );
    let started = tokio::time::Instant::now();
    let d = decided(gate.handle(&action(), now).await);
    assert_eq!(d.result, ActionResult::Abandon);
    assert_eq!(d.failed_checks, ["gate.not_settled"]);
    assert!(d.reasons[0].starts_with("not settled within 20 s: credentials.instance_profile"), "{:?}", d.reasons);
    assert!(started.elapsed() <= std::time::Duration::from_secs(20));
}

#[tokio::test(start_paused = true)]
async fn aws_errors_end_in_abandon_never_continue() {
    for kind in [
        AwsErrorKind::Throttled,
        AwsErrorKind::ServerError,
        AwsErrorKind::Timeout,
        AwsErrorKind::AccessDenied,
        AwsErrorKind::ExpiredCredentials,
        AwsErrorKind::Malformed,
        AwsErrorKind::NotFound,
    ] {
        let err = AwsError::new("DescribeInstances", kind, "boom");
        let gate = LaunchGate::new(
            ScriptedFacts::new(vec![Err(err)]),
            RecordingActions::default(),
            GateRules::default(),
            false,
        );
        let d = decided(gate.handle(&action(), now).await);
        assert_eq!(d.result, ActionResult::Abandon, "{kind:?}");
        assert_eq!(*gate.actions.completions.lock().unwrap(), [ActionResult::Abandon], "{kind:?}");
        assert!(d.reasons[0].contains("DescribeInstances"), "{:?}", d.reasons);
    }
}

#[tokio::test(start_paused = true)]
async fn transient_error_then_facts_still_decides_on_facts() {
    let err = AwsError::new("DescribeInstances", AwsErrorKind::Throttled, "Rate exceeded");
    let gate = LaunchGate::new(
        ScriptedFacts::new(vec![Err(err.clone()), Err(err), Ok(compliant())]),
        RecordingActions::default(),
        GateRules::default(),
        false,
    );
    assert_eq!(decided(gate.handle(&action(), now).await).result, ActionResult::Continue);
}

#[tokio::test(start_paused = true)]
async fn already_completed_action_is_success() {
    let actions = RecordingActions::default();
    actions.complete_script.lock().unwrap().push_back(Ok(Completion::AlreadyDone));
    let gate = LaunchGate::new(ScriptedFacts::new(vec![Ok(compliant())]), actions, GateRules::default(), false);
    let d = decided(gate.handle(&action(), now).await);
    assert_eq!(d.completion, Some(Completion::AlreadyDone));
    assert_eq!(d.completion_error, None);
}

#[tokio::test(start_paused = true)]
async fn duplicate_delivery_after_decision_touches_nothing() {
    let mut f = compliant();
    f.group.instance_lifecycle_state = Some(LifecycleState::InService);
    let gate =
        LaunchGate::new(ScriptedFacts::new(vec![Ok(f)]), RecordingActions::default(), GateRules::default(), false);
    assert!(matches!(gate.handle(&action(), now).await, GateOutcome::AlreadyDecided { .. }));
    assert!(gate.actions.completions.lock().unwrap().is_empty());
}

#[tokio::test(start_paused = true)]
async fn failed_completion_is_reported_not_hidden() {
    let actions = RecordingActions::default();
    for _ in 0..10 {
        actions.complete_script.lock().unwrap().push_back(Err(AwsError::new(
            "CompleteLifecycleAction",
            AwsErrorKind::ServerError,
            "503",
        )));
    }
    let gate = LaunchGate::new(ScriptedFacts::new(vec![Ok(compliant())]), actions, GateRules::default(), false);
    let d = decided(gate.handle(&action(), now).await);
    assert_eq!(d.completion, None);
    assert!(d.completion_error.unwrap().contains("503"));
}

#[tokio::test(start_paused = true)]
async fn dry_run_decides_without_completing() {
    let gate = LaunchGate::new(
        ScriptedFacts::new(vec![Ok(compliant())]),
        RecordingActions::default(),
        GateRules::default(),
        true,
    );
    let d = decided(gate.handle(&action(), now).await);
    assert_eq!(d.result, ActionResult::Continue);
    assert!(d.dry_run);
    assert!(gate.actions.completions.lock().unwrap().is_empty());
}

#[tokio::test(start_paused = true)]
async fn terminate_actions_are_left_alone() {
    let mut a = action();
    a.transition = Transition::Terminating;
    let gate = LaunchGate::new(
        ScriptedFacts::new(vec![Ok(compliant())]),
        RecordingActions::default(),
        GateRules::default(),
        false,
    );
    assert!(matches!(gate.handle(&a, now).await, GateOutcome::NotALaunch { .. }));
    assert!(gate.actions.completions.lock().unwrap().is_empty());
}

#[tokio::test(start_paused = true)]
async fn report_only_decides_as_enforce_would_and_completes_with_continue() {
    let mut f = compliant();
    f.instance.metadata.http_tokens = Some("optional".into());
    let err = AwsError::new("DescribeInstances", AwsErrorKind::AccessDenied, "no");
    let rules = GateRules { mode: GateMode::ReportOnly, ..GateRules::default() };
    for script in [vec![Ok(f)], vec![Err(err)]] {
        let enforcing = LaunchGate::new(
            ScriptedFacts::new(script.clone()),
            RecordingActions::default(),
            GateRules::default(),
            false,
        );
        let reporting = LaunchGate::new(ScriptedFacts::new(script), RecordingActions::default(), rules.clone(), false);
        let (e, r) = (decided(enforcing.handle(&action(), now).await), decided(reporting.handle(&action(), now).await));
        assert_eq!((e.result, r.result), (ActionResult::Abandon, ActionResult::Abandon), "the same verdict");
        assert_eq!((e.failed_checks.clone(), e.reasons.clone()), (r.failed_checks.clone(), r.reasons.clone()));
        assert_eq!((e.mode, r.mode), (GateMode::Enforce, GateMode::ReportOnly));
        assert_eq!(*enforcing.actions.completions.lock().unwrap(), [ActionResult::Abandon]);
        assert_eq!(
            *reporting.actions.completions.lock().unwrap(),
            [ActionResult::Continue],
            "report-only never blocks"
        );
        assert_eq!(r.completed_with, ActionResult::Continue);
        let line: serde_json::Value = serde_json::from_str(decision_report(&r, now()).logs().next().unwrap()).unwrap();
        assert_eq!((line["verdict"].as_str(), line["mode"].as_str()), (Some("ABANDON"), Some("report-only")));
        assert_eq!(line["completed_with"], "CONTINUE");
    }
    let rules = GateRules::from_toml("mode = \"report-only\"\n", "t").unwrap();
    assert_eq!(rules.mode, GateMode::ReportOnly);
    assert_ne!(rules.version(), GateRules::default().version(), "the mode is part of the rules' version");
    let e = GateRules::from_toml("mode = \"audit\"\n", "t").unwrap_err().to_string();
    assert!(e.contains("mode") || e.contains("audit"), "{e}");
}
