//! `scalegate guard`: the scaling guard's judgement of one CloudTrail event, offline; with --restore, the gate hook put
//! back as the function would.

use super::{print_report, read_input};
use crate::flags::GuardArgs;
use anyhow::{Context, Result};
use scalegate_aws::autoscaling_gate_hooks::AutoScalingGateHooks;
use scalegate_aws::sdk::Clients;
use scalegate_core::guard::{guard, restore, restore_plan, GuardConfig, RestoreOutcome, Verdict};
use std::process::ExitCode;

pub(crate) async fn run(args: &GuardArgs) -> Result<ExitCode> {
    let config = match &args.config {
        Some(path) => GuardConfig::from_toml(&read_input(path)?, &path.display().to_string())?,
        None => scalegate_aws::settings::guard_config()?,
    };
    let text = read_input(&args.event)?;
    let event: serde_json::Value =
        serde_json::from_str(&text).with_context(|| format!("{}: malformed JSON", args.event.display()))?;
    let judged = guard(&event, &config, chrono::Utc::now()).with_context(|| format!("{}", args.event.display()))?;
    print_report(&judged.report, args.metrics);
    if args.restore {
        anyhow::ensure!(config.restore().is_some(), "--restore needs a document with a [restore] section (--config)");
        if let Some(plan) = restore_plan(&judged.call, &judged.verdict, &config) {
            let hooks = AutoScalingGateHooks::new(Clients::load(None).await.autoscaling);
            let (outcome, report) = restore(&hooks, &plan, chrono::Utc::now()).await;
            print_report(&report, args.metrics);
            if let RestoreOutcome::Failed { error } = outcome {
                anyhow::bail!("the gate hook {} of {} was not restored: {error}", plan.spec.hook, plan.group);
            }
        }
    }
    Ok(if matches!(judged.verdict, Verdict::Alert { .. }) { ExitCode::from(1) } else { ExitCode::SUCCESS })
}
