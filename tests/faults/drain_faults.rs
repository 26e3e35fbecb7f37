//! The drain under AWS faults. The emulator cannot refuse a describe, throttle a heartbeat or lose a queue on demand,
//! so aws-smithy-mocks stands in for Auto Scaling, EC2 and SQS behind the real adapters. Each fault ends on the safe
//! side: the instance keeps waiting (inside the hook's timeouts), or the delivery comes back; never a CONTINUE that
//! cuts a live lease short, never a lost action.

use aws_sdk_autoscaling::operation::describe_lifecycle_hooks::DescribeLifecycleHooksError;
use aws_sdk_autoscaling::operation::record_lifecycle_action_heartbeat::RecordLifecycleActionHeartbeatError;
use aws_sdk_autoscaling::operation::record_lifecycle_action_heartbeat::RecordLifecycleActionHeartbeatOutput;
use aws_sdk_ec2::operation::describe_tags::DescribeTagsOutput;
use aws_sdk_ec2::types::TagDescription;
use aws_sdk_sqs::operation::send_message::{SendMessageError, SendMessageOutput};
use aws_smithy_mocks::{mock, mock_client, Rule, RuleMode};
use aws_smithy_types::error::ErrorMetadata;
use drain::{aws_drain, handle_value, AwsDrain};
use scalegate_aws::sqs_recheck_queue::SqsRecheckQueue;
use scalegate_core::drain::{DrainConfig, DrainOutcome, ENVELOPE_KEY};
use scalegate_core::lease::LEASE_TAG;
use serde_json::{json, Value};
use std::time::Duration;

fn live_lease() -> Rule {
    mock!(aws_sdk_ec2::Client::describe_tags).then_output(|| {
        let expires = (chrono::Utc::now() + chrono::Duration::hours(1)).to_rfc3339();
        DescribeTagsOutput::builder()
            .tags(TagDescription::builder().resource_id("i-0123").key(LEASE_TAG).value(expires).build())
            .build()
    })
}

fn terminate_event() -> Value {
    let body = json!({
        "LifecycleActionToken": "tok", "AutoScalingGroupName": "workers", "LifecycleHookName": "scalegate-drain",
        "EC2InstanceId": "i-0123", "LifecycleTransition": "autoscaling:EC2_INSTANCE_TERMINATING",
    });
    json!({"Records": [{"eventSource": "aws:sqs", "messageId": "m-1", "body": body.to_string()}]})
}

/// The drain over mocked clients: `autoscaling` answers both the hook describe and the lifecycle calls.
fn drain_over(
    autoscaling: aws_sdk_autoscaling::Client,
    ec2: aws_sdk_ec2::Client,
    sqs: aws_sdk_sqs::Client,
) -> AwsDrain {
    let config = DrainConfig::new(Duration::from_secs(3600), Duration::from_secs(60), Duration::from_secs(600));
    aws_drain(&ec2, &autoscaling, SqsRecheckQueue::new(sqs, "q".into(), None), config.unwrap(), false)
}

#[tokio::test]
async fn a_hook_that_cannot_be_described_gets_the_shortest_timeouts_assumed() {
    let hooks = mock!(aws_sdk_autoscaling::Client::describe_lifecycle_hooks).then_error(|| {
        DescribeLifecycleHooksError::generic(ErrorMetadata::builder().code("AccessDenied").message("no").build())
    });
    let beat = mock!(aws_sdk_autoscaling::Client::record_lifecycle_action_heartbeat)
        .then_output(|| RecordLifecycleActionHeartbeatOutput::builder().build());
    let tags = live_lease();
    let sent = mock!(aws_sdk_sqs::Client::send_message).then_output(|| SendMessageOutput::builder().build());
    let drain = drain_over(
        mock_client!(aws_sdk_autoscaling, RuleMode::MatchAny, [&hooks, &beat]),
        mock_client!(aws_sdk_ec2, RuleMode::MatchAny, [&tags]),
        mock_client!(aws_sdk_sqs, RuleMode::MatchAny, [&sent]),
    );
    let report = handle_value(&drain, &terminate_event(), chrono::Utc::now).await.unwrap();
    match &report.records[0].1 {
        // 60 s configured, but a hook with the shortest (30 s) heartbeat timeout must hear from us within it.
        DrainOutcome::Requeued { delay, .. } => assert_eq!(*delay, Duration::from_secs(15)),
        other => panic!("{other:?}"),
    }
    assert_eq!((beat.num_calls(), sent.num_calls()), (1, 1));
    assert_eq!(report.answer().unwrap()["batchItemFailures"], json!([]));
}

// Paused time: the SDK's and the drain's retry backoffs pass instantly.
#[tokio::test(start_paused = true)]
async fn a_throttled_heartbeat_still_requeues_and_a_lost_queue_brings_the_delivery_back() {
    let throttled = || {
        mock!(aws_sdk_autoscaling::Client::record_lifecycle_action_heartbeat).then_error(|| {
            RecordLifecycleActionHeartbeatError::generic(
                ErrorMetadata::builder().code("Throttling").message("Rate exceeded").build(),
            )
        })
    };
    let (beat, tags) = (throttled(), live_lease());
    let hooks = mock!(aws_sdk_autoscaling::Client::describe_lifecycle_hooks).then_output(|| {
        aws_sdk_autoscaling::operation::describe_lifecycle_hooks::DescribeLifecycleHooksOutput::builder()
            .lifecycle_hooks(
                aws_sdk_autoscaling::types::LifecycleHook::builder()
                    .lifecycle_hook_name("scalegate-drain")
                    .heartbeat_timeout(600)
                    .global_timeout(60_000)
                    .build(),
            )
            .build()
    });
    let sent = mock!(aws_sdk_sqs::Client::send_message).then_output(|| SendMessageOutput::builder().build());
    let drain = drain_over(
        mock_client!(aws_sdk_autoscaling, RuleMode::MatchAny, [&hooks, &beat]),
        mock_client!(aws_sdk_ec2, RuleMode::MatchAny, [&tags]),
        mock_client!(aws_sdk_sqs, RuleMode::MatchAny, [&sent]),
    );
    let report = handle_value(&drain, &terminate_event(), chrono::Utc::now).await.unwrap();
    match &report.records[0].1 {
        DrainOutcome::Requeued { delay, warning: Some(w), .. } => {
            assert_eq!(*delay, Duration::from_secs(60));
            assert!(w.contains("Throttling"), "{w}");
        }
        other => panic!("{other:?}"),
    }
    assert!(beat.num_calls() > 1, "the heartbeat was retried");
    assert!(report.report.logs().any(|l| l.contains("heartbeat failed")), "{:?}", report.report);

    // The same look, but the drain's queue is gone: the record is reported failed, so SQS delivers it again.
    let (beat, tags) = (throttled(), live_lease());
    let lost = mock!(aws_sdk_sqs::Client::send_message).then_error(|| {
        SendMessageError::generic(
            ErrorMetadata::builder()
                .code("AWS.SimpleQueueService.NonExistentQueue")
                .message("The specified queue does not exist.")
                .build(),
        )
    });
    let drain = drain_over(
        mock_client!(aws_sdk_autoscaling, RuleMode::MatchAny, [&hooks, &beat]),
        mock_client!(aws_sdk_ec2, RuleMode::MatchAny, [&tags]),
        mock_client!(aws_sdk_sqs, RuleMode::MatchAny, [&lost]),
    );
    let report = handle_value(&drain, &terminate_event(), chrono::Utc::now).await.unwrap();
    assert_eq!(report.answer().unwrap(), json!({"batchItemFailures": [{"itemIdentifier": "m-1"}]}));
    match &report.records[0].1 {
        DrainOutcome::Failed { error, .. } => assert!(error.contains("does not exist"), "{error}"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn without_a_dead_letter_queue_a_malformed_record_is_left_to_the_redrive_policy() {
    let drain = drain_over(
        mock_client!(aws_sdk_autoscaling, RuleMode::MatchAny, []),
        mock_client!(aws_sdk_ec2, RuleMode::MatchAny, []),
        mock_client!(aws_sdk_sqs, RuleMode::MatchAny, []),
    );
    let bad = json!({ENVELOPE_KEY: {"version": 2}, "notification": {}}).to_string();
    let event = json!({"Records": [{"eventSource": "aws:sqs", "messageId": "m-9", "body": bad}]});
    let report = handle_value(&drain, &event, chrono::Utc::now).await.unwrap();
    assert_eq!(report.answer().unwrap(), json!({"batchItemFailures": [{"itemIdentifier": "m-9"}]}));
    match &report.records[0].1 {
        DrainOutcome::Failed { error, .. } => {
            assert!(error.contains("`version` must be 1") && error.contains("SCALEGATE_DRAIN_DLQ_URL"), "{error}")
        }
        other => panic!("{other:?}"),
    }
}
