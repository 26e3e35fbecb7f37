//! `scalegate guard`: the scaling guard's judgement of one CloudTrail event, offline.

use super::{print_report, read_input};
use crate::flags::GuardArgs;
use anyhow::{Context, Result};
use scalegate_core::guard::{guard, GuardConfig, Verdict};
use std::process::ExitCode;

pub(crate) fn run(args: &GuardArgs) -> Result<ExitCode> {
    let config = match &args.config {
        Some(path) => GuardConfig::from_toml(&read_input(path)?, &path.display().to_string())?,
        None => GuardConfig::default(),
    };
    let text = read_input(&args.event)?;
    let event: serde_json::Value =
        serde_json::from_str(&text).with_context(|| format!("{}: malformed JSON", args.event.display()))?;
    let judged = guard(&event, &config, chrono::Utc::now()).with_context(|| format!("{}", args.event.display()))?;
    print_report(&judged.report, args.metrics);
    Ok(if matches!(judged.verdict, Verdict::Alert { .. }) { ExitCode::from(1) } else { ExitCode::SUCCESS })
}
