//! Lambda: the drain. Consumes its SQS queue (terminate lifecycle actions from EventBridge, and its own re-checks).

use drain::{drain_from_env, lambda};
use lambda_runtime::{service_fn, Error, LambdaEvent};
use scalegate_aws::{sdk::Clients, telemetry};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), Error> {
    telemetry::init_json_logs(false);
    let clients = Clients::load(None).await;
    let drain = drain_from_env(&clients).map_err(telemetry::cannot_start)?;
    let drain = &drain;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        lambda(drain, event.payload).await.map_err(Error::from)
    }))
    .await
}
