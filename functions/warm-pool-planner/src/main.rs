//! Lambda: the warm-pool planner. Triggered by an EventBridge schedule.

use lambda_runtime::{service_fn, Error, LambdaEvent};
use scalegate_aws::autoscaling_warm_pools::AutoScalingWarmPools;
use scalegate_aws::{sdk::Clients, settings, telemetry};
use serde_json::Value;
use warm_pool_planner::lambda;

#[tokio::main]
async fn main() -> Result<(), Error> {
    telemetry::init_json_logs(false);
    // A bad document stops the function at start, with the message in its logs, before any run.
    let config = settings::warm_pool_planner().map_err(telemetry::cannot_start)?;
    let clients = Clients::load(None).await;
    let ports = AutoScalingWarmPools::new(clients.autoscaling, clients.cloudwatch);
    let (ports, config) = (&ports, &config);
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        lambda(ports, config, event.payload).await.map_err(Error::from)
    }))
    .await
}
