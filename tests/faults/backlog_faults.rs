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
    backlog_with_trail(sqs, autoscaling, &[])
}

fn backlog_with_trail(sqs: &[&Rule], autoscaling: &[&Rule], cloudtrail: &[&Rule]) -> SqsBacklogReader {
    let sqs = mock_client!(aws_sdk_sqs, RuleMode::MatchAny, sqs);
    let autoscaling = mock_client!(aws_sdk_autoscaling, RuleMode::MatchAny, autoscaling);
    let ec2 = mock_client!(aws_sdk_ec2, RuleMode::MatchAny, &[]);
    let cloudwatch = mock_client!(aws_sdk_cloudwatch, RuleMode::MatchAny, &[]);
    let cloudtrail = mock_client!(aws_sdk_cloudtrail, RuleMode::MatchAny, cloudtrail);
    SqsBacklogReader::new(sqs, autoscaling, ec2, cloudwatch, cloudtrail)
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

/// A rise nothing explains is still flagged when CloudTrail refuses to say who made it, and the refusal is named.
/// (aws-smithy-mocks: the emulator's CloudTrail cannot deny on demand.)
#[tokio::test]
async fn a_denied_cloudtrail_lookup_leaves_the_flag_and_names_the_denial() {
    use aws_sdk_autoscaling::operation::describe_scaling_activities::DescribeScalingActivitiesOutput;
    use aws_sdk_autoscaling::types::{Activity, ScalingActivityStatusCode};
    use aws_sdk_cloudtrail::operation::lookup_events::LookupEventsError;
    let empty = mock!(aws_sdk_sqs::Client::get_queue_attributes).then_output(|| {
        GetQueueAttributesOutput::builder()
            .attributes(QueueAttributeName::ApproximateNumberOfMessages, "0")
            .attributes(QueueAttributeName::ApproximateNumberOfMessagesNotVisible, "0")
            .build()
    });
    let raised = mock!(aws_sdk_autoscaling::Client::describe_auto_scaling_groups).then_output(|| {
        DescribeAutoScalingGroupsOutput::builder()
            .auto_scaling_groups(
                AutoScalingGroup::builder().auto_scaling_group_name("workers").desired_capacity(10).min_size(1).build(),
            )
            .build()
    });
    let started = chrono::Utc::now() - chrono::Duration::minutes(20);
    let activity = mock!(aws_sdk_autoscaling::Client::describe_scaling_activities).then_output(move || {
        DescribeScalingActivitiesOutput::builder()
            .activities(
                Activity::builder()
                    .activity_id("a-1")
                    .auto_scaling_group_name("workers")
                    .cause("At 2026-12-06T01:00:00Z a user request explicitly set group desired capacity changing the desired capacity from 1 to 10.")
                    .start_time(aws_smithy_types::DateTime::from_secs(started.timestamp()))
                    .end_time(aws_smithy_types::DateTime::from_secs(started.timestamp() + 60))
                    .status_code(ScalingActivityStatusCode::Successful)
                    .build(),
            )
            .build()
    });
    let denied = mock!(aws_sdk_cloudtrail::Client::lookup_events).then_error(|| {
        LookupEventsError::generic(
            ErrorMetadata::builder()
                .code("AccessDeniedException")
                .message("not authorized to perform cloudtrail:LookupEvents")
                .build(),
        )
    });
    let reader = backlog_with_trail(&[&empty], &[&raised, &activity], &[&denied]);
    let result = run(&config(), &reader, None::<&CloudWatchMetricSink>, chrono::Utc::now()).await;
    let rise = result.pairs[0].outcome.as_ref().unwrap().unexplained.clone().expect("still flagged");
    assert_eq!((rise.from, rise.to, rise.call), (1, 10, None));
    assert!(denied.num_calls() >= 1);
    assert!(
        result
            .report
            .texts()
            .any(|t| t.contains("LookupEvents SetDesiredCapacity for workers failed")
                && t.contains("AccessDeniedException")),
        "{:?}",
        result.report.texts().collect::<Vec<_>>()
    );
}
