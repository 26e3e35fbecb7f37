//! `scalegate event`: parse lifecycle notifications, one JSON object per notification.

use super::read_input;
use crate::flags::EventArgs;
use anyhow::Result;
use scalegate_core::lifecycle;
use std::process::ExitCode;

pub(crate) fn run(args: &EventArgs) -> Result<ExitCode> {
    let input = read_input(&args.file)?;
    for n in lifecycle::parse_all(&input)? {
        println!("{}", n.to_json());
    }
    Ok(ExitCode::SUCCESS)
}
