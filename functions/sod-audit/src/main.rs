//! Lambda: the separation-of-duties audit. Triggered by an EventBridge schedule and by CloudTrail IAM change events.

use lambda_runtime::{service_fn, Error, LambdaEvent};
use scalegate_aws::iam_account_inventory::IamAccountInventory;
use scalegate_aws::{sdk::Clients, settings, telemetry};
use serde_json::Value;
use sod_audit::lambda;

#[tokio::main]
async fn main() -> Result<(), Error> {
    telemetry::init_json_logs(false);
    let clients = Clients::load(None).await;
    let duties = settings::duties_document(&clients.s3).map_err(telemetry::cannot_start)?;
    let (loaded, report) = duties.current(chrono::Utc::now()).await;
    telemetry::write_report(&report);
    loaded.map_err(telemetry::cannot_start)?;
    let account = IamAccountInventory::new(clients.iam);
    let (account, duties) = (&account, &duties);
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        lambda(account, duties, event.payload).await.map_err(Error::from)
    }))
    .await
}
