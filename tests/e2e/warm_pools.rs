//! The warm-pool planner against the emulator: six hours of demand seeded with `PutMetricData` at past timestamps,
//! the function's shell run once over every opted-in group, then `DescribeWarmPool` read back: the planned size put,
//! the tag's bounds held, a pool inside the deadband left alone, an opted-out group and a group with holes in its
//! history untouched, and a group with a bad tag failing the run without stopping the others.

use aws_sdk_autoscaling::types::{InstanceReusePolicy, WarmPoolState};
use aws_sdk_cloudwatch::types::MetricDatum;
use scalegate_aws::autoscaling_warm_pools::AutoScalingWarmPools;
use scalegate_aws::sdk::Clients;
use scalegate_core::activity::LaunchPath;
use scalegate_core::headroom::{plan_warm_pools, Action, LaunchSource, PlannerConfig, ScalingActivities, OPT_IN_TAG};
use scalegate_tests::{clients, tag_group, unique, worker_group};
use std::time::SystemTime;

/// Six hours of one-minute sums ending at the last whole minute: 200 a second, 1000 from the second hour to the
/// fourth (a climb of 800 within one minute). `keep` picks the minutes that have a datapoint.
async fn seed(c: &Clients, namespace: &str, metric: &str, keep: impl Fn(i64) -> bool) {
    let now = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).unwrap().as_secs() as i64;
    let end = now - now % 60;
    let data: Vec<MetricDatum> = (1..=360i64)
        .filter(|m| keep(*m))
        .map(|m| {
            let rate = if (120..240).contains(&(360 - m)) { 1000.0 } else { 200.0 };
            MetricDatum::builder()
                .metric_name(metric)
                .timestamp(aws_smithy_types::DateTime::from_secs(end - 60 * m))
                .value(rate * 60.0)
                .unit(aws_sdk_cloudwatch::types::StandardUnit::Count)
                .build()
        })
        .collect();
    for chunk in data.chunks(500) {
        c.cloudwatch
            .put_metric_data()
            .namespace(namespace)
            .set_metric_data(Some(chunk.to_vec()))
            .send()
            .await
            .expect("PutMetricData");
    }
}

/// (MinSize, MaxGroupPreparedCapacity, PoolState, ReuseOnScaleIn) of the group's pool, if it has one.
async fn pool(c: &Clients, group: &str) -> Option<(i32, i32, String, bool)> {
    let out = c.autoscaling.describe_warm_pool().auto_scaling_group_name(group).send().await.expect("DescribeWarmPool");
    out.warm_pool_configuration().map(|w| {
        (
            w.min_size().unwrap_or(0),
            w.max_group_prepared_capacity().unwrap_or(-1),
            w.pool_state().map(|s| s.as_str().to_string()).unwrap_or_default(),
            w.instance_reuse_policy().and_then(|p| p.reuse_on_scale_in()).unwrap_or(false),
        )
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_planner_sizes_opted_in_pools_within_bounds_and_touches_nothing_else() {
    let c = clients().await;
    let namespace = unique("demand");
    seed(&c, &namespace, "Sent", |_| true).await;
    // Every fourth minute missing: a quarter of the history is holes.
    seed(&c, &namespace, "Holey", |m| m % 4 != 0).await;
    let planned = worker_group(&c, "wp-plan", 0).await;
    let bounded = worker_group(&c, "wp-bound", 0).await;
    let banded = worker_group(&c, "wp-band", 0).await;
    let holes = worker_group(&c, "wp-holes", 0).await;
    let opted_out = worker_group(&c, "wp-out", 0).await;
    let bad_tag = worker_group(&c, "wp-badtag", 0).await;
    // Three cold launches of its own: its dead time is measured from them (the emulator launches at once).
    let measured = worker_group(&c, "wp-measured", 3).await;
    let tags = [(&planned, "0-20"), (&bounded, "1-5"), (&banded, "0-20"), (&holes, "0-20"), (&bad_tag, "lots")];
    for (g, v) in tags.into_iter().chain([(&measured, "0-20")]) {
        tag_group(&c, g, OPT_IN_TAG, v).await;
    }
    // A pool of 9, Running, reused on scale-in: the plan (8) is inside the deadband, so it must stay exactly so.
    c.autoscaling
        .put_warm_pool()
        .auto_scaling_group_name(&banded)
        .min_size(9)
        .max_group_prepared_capacity(9)
        .pool_state(WarmPoolState::Running)
        .instance_reuse_policy(InstanceReusePolicy::builder().reuse_on_scale_in(true).build())
        .send()
        .await
        .expect("PutWarmPool");
    let group = |name: &str, metric: &str| {
        format!(
            "[[group]]\nname = \"{name}\"\nper_instance = 100\nmetric = {{ namespace = \"{namespace}\", name = \"{metric}\" }}\n"
        )
    };
    let document = ["[defaults]\nhistory = \"6h\"\n".to_string()]
        .into_iter()
        .chain([&planned, &bounded, &banded, &opted_out, &bad_tag, &measured].map(|g| group(g, "Sent")))
        .chain([group(&holes, "Holey")])
        .collect::<String>();
    let config = PlannerConfig::from_toml(&document, "e2e").expect("planner document");
    let ports = AutoScalingWarmPools::new(c.autoscaling.clone(), c.cloudwatch.clone());

    let answer = warm_pool_planner::lambda(&ports, &config, serde_json::json!({})).await;
    let failure = answer.expect_err("the group with a bad tag fails the run");
    assert!(failure.contains(&bad_tag) && failure.contains("expected MIN-MAX"), "{failure}");

    // Dead time 60 + 180 + 243 = 483 s (no launches of its own yet); the rate climbs 800 a second within it.
    assert_eq!(pool(&c, &planned).await, Some((8, 8, "Stopped".into(), false)));
    assert_eq!(pool(&c, &bounded).await, Some((5, 5, "Stopped".into(), false)), "held to the tag's 1-5");
    assert_eq!(pool(&c, &banded).await, Some((9, 9, "Running".into(), true)), "inside the deadband: untouched");
    assert_eq!(pool(&c, &holes).await, None, "a quarter of the history missing: no plan, no pool");
    assert_eq!(pool(&c, &opted_out).await, None, "not tagged: never touched");
    assert_eq!(pool(&c, &bad_tag).await, None, "a bad tag: never touched");

    // A second run changes nothing: the plan is what is there.
    tag_group(&c, &bad_tag, OPT_IN_TAG, "0-3").await;
    let again = warm_pool_planner::lambda(&ports, &config, serde_json::json!({})).await.expect("second run");
    assert_eq!(again["applied"], 1, "only the group whose tag was mended: {again}");
    assert_eq!(pool(&c, &bad_tag).await, Some((3, 3, "Stopped".into(), false)));
    assert_eq!(pool(&c, &planned).await, Some((8, 8, "Stopped".into(), false)));

    // The measured group: DescribeScalingActivities gave three cold launches, and the plan used them.
    let since = chrono::Utc::now() - chrono::Duration::hours(1);
    let activities = ports.activities(&measured, since).await.expect("DescribeScalingActivities");
    let cold = activities.iter().filter(|a| a.successful() && a.launch() == Some(LaunchPath::Cold));
    assert_eq!(cold.filter(|a| a.seconds().is_some()).count(), 3, "{activities:?}");
    let run = plan_warm_pools(&ports, &config, chrono::Utc::now()).await.expect("planner run");
    let outcome = run.outcomes.iter().find(|o| o.group == measured).expect("the measured group is planned");
    // Three into service and the eight the first run's pool launched into itself: the same boot and hooks.
    assert_eq!(outcome.launch_source, Some(LaunchSource::Measured { launches: 11 }), "{outcome:?}");
    let dead = outcome.dead_time.expect("a dead time");
    assert!(dead.launch < 30.0 && dead.hook == 0.0 && dead.total() < 270.0, "{dead:?}");
    assert_eq!((outcome.action, outcome.planned_warm), (Action::Kept, Some(8)), "{outcome:?}");
}
