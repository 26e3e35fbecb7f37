//! `scalegate methods`: the escalation methods the audit models, as the README's Markdown table.

use std::process::ExitCode;

pub(crate) fn run() -> ExitCode {
    print!("{}", scalegate_iam::methods::markdown());
    eprintln!("{} methods", scalegate_iam::methods::METHODS.len());
    ExitCode::SUCCESS
}
