//! The backlog arithmetic, the configuration, and a run over in-memory ports.

use super::*;
use crate::activity::ScalingActivity;
use crate::lifecycle::LifecycleState;
use crate::ports::{AwsError, AwsErrorKind};
use chrono::{DateTime, TimeZone, Utc};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 12, 0, 0).unwrap()
}

fn member(id: &str, state: &str, age_s: i64) -> GroupMember {
    GroupMember {
        instance_id: id.into(),
        lifecycle_state: LifecycleState::parse(state),
        launched_at: Some(now() - chrono::Duration::seconds(age_s)),
    }
}

fn group(name: &str, members: Vec<GroupMember>) -> GroupView {
    let n = members.len() as u32;
    GroupView { name: name.into(), instance_warmup: None, desired: n, min_size: 0, members }
}

fn in_service(n: usize) -> Vec<GroupMember> {
    (0..n).map(|i| member(&format!("i-{i}"), "InService", 3600)).collect()
}

#[test]
fn the_worked_example() {
    // 1500 messages, 10 instances, 10 s acceptable latency, 0.1 s per message.
    let f = figures(1500, 10, Duration::from_secs(10), 0.1);
    assert_eq!(f.backlog_per_instance, 150.0);
    assert!((f.target - 100.0).abs() < 1e-9);
    assert_eq!(f.capacity_wanted, 15);
}

#[test]
fn zero_capable_instances_and_an_empty_queue() {
    let waiting = figures(40, 0, Duration::from_secs(10), 0.1);
    assert_eq!(waiting.backlog_per_instance, 40.0, "the whole backlog, as if one instance held it");
    assert_eq!(waiting.capacity_wanted, 1);
    let empty = figures(0, 0, Duration::from_secs(10), 0.1);
    assert_eq!((empty.backlog_per_instance, empty.capacity_wanted), (0.0, 0));
    assert_eq!(figures(0, 7, Duration::from_secs(10), 0.1).backlog_per_instance, 0.0);
}

#[test]
fn warming_draining_pending_and_standby_instances_take_no_work() {
    let mut members = in_service(6);
    members.push(member("i-new", "InService", 30));
    members.push(member("i-unknown-age", "InService", 0));
    members.last_mut().unwrap().launched_at = None;
    members.push(member("i-drain", "Terminating:Wait", 9000));
    members.push(member("i-boot", "Pending:Wait", 10));
    members.push(member("i-stby", "Standby", 9000));
    let g = group("workers", members);
    let c = capacity(&g, Duration::from_secs(120), now());
    assert_eq!(
        c,
        Capacity { capable: 6, warming: 2, pending: 1, draining: 1, standby: 1, other: 0 },
        "a new instance and one of unknown age are warming"
    );
    assert_eq!(capacity(&g, Duration::ZERO, now()).capable, 8, "without a warmup every InService instance counts");
}

#[test]
fn in_flight_and_delayed_count_only_when_asked() {
    let d = QueueDepth { visible: 100, in_flight: 20, delayed: 5 };
    assert_eq!(messages(d, false, false), 100);
    assert_eq!(messages(d, true, false), 120);
    assert_eq!(messages(d, true, true), 125);
}

#[test]
fn measured_seconds_per_message_from_the_drain_rate() {
    // 10 busy instances deleted 6000 messages over 5 minutes: 3000 instance-seconds / 6000 = 0.5 s each.
    assert_eq!(measured_seconds_per_message(&[1200.0; 5], 10), Some(0.5));
    assert_eq!(measured_seconds_per_message(&[0.0; 5], 10), None, "no deletions: no evidence");
    assert_eq!(measured_seconds_per_message(&[100.0], 0), None);
}

const CONFIG: &str = r#"
publish = "put-metric-data"
[defaults]
latency = "10s"
resolution = 10
[[pair]]
queue = "https://sqs.us-east-1.amazonaws.com/123456789012/jobs"
group = "workers"
seconds_per_message = 0.1
[[pair]]
queue = "images"
group = "renderers"
latency = "2m"
seconds_per_message = "measure"
fallback_seconds_per_message = 2.5
count_in_flight = false
instance_warmup = "90s"
"#;

#[test]
fn config_applies_defaults_and_validates() {
    let c = BacklogConfig::from_toml(CONFIG, "test.toml").unwrap();
    assert_eq!(c.publish, Publish::PutMetricData);
    assert_eq!(c.pairs.len(), 2);
    assert_eq!(c.pairs[0].queue_name(), "jobs");
    assert_eq!(
        (c.pairs[0].latency, c.pairs[0].resolution, c.pairs[0].count_in_flight),
        (Duration::from_secs(10), 10, true)
    );
    assert_eq!(c.pairs[1].seconds_per_message, PerMessage::Measure { fallback: 2.5 });
    assert_eq!((c.pairs[1].latency, c.pairs[1].instance_warmup), (Duration::from_secs(120), Duration::from_secs(90)));
    let bad = |text: &str| BacklogConfig::from_toml(text, "f.toml").unwrap_err().to_string();
    let pair = "[[pair]]\nqueue = \"q\"\ngroup = \"g\"\nlatency = \"10s\"\n";
    assert!(bad(&format!("{pair}seconds_per_message = \"measure\"\n")).contains("fallback_seconds_per_message"));
    assert!(bad(&format!("{pair}seconds_per_message = 0\n")).contains("positive"));
    assert!(bad(&format!("{pair}seconds_per_message = 1\nresolution = 15\n")).contains("`resolution`"));
    assert!(bad(&format!("{pair}seconds_per_message = 1\nlatency_s = 3\n")).contains("latency_s"));
    assert!(bad(&format!("{pair}seconds_per_message = 1\n{pair}seconds_per_message = 2\n"))
        .contains("already in another pair"));
    assert!(bad("publish = \"emf\"\n").contains("no [[pair]]"));
    let e = bad("[[pair]]\nqueue = \"q\"\ngroup = \"g\"\nlatency = \"soon\"\nseconds_per_message = 1\n");
    assert!(e.starts_with("invalid backlog config f.toml: pair 1 (q → g): `latency`"), "{e}");
}

/// In-memory AWS: queues by name, groups, launch times, drain rates; counts calls.
#[derive(Default)]
struct Fake {
    queues: HashMap<String, QueueDepth>,
    groups: Vec<GroupView>,
    launched: HashMap<String, DateTime<Utc>>,
    deleted: HashMap<String, Vec<f64>>,
    activities: Vec<ScalingActivity>,
    /// CloudTrail's event history: records as LookupEvents returns their CloudTrailEvent.
    trail: Vec<serde_json::Value>,
    calls: Mutex<Vec<&'static str>>,
    put: Mutex<Vec<Datum>>,
}

impl BacklogReader for Fake {
    async fn queue_depths(&self, queues: &[String], _: usize) -> Vec<Result<QueueDepth, AwsError>> {
        self.calls.lock().unwrap().push("GetQueueAttributes");
        queues
            .iter()
            .map(|q| {
                let name = q.rsplit('/').next().unwrap();
                self.queues.get(name).copied().ok_or_else(|| {
                    AwsError::new("GetQueueAttributes", AwsErrorKind::NotFound, "QueueDoesNotExist: no such queue")
                })
            })
            .collect()
    }
    async fn groups(&self, names: &[String]) -> Result<Vec<GroupView>, AwsError> {
        self.calls.lock().unwrap().push("DescribeAutoScalingGroups");
        Ok(self.groups.iter().filter(|g| names.contains(&g.name)).cloned().collect())
    }
    async fn launch_times(&self, ids: &[String]) -> Result<HashMap<String, DateTime<Utc>>, AwsError> {
        self.calls.lock().unwrap().push("DescribeInstances");
        Ok(ids.iter().filter_map(|i| self.launched.get(i).map(|t| (i.clone(), *t))).collect())
    }
    async fn deleted_per_minute(
        &self,
        names: &[String],
        _: u32,
        _: DateTime<Utc>,
    ) -> Result<HashMap<String, Vec<f64>>, AwsError> {
        self.calls.lock().unwrap().push("GetMetricData");
        Ok(names.iter().filter_map(|n| self.deleted.get(n).map(|d| (n.clone(), d.clone()))).collect())
    }
    async fn activities(&self, _group: &str) -> Result<Vec<ScalingActivity>, AwsError> {
        self.calls.lock().unwrap().push("DescribeScalingActivities");
        Ok(self.activities.clone())
    }
    async fn calls(&self, event: &str, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<CallRecords, AwsError> {
        self.calls.lock().unwrap().push("LookupEvents");
        let within = |r: &serde_json::Value| {
            let at = DateTime::parse_from_rfc3339(r["eventTime"].as_str().unwrap()).unwrap();
            at >= from && at <= to
        };
        let records = self.trail.iter().filter(|r| r["eventName"] == event && within(r)).map(|r| r.to_string());
        Ok(CallRecords { records: records.collect(), complete: true })
    }
}

impl MetricSink for Fake {
    async fn put(&self, data: &[Datum]) -> Result<(), AwsError> {
        self.put.lock().unwrap().extend_from_slice(data);
        Ok(())
    }
}

fn block<F: std::future::Future>(f: F) -> F::Output {
    // Paused time: retry pauses pass at once.
    tokio::runtime::Builder::new_current_thread().enable_time().start_paused(true).build().unwrap().block_on(f)
}

#[test]
fn a_run_publishes_good_pairs_and_nothing_for_failed_ones() {
    let mut renderers = group("renderers", in_service(4));
    for m in &mut renderers.members {
        m.launched_at = None; // only DescribeInstances knows
    }
    let fake = Fake {
        queues: HashMap::from([
            ("jobs".into(), QueueDepth { visible: 1400, in_flight: 100, delayed: 9 }),
            ("images".into(), QueueDepth { visible: 30, in_flight: 8, delayed: 0 }),
        ]),
        groups: vec![group("workers", in_service(10)), renderers],
        launched: (0..4)
            .map(|i| (format!("i-{i}"), now() - chrono::Duration::seconds(if i == 0 { 10 } else { 600 })))
            .collect(),
        deleted: HashMap::from([("images".into(), vec![12.0; 5])]),
        ..Default::default()
    };
    let mut config = BacklogConfig::from_toml(CONFIG, "t").unwrap();
    config.pairs.push(Pair { queue: "gone".into(), group: "ghosts".into(), ..config.pairs[0].clone() });
    let run = block(run(&config, &fake, Some(&fake), now()));

    let jobs = run.pairs[0].outcome.as_ref().unwrap();
    assert_eq!((jobs.figures.messages, jobs.figures.backlog_per_instance), (1500, 150.0));
    let images = run.pairs[1].outcome.as_ref().unwrap();
    assert_eq!(images.capacity.capable, 3, "one renderer is inside its 90 s warmup");
    // 3 capable instances deleted 60 messages in 5 minutes: 900 instance-seconds / 60 = 15 s per message.
    assert_eq!(images.measured_seconds_per_message, Some(15.0));
    assert_eq!(images.figures.messages, 30, "in-flight messages not counted for this pair");
    assert!((images.figures.target - 8.0).abs() < 1e-9, "120 s ÷ 15 s");
    assert_eq!(
        run.pairs[2].outcome.as_ref().unwrap_err(),
        "queue `gone` does not exist (QueueDoesNotExist: no such queue)"
    );

    let put = fake.put.lock().unwrap();
    assert_eq!(put.len(), 6, "three metrics for each of the two good pairs, none for the failed one");
    assert!(put.iter().all(|d| d.group != "ghosts" && d.storage_resolution == 1));
    assert_eq!(put.iter().find(|d| d.group == "workers" && d.name == "BacklogPerInstance").unwrap().value, 150.0);
    assert_eq!(
        *fake.calls.lock().unwrap(),
        ["GetQueueAttributes", "DescribeAutoScalingGroups", "GetMetricData", "DescribeInstances"]
    );
    assert_eq!(run.failures().len(), 1);
    assert!(run.report.logs().any(|l| l.contains("backlog not published") && l.contains("gone")));
}

#[test]
fn emf_lines_carry_the_metrics_per_group() {
    let fake = Fake {
        queues: HashMap::from([("jobs".into(), QueueDepth { visible: 0, in_flight: 0, delayed: 0 })]),
        // At its MinSize: an empty queue explains it, so no scaling activity is read.
        groups: vec![GroupView { min_size: 3, ..group("workers", in_service(3)) }],
        ..Default::default()
    };
    let config = BacklogConfig::from_toml(
        "[[pair]]\nqueue = \"jobs\"\ngroup = \"workers\"\nlatency = 10\nseconds_per_message = 0.5\n",
        "t",
    )
    .unwrap();
    let run = block(run(&config, &fake, None::<&Fake>, now()));
    let emf: serde_json::Value = serde_json::from_str(run.report.metrics().next().expect("an EMF line")).unwrap();
    assert_eq!(emf["AutoScalingGroupName"], "workers");
    assert_eq!(emf["BacklogPerInstance"], 0.0, "an empty queue publishes 0");
    assert_eq!(emf["BacklogTarget"], 20.0);
    assert_eq!(emf["_aws"]["CloudWatchMetrics"][0]["Metrics"][0].get("StorageResolution"), None);
    assert_eq!(
        *fake.calls.lock().unwrap(),
        ["GetQueueAttributes", "DescribeAutoScalingGroups"],
        "no warmup, no measuring"
    );
}

#[test]
fn high_resolution_becomes_ticks_scheduled_within_the_minute() {
    let config = |resolutions: &[u32]| {
        let pairs: String = resolutions
            .iter()
            .enumerate()
            .map(|(i, r)| {
                format!("[[pair]]\nqueue = \"q{i}\"\ngroup = \"g{i}\"\nlatency = 10\nseconds_per_message = 1\nresolution = {r}\n")
            })
            .collect();
        BacklogConfig::from_toml(&pairs, "t").unwrap()
    };
    assert_eq!(config(&[60]).tick_delays(), Vec::<Duration>::new(), "a minute's schedule is enough");
    assert_eq!(config(&[60, 30]).tick_delays(), [Duration::from_secs(30)]);
    let secs: Vec<u64> = config(&[30, 10, 60]).tick_delays().iter().map(Duration::as_secs).collect();
    assert_eq!(secs, [10, 20, 30, 40, 50], "the finest resolution sets the pace");
    assert_eq!(config(&[10]).ticks_per_minute(), 6);
}

fn raised(minutes_ago: i64, cause: &str) -> ScalingActivity {
    ScalingActivity {
        start: now() - chrono::Duration::minutes(minutes_ago),
        end: None,
        description: "Launching a new EC2 instance: i-1".into(),
        cause: cause.into(),
        status: "Successful".into(),
    }
}

const BY_HAND: &str = "At 2026-11-22T11:40:00Z a user request explicitly set group desired capacity changing the \
                       desired capacity from 2 to 10.";
const BY_POLICY: &str = "At 2026-11-22T11:45:00Z a monitor alarm TargetTracking-workers-AlarmHigh-1 in state ALARM \
                         triggered policy backlog changing the desired capacity from 2 to 10.";

#[test]
fn capacity_raised_by_hand_with_no_backlog_behind_it_is_unexplained_once_the_dead_time_passed() {
    let settings = UnexplainedSettings { tolerance: 0.25, dead_time: Duration::from_secs(600), callers: true };
    let flagged = unexplained(10, 1, 2, &[raised(20, BY_HAND)], &settings, now()).expect("flagged");
    assert_eq!((flagged.from, flagged.to, flagged.allowed, flagged.raised_by), (2, 10, 3, RaisedBy::UserRequest));
    assert!(flagged.caller.as_deref().is_some_and(|c| c.contains("user request")), "{flagged:?}");
    // Not: within the tolerance, before the dead time, raised by a policy, a decrease, nothing on record.
    assert_eq!(unexplained(10, 1, 8, &[raised(20, BY_HAND)], &settings, now()), None, "⌈8 × 1.25⌉ = 10");
    assert_eq!(unexplained(10, 1, 2, &[raised(5, BY_HAND)], &settings, now()), None, "the backlog may be coming");
    assert_eq!(unexplained(10, 1, 2, &[raised(20, BY_POLICY)], &settings, now()), None);
    let down = BY_HAND.replace("from 2 to 10", "from 12 to 10");
    assert_eq!(unexplained(10, 1, 2, &[raised(20, &down)], &settings, now()), None);
    assert_eq!(unexplained(10, 1, 2, &[], &settings, now()), None);
    assert_eq!(unexplained(10, 10, 2, &[raised(20, BY_HAND)], &settings, now()), None, "MinSize explains it");
    // Only the newest change counts: a policy rise after a manual one explains it.
    assert_eq!(unexplained(10, 1, 2, &[raised(30, BY_HAND), raised(15, BY_POLICY)], &settings, now()), None);
}

#[test]
fn a_run_reads_activities_only_for_groups_above_their_backlog_and_reports_the_rise() {
    let mut over = group("workers", in_service(10));
    over.min_size = 1;
    let fake = Fake {
        queues: HashMap::from([("jobs".into(), QueueDepth { visible: 10, in_flight: 0, delayed: 0 })]),
        groups: vec![over],
        activities: vec![raised(20, BY_HAND)],
        ..Default::default()
    };
    let config = BacklogConfig::from_toml(
        "[[pair]]\nqueue = \"jobs\"\ngroup = \"workers\"\nlatency = \"10s\"\nseconds_per_message = 1\n",
        "t",
    )
    .unwrap();
    let done = block(run(&config, &fake, None::<&Fake>, now()));
    let texts: Vec<&str> = done.report.texts().collect();
    assert!(
        texts.iter().any(|t| t.contains("\"unexplained scaling\"") && t.contains("\"raised_by\":\"user_request\"")),
        "{texts:?}"
    );
    assert!(texts.iter().any(|t| t.contains("\"UnexplainedScaling\":1") && t.contains("workers")), "{texts:?}");
    assert!(fake.calls.lock().unwrap().contains(&"DescribeScalingActivities"));
    // A rise that has stood for days is as unexplained as a fresh one: the flag (and its alarm) lasts while it stands.
    let days_old = Fake {
        queues: HashMap::from([("jobs".into(), QueueDepth { visible: 10, in_flight: 0, delayed: 0 })]),
        groups: vec![fake.groups[0].clone()],
        activities: vec![raised(3 * 24 * 60, &BY_HAND.replace("2026-11-22T11:40", "2026-11-19T12:00"))],
        ..Default::default()
    };
    let done = block(run(&config, &days_old, None::<&Fake>, now()));
    assert!(done.report.texts().any(|t| t.contains("\"UnexplainedScaling\":1")));
    // Ten messages at ten a target need one instance: ten are unexplained. A backlog that asks for them is not, and
    // costs no read.
    let busy = Fake {
        queues: HashMap::from([("jobs".into(), QueueDepth { visible: 100, in_flight: 0, delayed: 0 })]),
        groups: vec![group("workers", in_service(10))],
        activities: vec![raised(20, BY_HAND)],
        ..Default::default()
    };
    let done = block(run(&config, &busy, None::<&Fake>, now()));
    assert!(done.report.texts().any(|t| t.contains("\"UnexplainedScaling\":0")));
    assert!(!busy.calls.lock().unwrap().contains(&"DescribeScalingActivities"));
    let off = BacklogConfig::from_toml(
        "[[pair]]\nqueue = \"jobs\"\ngroup = \"workers\"\nlatency = \"10s\"\nseconds_per_message = 1\n[unexplained]\nenabled = false\n",
        "t",
    )
    .unwrap();
    assert_eq!(off.unexplained, None);
    let e = BacklogConfig::from_toml(
        "[[pair]]\nqueue = \"jobs\"\ngroup = \"workers\"\nlatency = \"10s\"\nseconds_per_message = 1\n[unexplained]\ntolerance = -1\n",
        "t",
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("[unexplained] `tolerance`"), "{e}");
}

/// A CloudTrail record of an Auto Scaling call, in AWS's documented format (built, not captured).
fn record(event: &str, group: &str, seconds_before_rise: i64, who: &str, error: Option<&str>) -> serde_json::Value {
    let at = now() - chrono::Duration::minutes(20) - chrono::Duration::seconds(seconds_before_rise);
    let mut r = serde_json::json!({
        "eventVersion": "1.08",
        "userIdentity": {
            "type": "AssumedRole",
            "principalId": "AROAEXAMPLE:session",
            "arn": format!("arn:aws:sts::111122223333:assumed-role/{who}/session"),
            "accountId": "111122223333",
            "sessionContext": { "sessionIssuer": { "type": "Role", "arn": format!("arn:aws:iam::111122223333:role/{who}") } }
        },
        "eventTime": at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "eventSource": "autoscaling.amazonaws.com",
        "eventName": event,
        "awsRegion": "eu-west-1",
        "requestParameters": { "autoScalingGroupName": group, "desiredCapacity": 10, "honorCooldown": false },
        "responseElements": null,
        "eventID": format!("{who}-{seconds_before_rise}"),
        "readOnly": false,
        "eventType": "AwsApiCall"
    });
    if let Some(code) = error {
        r["errorCode"] = code.into();
    }
    r
}

fn classified(records: &[serde_json::Value]) -> Vec<crate::guard::Call> {
    records.iter().map(|r| crate::guard::classify(&crate::guard::CloudTrailRecord::from_value(r).unwrap())).collect()
}

#[test]
fn the_call_behind_a_rise_is_the_nearest_successful_call_that_could_have_made_it() {
    let requested = now() - chrono::Duration::minutes(20);
    let mut other_size = record("SetDesiredCapacity", "workers", 3, "resizer", None);
    other_size["requestParameters"]["desiredCapacity"] = 4.into();
    let mut only_max = record("UpdateAutoScalingGroup", "workers", 1, "max-raiser", None);
    only_max["requestParameters"] = serde_json::json!({ "autoScalingGroupName": "workers", "maxSize": 20 });
    let calls = classified(&[
        record("SetDesiredCapacity", "workers", 100, "early-admin", None),
        record("SetDesiredCapacity", "workers", 10, "ops-admin", None),
        // Later, to the same size, but farther from the time the Cause gives: not the one.
        record("SetDesiredCapacity", "workers", -50, "late-admin", None),
        record("SetDesiredCapacity", "workers", 5, "intruder", Some("AccessDenied")),
        record("SetDesiredCapacity", "other-group", 2, "other-admin", None),
        record("SetDesiredCapacity", "workers", 600, "too-early", None),
        record("SetDesiredCapacity", "workers", -120, "too-late", None),
        other_size,
        only_max,
    ]);
    let found = recorded_call("workers", requested, 10, &calls).expect("found");
    assert_eq!(found.principal.arn, "arn:aws:iam::111122223333:role/ops-admin", "{found:?}");
    assert_eq!(found.principal.caller, "arn:aws:sts::111122223333:assumed-role/ops-admin/session");
    assert_eq!((found.event.as_str(), found.event_id.as_deref()), ("SetDesiredCapacity", Some("ops-admin-10")));
    // The same calls listed in another order give the same answer.
    let reversed: Vec<_> = calls.iter().rev().cloned().collect();
    assert_eq!(recorded_call("workers", requested, 10, &reversed), Some(found));
    assert_eq!(recorded_call("nobody", requested, 10, &calls), None);
    assert_eq!(recorded_call("workers", requested, 7, &calls), None, "no call set 7");
    // A call that changes nothing about capacity is not the call, whoever made it.
    assert_eq!(
        recorded_call(
            "workers",
            requested,
            10,
            &classified(&[record("PutLifecycleHook", "workers", 1, "hooker", None)])
        ),
        None
    );
    // MinSize raised to the new size makes it; a policy executed by its ARN names its group there.
    let mut min = record("UpdateAutoScalingGroup", "workers", 1, "min-raiser", None);
    min["requestParameters"] = serde_json::json!({ "autoScalingGroupName": "workers", "minSize": 10 });
    let mut policy = record("ExecutePolicy", "workers", 0, "policy-runner", None);
    policy["requestParameters"] = serde_json::json!({
        "policyName": "arn:aws:autoscaling:eu-west-1:111122223333:scalingPolicy:c322761b-3172-4d56-9a21-0ed9d6161d67:autoScalingGroupName/workers:policyName/scale-out",
        "honorCooldown": false
    });
    assert_eq!(
        recorded_call("workers", requested, 10, &classified(&[min])).unwrap().principal.arn,
        "arn:aws:iam::111122223333:role/min-raiser"
    );
    assert_eq!(recorded_call("workers", requested, 10, &classified(&[policy])).unwrap().event, "ExecutePolicy");
    // The Cause's wording narrows the lookup; an unknown wording looks up every call that moves capacity.
    assert_eq!(calls_behind(BY_HAND), ["SetDesiredCapacity"]);
    assert_eq!(
        calls_behind("At 2026-12-05T10:00:00Z a user request update of AutoScalingGroup constraints to min: 1, max: 10, desired: 8 changing the desired capacity from 2 to 8."),
        ["UpdateAutoScalingGroup"]
    );
    assert_eq!(calls_behind("something new changing the desired capacity from 2 to 8"), CAPACITY_CALLS);
}

#[test]
fn a_flagged_rise_names_its_caller_from_cloudtrail_or_says_it_found_none() {
    let mut over = group("workers", in_service(10));
    over.min_size = 1;
    let fake = |trail: Vec<serde_json::Value>| Fake {
        queues: HashMap::from([("jobs".into(), QueueDepth { visible: 10, in_flight: 0, delayed: 0 })]),
        groups: vec![over.clone()],
        activities: vec![raised(20, BY_HAND)],
        trail,
        ..Default::default()
    };
    let config = |extra: &str| {
        BacklogConfig::from_toml(
            &format!(
                "[[pair]]\nqueue = \"jobs\"\ngroup = \"workers\"\nlatency = \"10s\"\nseconds_per_message = 1\n{extra}"
            ),
            "t",
        )
        .unwrap()
    };
    let known = fake(vec![
        record("SetDesiredCapacity", "workers", 10, "ops-admin", None),
        record("SetDesiredCapacity", "other-group", 3, "other-admin", None),
    ]);
    let done = block(run(&config(""), &known, None::<&Fake>, now()));
    let line = done.report.texts().find(|t| t.contains("\"unexplained scaling\"")).expect("flagged").to_string();
    assert!(line.contains("arn:aws:sts::111122223333:assumed-role/ops-admin/session"), "{line}");
    assert!(line.contains("\"event\":\"SetDesiredCapacity\"") && !line.contains("other-admin"), "{line}");
    assert_eq!(
        known.calls.lock().unwrap().iter().filter(|c| **c == "LookupEvents").count(),
        1,
        "the Cause names one call"
    );

    let unknown = fake(vec![]);
    let done = block(run(&config(""), &unknown, None::<&Fake>, now()));
    let line = done.report.texts().find(|t| t.contains("\"unexplained scaling\"")).expect("flagged").to_string();
    assert!(line.contains("not in CloudTrail's event history") && line.contains("\"call\":null"), "{line}");

    let off = fake(vec![record("SetDesiredCapacity", "workers", 10, "ops-admin", None)]);
    let done = block(run(&config("[unexplained]\ncallers = false\n"), &off, None::<&Fake>, now()));
    assert!(done.report.texts().any(|t| t.contains("\"unexplained scaling\"") && !t.contains("ops-admin")));
    assert!(!off.calls.lock().unwrap().contains(&"LookupEvents"));
}
