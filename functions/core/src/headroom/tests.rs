//! The planner's run over in-memory ports (AWS stands in as plain maps; the emulator run is in tests/e2e).

use super::*;
use crate::activity::ScalingActivity;
use crate::ports::{AwsError, AwsErrorKind};
use crate::simulate::PoolState;
use chrono::{DateTime, Duration as TimeDelta, TimeZone, Utc};
use std::collections::HashMap;
use std::sync::Mutex;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 5, 12, 0, 30).unwrap()
}

/// Three days of one-minute `Sum`s: 200 a second, climbing to 1000 over a minute at 10:00 each day, back at 18:00.
fn launch_mornings(days: i64) -> Vec<(DateTime<Utc>, f64)> {
    let end = Utc.with_ymd_and_hms(2026, 12, 5, 12, 0, 0).unwrap();
    let start = end - TimeDelta::days(days);
    (0..days * 1440)
        .map(|m| {
            let at = start + TimeDelta::minutes(m);
            let minute_of_day = (at.timestamp() / 60).rem_euclid(1440);
            let rate = if (600..1080).contains(&minute_of_day) { 1000.0 } else { 200.0 };
            (at, rate * 60.0)
        })
        .collect()
}

#[derive(Default)]
struct Fleet {
    groups: Vec<PoolGroup>,
    points: HashMap<String, Vec<(DateTime<Utc>, f64)>>,
    launches: HashMap<String, Vec<ScalingActivity>>,
    puts: Mutex<Vec<(String, WarmPoolSpec)>>,
    /// Errors PutWarmPool answers first, one per call.
    put_errors: Mutex<Vec<AwsErrorKind>>,
}

impl WarmPools for Fleet {
    async fn opted_in_groups(&self) -> Result<Vec<PoolGroup>, AwsError> {
        Ok(self.groups.clone())
    }
    async fn put_warm_pool(&self, group: &str, spec: &WarmPoolSpec) -> Result<(), AwsError> {
        if let Some(kind) = self.put_errors.lock().unwrap().pop() {
            return Err(AwsError::new("PutWarmPool", kind, "refused"));
        }
        self.puts.lock().unwrap().push((group.to_string(), *spec));
        Ok(())
    }
}

impl DemandMetrics for Fleet {
    async fn datapoints(
        &self,
        metric: &MetricSpec,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Result<Vec<(DateTime<Utc>, f64)>, AwsError> {
        let all = self.points.get(&metric.name).cloned().unwrap_or_default();
        Ok(all.into_iter().filter(|(t, _)| *t >= start && *t < end).collect())
    }
}

impl ScalingActivities for Fleet {
    async fn activities(&self, group: &str, _since: DateTime<Utc>) -> Result<Vec<ScalingActivity>, AwsError> {
        Ok(self.launches.get(group).cloned().unwrap_or_default())
    }
}

fn group(name: &str, tag: &str, pool: Option<WarmPoolSpec>) -> PoolGroup {
    PoolGroup { name: name.into(), bounds_tag: tag.into(), min_size: 2, max_size: 50, desired: 4, pool }
}

fn config(extra: &str) -> PlannerConfig {
    let text = format!(
        r#"
[defaults]
history = "3d"
{extra}

[[group]]
name = "workers"
per_instance = 100
metric = {{ namespace = "AWS/SQS", name = "Sent", dimensions = {{ QueueName = "jobs" }} }}

[[group]]
name = "holes"
per_instance = 100
metric = {{ namespace = "AWS/SQS", name = "Holey" }}

[[group]]
name = "retired"
per_instance = 100
metric = {{ namespace = "AWS/SQS", name = "Sent" }}
"#
    );
    PlannerConfig::from_toml(&text, "test").unwrap()
}

fn fleet(groups: Vec<PoolGroup>) -> Fleet {
    let mut points = HashMap::new();
    points.insert("Sent".to_string(), launch_mornings(3));
    // Every fifth minute missing: 20 % holes.
    let holey = launch_mornings(3).into_iter().enumerate().filter(|(i, _)| i % 5 != 0).map(|(_, p)| p).collect();
    points.insert("Holey".to_string(), holey);
    Fleet { groups, points, ..Fleet::default() }
}

fn outcome<'a>(run: &'a PlannerRun, group: &str) -> &'a GroupOutcome {
    run.outcomes.iter().find(|o| o.group == group).unwrap()
}

#[tokio::test]
async fn a_new_pool_covers_the_climb_over_the_dead_time() {
    let f = fleet(vec![group("workers", "0-20", None)]);
    let run = plan_warm_pools(&f, &config(""), now()).await.unwrap();
    let o = outcome(&run, "workers");
    // Dead time 60 + 180 + 243 = 483 s; within it the rate climbs 800 a second: 8 instances of 100.
    assert_eq!(o.action, Action::Applied, "{o:?}");
    assert_eq!(o.dead_time.unwrap().total(), 483.0);
    assert_eq!(o.launch_source, Some(LaunchSource::Configured { launches: 0 }));
    assert_eq!(o.plan.as_ref().unwrap().climb, 800.0);
    let expected = WarmPoolSpec {
        min_size: 8,
        max_group_prepared_capacity: Some(8),
        state: PoolState::Stopped,
        reuse_on_scale_in: false,
    };
    assert_eq!(*f.puts.lock().unwrap(), vec![("workers".to_string(), expected)]);
    let metrics: Vec<&str> = run.report.metrics().collect();
    assert!(metrics.iter().any(|m| m.contains("\"PlannedWarmCapacity\":8")), "{metrics:?}");
    assert!(metrics.iter().any(|m| m.contains("\"WarmPoolChanges\":1")), "{metrics:?}");
    assert!(run.failures().is_empty());
    // "retired" is in the document without the tag: said, and untouched.
    assert!(run.report.logs().any(|l| l.contains("without the opt-in tag") && l.contains("retired")));
}

#[tokio::test]
async fn bounds_cap_the_plan_and_an_existing_pool_keeps_its_state_and_reuse() {
    let running = WarmPoolSpec {
        min_size: 1,
        max_group_prepared_capacity: Some(1),
        state: PoolState::Running,
        reuse_on_scale_in: true,
    };
    let f = fleet(vec![group("workers", "1-5", Some(running))]);
    let run = plan_warm_pools(&f, &config(""), now()).await.unwrap();
    let o = outcome(&run, "workers");
    assert_eq!((o.action, o.planned_warm), (Action::Applied, Some(5)), "{o:?}");
    assert!(o.reason.contains("held to the bounds 1–5"), "{}", o.reason);
    let put = f.puts.lock().unwrap()[0].1;
    assert_eq!(put, WarmPoolSpec { min_size: 5, max_group_prepared_capacity: Some(5), ..running });
}

#[tokio::test]
async fn inside_the_deadband_nothing_is_put_and_dry_run_only_reports() {
    let ten = WarmPoolSpec {
        min_size: 9,
        max_group_prepared_capacity: Some(9),
        state: PoolState::Stopped,
        reuse_on_scale_in: false,
    };
    let f = fleet(vec![group("workers", "0-20", Some(ten))]);
    let run = plan_warm_pools(&f, &config(""), now()).await.unwrap();
    let o = outcome(&run, "workers");
    assert_eq!(o.action, Action::Kept, "9 → 8 is inside a 25 % deadband: {o:?}");
    assert!(f.puts.lock().unwrap().is_empty());
    let f = fleet(vec![group("workers", "0-20", None)]);
    let run = plan_warm_pools(&f, &config("dry_run = true"), now()).await.unwrap();
    let o = outcome(&run, "workers");
    assert_eq!(o.action, Action::WouldApply);
    assert_eq!(o.after.unwrap().min_size, 8);
    assert!(f.puts.lock().unwrap().is_empty(), "dry run puts nothing");
    assert!(run.report.metrics().any(|m| m.contains("\"WarmPoolChanges\":0")));
}

#[tokio::test]
async fn holes_an_undescribed_group_and_a_bad_tag_change_nothing() {
    let pool = WarmPoolSpec {
        min_size: 12,
        max_group_prepared_capacity: Some(12),
        state: PoolState::Stopped,
        reuse_on_scale_in: false,
    };
    let f = fleet(vec![
        group("holes", "0-20", Some(pool)),
        group("stranger", "0-20", Some(pool)),
        group("workers", "twenty", Some(pool)),
    ]);
    let run = plan_warm_pools(&f, &config(""), now()).await.unwrap();
    let holes = outcome(&run, "holes");
    assert_eq!(holes.action, Action::NoPlan);
    assert!(holes.reason.contains("missing") && holes.reason.contains("left as it is"), "{}", holes.reason);
    assert_eq!(holes.planned_warm, None);
    assert_eq!(outcome(&run, "stranger").action, Action::NoPlan);
    let bad = outcome(&run, "workers");
    assert_eq!(bad.action, Action::Failed);
    assert!(bad.reason.contains("expected MIN-MAX"), "{}", bad.reason);
    assert!(f.puts.lock().unwrap().is_empty(), "nothing is put on partial data or a bad tag");
    assert_eq!(run.failures().len(), 1);
    assert!(!run.report.metrics().any(|m| m.contains("PlannedWarmCapacity")), "no plan, no planned capacity");
}

#[tokio::test(start_paused = true)]
async fn a_throttled_put_is_retried_and_a_refused_one_fails_the_run() {
    let f = fleet(vec![group("workers", "0-20", None)]);
    f.put_errors.lock().unwrap().push(AwsErrorKind::Throttled);
    let run = plan_warm_pools(&f, &config(""), now()).await.unwrap();
    assert_eq!(outcome(&run, "workers").action, Action::Applied);
    let f = fleet(vec![group("workers", "0-20", None)]);
    f.put_errors.lock().unwrap().push(AwsErrorKind::AccessDenied);
    let run = plan_warm_pools(&f, &config(""), now()).await.unwrap();
    let o = outcome(&run, "workers");
    assert_eq!(o.action, Action::Failed);
    assert!(o.reason.contains("AccessDenied") && o.reason.contains("left as it was"), "{}", o.reason);
    assert!(run.report.logs().any(|l| l.contains("ERROR")));
}

#[tokio::test]
async fn the_groups_own_cold_launches_set_the_dead_time() {
    let t = now() - TimeDelta::days(1);
    let launch = |secs: i64, warm: bool, ok: bool| ScalingActivity {
        start: t,
        end: Some(t + TimeDelta::seconds(secs)),
        description: format!("Launching a new EC2 instance{}: i-0123", if warm { " from warm pool" } else { "" }),
        cause: String::new(),
        status: if ok { "Successful" } else { "Failed" }.into(),
    };
    let mut f = fleet(vec![group("workers", "0-40", None)]);
    let mine = vec![
        launch(300, false, true),
        launch(320, false, true),
        launch(600, false, true),
        launch(310, false, true),
        launch(30, true, true),    // from the pool: not the path it replaces
        launch(900, false, false), // failed
    ];
    f.launches.insert("workers".into(), mine.clone());
    let run = plan_warm_pools(&f, &config(""), now()).await.unwrap();
    let o = outcome(&run, "workers");
    // p90 of 300, 310, 320, 600 (nearest rank 4) = 600; hooks are inside it.
    let dead = o.dead_time.unwrap();
    assert_eq!((dead.launch, dead.hook, dead.total()), (600.0, 0.0, 840.0));
    assert_eq!(o.launch_source, Some(LaunchSource::Measured { launches: 4 }));
    assert_eq!(measured_launch(&mine[..2]), (None, 2), "two launches are too few to measure");
}

#[test]
fn datapoints_become_rates_per_period() {
    let c = config("");
    let start = Utc.with_ymd_and_hms(2026, 12, 5, 0, 0, 0).unwrap();
    let end = start + TimeDelta::minutes(4);
    let points = [
        (start, 600.0),
        (start + TimeDelta::minutes(2), 1200.0),
        (start - TimeDelta::minutes(1), 1.0),
        (end, 1.0),
        (start + TimeDelta::minutes(3), f64::NAN),
    ];
    let mut planning = c.group("workers").unwrap().clone();
    let h = history_from_points(&points, start, end, &planning);
    assert_eq!((h.step, h.rates.clone()), (60.0, vec![Some(10.0), None, Some(20.0), None]));
    planning.missing = Missing::Zero;
    planning.metric.statistic = "Average".into();
    let h = history_from_points(&points, start, end, &planning);
    assert_eq!(h.rates, vec![Some(600.0), Some(0.0), Some(1200.0), Some(0.0)]);
}

#[test]
fn the_pool_size_follows_aws_rule() {
    let spec = |min, prepared| WarmPoolSpec {
        min_size: min,
        max_group_prepared_capacity: prepared,
        state: PoolState::Stopped,
        reuse_on_scale_in: false,
    };
    let g = |pool| PoolGroup { desired: 4, ..group("g", "0-9", pool) };
    assert_eq!(g(None).pool_size(), None);
    assert_eq!(g(Some(spec(2, None))).pool_size(), Some(46), "MaxSize 50 − desired 4");
    assert_eq!(g(Some(spec(2, Some(10)))).pool_size(), Some(6));
    assert_eq!(g(Some(spec(8, Some(10)))).pool_size(), Some(8));
    assert_eq!(g(Some(spec(0, Some(3)))).pool_size(), Some(0));
}
