//! Backlog per instance against the emulator: real queues and groups, read through the SDK adapter, published
//! through PutMetricData and read back from CloudWatch.

use scalegate_aws::cloudwatch_metric_sink::CloudWatchMetricSink;
use scalegate_aws::sqs_backlog_reader::SqsBacklogReader;
use scalegate_core::backlog::{run, BacklogConfig, Publish};
use scalegate_core::config::LiveDocument;
use scalegate_tests::{clients, loaded_queue, sdk_config, unique, worker_group};

fn config(queue: &str, group: &str, extra: &str) -> BacklogConfig {
    BacklogConfig::from_toml(
        &format!(
            "[[pair]]\nqueue = \"{queue}\"\ngroup = \"{group}\"\nlatency = \"10s\"\nseconds_per_message = 0.1\n{extra}"
        ),
        "test",
    )
    .unwrap()
}

async fn reader() -> SqsBacklogReader {
    let c = clients().await;
    let cloudwatch = aws_sdk_cloudwatch::Client::new(&sdk_config().await);
    SqsBacklogReader::new(c.sqs, c.autoscaling, c.ec2, cloudwatch, c.cloudtrail)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifteen_hundred_messages_over_ten_instances_is_150_and_reaches_cloudwatch() {
    let c = clients().await;
    let (queue, group) = tokio::join!(loaded_queue(&c, "jobs", 1500), worker_group(&c, "workers", 10));
    let backlog = reader().await;
    let mut config = config(&queue, &group, "");
    config.publish = Publish::PutMetricData;
    let now = chrono::Utc::now();
    let sink = CloudWatchMetricSink::new(aws_sdk_cloudwatch::Client::new(&sdk_config().await));
    let result = run(&config, &backlog, Some(&sink), now).await;
    assert!(result.failures().is_empty(), "{:?}", result.failures());
    let f = result.pairs[0].outcome.as_ref().unwrap();
    assert_eq!((f.figures.messages, f.figures.capable), (1500, 10));
    assert_eq!(f.figures.backlog_per_instance, 150.0);
    assert!((f.figures.target - 100.0).abs() < 1e-9);
    assert_eq!(f.figures.capacity_wanted, 15);

    // What target tracking would read.
    let cloudwatch = aws_sdk_cloudwatch::Client::new(&sdk_config().await);
    let stats = cloudwatch
        .get_metric_statistics()
        .namespace("scalegate")
        .metric_name("BacklogPerInstance")
        .dimensions(aws_sdk_cloudwatch::types::Dimension::builder().name("AutoScalingGroupName").value(&group).build())
        .start_time(aws_smithy_types::DateTime::from_secs(now.timestamp() - 120))
        .end_time(aws_smithy_types::DateTime::from_secs(now.timestamp() + 120))
        .period(60)
        .statistics(aws_sdk_cloudwatch::types::Statistic::Maximum)
        .send()
        .await
        .unwrap();
    let points = stats.datapoints();
    assert_eq!(points.len(), 1, "{points:?}");
    assert_eq!(points[0].maximum(), Some(150.0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn standby_instances_take_no_work_and_an_empty_queue_is_zero() {
    let c = clients().await;
    let (queue, group) = tokio::join!(loaded_queue(&c, "jobs", 90), worker_group(&c, "workers", 4));
    let described = c.autoscaling.describe_auto_scaling_groups().auto_scaling_group_names(&group).send().await.unwrap();
    let ids: Vec<String> = described.auto_scaling_groups()[0]
        .instances()
        .iter()
        .take(1)
        .map(|i| i.instance_id().unwrap().to_string())
        .collect();
    c.autoscaling
        .enter_standby()
        .auto_scaling_group_name(&group)
        .set_instance_ids(Some(ids))
        .should_decrement_desired_capacity(true)
        .send()
        .await
        .unwrap();
    let backlog = reader().await;
    let result = run(&config(&queue, &group, ""), &backlog, None::<&CloudWatchMetricSink>, chrono::Utc::now()).await;
    let f = result.pairs[0].outcome.as_ref().unwrap();
    let after = c.autoscaling.describe_auto_scaling_groups().auto_scaling_group_names(&group).send().await.unwrap();
    let states: Vec<String> = after.auto_scaling_groups()[0]
        .instances()
        .iter()
        .map(|i| i.lifecycle_state().unwrap().as_str().to_string())
        .collect();
    assert_eq!(f.capacity.standby, 1, "{states:?}");
    assert_eq!(f.capacity.capable as usize, states.iter().filter(|s| *s == "InService").count(), "{states:?}");
    assert_eq!(f.figures.backlog_per_instance, 90.0 / f64::from(f.capacity.capable));

    let empty = loaded_queue(&c, "empty", 0).await;
    let result = run(&config(&empty, &group, ""), &backlog, None::<&CloudWatchMetricSink>, chrono::Utc::now()).await;
    assert_eq!(result.pairs[0].outcome.as_ref().unwrap().figures.backlog_per_instance, 0.0);
    let emf = result.report.metrics().next().expect("an EMF line");
    assert!(emf.contains("\"BacklogPerInstance\":0.0"), "{emf}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_queue_or_group_is_named_and_publishes_nothing() {
    let c = clients().await;
    let (queue, group) = tokio::join!(loaded_queue(&c, "jobs", 5), worker_group(&c, "workers", 1));
    let backlog = reader().await;
    let missing_queue =
        run(&config("no-such-queue", &group, ""), &backlog, None::<&CloudWatchMetricSink>, chrono::Utc::now()).await;
    let e = missing_queue.pairs[0].outcome.as_ref().unwrap_err();
    assert!(e.contains("queue `no-such-queue` does not exist"), "{e}");
    assert!(missing_queue.report.metrics().next().is_none());
    let missing_group =
        run(&config(&queue, "no-such-group", ""), &backlog, None::<&CloudWatchMetricSink>, chrono::Utc::now()).await;
    assert_eq!(missing_group.pairs[0].outcome.as_ref().unwrap_err(), "group `no-such-group` not found");
}

/// At 10 s resolution the minute's scheduled run computes once and leaves five delayed ticks on the tick queue; a
/// tick computes once and schedules nothing. Nothing sleeps inside an invocation.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_second_resolution_schedules_ticks_instead_of_sleeping() {
    use scalegate_aws::sqs_tick_queue::{SqsTickQueue, TICK_BODY};
    let c = clients().await;
    let (queue, group) = tokio::join!(loaded_queue(&c, "hires", 30), worker_group(&c, "hires", 3));
    let tick_url =
        c.sqs.create_queue().queue_name(unique("ticks")).send().await.unwrap().queue_url().unwrap().to_string();
    let ticks = SqsTickQueue::new(c.sqs.clone(), tick_url.clone());
    let config = config(&queue, &group, "resolution = 10\n");
    let pairs: scalegate_aws::settings::Document<_> = LiveDocument::fixed("backlog-pairs", config.clone(), "test");
    let sink = CloudWatchMetricSink::new(aws_sdk_cloudwatch::Client::new(&sdk_config().await));
    let reader = reader().await;
    let delayed = || async {
        let attrs = c
            .sqs
            .get_queue_attributes()
            .queue_url(&tick_url)
            .attribute_names(aws_sdk_sqs::types::QueueAttributeName::ApproximateNumberOfMessagesDelayed)
            .send()
            .await
            .unwrap();
        attrs.attributes().unwrap()[&aws_sdk_sqs::types::QueueAttributeName::ApproximateNumberOfMessagesDelayed]
            .parse::<u32>()
            .unwrap()
    };

    let started = std::time::Instant::now();
    let schedule = serde_json::json!({"detail-type": "Scheduled Event", "source": "aws.events"});
    let answer = backlog_metric::lambda(&reader, &sink, Some(&ticks), &pairs, schedule).await.unwrap();
    assert!(started.elapsed() < std::time::Duration::from_secs(9), "no sleeping: {:?}", started.elapsed());
    assert_eq!((answer["published"].as_u64(), answer["ticks_scheduled"].as_u64()), (Some(1), Some(5)), "{answer}");
    assert_eq!(delayed().await, 5, "ticks at 10, 20, 30, 40 and 50 s");

    let tick = serde_json::json!({"Records": [{"eventSource": "aws:sqs", "messageId": "m1", "body": TICK_BODY}]});
    let answer = backlog_metric::lambda(&reader, &sink, Some(&ticks), &pairs, tick).await.unwrap();
    assert_eq!((answer["published"].as_u64(), answer["tick"].as_bool()), (Some(1), Some(true)), "{answer}");
    assert_eq!(delayed().await, 5, "a tick schedules nothing");
    // The unexplained-scaling check is the scheduled run's, not every tick's.
    let unexplained =
        |r: &scalegate_core::backlog::BacklogRun| r.report.texts().any(|t| t.contains("UnexplainedScaling"));
    assert!(unexplained(&backlog_metric::run_once(&reader, &sink, &config, false).await));
    assert!(!unexplained(&backlog_metric::run_once(&reader, &sink, &config, true).await));

    // Without the tick queue, a configuration that asks for 10 s refuses to start, naming the setting.
    let e = scalegate_aws::settings::check_ticks(&config, false).unwrap_err().to_string();
    assert!(e.starts_with("SCALEGATE_BACKLOG_TICK_QUEUE_URL must be set"), "{e}");
    scalegate_aws::settings::check_ticks(&config, true).unwrap();
}

/// A manual SetDesiredCapacity with no backlog behind it is flagged; the same rise with a backlog that asks for it is
/// not. The dead time is set to zero so the test need not wait it out; the emulator writes the Cause AWS writes for a
/// user request, and CloudTrail's event history names the IAM user whose keys made the call.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_manual_scale_out_with_no_backlog_is_unexplained_and_one_with_a_backlog_is_not() {
    let c = clients().await;
    let (idle_queue, busy_queue) = tokio::join!(loaded_queue(&c, "idle", 0), loaded_queue(&c, "busy", 800));
    let (idle, busy) = tokio::join!(worker_group(&c, "idle", 1), worker_group(&c, "busy", 1));
    // The idle group is raised by a named person, with their own keys: CloudTrail's record must name them.
    let person = unique("ops-alice");
    c.iam.create_user().user_name(&person).send().await.unwrap();
    let key = c.iam.create_access_key().user_name(&person).send().await.unwrap();
    let key = key.access_key().unwrap();
    let theirs = aws_sdk_autoscaling::Client::from_conf(
        aws_sdk_autoscaling::config::Builder::from(&sdk_config().await)
            .credentials_provider(aws_sdk_autoscaling::config::Credentials::new(
                key.access_key_id(),
                key.secret_access_key(),
                None,
                None,
                "e2e",
            ))
            .build(),
    );
    theirs.set_desired_capacity().auto_scaling_group_name(&idle).desired_capacity(8).send().await.unwrap();
    c.autoscaling.set_desired_capacity().auto_scaling_group_name(&busy).desired_capacity(8).send().await.unwrap();
    let backlog = reader().await;
    let extra = "[unexplained]\ntolerance = 0.25\ndead_time = \"0s\"\n";
    let run_for = |queue: String, group: String| {
        let backlog = &backlog;
        async move { run(&config(&queue, &group, extra), backlog, None::<&CloudWatchMetricSink>, chrono::Utc::now()).await }
    };
    let flagged = run_for(idle_queue, idle.clone()).await;
    let rise = flagged.pairs[0].outcome.as_ref().unwrap().unexplained.clone().expect("no backlog behind 8 instances");
    assert_eq!((rise.from, rise.to, rise.desired, rise.wanted), (1, 8, 8, 0), "{rise:?}");
    assert!(rise.cause.contains("a user request"), "{rise:?}");
    let call = rise.call.as_ref().expect("CloudTrail's event history holds the call");
    assert_eq!(call.event, "SetDesiredCapacity", "{call:?}");
    assert_eq!(call.principal.arn, format!("arn:aws:iam::123456789012:user/{person}"), "{call:?}");
    assert_eq!(rise.caller.as_deref(), Some(call.principal.caller.as_str()));
    assert!(flagged.report.texts().any(|t| t.contains("\"unexplained scaling\"") && t.contains(&idle)));
    assert!(flagged.report.texts().any(|t| t.contains("\"UnexplainedScaling\":1")));
    // 800 messages at a target of 100 ask for 8: the same manual rise is explained.
    let explained = run_for(busy_queue, busy).await;
    let f = explained.pairs[0].outcome.as_ref().unwrap();
    assert_eq!((f.figures.capacity_wanted, f.unexplained.is_none()), (8, true), "{:?}", f.unexplained);
    assert!(explained.report.texts().any(|t| t.contains("\"UnexplainedScaling\":0")));
}
