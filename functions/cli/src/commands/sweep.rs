//! `scalegate sweep`: the drift sweep's run over the account (or the emulator), dry unless --apply.

use super::print_report;
use crate::flags::SweepArgs;
use anyhow::{Context, Result};
use scalegate_aws::ec2_fleet_facts::Ec2FleetFacts;
use scalegate_aws::sdk::Clients;
use scalegate_aws::settings;
use scalegate_core::gate::GateRules;
use scalegate_core::sweep::{sweep, Disposition, SweepSettings};
use std::process::ExitCode;

pub(crate) async fn run(args: &SweepArgs) -> Result<ExitCode> {
    let rules = match &args.rules {
        Some(p) => GateRules::load(p)?,
        None => settings::gate_rules()?,
    };
    let clients = Clients::load(None).await;
    let ports = Ec2FleetFacts::new(clients.ec2, clients.autoscaling);
    let settings = SweepSettings { min_healthy_percent: args.min_healthy_percent };
    let run = sweep(&ports, &rules, &settings, args.apply, chrono::Utc::now())
        .await
        .context("reading the groups tagged scalegate:drift-sweep and their instances; nothing was marked")?;
    print_report(&run.report, args.metrics);
    println!("\n{:<28} {:<20} {:<22} {:<16} {:<28} CHECKS", "GROUP", "INSTANCE", "STATE", "FINDING", "ACTION");
    for g in &run.groups {
        if let Some(error) = &g.error {
            println!("{:<28} {error}", g.group);
        }
        for (f, d) in &g.findings {
            let action = match d {
                Disposition::Held { hold } => {
                    format!("held: {}", serde_json::to_value(hold)?["because"].as_str().unwrap_or_default())
                }
                other => serde_json::to_value(other)?["disposition"].as_str().unwrap_or_default().to_string(),
            };
            let finding = serde_json::to_value(f.kind)?.as_str().unwrap_or_default().to_string()
                + if f.attached { " (attached)" } else { "" };
            println!(
                "{:<28} {:<20} {:<22} {finding:<16} {action:<28} {}",
                g.group,
                f.instance_id,
                f.state.as_str(),
                f.check_names().join(", ")
            );
        }
        if g.findings.is_empty() && g.error.is_none() {
            println!("{:<28} {} checked, all clean", g.group, g.checked);
        }
    }
    if run.groups.is_empty() {
        println!("(no group is tagged scalegate:drift-sweep)");
    }
    if !args.apply && run.groups.iter().any(|g| g.replaced() > 0) {
        println!("\nnothing was marked: run again with --apply to have the groups replace them");
    }
    Ok(if run.failures().is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}
