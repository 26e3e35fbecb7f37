//! Lambda: backlog per instance. Triggered every minute by an EventBridge schedule.

use backlog_metric::lambda;
use lambda_runtime::{service_fn, Error, LambdaEvent};
use scalegate_aws::cloudwatch_metric_sink::CloudWatchMetricSink;
use scalegate_aws::sqs_backlog_reader::SqsBacklogReader;
use scalegate_aws::{sdk::Clients, settings, telemetry};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), Error> {
    telemetry::init_json_logs(false);
    // A bad configuration stops the function at start, with the message in its logs, before any run.
    let config = settings::backlog_config().map_err(telemetry::cannot_start)?;
    let clients = Clients::load(None).await;
    let sink = CloudWatchMetricSink::new(clients.cloudwatch.clone());
    let reader = SqsBacklogReader::new(clients.sqs, clients.autoscaling, clients.ec2, clients.cloudwatch);
    let (reader, sink, config) = (&reader, &sink, &config);
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        lambda(reader, sink, config, event.payload).await.map_err(Error::from)
    }))
    .await
}
