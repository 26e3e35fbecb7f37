//! `scalegate warm-pools`: the warm-pool planner's run over the account (or the emulator), dry unless --apply.

use super::print_report;
use crate::flags::WarmPoolsArgs;
use anyhow::{Context, Result};
use scalegate_aws::autoscaling_warm_pools::AutoScalingWarmPools;
use scalegate_aws::sdk::Clients;
use scalegate_core::headroom::{plan_warm_pools, LaunchSource, PlannerConfig};
use std::process::ExitCode;

pub(crate) async fn run(args: &WarmPoolsArgs) -> Result<ExitCode> {
    let text = super::read_input(&args.document)?;
    let mut config = PlannerConfig::from_toml(&text, &args.document.display().to_string())?;
    if !args.apply {
        for g in &mut config.groups {
            g.dry_run = true;
        }
    }
    let clients = Clients::load(None).await;
    let ports = AutoScalingWarmPools::new(clients.autoscaling, clients.cloudwatch);
    let run = plan_warm_pools(&ports, &config, chrono::Utc::now())
        .await
        .context("listing the groups tagged scalegate:warm-pool (DescribeAutoScalingGroups); no pool changed")?;
    print_report(&run.report, args.metrics);
    println!(
        "\n{:<28} {:>6} {:>9} {:>12} {:>7} {:>8} {:>5}  {:<12} REASON",
        "GROUP", "BOUNDS", "DEAD TIME", "LAUNCH", "CLIMB", "PLANNED", "NOW", "ACTION"
    );
    for o in &run.outcomes {
        let bounds = o.bounds.map_or("-".to_string(), |b| format!("{}-{}", b.min, b.max));
        let dead = o.dead_time.map_or("-".to_string(), |d| format!("{:.0} s", d.total()));
        let launch = match o.launch_source {
            Some(LaunchSource::Measured { launches }) => format!("{launches} measured"),
            Some(LaunchSource::Configured { .. }) => "document".to_string(),
            None => "-".to_string(),
        };
        let climb = o.plan.as_ref().map_or("-".to_string(), |p| format!("{:.0}/s", p.climb));
        let planned = o.planned_warm.map_or("-".to_string(), |w| w.to_string());
        let now = o.before.map_or("none".to_string(), |p| p.min_size.to_string());
        let action = serde_json::to_value(o.action)?.as_str().unwrap_or_default().to_string();
        println!(
            "{:<28} {bounds:>6} {dead:>9} {launch:>12} {climb:>7} {planned:>8} {now:>5}  {action:<12} {}",
            o.group, o.reason
        );
    }
    if run.outcomes.is_empty() {
        println!("(no group is tagged scalegate:warm-pool = MIN-MAX)");
    }
    if !args.apply && run.outcomes.iter().any(|o| o.after.is_some()) {
        println!("\nnothing was put: run again with --apply to put the planned pools");
    }
    Ok(if run.failures().is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}
