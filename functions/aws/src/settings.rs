//! The one way a function reads its settings from the environment. An empty variable counts as unset everywhere;
//! a document is inline TOML in `X`, else the file named in `X_FILE`, else the default (where there is one).

use scalegate_core::backlog::{BacklogConfig, ConfigError};
use scalegate_core::drain::{DrainConfig, DrainConfigError};
use scalegate_core::gate::{GateRules, RulesError};
use scalegate_core::settings::{BACKLOG_CONFIG, BACKLOG_CONFIG_FILE, DUTIES, DUTIES_FILE, GATE_RULES, GATE_RULES_FILE};
use scalegate_iam::{Duties, DutiesError};

/// Why a function cannot start: names the variable and what is wrong with it.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// `X_FILE` names a file that cannot be read.
    #[error("{setting}: cannot read {path}: {error}")]
    Unreadable {
        /// The variable.
        setting: &'static str,
        /// Its value.
        path: String,
        /// The I/O error.
        error: String,
    },
    /// A required setting is unset.
    #[error("{setting} must be set: {why}")]
    Missing {
        /// The variable.
        setting: &'static str,
        /// What it is for.
        why: &'static str,
    },
    /// The gate rules do not parse or validate.
    #[error(transparent)]
    Rules(#[from] RulesError),
    /// The duties do not parse or validate.
    #[error(transparent)]
    Duties(#[from] DutiesError),
    /// The backlog pairs do not parse or validate.
    #[error(transparent)]
    Backlog(#[from] ConfigError),
    /// A drain duration is out of range.
    #[error(transparent)]
    Drain(#[from] DrainConfigError),
}

/// A variable from the process environment; empty or blank counts as unset.
pub fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// A TOML document and where it came from (the variable, or the file's path).
struct Document {
    text: String,
    origin: String,
}

fn document(inline: &'static str, file: &'static str) -> Result<Option<Document>, SettingsError> {
    if let Some(text) = env(inline) {
        return Ok(Some(Document { text, origin: inline.to_string() }));
    }
    let Some(path) = env(file) else { return Ok(None) };
    let text = std::fs::read_to_string(&path).map_err(|e| SettingsError::Unreadable {
        setting: file,
        path: path.clone(),
        error: e.to_string(),
    })?;
    Ok(Some(Document { text, origin: path }))
}

/// Gate rules: `SCALEGATE_GATE_RULES`, else `SCALEGATE_GATE_RULES_FILE`, else the defaults (which equal
/// `policies/gate.toml`).
pub fn gate_rules() -> Result<GateRules, SettingsError> {
    match document(GATE_RULES, GATE_RULES_FILE)? {
        Some(d) => Ok(GateRules::from_toml(&d.text, &d.origin)?),
        None => Ok(GateRules::default()),
    }
}

/// Duties: `SCALEGATE_DUTIES`, else `SCALEGATE_DUTIES_FILE`, else the built-in `policies/duties.toml`.
pub fn duties() -> Result<Duties, SettingsError> {
    match document(DUTIES, DUTIES_FILE)? {
        Some(d) => Ok(Duties::from_toml(&d.text, &d.origin)?),
        None => Ok(Duties::builtin()?),
    }
}

/// Backlog pairs: `SCALEGATE_BACKLOG_CONFIG`, else `SCALEGATE_BACKLOG_CONFIG_FILE`; there is no default pair.
pub fn backlog_config() -> Result<BacklogConfig, SettingsError> {
    match document(BACKLOG_CONFIG, BACKLOG_CONFIG_FILE)? {
        Some(d) => Ok(BacklogConfig::from_toml(&d.text, &d.origin)?),
        None => Err(SettingsError::Missing {
            setting: BACKLOG_CONFIG,
            why: "the (queue, group) pairs as TOML, or SCALEGATE_BACKLOG_CONFIG_FILE naming a file",
        }),
    }
}

/// The drain's durations (`SCALEGATE_DRAIN_BUDGET`, `_FIRST_DELAY`, `_MAX_DELAY`); unset ones keep their defaults.
pub fn drain_config() -> Result<DrainConfig, SettingsError> {
    Ok(DrainConfig::from_settings(env)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    // The process environment is shared by the tests of this binary: only this test touches these variables.
    #[test]
    fn empty_means_unset_and_a_bad_file_names_its_variable() {
        std::env::set_var(GATE_RULES, "  ");
        std::env::set_var(GATE_RULES_FILE, "/nonexistent/gate.toml");
        let e = gate_rules().unwrap_err().to_string();
        assert!(e.starts_with("SCALEGATE_GATE_RULES_FILE: cannot read /nonexistent/gate.toml"), "{e}");
        std::env::set_var(GATE_RULES_FILE, "");
        assert_eq!(gate_rules().unwrap(), GateRules::default(), "empty inline and file: the defaults");
        std::env::set_var(GATE_RULES, "[credentials]\nmax_hop_limit = 0\n");
        assert!(matches!(gate_rules(), Err(SettingsError::Rules(_))));
        std::env::remove_var(GATE_RULES);
        std::env::remove_var(GATE_RULES_FILE);
        std::env::remove_var(BACKLOG_CONFIG);
        std::env::remove_var(BACKLOG_CONFIG_FILE);
        let e = backlog_config().unwrap_err().to_string();
        assert!(e.starts_with("SCALEGATE_BACKLOG_CONFIG must be set"), "{e}");
    }
}
