//! `scalegate config`: the configuration documents the functions read from S3 — check one offline, push a new
//! version, list the versions, roll back. The same validation the functions run decides what may be written.

use super::read_input;
use crate::flags::{ConfigAction, ConfigArgs};
use anyhow::{anyhow, Result};
use scalegate_aws::s3_config_document::S3ConfigDocument;
use scalegate_aws::sdk::Clients;
use scalegate_aws::settings::DocumentKind;
use scalegate_core::config::{push, rollback, ConfigStore, DocumentLocation};
use std::process::ExitCode;

pub(crate) async fn run(args: &ConfigArgs) -> Result<ExitCode> {
    match &args.action {
        ConfigAction::Check { kind, file } => {
            let kind = DocumentKind::from(*kind);
            let text = read_input(file)?;
            let holds = kind.validate(&text, &file.display().to_string()).map_err(|e| anyhow!(e))?;
            println!("valid {}: {holds}", kind.name());
        }
        ConfigAction::Push { kind, to, file } => {
            let kind = DocumentKind::from(*kind);
            let text = read_input(file)?;
            let document = document(to).await?;
            let origin = file.display().to_string();
            let pushed = push(&document, &text, &origin, |t, o| kind.validate(t, o).map(|_| ())).await?;
            let replaced = pushed.replaced.map(|v| format!(" (was {v})")).unwrap_or_default();
            println!("pushed {} version {}{replaced}", document.location(), pushed.version_id);
            if pushed.version_id.starts_with("etag:") {
                eprintln!("scalegate: warning: the bucket keeps no versions: enable versioning to roll back");
            }
        }
        ConfigAction::History { location } => {
            let document = document(location).await?;
            let versions = document.versions().await?;
            if versions.is_empty() {
                return Err(anyhow!("{}: no versions (nothing pushed yet?)", document.location()));
            }
            println!("{:<8} {:<34} {:<26} {:>8}  etag", "", "version", "written", "bytes");
            for v in versions {
                let written = v.written_at.map(|t| t.to_rfc3339()).unwrap_or_default();
                let current = if v.is_current { "current" } else { "" };
                let etag = if v.deleted { "(deleted)" } else { v.etag.trim_matches('"') };
                println!("{current:<8} {:<34} {written:<26} {:>8}  {etag}", v.version_id, v.size);
            }
        }
        ConfigAction::Rollback { kind, location, to } => {
            let kind = DocumentKind::from(*kind);
            let document = document(location).await?;
            let restored = rollback(&document, to.as_deref(), |t, o| kind.validate(t, o).map(|_| ())).await?;
            println!(
                "rolled back {} to version {}: new current version {}{}",
                document.location(),
                restored.restored_from.unwrap_or_default(),
                restored.version_id,
                restored.replaced.map(|v| format!(" (was {v})")).unwrap_or_default()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn document(location: &str) -> Result<S3ConfigDocument> {
    let location = DocumentLocation::parse(location)?;
    Ok(S3ConfigDocument::new(Clients::load(None).await.s3, location))
}
