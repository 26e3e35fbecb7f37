//! `scalegate actions`: the documented IAM actions a pattern matches, with their access levels.

use crate::flags::ActionsArgs;
use scalegate_iam::{Catalog, Pattern};
use std::process::ExitCode;

pub(crate) fn run(args: &ActionsArgs) -> ExitCode {
    let catalog = Catalog::builtin();
    let pattern = Pattern::action(&args.pattern);
    let found: Vec<_> = catalog.matching(&pattern).collect();
    for a in &found {
        println!("{:<64} {}", a.name, a.level.as_str());
    }
    eprintln!("{} of {} documented actions match ({})", found.len(), catalog.len(), catalog.source);
    if found.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
