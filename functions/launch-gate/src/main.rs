//! Lambda: the launch gate. Triggered by EventBridge lifecycle events or an SQS queue of lifecycle notifications.

use chrono::Utc;
use lambda_runtime::{service_fn, Error, LambdaEvent};
use launch_gate::{aws_launch_gate, lambda, use_current_rules};
use scalegate_aws::{sdk::Clients, settings, telemetry};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), Error> {
    telemetry::init_json_logs(false);
    let clients = Clients::load(None).await;
    let rules = settings::gate_rules_document(&clients.s3).map_err(telemetry::cannot_start)?;
    let gate = aws_launch_gate(&clients.ec2, &clients.autoscaling, Default::default(), false);
    // Without a good version of the rules there is nothing to decide with: the function refuses to start.
    let (loaded, report) = use_current_rules(&gate, &rules, Utc::now()).await;
    telemetry::write_report(&report);
    loaded.map_err(telemetry::cannot_start)?;
    let (gate, rules) = (&gate, &rules);
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        lambda(gate, rules, event.payload).await.map_err(Error::from)
    }))
    .await
}
