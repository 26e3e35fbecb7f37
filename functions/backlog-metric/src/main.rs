//! Lambda: backlog per instance. Triggered every minute by an EventBridge schedule, and by its tick queue at 10 s or
//! 30 s resolution.

use backlog_metric::lambda;
use chrono::Utc;
use lambda_runtime::{service_fn, Error, LambdaEvent};
use scalegate_aws::cloudwatch_metric_sink::CloudWatchMetricSink;
use scalegate_aws::sqs_backlog_reader::SqsBacklogReader;
use scalegate_aws::sqs_tick_queue::SqsTickQueue;
use scalegate_aws::{sdk::Clients, settings, telemetry};
use scalegate_core::settings::BACKLOG_TICK_QUEUE_URL;
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), Error> {
    telemetry::init_json_logs(false);
    let clients = Clients::load(None).await;
    let tick_url = settings::env(BACKLOG_TICK_QUEUE_URL);
    // A bad configuration stops the function at start, with the message in its logs, before any run; so does a
    // document in S3 with no good version.
    let pairs = settings::backlog_document(&clients.s3, tick_url.is_some()).map_err(telemetry::cannot_start)?;
    let (loaded, report) = pairs.current(Utc::now()).await;
    telemetry::write_report(&report);
    loaded.map_err(telemetry::cannot_start)?;
    let ticks = tick_url.map(|url| SqsTickQueue::new(clients.sqs.clone(), url));
    let sink = CloudWatchMetricSink::new(clients.cloudwatch.clone());
    let reader =
        SqsBacklogReader::new(clients.sqs, clients.autoscaling, clients.ec2, clients.cloudwatch, clients.cloudtrail);
    let (reader, sink, ticks, pairs) = (&reader, &sink, ticks.as_ref(), &pairs);
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        lambda(reader, sink, ticks, pairs, event.payload).await.map_err(Error::from)
    }))
    .await
}
