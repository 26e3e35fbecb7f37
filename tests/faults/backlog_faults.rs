//! The backlog function under AWS faults. The emulator cannot throttle on demand, so aws-smithy-mocks stands in
//! for SQS and Auto Scaling here.

use aws_sdk_autoscaling::operation::describe_auto_scaling_groups::{
    DescribeAutoScalingGroupsError, DescribeAutoScalingGroupsOutput,
};
use aws_sdk_autoscaling::types::{AutoScalingGroup, Instance, LifecycleState};
use aws_sdk_sqs::operation::get_queue_attributes::{GetQueueAttributesError, GetQueueAttributesOutput};
use aws_sdk_sqs::types::QueueAttributeName;
use aws_smithy_mocks::{mock, mock_client, Rule, RuleMode};
use aws_smithy_types::error::ErrorMetadata;
use scalegate_aws::cloudwatch_metric_sink::CloudWatchMetricSink;
use scalegate_aws::sqs_backlog_reader::SqsBacklogReader;
use scalegate_core::backlog::{run, BacklogConfig};

const URL: &str = "https://sqs.us-east-1.amazonaws.com/123456789012/jobs";

fn config() -> BacklogConfig {
    BacklogConfig::from_toml(
        &format!("[[pair]]\nqueue = \"{URL}\"\ngroup = \"workers\"\nlatency = 10\nseconds_per_message = 0.1\n"),
        "test",
    )
    .unwrap()
}

fn group_ok() -> Rule {
    mock!(aws_sdk_autoscaling::Client::describe_auto_scaling_groups).then_output(|| {
        DescribeAutoScalingGroupsOutput::builder()
            .auto_scaling_groups(
                AutoScalingGroup::builder()
                    .auto_scaling_group_name("workers")
                    .desired_capacity(2)
                    .max_size(10)
                    .instances(
                        Instance::builder().instance_id("i-1").lifecycle_state(LifecycleState::InService).build(),
                    )
                    .instances(
                        Instance::builder().instance_id("i-2").lifecycle_state(LifecycleState::InService).build(),
                    )
                    .build(),
            )
            .build()
    })
}

fn queue_ok() -> Rule {
    mock!(aws_sdk_sqs::Client::get_queue_attributes).then_output(|| {
        GetQueueAttributesOutput::builder()
            .attributes(QueueAttributeName::ApproximateNumberOfMessages, "300")
            .attributes(QueueAttributeName::ApproximateNumberOfMessagesNotVisible, "0")
            .build()
    })
}

fn backlog(sqs: &[&Rule], autoscaling: &[&Rule]) -> SqsBacklogReader {
    let sqs = mock_client!(aws_sdk_sqs, RuleMode::MatchAny, sqs);
    let autoscaling = mock_client!(aws_sdk_autoscaling, RuleMode::MatchAny, autoscaling);
    let ec2 = mock_client!(aws_sdk_ec2, RuleMode::MatchAny, &[]);
    let cloudwatch = mock_client!(aws_sdk_cloudwatch, RuleMode::MatchAny, &[]);
    SqsBacklogReader::new(sqs, autoscaling, ec2, cloudwatch)
}

#[tokio::test]
async fn the_happy_path_through_mocks() {
    let (q, g) = (queue_ok(), group_ok());
    let result = run(&config(), &backlog(&[&q], &[&g]), None::<&CloudWatchMetricSink>, chrono::Utc::now()).await;
    assert_eq!(result.pairs[0].outcome.as_ref().unwrap().figures.backlog_per_instance, 150.0);
}

#[tokio::test]
async fn a_throttled_queue_is_an_error_not_a_zero() {
    let throttled = mock!(aws_sdk_sqs::Client::get_queue_attributes).then_error(|| {
        GetQueueAttributesError::generic(ErrorMetadata::builder().code("RequestThrottled").message("slow down").build())
    });
    let g = group_ok();
    let result =
        run(&config(), &backlog(&[&throttled], &[&g]), None::<&CloudWatchMetricSink>, chrono::Utc::now()).await;
    let e = result.pairs[0].outcome.as_ref().unwrap_err();
    assert!(e.contains("reading queue") && e.contains("RequestThrottled"), "{e}");
    assert!(result.report.metrics().next().is_none(), "nothing published for the pair");
    assert!(throttled.num_calls() >= 1);
}

#[tokio::test]
async fn throttled_group_lookups_fail_every_pair_and_publish_nothing() {
    let q = queue_ok();
    let throttled = mock!(aws_sdk_autoscaling::Client::describe_auto_scaling_groups).then_error(|| {
        DescribeAutoScalingGroupsError::generic(
            ErrorMetadata::builder().code("Throttling").message("Rate exceeded").build(),
        )
    });
    let result =
        run(&config(), &backlog(&[&q], &[&throttled]), None::<&CloudWatchMetricSink>, chrono::Utc::now()).await;
    let e = result.pairs[0].outcome.as_ref().unwrap_err();
    assert!(e.contains("DescribeAutoScalingGroups failed") && e.contains("Throttling"), "{e}");
    assert!(result.report.metrics().next().is_none());
}

#[tokio::test]
async fn a_malformed_count_is_named() {
    let odd = mock!(aws_sdk_sqs::Client::get_queue_attributes).then_output(|| {
        GetQueueAttributesOutput::builder().attributes(QueueAttributeName::ApproximateNumberOfMessages, "lots").build()
    });
    let g = group_ok();
    let result = run(&config(), &backlog(&[&odd], &[&g]), None::<&CloudWatchMetricSink>, chrono::Utc::now()).await;
    let e = result.pairs[0].outcome.as_ref().unwrap_err();
    assert!(e.contains("`lots` is not a count"), "{e}");
}
