//! One module per command: each turns its flags into the domain's terms, runs the same core and adapters the
//! functions run, and prints the same typed lines they write.

pub(crate) mod actions;
pub(crate) mod audit;
pub(crate) mod backlog;
pub(crate) mod break_glass;
pub(crate) mod config;
pub(crate) mod demo;
pub(crate) mod drain;
pub(crate) mod event;
pub(crate) mod gate;
pub(crate) mod guard;
pub(crate) mod lease;
pub(crate) mod methods;
pub(crate) mod simulate;
pub(crate) mod sweep;
pub(crate) mod warm_pools;

use anyhow::{Context, Result};
use scalegate_core::report::{Line, Report};
use std::io::Read;
use std::path::Path;

/// A file's text, or standard input for `-`.
fn read_input(path: &Path) -> Result<String> {
    if path == Path::new("-") {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s).context("reading standard input")?;
        Ok(s)
    } else {
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))
    }
}

/// A report as the function writes it: log lines to stdout; EMF lines to stderr when asked for, else nowhere.
fn print_report(report: &Report, metrics: bool) {
    for line in report.lines() {
        match line {
            Line::Log(_, text) => println!("{text}"),
            Line::Metric(text) if metrics => eprintln!("{text}"),
            Line::Metric(_) => {}
        }
    }
}
