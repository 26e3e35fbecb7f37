//! Lambda: the protection reaper. Triggered by an EventBridge schedule.

use lambda_runtime::{service_fn, Error, LambdaEvent};
use protection_reaper::lambda;
use scalegate_aws::ec2_leases::Ec2Leases;
use scalegate_aws::{sdk::Clients, telemetry};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), Error> {
    telemetry::init_json_logs(false);
    let clients = Clients::load(None).await;
    let leases = Ec2Leases::new(clients.autoscaling, clients.ec2);
    let leases = &leases;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        lambda(leases, event.payload).await.map_err(Error::from)
    }))
    .await
}
