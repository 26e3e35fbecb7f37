//! Lambda: the drift sweep. Triggered by an EventBridge schedule.

use drift_sweep::lambda;
use lambda_runtime::{service_fn, Error, LambdaEvent};
use scalegate_aws::ec2_fleet_facts::Ec2FleetFacts;
use scalegate_aws::{sdk::Clients, settings, telemetry};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), Error> {
    telemetry::init_json_logs(false);
    let clients = Clients::load(None).await;
    // Bad settings stop the function at start, with the message in its logs, before any run.
    let rules = settings::gate_rules_document(&clients.s3).map_err(telemetry::cannot_start)?;
    let (sweep_settings, dry_run) = settings::sweep_settings().map_err(telemetry::cannot_start)?;
    let ports = Ec2FleetFacts::new(clients.ec2, clients.autoscaling);
    let (ports, rules, sweep_settings) = (&ports, &rules, &sweep_settings);
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        lambda(ports, rules, sweep_settings, dry_run, event.payload).await.map_err(Error::from)
    }))
    .await
}
