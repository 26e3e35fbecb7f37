//! `scalegate gate`: the launch gate on an event, against the endpoint the SDK is configured for.

use super::{print_report, read_input};
use crate::flags::GateArgs;
use anyhow::Result;
use launch_gate::{aws_launch_gate, handle};
use scalegate_aws::sdk::Clients;
use scalegate_aws::settings;
use scalegate_core::gate::GateRules;
use scalegate_core::lifecycle::Redelivery;
use std::process::ExitCode;

pub(crate) async fn run(args: &GateArgs) -> Result<ExitCode> {
    let input = read_input(&args.event)?;
    let rules = match &args.rules {
        Some(p) => GateRules::load(p)?,
        None => settings::gate_rules()?,
    };
    let clients = Clients::load(None).await;
    let gate = aws_launch_gate(&clients.ec2, &clients.autoscaling, rules, args.dry_run);
    let report = handle(&gate, &input, chrono::Utc::now).await?;
    print_report(&report.report, args.metrics);
    let failed = report.records.iter().any(|r| r.outcome.redelivery().is_some());
    Ok(if failed { ExitCode::from(1) } else { ExitCode::SUCCESS })
}
