//! Lambda: the scaling guard. Triggered by an EventBridge rule on CloudTrail's Auto Scaling and launch-template calls.

use lambda_runtime::{service_fn, Error, LambdaEvent};
use scalegate_aws::autoscaling_gate_hooks::AutoScalingGateHooks;
use scalegate_aws::{sdk::Clients, settings, telemetry};
use scaling_guard::lambda;
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), Error> {
    telemetry::init_json_logs(false);
    // A bad document stops the function at start, with the message in its logs, before any event.
    let config = settings::guard_config().map_err(telemetry::cannot_start)?;
    let clients = Clients::load(None).await;
    let hooks = AutoScalingGateHooks::new(clients.autoscaling);
    let (hooks, config) = (&hooks, &config);
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        lambda(hooks, config, event.payload).await.map_err(Error::from)
    }))
    .await
}
