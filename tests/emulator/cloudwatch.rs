//! The emulator's CloudWatch route: the Rust client speaks Smithy RPC v2 CBOR, moto's backend answers.

use aws_sdk_cloudwatch::primitives::DateTime;
use aws_sdk_cloudwatch::types::{
    ComparisonOperator, Dimension, Metric, MetricDataQuery, MetricDatum, MetricStat, StandardUnit, Statistic,
};
use scalegate_tests::{sdk_config, unique};
use std::time::SystemTime;

#[tokio::test]
async fn put_and_get_metric_data_round_trip_through_cbor() {
    let cw = aws_sdk_cloudwatch::Client::new(&sdk_config().await);
    let group = unique("cw");
    let now = DateTime::from(SystemTime::now());
    let dim = Dimension::builder().name("AutoScalingGroupName").value(&group).build();
    for value in [100.0, 150.0] {
        cw.put_metric_data()
            .namespace("scalegate")
            .metric_data(
                MetricDatum::builder()
                    .metric_name("BacklogPerInstance")
                    .dimensions(dim.clone())
                    .timestamp(now)
                    .value(value)
                    .unit(StandardUnit::Count)
                    .build(),
            )
            .send()
            .await
            .unwrap();
    }
    let start = DateTime::from_secs(now.secs() - 600);
    let end = DateTime::from_secs(now.secs() + 600);
    let out = cw
        .get_metric_data()
        .start_time(start)
        .end_time(end)
        .metric_data_queries(
            MetricDataQuery::builder()
                .id("backlog")
                .metric_stat(
                    MetricStat::builder()
                        .metric(
                            Metric::builder()
                                .namespace("scalegate")
                                .metric_name("BacklogPerInstance")
                                .dimensions(dim)
                                .build(),
                        )
                        .period(60)
                        .stat("Maximum")
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    let result = &out.metric_data_results()[0];
    assert_eq!(result.id(), Some("backlog"));
    assert_eq!(result.values(), &[150.0]);
    assert_eq!(result.timestamps().len(), 1, "timestamps come back as CBOR timestamps");
}

#[tokio::test]
async fn alarms_are_created_and_described() {
    let cw = aws_sdk_cloudwatch::Client::new(&sdk_config().await);
    let name = unique("gate-abandons");
    cw.put_metric_alarm()
        .alarm_name(&name)
        .namespace("scalegate")
        .metric_name("GateDecisions")
        .dimensions(Dimension::builder().name("Result").value("ABANDON").build())
        .statistic(Statistic::Sum)
        .period(300)
        .evaluation_periods(1)
        .threshold(3.0)
        .comparison_operator(ComparisonOperator::GreaterThanOrEqualToThreshold)
        .send()
        .await
        .unwrap();
    let out = cw.describe_alarms().alarm_names(&name).send().await.unwrap();
    let alarm = &out.metric_alarms()[0];
    assert_eq!(alarm.alarm_name(), Some(name.as_str()));
    assert_eq!(alarm.threshold(), Some(3.0));
    assert_eq!(alarm.comparison_operator(), Some(&ComparisonOperator::GreaterThanOrEqualToThreshold));
    assert!(alarm.state_updated_timestamp().is_some());
}

#[tokio::test]
async fn large_put_metric_data_arrives_gzip_compressed_and_is_stored() {
    // The SDK compresses PutMetricData bodies over 10 KiB; 300 values make one of those.
    let cw = aws_sdk_cloudwatch::Client::new(&sdk_config().await);
    let now = DateTime::from(SystemTime::now());
    let groups: Vec<String> = (0..300).map(|_| unique("gz")).collect();
    let data: Vec<MetricDatum> = groups
        .iter()
        .map(|g| {
            MetricDatum::builder()
                .metric_name("BacklogPerInstance")
                .dimensions(Dimension::builder().name("AutoScalingGroupName").value(g).build())
                .timestamp(now)
                .value(42.0)
                .unit(StandardUnit::Count)
                .storage_resolution(1)
                .build()
        })
        .collect();
    cw.put_metric_data().namespace("scalegate").set_metric_data(Some(data)).send().await.unwrap();
    let last = groups.last().unwrap();
    let stats = cw
        .get_metric_statistics()
        .namespace("scalegate")
        .metric_name("BacklogPerInstance")
        .dimensions(Dimension::builder().name("AutoScalingGroupName").value(last).build())
        .start_time(DateTime::from_secs(now.secs() - 120))
        .end_time(DateTime::from_secs(now.secs() + 120))
        .period(60)
        .statistics(Statistic::Maximum)
        .send()
        .await
        .unwrap();
    assert_eq!(stats.datapoints().iter().filter_map(|d| d.maximum()).collect::<Vec<_>>(), [42.0]);
}
