//! `make bench`: figures for the warm-pool planner. Prints them; asserts only that the runs did what they must.
//!
//! Against the local emulator, 100 groups tagged `scalegate:warm-pool`, each with six hours of its own one-minute
//! demand seeded by PutMetricData: one planner run over all of them (the first puts 100 pools, the next ones keep
//! them; the tag bounds each to 2 so the emulator launches 200 warm instances, not 1 000), timed, with its AWS calls
//! and dependent round trips counted by an SDK interceptor. Then the planner's own CPU over in-memory ports: 100
//! groups with 14 days of one-minute history each.

use scalegate_aws::autoscaling_warm_pools::AutoScalingWarmPools;
use scalegate_aws::round_trips::RoundTripCounter;
use scalegate_aws::sdk::Clients;
use scalegate_core::activity::ScalingActivity;
use scalegate_core::headroom::{
    plan_warm_pools, Action, DemandMetrics, MetricSpec, PlannerConfig, PoolGroup, ScalingActivities, WarmPoolSpec,
    WarmPools, OPT_IN_TAG,
};
use scalegate_core::ports::AwsError;
use scalegate_tests::figures::{cpu_time, summary};
use scalegate_tests::{clients, sdk_config, tag_group, unique, worker_group};
use std::time::{Instant, SystemTime};

const GROUPS: usize = 100;

#[tokio::main]
async fn main() {
    println!("scalegate warm-pool planner benchmark\n");
    emulator_run().await;
    planner_cpu().await;
}

fn document(namespace: &str, groups: &[String], history: &str) -> PlannerConfig {
    let mut text = format!("concurrency = 16\n[defaults]\nhistory = \"{history}\"\n");
    for (i, g) in groups.iter().enumerate() {
        text.push_str(&format!(
            "[[group]]\nname = \"{g}\"\nper_instance = 100\nmetric = {{ namespace = \"{namespace}\", name = \"demand-{i}\" }}\n"
        ));
    }
    PlannerConfig::from_toml(&text, "bench").expect("document")
}

/// Group `i`'s demand: 200 a second, climbing within a minute to 600 + 10 i while `high`.
fn rate(high: bool, i: usize) -> f64 {
    if high {
        600.0 + 10.0 * i as f64
    } else {
        200.0
    }
}

async fn emulator_run() {
    let c = clients().await;
    let setup = Instant::now();
    let namespace = unique("bench-demand");
    let mut groups = Vec::with_capacity(GROUPS);
    let now = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).unwrap().as_secs() as i64;
    let end = now - now % 60;
    for i in 0..GROUPS {
        let g = worker_group(&c, "bench-pool", 0).await;
        tag_group(&c, &g, OPT_IN_TAG, "0-2").await;
        // Six hours ending at the last whole minute, high from the second hour to the fourth.
        let data: Vec<_> = (1..=360i64)
            .map(|m| {
                aws_sdk_cloudwatch::types::MetricDatum::builder()
                    .metric_name(format!("demand-{i}"))
                    .timestamp(aws_smithy_types::DateTime::from_secs(end - 60 * m))
                    .value(rate((120..240).contains(&(360 - m)), i) * 60.0)
                    .build()
            })
            .collect();
        c.cloudwatch
            .put_metric_data()
            .namespace(&namespace)
            .set_metric_data(Some(data))
            .send()
            .await
            .expect("PutMetricData");
        groups.push(g);
    }
    println!("  setup: {GROUPS} tagged groups with 6 h of demand each in {:.1} s", setup.elapsed().as_secs_f64());
    let config = document(&namespace, &groups, "6h");
    let counter = RoundTripCounter::new();
    let shared = sdk_config().await;
    let counted = Clients::from_shared(&shared, Some(&counter));
    let ports = AutoScalingWarmPools::new(counted.autoscaling, counted.cloudwatch);
    for label in ["first run (puts every pool)", "second run (keeps every pool)", "third run"] {
        counter.reset();
        let started = Instant::now();
        let run = plan_warm_pools(&ports, &config, chrono::Utc::now()).await.expect("planner run");
        let wall = started.elapsed();
        let mine = run.outcomes.iter().filter(|o| groups.contains(&o.group));
        let (applied, kept) = mine.fold((0, 0), |(a, k), o| match o.action {
            Action::Applied => (a + 1, k),
            Action::Kept => (a, k + 1),
            _ => panic!("{o:?}"),
        });
        println!(
            "  {label:<32} wall {:>7.1} ms   calls {:>4}   dependent round trips {:>2}   applied {applied:>3}   kept {kept:>3}",
            wall.as_secs_f64() * 1000.0,
            counter.total(),
            counter.dependent(),
        );
    }
}

/// 100 groups with 14 days of one-minute history each, in memory: the planner's own cost.
struct Memory {
    groups: Vec<PoolGroup>,
    points: Vec<(chrono::DateTime<chrono::Utc>, f64)>,
}

impl WarmPools for Memory {
    async fn opted_in_groups(&self) -> Result<Vec<PoolGroup>, AwsError> {
        Ok(self.groups.clone())
    }
    async fn put_warm_pool(&self, _group: &str, _spec: &WarmPoolSpec) -> Result<(), AwsError> {
        Ok(())
    }
}

impl DemandMetrics for Memory {
    async fn datapoints(
        &self,
        _metric: &MetricSpec,
        _start: chrono::DateTime<chrono::Utc>,
        _end: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<(chrono::DateTime<chrono::Utc>, f64)>, AwsError> {
        Ok(self.points.clone())
    }
}

impl ScalingActivities for Memory {
    async fn activities(
        &self,
        _group: &str,
        _since: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<ScalingActivity>, AwsError> {
        Ok(Vec::new())
    }
}

async fn planner_cpu() {
    let names: Vec<String> = (0..GROUPS).map(|i| format!("group-{i}")).collect();
    let now = chrono::Utc::now();
    let end = chrono::DateTime::from_timestamp(now.timestamp() - now.timestamp() % 60, 0).unwrap();
    let points = (1..=14 * 1440i64)
        .map(|m| {
            let at = end - chrono::Duration::minutes(m);
            (at, rate((600..1080).contains(&(at.timestamp() / 60).rem_euclid(1440)), 7) * 60.0)
        })
        .collect();
    let groups = names
        .iter()
        .map(|n| PoolGroup {
            name: n.clone(),
            bounds_tag: "0-20".into(),
            min_size: 1,
            max_size: 50,
            desired: 4,
            pool: None,
        })
        .collect();
    let memory = Memory { groups, points };
    let config = document("N", &names, "14d");
    let mut wall = Vec::new();
    let before = cpu_time();
    for _ in 0..10 {
        let started = Instant::now();
        let run = plan_warm_pools(&memory, &config, now).await.expect("run");
        assert!(run.outcomes.iter().all(|o| o.action == Action::Applied), "{:?}", run.outcomes[0]);
        wall.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    let cpu = (cpu_time() - before).as_secs_f64() * 1000.0 / 10.0;
    summary("  in memory, 100 groups × 14 days of 1-min data", "ms", wall);
    println!("  CPU per run {cpu:.0} ms (20 160 samples a group: history, plan, decision, report)");
}
