//! The one way a function reads its settings from the environment. An empty variable counts as unset everywhere;
//! a document is a versioned S3 object named in `X_S3` (re-read while the function runs), else inline TOML in `X`,
//! else the file named in `X_FILE`, else the default (where there is one).

use crate::s3_config_document::S3ConfigDocument;
use scalegate_core::backlog::{BacklogConfig, ConfigError};
use scalegate_core::config::{DocumentLocation, LiveDocument, LocationError, Parse, DEFAULT_MAX_AGE};
use scalegate_core::drain::{DrainConfig, DrainConfigError};
use scalegate_core::duration::parse_duration;
use scalegate_core::gate::{GateRules, RulesError};
use scalegate_core::guard::{GuardConfig, GuardConfigError};
use scalegate_core::headroom::{PlannerConfig, PlannerConfigError};
use scalegate_core::settings::{
    BACKLOG_CONFIG, BACKLOG_CONFIG_FILE, BACKLOG_CONFIG_S3, BACKLOG_TICK_QUEUE_URL, CONFIG_MAX_AGE, DUTIES,
    DUTIES_FILE, DUTIES_S3, GATE_RULES, GATE_RULES_FILE, GATE_RULES_S3, GUARD, GUARD_FILE, SWEEP_DRY_RUN,
    SWEEP_MIN_HEALTHY_PERCENT, WARM_POOL_PLANNER, WARM_POOL_PLANNER_FILE,
};
use scalegate_core::sweep::SweepSettings;
use scalegate_iam::{Duties, DutiesError};
use std::time::Duration;

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
    /// The scaling guard's document does not parse or validate.
    #[error(transparent)]
    Guard(#[from] GuardConfigError),
    /// The warm-pool planner's document does not parse or validate.
    #[error(transparent)]
    Planner(#[from] PlannerConfigError),
    /// A drain duration is out of range.
    #[error(transparent)]
    Drain(#[from] DrainConfigError),
    /// A document is named twice: in S3 and inline or as a file.
    #[error("{setting} and {other} are both set: name the document once")]
    Conflict {
        /// The S3 variable.
        setting: &'static str,
        /// The other variable that is set.
        other: &'static str,
    },
    /// An S3 location does not parse.
    #[error("{setting}: {error}")]
    Location {
        /// The variable.
        setting: &'static str,
        /// What is wrong with it.
        error: LocationError,
    },
    /// A setting has a value the function cannot use.
    #[error("{setting}: {problem}")]
    Invalid {
        /// The variable.
        setting: &'static str,
        /// What is wrong with its value.
        problem: String,
    },
}

/// A configuration document as the functions hold it: fixed at start, or read live from S3.
pub type Document<T> = LiveDocument<T, S3ConfigDocument>;

/// The configuration documents that may live in S3, each with its variables and its validation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentKind {
    /// The launch gate's rules (`policies/gate.toml`).
    GateRules,
    /// The separation-of-duties audit's duties (`policies/duties.toml`).
    Duties,
    /// The backlog function's (queue, group) pairs.
    BacklogPairs,
}

impl DocumentKind {
    /// Every kind.
    pub const ALL: [DocumentKind; 3] = [DocumentKind::GateRules, DocumentKind::Duties, DocumentKind::BacklogPairs];

    /// The short name, as log lines give it (metrics name the document by its s3:// location).
    pub fn name(self) -> &'static str {
        match self {
            DocumentKind::GateRules => "gate-rules",
            DocumentKind::Duties => "duties",
            DocumentKind::BacklogPairs => "backlog-pairs",
        }
    }

    /// `(X_S3, X, X_FILE)`: where a function looks for this document.
    pub fn variables(self) -> (&'static str, &'static str, &'static str) {
        match self {
            DocumentKind::GateRules => (GATE_RULES_S3, GATE_RULES, GATE_RULES_FILE),
            DocumentKind::Duties => (DUTIES_S3, DUTIES, DUTIES_FILE),
            DocumentKind::BacklogPairs => (BACKLOG_CONFIG_S3, BACKLOG_CONFIG, BACKLOG_CONFIG_FILE),
        }
    }

    /// Parses and validates a document of this kind the way its function will; `Ok` says what it holds. Backlog
    /// pairs at 10 s or 30 s resolution are accepted here: whether the function has a tick queue is its own check.
    pub fn validate(self, text: &str, origin: &str) -> Result<String, String> {
        match self {
            DocumentKind::GateRules => GateRules::from_toml(text, origin)
                .map(|r| format!("gate rules, mode {}, version {}", r.mode.as_str(), r.version()))
                .map_err(|e| e.to_string()),
            DocumentKind::Duties => Duties::from_toml(text, origin)
                .map(|d| format!("{} duties over {} classes", d.duties.len(), d.classes.len()))
                .map_err(|e| e.to_string()),
            DocumentKind::BacklogPairs => BacklogConfig::from_toml(text, origin)
                .map(|c| format!("{} backlog pair(s)", c.pairs.len()))
                .map_err(|e| e.to_string()),
        }
    }
}

/// A variable from the process environment; empty or blank counts as unset.
pub fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// A TOML document and where it came from (the variable, or the file's path).
struct InlineOrFile {
    text: String,
    origin: String,
}

fn document(inline: &'static str, file: &'static str) -> Result<Option<InlineOrFile>, SettingsError> {
    if let Some(text) = env(inline) {
        return Ok(Some(InlineOrFile { text, origin: inline.to_string() }));
    }
    let Some(path) = env(file) else { return Ok(None) };
    let text = std::fs::read_to_string(&path).map_err(|e| SettingsError::Unreadable {
        setting: file,
        path: path.clone(),
        error: e.to_string(),
    })?;
    Ok(Some(InlineOrFile { text, origin: path }))
}

/// Gate rules: `SCALEGATE_GATE_RULES`, else `SCALEGATE_GATE_RULES_FILE`, else the defaults (which equal
/// `policies/gate.toml`).
pub fn gate_rules() -> Result<GateRules, SettingsError> {
    Ok(fixed_gate_rules()?.0)
}

fn fixed_gate_rules() -> Result<(GateRules, String), SettingsError> {
    match document(GATE_RULES, GATE_RULES_FILE)? {
        Some(d) => Ok((GateRules::from_toml(&d.text, &d.origin)?, d.origin)),
        None => Ok((GateRules::default(), "the built-in defaults".into())),
    }
}

/// Duties: `SCALEGATE_DUTIES`, else `SCALEGATE_DUTIES_FILE`, else the built-in `policies/duties.toml`.
pub fn duties() -> Result<Duties, SettingsError> {
    Ok(fixed_duties()?.0)
}

fn fixed_duties() -> Result<(Duties, String), SettingsError> {
    match document(DUTIES, DUTIES_FILE)? {
        Some(d) => Ok((Duties::from_toml(&d.text, &d.origin)?, d.origin)),
        None => Ok((Duties::builtin()?, "the built-in duties".into())),
    }
}

/// Backlog pairs: `SCALEGATE_BACKLOG_CONFIG`, else `SCALEGATE_BACKLOG_CONFIG_FILE`; there is no default pair.
pub fn backlog_config() -> Result<BacklogConfig, SettingsError> {
    Ok(fixed_backlog_config()?.0)
}

fn fixed_backlog_config() -> Result<(BacklogConfig, String), SettingsError> {
    match document(BACKLOG_CONFIG, BACKLOG_CONFIG_FILE)? {
        Some(d) => Ok((BacklogConfig::from_toml(&d.text, &d.origin)?, d.origin)),
        None => Err(SettingsError::Missing {
            setting: BACKLOG_CONFIG,
            why: "the (queue, group) pairs: SCALEGATE_BACKLOG_CONFIG_S3 naming an S3 object, inline TOML, or \
                  SCALEGATE_BACKLOG_CONFIG_FILE naming a file",
        }),
    }
}

/// The warm-pool planner's document: `SCALEGATE_WARM_POOL_PLANNER`, else `SCALEGATE_WARM_POOL_PLANNER_FILE`; there
/// is no default (each group's demand metric is its own).
pub fn warm_pool_planner() -> Result<PlannerConfig, SettingsError> {
    match document(WARM_POOL_PLANNER, WARM_POOL_PLANNER_FILE)? {
        Some(d) => Ok(PlannerConfig::from_toml(&d.text, &d.origin)?),
        None => Err(SettingsError::Missing {
            setting: WARM_POOL_PLANNER,
            why: "which metric is each opted-in group's demand: inline TOML, or SCALEGATE_WARM_POOL_PLANNER_FILE \
                  naming a file",
        }),
    }
}

/// The scaling guard's document: `SCALEGATE_GUARD`, else `SCALEGATE_GUARD_FILE`, else the defaults (no automation:
/// every watched change alerts; the scalegate-launch-gate* and scalegate-drain* hooks; every group and template).
pub fn guard_config() -> Result<GuardConfig, SettingsError> {
    match document(GUARD, GUARD_FILE)? {
        Some(d) => Ok(GuardConfig::from_toml(&d.text, &d.origin)?),
        None => Ok(GuardConfig::default()),
    }
}

/// The gate rules the launch gate uses: live from `SCALEGATE_GATE_RULES_S3`, else fixed as [`gate_rules`].
pub fn gate_rules_document(s3: &aws_sdk_s3::Client) -> Result<Document<GateRules>, SettingsError> {
    live_or_fixed(DocumentKind::GateRules, s3, gate_rules_parser(), fixed_gate_rules)
}

/// How the launch gate reads a version of its rules document.
pub fn gate_rules_parser() -> Parse<GateRules> {
    Box::new(|text, origin| GateRules::from_toml(text, origin).map_err(|e| e.to_string()))
}

/// The duties the audit uses: live from `SCALEGATE_DUTIES_S3`, else fixed as [`duties`].
pub fn duties_document(s3: &aws_sdk_s3::Client) -> Result<Document<Duties>, SettingsError> {
    let parse: Parse<Duties> = Box::new(|text, origin| Duties::from_toml(text, origin).map_err(|e| e.to_string()));
    live_or_fixed(DocumentKind::Duties, s3, parse, fixed_duties)
}

/// The backlog pairs: live from `SCALEGATE_BACKLOG_CONFIG_S3`, else fixed as [`backlog_config`]. Pairs at 10 s or
/// 30 s resolution need the tick queue: without one such a version is rejected (and stops a fixed start).
pub fn backlog_document(
    s3: &aws_sdk_s3::Client,
    has_tick_queue: bool,
) -> Result<Document<BacklogConfig>, SettingsError> {
    let parse: Parse<BacklogConfig> = Box::new(move |text, origin| {
        let config = BacklogConfig::from_toml(text, origin).map_err(|e| e.to_string())?;
        check_ticks(&config, has_tick_queue).map_err(|e| e.to_string())?;
        Ok(config)
    });
    live_or_fixed(DocumentKind::BacklogPairs, s3, parse, || {
        let (config, origin) = fixed_backlog_config()?;
        check_ticks(&config, has_tick_queue)?;
        Ok((config, origin))
    })
}

/// Pairs at 10 s or 30 s resolution need `SCALEGATE_BACKLOG_TICK_QUEUE_URL`.
pub fn check_ticks(config: &BacklogConfig, has_tick_queue: bool) -> Result<(), SettingsError> {
    if config.ticks_per_minute() > 1 && !has_tick_queue {
        return Err(SettingsError::Missing {
            setting: BACKLOG_TICK_QUEUE_URL,
            why: "a pair asks for 10 s or 30 s resolution: the function schedules the minute's other runs there",
        });
    }
    Ok(())
}

/// `SCALEGATE_CONFIG_MAX_AGE` (a duration up to 5 minutes), else 2 s.
pub fn config_max_age() -> Result<Duration, SettingsError> {
    let Some(text) = env(CONFIG_MAX_AGE) else { return Ok(DEFAULT_MAX_AGE) };
    let age = parse_duration(&text).map_err(|problem| SettingsError::Invalid { setting: CONFIG_MAX_AGE, problem })?;
    if age > Duration::from_secs(300) {
        return Err(SettingsError::Invalid { setting: CONFIG_MAX_AGE, problem: format!("`{text}` is over 5m") });
    }
    Ok(age)
}

fn live_or_fixed<T>(
    kind: DocumentKind,
    s3: &aws_sdk_s3::Client,
    parse: Parse<T>,
    fixed: impl FnOnce() -> Result<(T, String), SettingsError>,
) -> Result<Document<T>, SettingsError> {
    let (s3_setting, inline, file) = kind.variables();
    let Some(uri) = env(s3_setting) else {
        let (value, origin) = fixed()?;
        return Ok(LiveDocument::fixed(kind.name(), value, &origin));
    };
    if let Some(other) = [inline, file].into_iter().find(|v| env(v).is_some()) {
        return Err(SettingsError::Conflict { setting: s3_setting, other });
    }
    let location =
        DocumentLocation::parse(&uri).map_err(|error| SettingsError::Location { setting: s3_setting, error })?;
    let origin = location.to_string();
    let store = S3ConfigDocument::new(s3.clone(), location);
    Ok(LiveDocument::live(kind.name(), store, &origin, parse, config_max_age()?))
}

/// The drain's durations (`SCALEGATE_DRAIN_BUDGET`, `_FIRST_DELAY`, `_MAX_DELAY`); unset ones keep their defaults.
pub fn drain_config() -> Result<DrainConfig, SettingsError> {
    Ok(DrainConfig::from_settings(env)?)
}

/// The drift sweep's settings: `SCALEGATE_SWEEP_MIN_HEALTHY_PERCENT` (0–100, default 90) and
/// `SCALEGATE_SWEEP_DRY_RUN` (`true`/`false`, default false); returns the settings and whether it is a dry run.
pub fn sweep_settings() -> Result<(SweepSettings, bool), SettingsError> {
    let mut settings = SweepSettings::default();
    if let Some(v) = env(SWEEP_MIN_HEALTHY_PERCENT) {
        settings.min_healthy_percent =
            v.trim().parse().ok().filter(|p| *p <= 100).ok_or_else(|| SettingsError::Invalid {
                setting: SWEEP_MIN_HEALTHY_PERCENT,
                problem: format!("`{v}` is not a whole percentage from 0 to 100"),
            })?;
    }
    let dry_run = match env(SWEEP_DRY_RUN).map(|v| v.trim().to_ascii_lowercase()) {
        None => false,
        Some(v) if v == "true" => true,
        Some(v) if v == "false" => false,
        Some(v) => {
            return Err(SettingsError::Invalid {
                setting: SWEEP_DRY_RUN,
                problem: format!("`{v}` is not true or false"),
            })
        }
    };
    Ok((settings, dry_run))
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

        // Documents in S3: named once, at a location S3 would accept, re-read within a sane max age.
        let s3 = aws_sdk_s3::Client::from_conf(
            aws_sdk_s3::Config::builder()
                .behavior_version_latest()
                .region(aws_sdk_s3::config::Region::new("us-east-1"))
                .build(),
        );
        std::env::set_var(GATE_RULES_S3, "s3://scalegate-x-config-1/gate-rules.toml");
        std::env::set_var(GATE_RULES, "mode = \"enforce\"\n");
        let e = gate_rules_document(&s3).err().unwrap().to_string();
        assert_eq!(e, "SCALEGATE_GATE_RULES_S3 and SCALEGATE_GATE_RULES are both set: name the document once");
        std::env::remove_var(GATE_RULES);
        std::env::set_var(GATE_RULES_S3, "s3://Bad_Bucket/gate-rules.toml");
        let e = gate_rules_document(&s3).err().unwrap().to_string();
        assert!(
            e.starts_with("SCALEGATE_GATE_RULES_S3: \"s3://Bad_Bucket/gate-rules.toml\" is not an S3 location"),
            "{e}"
        );
        std::env::set_var(GATE_RULES_S3, "s3://scalegate-x-config-1/gate-rules.toml");
        std::env::set_var(CONFIG_MAX_AGE, "10m");
        let e = gate_rules_document(&s3).err().unwrap().to_string();
        assert_eq!(e, "SCALEGATE_CONFIG_MAX_AGE: `10m` is over 5m");
        std::env::set_var(CONFIG_MAX_AGE, "500ms");
        assert_eq!(config_max_age().unwrap(), Duration::from_millis(500));
        assert!(gate_rules_document(&s3).is_ok());
        std::env::remove_var(GATE_RULES_S3);
        std::env::remove_var(CONFIG_MAX_AGE);
    }

    #[test]
    fn every_document_kind_validates_what_its_function_reads() {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../policies/");
        let read = |f: &str| std::fs::read_to_string(format!("{root}{f}")).unwrap();
        assert!(DocumentKind::GateRules.validate(&read("gate.toml"), "gate.toml").unwrap().contains("mode enforce"));
        assert!(DocumentKind::Duties.validate(&read("duties.toml"), "duties.toml").unwrap().starts_with("2 duties"));
        let pairs = "[[pair]]\nqueue = \"q\"\ngroup = \"g\"\nlatency = \"10s\"\nseconds_per_message = 0.1\n";
        assert_eq!(DocumentKind::BacklogPairs.validate(pairs, "p.toml").unwrap(), "1 backlog pair(s)");
        for kind in DocumentKind::ALL {
            let e = kind.validate("[[[", "broken.toml").unwrap_err();
            assert!(e.contains("broken.toml"), "{}: {e}", kind.name());
        }
    }
}
