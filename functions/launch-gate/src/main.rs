//! Lambda: the launch gate. Triggered by EventBridge lifecycle events or an SQS queue of lifecycle notifications.

use lambda_runtime::{service_fn, Error, LambdaEvent};
use launch_gate::{aws_launch_gate, lambda};
use scalegate_aws::{sdk::Clients, settings, telemetry};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), Error> {
    telemetry::init_json_logs(false);
    let rules = settings::gate_rules().map_err(telemetry::cannot_start)?;
    let clients = Clients::load(None).await;
    let gate = aws_launch_gate(&clients.ec2, &clients.autoscaling, rules, false);
    let gate = &gate;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        lambda(gate, event.payload).await.map_err(Error::from)
    }))
    .await
}
