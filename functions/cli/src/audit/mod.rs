//! `scalegate audit`: where roles come from (a policies directory, authorization details, a Terraform plan, a
//! CloudFormation template, the live account) and how the report is printed (text, JSON, SARIF 2.1.0).

mod render;

pub use render::{json, sarif, text};

use scalegate_aws::iam_account_inventory::IamAccountInventory;
use scalegate_iam::sod_audit::AccountInventory;
use scalegate_iam::{AttachedPolicy, Loaded, Principal, SourceError};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One input to audit.
#[derive(Debug, Clone)]
pub enum Source {
    /// `DIR/roles/<role>.json` (or `DIR/<role>.json`), with an optional `<role>.trust.json` beside each.
    Directory(PathBuf),
    /// `aws iam get-account-authorization-details` output.
    AuthorizationDetails(PathBuf),
    /// `terraform show -json PLANFILE` output.
    TerraformPlan(PathBuf),
    /// A CloudFormation or CDK-synthesized template (JSON).
    CloudFormation(PathBuf),
    /// The account the SDK's configuration points at.
    Live,
}

/// The roles to audit, and the file each came from (for SARIF locations).
#[derive(Debug, Clone)]
pub struct Audited {
    /// The roles and the warnings from reading them.
    pub loaded: Loaded,
    /// Role name → the file that defines it (absent for the live account).
    pub locations: BTreeMap<String, String>,
}

/// Why the input could not be audited.
#[derive(Debug, thiserror::Error)]
pub enum AuditInputError {
    /// A file or directory could not be read.
    #[error("reading {path}: {error}")]
    Io {
        /// The file or directory as the user named it.
        path: String,
        /// Why reading it failed.
        error: std::io::Error,
    },
    /// A file is not JSON.
    #[error("{path}: not valid JSON: {error}")]
    Json {
        /// The file as the user named it.
        path: String,
        /// The parser's message.
        error: serde_json::Error,
    },
    /// The input's content is wrong.
    #[error("{path}: {error}")]
    Source {
        /// The file as the user named it.
        path: String,
        /// What is wrong.
        error: Box<SourceError>,
    },
    /// A role policy file in a directory is invalid.
    #[error("{path}: {error}")]
    Policy {
        /// The policy file at fault.
        path: String,
        /// What is wrong.
        error: Box<scalegate_iam::PolicyError>,
    },
    /// A directory holds no role policies.
    #[error("no role policies (*.json) in {0}")]
    Empty(String),
    /// The live account could not be read.
    #[error("reading the live account: {0}")]
    Live(String),
}

/// Reads `source`. `Live` needs an IAM client.
pub async fn load(source: &Source, account: Option<&IamAccountInventory>) -> Result<Audited, AuditInputError> {
    let from_file = |path: &Path,
                     parse: fn(&Value) -> Result<Loaded, SourceError>|
     -> Result<Audited, AuditInputError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|error| AuditInputError::Io { path: shown.clone(), error })?;
        let value: Value =
            serde_json::from_str(&text).map_err(|error| AuditInputError::Json { path: shown.clone(), error })?;
        let loaded =
            parse(&value).map_err(|error| AuditInputError::Source { path: shown.clone(), error: Box::new(error) })?;
        let locations = loaded.inventory.principals.iter().map(|r| (r.name.clone(), shown.clone())).collect();
        Ok(Audited { loaded, locations })
    };
    match source {
        Source::Directory(dir) => policies_directory(dir),
        Source::AuthorizationDetails(p) => from_file(p, scalegate_iam::authorization_details),
        Source::TerraformPlan(p) => from_file(p, scalegate_iam::terraform_plan),
        Source::CloudFormation(p) => from_file(p, scalegate_iam::cloudformation),
        Source::Live => {
            let account = account.ok_or_else(|| AuditInputError::Live("no IAM client".into()))?;
            let loaded = account.read().await.map_err(|e| AuditInputError::Live(e.to_string()))?;
            Ok(Audited { loaded, locations: BTreeMap::new() })
        }
    }
}

/// The project's layout: one identity policy per role, named after the role; `<role>.trust.json` is its trust
/// policy when present (otherwise unknown: anyone may assume it). The directory is not the whole account.
pub fn policies_directory(dir: &Path) -> Result<Audited, AuditInputError> {
    let io = |path: &Path| {
        let path = path.display().to_string();
        move |error| AuditInputError::Io { path, error }
    };
    let roles_dir = if dir.join("roles").is_dir() { dir.join("roles") } else { dir.to_path_buf() };
    let mut files: Vec<PathBuf> = std::fs::read_dir(&roles_dir)
        .map_err(io(&roles_dir))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json") && !p.to_string_lossy().ends_with(".trust.json"))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(AuditInputError::Empty(roles_dir.display().to_string()));
    }
    let parse = |path: &Path| -> Result<scalegate_iam::PolicyDocument, AuditInputError> {
        let text = std::fs::read_to_string(path).map_err(io(path))?;
        scalegate_iam::parse_policy(&text)
            .map_err(|error| AuditInputError::Policy { path: path.display().to_string(), error: Box::new(error) })
    };
    let mut audited = Audited { loaded: Loaded::default(), locations: BTreeMap::new() };
    for file in files {
        let name = file.file_stem().unwrap_or_default().to_string_lossy().to_string();
        let trust_file = file.with_extension("trust.json");
        let trust = if trust_file.is_file() { Some(parse(&trust_file)?) } else { None };
        audited.loaded.inventory.principals.push(Principal {
            arn: format!("arn:aws:iam::000000000000:role/{name}"),
            identity: vec![AttachedPolicy { name: file.display().to_string(), document: parse(&file)? }],
            trust,
            name: name.clone(),
            ..Default::default()
        });
        audited.locations.insert(name, file.display().to_string());
    }
    Ok(audited)
}
