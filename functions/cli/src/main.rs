//! `scalegate`: run scalegate's logic locally. This file only dispatches: flags are in `flags/`, each command in
//! `commands/`.

mod commands;
mod flags;

use clap::Parser;
use flags::{Cli, Command};
use scalegate_aws::telemetry;
use std::process::ExitCode;

/// Exit code for input scalegate rejects.
const EXIT_REJECTED: u8 = 2;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    telemetry::init_json_logs(true);
    let result = match &cli.command {
        Command::Event(args) => commands::event::run(args),
        Command::Gate(args) => commands::gate::run(args).await,
        Command::Guard(args) => commands::guard::run(args).await,
        Command::Drain(args) => commands::drain::run(args).await,
        Command::Audit(args) => commands::audit::run(args).await,
        Command::Backlog(args) => commands::backlog::run(args).await,
        Command::Lease(args) => commands::lease::run(args).await,
        Command::Actions(args) => Ok(commands::actions::run(args)),
        Command::Methods => Ok(commands::methods::run()),
        Command::BreakGlass(args) => commands::break_glass::run(args).await,
        Command::Config(args) => commands::config::run(args).await,
        Command::Simulate(args) => commands::simulate::run(args).await,
        Command::PlanHeadroom(args) => commands::simulate::plan_headroom(args).await,
        Command::WarmPools(args) => commands::warm_pools::run(args).await,
        Command::Sweep(args) => commands::sweep::run(args).await,
        Command::Demo(args) => commands::demo::run(args).await,
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("scalegate: {e:#}");
            ExitCode::from(EXIT_REJECTED)
        }
    }
}
