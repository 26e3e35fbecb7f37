//! The drain's rule, its messages, and its workflow over in-memory ports.

use super::*;
use crate::lifecycle::{ActionResult, Completion, LifecycleActions};
use crate::lifecycle::{Delivery, LifecycleAction, Notification, Place, Redelivery, Transition};
use crate::ports::{AwsError, AwsErrorKind};
use chrono::{DateTime, TimeZone, Utc};
use serde_json::{json, Value};
use std::sync::Mutex;
use std::time::Duration;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 12, 0, 0).unwrap()
}

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

fn at(offset_s: i64) -> DateTime<Utc> {
    now() + chrono::Duration::seconds(offset_s)
}

fn terminate(origin: Option<Place>, destination: Option<Place>) -> LifecycleAction {
    LifecycleAction {
        token: "tok-1".into(),
        auto_scaling_group: "workers".into(),
        hook: "scalegate-drain".into(),
        instance_id: "i-0123".into(),
        transition: Transition::Terminating,
        origin,
        destination,
        metadata: Some("{\"team\":\"batch\"}".into()),
        delivery: Delivery::Sqs,
    }
}

const HOOK: HookTimeouts = HookTimeouts { heartbeat: Duration::from_secs(300), global: Duration::from_secs(30_000) };

fn ticket(attempt: u32, started_s_ago: i64) -> Ticket {
    Ticket { attempt, first_seen: at(-started_s_ago), hook: None }
}

fn sqs_event(bodies: &[String]) -> Value {
    let records: Vec<Value> = bodies
        .iter()
        .enumerate()
        .map(|(i, b)| json!({"eventSource": "aws:sqs", "messageId": format!("m{i}"), "body": b}))
        .collect();
    json!({ "Records": records })
}

#[test]
fn settings_are_validated_and_name_what_is_wrong() {
    assert_eq!(DrainConfig::from_settings(|_| None).unwrap(), DrainConfig::default());
    let c = DrainConfig::from_settings(|k| (k == "SCALEGATE_DRAIN_BUDGET").then(|| "2h".into())).unwrap();
    assert_eq!(c.budget, secs(7200));
    let e = DrainConfig::from_settings(|k| (k == "SCALEGATE_DRAIN_BUDGET").then(|| "3d".into())).unwrap_err();
    assert_eq!(e.setting, "SCALEGATE_DRAIN_BUDGET");
    let e = DrainConfig::from_settings(|k| (k == "SCALEGATE_DRAIN_BUDGET").then(|| "49h".into())).unwrap_err();
    assert!(e.to_string().contains("48h"), "{e}");
    let e = DrainConfig::new(secs(60), secs(30), secs(10)).unwrap_err();
    assert_eq!(e.setting, "SCALEGATE_DRAIN_MAX_DELAY");
    let e = DrainConfig::new(secs(60), secs(1), secs(901)).unwrap_err();
    assert!(e.to_string().contains("900s"), "{e}");
    assert_eq!(
        DrainConfig::new(secs(60), Duration::ZERO, secs(10)).unwrap_err().setting,
        "SCALEGATE_DRAIN_FIRST_DELAY"
    );
}

#[test]
fn a_recheck_reads_back_as_the_same_action_and_ticket() {
    let action = terminate(Some(Place::AutoScalingGroup), Some(Place::WarmPool));
    let t = Ticket { attempt: 3, first_seen: at(-90), hook: Some(HOOK) };
    let records = parse_input(&sqs_event(&[recheck_body(&action, &t)]), now()).unwrap();
    let (n, back) = records[0].item.clone().unwrap();
    assert_eq!(n, Notification::Action(action));
    assert_eq!(back, t);
    assert_eq!(records[0].message_id.as_deref(), Some("m0"));
}

#[test]
fn a_fresh_notification_starts_at_its_own_time() {
    let flat = json!({
        "LifecycleActionToken": "tok", "AutoScalingGroupName": "workers", "LifecycleHookName": "h",
        "EC2InstanceId": "i-1", "LifecycleTransition": "autoscaling:EC2_INSTANCE_TERMINATING",
        "Time": "2026-11-22T11:59:00.000Z",
    });
    let records = parse_input(&sqs_event(&[flat.to_string()]), now()).unwrap();
    let (_, t) = records[0].item.clone().unwrap();
    assert_eq!(t, Ticket { attempt: 0, first_seen: at(-60), hook: None });
    // A notification stamped in the future (clock skew) starts now.
    assert_eq!(Ticket::first(now(), Some(at(30))).first_seen, now());
}

#[test]
fn unreadable_records_name_their_problem_one_by_one() {
    let bad_envelope = json!({ENVELOPE_KEY: {"version": 1, "first_seen": "2026-11-22T11:00:00Z"}, "notification": {}});
    let bodies = ["not json".to_string(), bad_envelope.to_string(), json!({"hello": 1}).to_string()];
    let records = parse_input(&sqs_event(&bodies), now()).unwrap();
    let errors: Vec<String> = records.iter().map(|r| r.item.clone().unwrap_err().to_string()).collect();
    assert!(errors[0].contains("is not JSON"), "{}", errors[0]);
    assert!(errors[1].contains("missing required field `attempt`"), "{}", errors[1]);
    assert!(errors[2].contains("no lifecycle notification"), "{}", errors[2]);
    assert_eq!(records[0].raw, "not json", "the raw body is what goes to the dead-letter queue");
    assert!(parse_input(&json!([1, 2]), now()).is_err());
}

#[test]
fn no_live_lease_means_continue_now() {
    let c = DrainConfig::default();
    let t = ticket(0, 0);
    assert_eq!(decide(&LeaseLook::Absent, &t, HOOK, &c, now()), DrainStep::Complete(DrainReason::NoLease));
    assert_eq!(
        decide(&LeaseLook::Tag("2026-11-22T12:00:00Z".into()), &t, HOOK, &c, now()),
        DrainStep::Complete(DrainReason::LeaseExpired { at: now() })
    );
    assert_eq!(
        decide(&LeaseLook::Tag("soon".into()), &t, HOOK, &c, now()),
        DrainStep::Complete(DrainReason::LeaseUnreadable { tag: "soon".into() })
    );
}

#[test]
fn a_live_lease_waits_with_a_backoff_inside_the_heartbeat_timeout() {
    let c = DrainConfig::new(secs(3600), secs(15), secs(600)).unwrap();
    let live = LeaseLook::Tag("2026-11-22T14:00:00Z".into());
    let delays: Vec<u64> = (0..7)
        .map(|attempt| match decide(&live, &ticket(attempt, 10), HOOK, &c, now()) {
            DrainStep::Wait { delay, .. } => delay.as_secs(),
            other => panic!("expected a wait, got {other:?}"),
        })
        .collect();
    // 15, 30, 60, 120, then half the 300 s heartbeat timeout (not the 600 s maximum).
    assert_eq!(delays, [15, 30, 60, 120, 150, 150, 150]);
    let long_hook = HookTimeouts { heartbeat: secs(7200), global: secs(172_800) };
    let c = DrainConfig::new(secs(7200), secs(600), secs(900)).unwrap();
    match decide(&live, &ticket(5, 10), long_hook, &c, now()) {
        DrainStep::Wait { delay, why } => {
            assert_eq!(delay, secs(900), "SQS delays at most 900 s");
            assert!(why.contains("lease live until 2026-11-22T14:00:00"), "{why}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_next_look_comes_just_after_the_lease_would_expire() {
    let c = DrainConfig::new(secs(3600), secs(60), secs(300)).unwrap();
    let step = decide(&LeaseLook::Tag("2026-11-22T12:00:07Z".into()), &ticket(0, 0), HOOK, &c, now());
    assert!(matches!(step, DrainStep::Wait { delay, .. } if delay == secs(8)), "{step:?}");
}

#[test]
fn the_budget_ends_the_wait_and_never_outlasts_the_hook() {
    let c = DrainConfig::new(secs(600), secs(15), secs(300)).unwrap();
    let live = LeaseLook::Tag("2026-11-23T12:00:00Z".into());
    match decide(&live, &ticket(4, 590), HOOK, &c, now()) {
        DrainStep::Wait { delay, .. } => assert_eq!(delay, secs(10), "the last wait ends at the budget"),
        other => panic!("{other:?}"),
    }
    match decide(&live, &ticket(5, 600), HOOK, &c, now()) {
        DrainStep::Complete(DrainReason::BudgetSpent { budget_s, lease }) => {
            assert_eq!(budget_s, 600);
            assert!(lease.contains("live until"), "{lease}");
        }
        other => panic!("{other:?}"),
    }
    // A 48 h budget on a hook whose global timeout is 3000 s ends a minute before that timeout.
    let c = DrainConfig::new(secs(48 * 3600), secs(15), secs(300)).unwrap();
    assert_eq!(budget(&c, HookTimeouts::SHORTEST), secs(2940));
    // A lease that cannot be read is waited on too, within the same budget.
    let unknown = LeaseLook::Unknown("DescribeTags failed (Throttled)".into());
    assert!(matches!(decide(&unknown, &ticket(0, 0), HOOK, &c, now()), DrainStep::Wait { .. }));
    assert!(matches!(
        decide(&unknown, &ticket(9, 30_000), HOOK, &c, now()),
        DrainStep::Complete(DrainReason::BudgetSpent { .. })
    ));
}

// ---- the workflow, over in-memory ports ------------------------------------------------------------------------

#[derive(Default)]
struct World {
    lease: Mutex<Option<String>>,
    lease_error: Option<AwsErrorKind>,
    hook_calls: Mutex<u32>,
    cleared: Mutex<u32>,
    calls: Mutex<Vec<String>>,
    heartbeat: Option<Result<Completion, AwsErrorKind>>,
    complete: Option<Result<Completion, AwsErrorKind>>,
    requeue_fails: bool,
    dlq_fails: bool,
    requeued: Mutex<Vec<(String, Duration)>>,
    dead: Mutex<Vec<(String, String)>>,
}

fn answer(planned: Option<Result<Completion, AwsErrorKind>>, op: &'static str) -> Result<Completion, AwsError> {
    match planned.unwrap_or(Ok(Completion::Done)) {
        Ok(c) => Ok(c),
        Err(kind) => Err(AwsError::new(op, kind, "planned failure")),
    }
}

impl DrainFacts for &World {
    async fn lease_tag(&self, _: &str) -> Result<Option<String>, AwsError> {
        self.calls.lock().unwrap().push("DescribeTags".into());
        match self.lease_error {
            Some(kind) => Err(AwsError::new("DescribeTags", kind, "planned failure")),
            None => Ok(self.lease.lock().unwrap().clone()),
        }
    }
    async fn hook_timeouts(&self, _: &str, _: &str) -> Result<HookTimeouts, AwsError> {
        *self.hook_calls.lock().unwrap() += 1;
        Ok(HOOK)
    }
    async fn clear_lease_tag(&self, _: &str) -> Result<(), AwsError> {
        *self.cleared.lock().unwrap() += 1;
        *self.lease.lock().unwrap() = None;
        Ok(())
    }
}

impl LifecycleActions for &World {
    async fn complete(&self, _: &LifecycleAction, result: ActionResult) -> Result<Completion, AwsError> {
        self.calls.lock().unwrap().push(format!("Complete {}", result.as_str()));
        answer(self.complete, "CompleteLifecycleAction")
    }
    async fn heartbeat(&self, _: &LifecycleAction) -> Result<Completion, AwsError> {
        self.calls.lock().unwrap().push("Heartbeat".into());
        answer(self.heartbeat, "RecordLifecycleActionHeartbeat")
    }
}

impl RecheckQueue for &World {
    async fn requeue(&self, body: &str, delay: Duration) -> Result<(), AwsError> {
        if self.requeue_fails {
            return Err(AwsError::new("SendMessage", AwsErrorKind::AccessDenied, "not allowed"));
        }
        self.requeued.lock().unwrap().push((body.to_string(), delay));
        Ok(())
    }
    async fn dead_letter(&self, raw: &str, reason: &str) -> Result<(), AwsError> {
        if self.dlq_fails {
            return Err(AwsError::new("SendMessage", AwsErrorKind::NotFound, "no such queue"));
        }
        self.dead.lock().unwrap().push((raw.to_string(), reason.to_string()));
        Ok(())
    }
}

fn drain(world: &World) -> Drain<&World, &World, &World> {
    Drain::new(world, world, world, DrainConfig::new(secs(3600), secs(5), secs(60)).unwrap(), false)
}

fn run(world: &World, bodies: &[String]) -> Vec<DrainOutcome> {
    let rt = tokio::runtime::Builder::new_current_thread().enable_time().start_paused(true).build().unwrap();
    rt.block_on(async {
        let d = drain(world);
        let mut out = Vec::new();
        for record in parse_input(&sqs_event(bodies), now()).unwrap() {
            out.push(d.handle_record(&record, now()).await);
        }
        out
    })
}

fn first_delivery(action: &LifecycleAction) -> String {
    action.to_notification_json().to_string()
}

#[test]
fn a_leased_instance_is_heartbeaten_and_rechecked_later_never_completed() {
    let world = World { lease: Mutex::new(Some("2026-11-22T13:00:00Z".into())), ..Default::default() };
    let action = terminate(Some(Place::AutoScalingGroup), Some(Place::Ec2));
    let out = run(&world, &[first_delivery(&action)]);
    assert!(
        matches!(&out[0], DrainOutcome::Requeued { delay, attempt: 1, warning: None, .. } if *delay == secs(5)),
        "{out:?}"
    );
    assert_eq!(*world.calls.lock().unwrap(), ["DescribeTags", "Heartbeat"]);
    // The re-check carries the action, the start and the hook's timeouts, so the next look skips the describe.
    let (body, _) = world.requeued.lock().unwrap()[0].clone();
    let out = run(&world, &[body]);
    assert!(matches!(&out[0], DrainOutcome::Requeued { attempt: 2, delay, .. } if *delay == secs(10)), "{out:?}");
    assert_eq!(*world.hook_calls.lock().unwrap(), 1);
    // The worker releases its lease: the next look completes with CONTINUE.
    *world.lease.lock().unwrap() = None;
    let (body, _) = world.requeued.lock().unwrap()[1].clone();
    let out = run(&world, &[body]);
    match &out[0] {
        DrainOutcome::Completed {
            reason: DrainReason::NoLease, looks: 3, completion: Some(Completion::Done), ..
        } => {}
        other => panic!("{other:?}"),
    }
    assert_eq!(world.calls.lock().unwrap().last().unwrap(), "Complete CONTINUE");
    let lines = outcome_report(&out[0], now());
    assert!(lines.metrics().any(|l| l.contains("\"DrainSeconds\"")), "{lines:?}");
    assert!(lines.metrics().any(|l| l.contains("\"Reason\":\"no_lease\"")), "{lines:?}");
}

#[test]
fn warm_pool_paths() {
    // Leaving the pool for termination: the instance was stopped, there is no work to wait for.
    let world = World { lease: Mutex::new(Some("2026-11-22T13:00:00Z".into())), ..Default::default() };
    let out = run(&world, &[first_delivery(&terminate(Some(Place::WarmPool), Some(Place::Ec2)))]);
    assert!(matches!(&out[0], DrainOutcome::Completed { reason: DrainReason::FromWarmPool, .. }), "{out:?}");
    assert_eq!(*world.calls.lock().unwrap(), ["Complete CONTINUE"], "the lease is not even read");
    // Returning to the pool: drained like a termination, and the stale lease tag does not travel into the pool.
    let world = World { lease: Mutex::new(Some("2026-11-22T11:00:00Z".into())), ..Default::default() };
    let out = run(&world, &[first_delivery(&terminate(Some(Place::AutoScalingGroup), Some(Place::WarmPool)))]);
    assert!(matches!(&out[0], DrainOutcome::Completed { reason: DrainReason::LeaseExpired { .. }, .. }), "{out:?}");
    assert_eq!(*world.cleared.lock().unwrap(), 1);
}

#[test]
fn a_finished_action_is_done_not_an_error() {
    let world = World {
        lease: Mutex::new(Some("2026-11-22T13:00:00Z".into())),
        heartbeat: Some(Ok(Completion::AlreadyDone)),
        ..Default::default()
    };
    let out = run(&world, &[first_delivery(&terminate(None, None))]);
    assert!(matches!(&out[0], DrainOutcome::AlreadyDone { during: "RecordLifecycleActionHeartbeat", .. }), "{out:?}");
    assert!(world.requeued.lock().unwrap().is_empty(), "no re-check for an action that is gone");
    let world = World { complete: Some(Ok(Completion::AlreadyDone)), ..Default::default() };
    let out = run(&world, &[first_delivery(&terminate(None, None))]);
    assert!(matches!(&out[0], DrainOutcome::AlreadyDone { during: "CompleteLifecycleAction", .. }), "{out:?}");
    assert!(out[0].redelivery().is_none());
}

#[test]
fn malformed_and_misrouted_records_go_to_the_dead_letter_queue_once() {
    let world = World::default();
    let mut launch = terminate(None, None);
    launch.transition = Transition::Launching;
    let test = json!({"Event": "autoscaling:TEST_NOTIFICATION", "AutoScalingGroupName": "workers"}).to_string();
    let out = run(&world, &["{oops".to_string(), first_delivery(&launch), test]);
    assert!(matches!(&out[0], DrainOutcome::DeadLettered { reason } if reason.contains("is not JSON")), "{out:?}");
    assert!(matches!(&out[1], DrainOutcome::DeadLettered { reason } if reason.contains("launch action")), "{out:?}");
    assert!(matches!(&out[2], DrainOutcome::TestDropped { .. }), "{out:?}");
    assert!(out.iter().all(|o| o.redelivery().is_none()), "nothing loops back to the queue");
    let dead = world.dead.lock().unwrap();
    assert_eq!(dead.len(), 2);
    assert_eq!(dead[0].0, "{oops", "the record goes as it came");
    assert!(world.calls.lock().unwrap().is_empty(), "no AWS call for a record that is not a terminate action");
    // Without a working dead-letter queue the record is redelivered (the queue's redrive policy is the backstop).
    let world = World { dlq_fails: true, ..Default::default() };
    let out = run(&world, &["{oops".to_string()]);
    assert!(out[0].redelivery().is_some(), "{out:?}");
}

#[test]
fn failures_fall_on_the_safe_side() {
    // A heartbeat that keeps failing does not stop the re-check (the next look heartbeats again).
    let world = World {
        lease: Mutex::new(Some("2026-11-22T13:00:00Z".into())),
        heartbeat: Some(Err(AwsErrorKind::Throttled)),
        ..Default::default()
    };
    let out = run(&world, &[first_delivery(&terminate(None, None))]);
    assert!(
        matches!(&out[0], DrainOutcome::Requeued { warning: Some(w), .. } if w.contains("heartbeat failed")),
        "{out:?}"
    );
    // A lease that cannot be read is waited on, not assumed gone.
    let world = World { lease_error: Some(AwsErrorKind::AccessDenied), ..Default::default() };
    let out = run(&world, &[first_delivery(&terminate(None, None))]);
    assert!(matches!(&out[0], DrainOutcome::Requeued { why, .. } if why.contains("lease unknown")), "{out:?}");
    // A re-check that cannot be queued makes the delivery come back.
    let world =
        World { lease: Mutex::new(Some("2026-11-22T13:00:00Z".into())), requeue_fails: true, ..Default::default() };
    let out = run(&world, &[first_delivery(&terminate(None, None))]);
    assert!(matches!(&out[0], DrainOutcome::Failed { error, .. } if error.contains("re-queue")), "{out:?}");
    // So does a completion that fails for good; it never turns into a silent success.
    let world = World { complete: Some(Err(AwsErrorKind::AccessDenied)), ..Default::default() };
    let out = run(&world, &[first_delivery(&terminate(None, None))]);
    assert!(out[0].redelivery().is_some(), "{out:?}");
}

#[test]
fn dry_run_decides_without_acting() {
    let world = World { lease: Mutex::new(Some("2026-11-22T13:00:00Z".into())), ..Default::default() };
    let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let d = Drain::new(&world, &world, &world, DrainConfig::default(), true);
    let out = rt.block_on(d.handle(&terminate(None, None), &ticket(0, 0), now()));
    assert!(matches!(out, DrainOutcome::Requeued { .. }), "{out:?}");
    assert_eq!(*world.calls.lock().unwrap(), ["DescribeTags"]);
    assert!(world.requeued.lock().unwrap().is_empty());
}
