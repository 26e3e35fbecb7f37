//! `scalegate audit`: separation of duties over one input, with witnesses.

use crate::flags::{AuditArgs, AuditFormat};
use anyhow::{Context, Result};
use scalegate::audit::Source;
use scalegate_aws::iam_account_inventory::IamAccountInventory;
use scalegate_aws::sdk::Clients;
use scalegate_iam::Duties;
use std::process::ExitCode;

pub(crate) async fn run(args: &AuditArgs) -> Result<ExitCode> {
    let duties = match &args.duties {
        Some(p) => Duties::from_toml(
            &std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?,
            &p.display().to_string(),
        )?,
        None => Duties::builtin()?,
    };
    let source = args.source();
    let account = match source {
        Source::Live => Some(IamAccountInventory::new(Clients::load(None).await.iam)),
        _ => None,
    };
    let audited = scalegate::audit::load(&source, account.as_ref()).await?;
    for w in &audited.loaded.warnings {
        eprintln!("scalegate: warning: {w}");
    }
    let report = scalegate_iam::audit(&audited.loaded.inventory, &duties);
    match args.format {
        AuditFormat::Json => println!("{}", scalegate::audit::json(&report)),
        AuditFormat::Sarif => println!("{}", scalegate::audit::sarif(&report, &audited)),
        AuditFormat::Text => print!("{}", scalegate::audit::text(&report)),
    }
    Ok(if report.clean() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}
