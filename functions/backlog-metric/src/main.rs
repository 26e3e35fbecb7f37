//! Lambda: backlog per instance. Triggered every minute by an EventBridge schedule, and by its tick queue at 10 s or
//! 30 s resolution.

use backlog_metric::{check_ticks, lambda};
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
    // A bad configuration stops the function at start, with the message in its logs, before any run.
    let config = settings::backlog_config().map_err(telemetry::cannot_start)?;
    let tick_url = settings::env(BACKLOG_TICK_QUEUE_URL);
    check_ticks(&config, tick_url.is_some()).map_err(telemetry::cannot_start)?;
    let clients = Clients::load(None).await;
    let ticks = tick_url.map(|url| SqsTickQueue::new(clients.sqs.clone(), url));
    let sink = CloudWatchMetricSink::new(clients.cloudwatch.clone());
    let reader = SqsBacklogReader::new(clients.sqs, clients.autoscaling, clients.ec2, clients.cloudwatch);
    let (reader, sink, ticks, config) = (&reader, &sink, ticks.as_ref(), &config);
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        lambda(reader, sink, ticks, config, event.payload).await.map_err(Error::from)
    }))
    .await
}
