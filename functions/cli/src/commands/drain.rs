//! `scalegate drain`: the drain function on a terminate action or one of its own re-checks.

use super::{print_report, read_input};
use crate::flags::DrainArgs;
use anyhow::{bail, Result};
use drain::{aws_drain, handle_value};
use scalegate_aws::sdk::Clients;
use scalegate_aws::sqs_recheck_queue::SqsRecheckQueue;
use scalegate_core::lifecycle::{self, Redelivery};
use std::process::ExitCode;

pub(crate) async fn run(args: &DrainArgs) -> Result<ExitCode> {
    let config = args.config()?;
    let input = read_input(&args.event)?;
    let payload: serde_json::Value =
        serde_json::from_str(&input).map_err(|e| lifecycle::ParseError::MalformedJson(e.to_string()))?;
    let queue_url = match (&args.queue_url, args.dry_run) {
        (Some(url), _) => url.clone(),
        (None, true) => String::new(),
        (None, false) => {
            bail!("--queue-url (or SCALEGATE_DRAIN_QUEUE_URL) is required unless --dry-run: re-checks are sent there")
        }
    };
    let clients = Clients::load(None).await;
    let queue = SqsRecheckQueue::new(clients.sqs.clone(), queue_url, args.dlq_url.clone());
    let drain = aws_drain(&clients.ec2, &clients.autoscaling, queue, config, args.dry_run);
    let report = handle_value(&drain, &payload, chrono::Utc::now).await?;
    print_report(&report.report, args.metrics);
    let failed = report.records.iter().any(|(_, o)| o.redelivery().is_some());
    Ok(if failed { ExitCode::from(1) } else { ExitCode::SUCCESS })
}
