//! Lambda: the separation-of-duties audit. Triggered by an EventBridge schedule and by CloudTrail IAM change events.

use lambda_runtime::{service_fn, Error, LambdaEvent};
use scalegate_aws::{iam_inventory, sod_audit, telemetry};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), Error> {
    telemetry::init_json_logs(false);
    let duties = sod_audit::duties_from_env().map_err(telemetry::cannot_start)?;
    let shared = aws_config::defaults(aws_config::BehaviorVersion::latest()).load().await;
    let iam = iam_inventory::iam_client(&shared);
    let (iam, duties) = (&iam, &duties);
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        sod_audit::lambda(iam, duties, event.payload).await.map_err(Error::from)
    }))
    .await
}
