//! Whether a classified call is an alert: a watched change made by a principal outside the automation set, on a
//! watched group, hook or template. Auto Scaling's own actions never are.

use super::classify::{Call, Change};
use crate::wildcard::{Case, Pattern};
use serde::{Deserialize, Serialize};

/// Who may change the scaling control plane, and what is watched. Patterns take `*` and `?`.
///
/// ```toml
/// automation = ["arn:aws:iam::123456789012:role/scalegate-*", "arn:aws:iam::123456789012:role/deploy-pipeline"]
/// hooks = ["scalegate-launch-gate*", "scalegate-drain*"]     # the hooks a change of which is an alert
/// gate_hooks = ["scalegate-launch-gate*"]                      # launch gate hooks: default CONTINUE weakens them
/// groups = ["*"]
/// templates = ["*"]                                            # launch template ids or names
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct GuardConfig {
    automation: Vec<Pattern>,
    hooks: Vec<Pattern>,
    gate_hooks: Vec<Pattern>,
    groups: Vec<Pattern>,
    templates: Vec<Pattern>,
    restore: Option<HookSpec>,
}

/// The gate hook as the restore mode re-creates it (`[restore]`): a launch hook, exactly so.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HookSpec {
    /// LifecycleHookName; one of the gate hooks.
    pub hook: String,
    /// HeartbeatTimeout in seconds (30–7200, as AWS allows).
    pub heartbeat_timeout: u32,
    /// DefaultResult: ABANDON (a gate that is silent keeps instances out).
    pub default_result: String,
}

impl HookSpec {
    /// True when a PutLifecycleHook puts this hook exactly as specified (the restore's own call, or one as good).
    fn put_exactly(&self, change: &Change) -> bool {
        matches!(change, Change::HookChanged { hook, default_result: Some(d), heartbeat: Some(h) }
            if *hook == self.hook && d.eq_ignore_ascii_case(&self.default_result)
                && h.trim().parse::<u32>().ok() == Some(self.heartbeat_timeout))
    }
}

/// An invalid guard document.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid guard document {origin}: {message}")]
pub struct GuardConfigError {
    /// File path or variable name.
    pub origin: String,
    /// What is wrong.
    pub message: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    #[serde(default)]
    automation: Vec<String>,
    hooks: Option<Vec<String>>,
    gate_hooks: Option<Vec<String>>,
    groups: Option<Vec<String>>,
    templates: Option<Vec<String>>,
    restore: Option<RawRestore>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRestore {
    hook: String,
    heartbeat_timeout: Option<u32>,
    default_result: Option<String>,
}

fn patterns(texts: &[String]) -> Vec<Pattern> {
    texts.iter().map(|t| Pattern::new(t, Case::Sensitive)).collect()
}

fn any(patterns: &[Pattern], s: &str) -> bool {
    patterns.iter().any(|p| p.matches(s))
}

impl Default for GuardConfig {
    fn default() -> Self {
        Self::from_toml("", "the defaults").unwrap_or_else(|_| Self {
            automation: Vec::new(),
            hooks: Vec::new(),
            gate_hooks: Vec::new(),
            groups: Vec::new(),
            templates: Vec::new(),
            restore: None,
        })
    }
}

impl GuardConfig {
    /// Parses and validates a document.
    pub fn from_toml(text: &str, origin: &str) -> Result<Self, GuardConfigError> {
        let err = |message: String| GuardConfigError { origin: origin.to_string(), message };
        let raw: Raw = toml::from_str(text).map_err(|e| err(crate::json::toml_error(text, &e)))?;
        for arn in &raw.automation {
            if !arn.starts_with("arn:") {
                return Err(err(format!("automation `{arn}` is not an ARN pattern (arn:aws:iam::ACCOUNT:role/NAME)")));
            }
            if arn.contains(":assumed-role/") {
                return Err(err(format!(
                    "automation `{arn}` names a session; name the role (arn:…:role/NAME): a session's issuer is judged"
                )));
            }
        }
        let list = |v: Option<Vec<String>>, default: &[&str]| {
            v.unwrap_or_else(|| default.iter().map(|s| s.to_string()).collect())
        };
        let gate_hooks = patterns(&list(raw.gate_hooks, &["scalegate-launch-gate*"]));
        let restore = match raw.restore {
            None => None,
            Some(r) => {
                if !any(&gate_hooks, &r.hook) {
                    return Err(err(format!(
                        "restore.hook `{}` is not a gate hook (gate_hooks): the restore mode re-creates the launch gate's hook only",
                        r.hook
                    )));
                }
                let heartbeat_timeout = r.heartbeat_timeout.unwrap_or(300);
                if !(30..=7200).contains(&heartbeat_timeout) {
                    return Err(err(format!(
                        "restore.heartbeat_timeout {heartbeat_timeout} is outside AWS's 30–7200 seconds"
                    )));
                }
                let default_result = r.default_result.unwrap_or_else(|| "ABANDON".into());
                if !default_result.eq_ignore_ascii_case("ABANDON") {
                    return Err(err(format!(
                        "restore.default_result `{default_result}`: a gate hook is restored with ABANDON only (CONTINUE lets instances in when the gate is silent)"
                    )));
                }
                Some(HookSpec { hook: r.hook, heartbeat_timeout, default_result: "ABANDON".into() })
            }
        };
        Ok(Self {
            automation: patterns(&raw.automation),
            hooks: patterns(&list(raw.hooks, &["scalegate-launch-gate*", "scalegate-drain*"])),
            gate_hooks,
            groups: patterns(&list(raw.groups, &["*"])),
            templates: patterns(&list(raw.templates, &["*"])),
            restore,
        })
    }

    /// The gate hook the restore mode re-creates, when the document has `[restore]`.
    pub fn restore(&self) -> Option<&HookSpec> {
        self.restore.as_ref()
    }

    /// The automation pattern `arn` matches, if any.
    fn automation_for(&self, arn: &str) -> Option<&Pattern> {
        self.automation.iter().find(|p| p.matches(arn))
    }
}

/// What the guard makes of a call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Verdict {
    /// Watched changes by someone outside the automation set.
    Alert {
        /// The changes that alert.
        changes: Vec<Change>,
    },
    /// Made by Auto Scaling or by the automation set.
    Trusted {
        /// By whom, in words.
        why: String,
    },
    /// Nothing the guard watches.
    NotWatched {
        /// Why, in words.
        why: String,
    },
}

/// Judges a call.
pub fn judge(call: &Call, config: &GuardConfig) -> Verdict {
    if call.changes.is_empty() {
        return Verdict::NotWatched { why: format!("{} changes nothing the guard watches", call.event) };
    }
    if let Some(group) = &call.group {
        if !any(&config.groups, group) {
            return Verdict::NotWatched { why: format!("group {group} is not watched") };
        }
    }
    let watched: Vec<Change> = call
        .changes
        .iter()
        .filter(|c| c.hook().is_none_or(|h| any(&config.hooks, h)))
        .filter(|c| c.template().is_none_or(|t| any(&config.templates, t)))
        .cloned()
        .collect();
    if watched.is_empty() {
        return Verdict::NotWatched { why: "its hook or template is not watched".into() };
    }
    if call.principal.is_aws_service() {
        return Verdict::Trusted { why: "an AWS service for itself (Auto Scaling, or a service-linked role)".into() };
    }
    // A worker releasing its own work lease removes its own protection, with its instance profile's credentials.
    if let (Some(me), [Change::ProtectionRemoved { instances }]) = (call.principal.instance(), watched.as_slice()) {
        if instances.len() == 1 && instances[0] == me {
            return Verdict::Trusted { why: format!("{me} released its own scale-in protection (a work lease)") };
        }
    }
    if let Some(p) = config.automation_for(&call.principal.arn) {
        return Verdict::Trusted { why: format!("{} is automation ({})", call.principal.arn, p.as_str()) };
    }
    // The gate hook put back exactly as the restore mode puts it weakens nothing (the guard's own restore is one).
    let watched: Vec<Change> =
        watched.into_iter().filter(|c| !config.restore.as_ref().is_some_and(|r| r.put_exactly(c))).collect();
    if watched.is_empty() {
        return Verdict::Trusted { why: "it puts the gate hook exactly as the guard's [restore] specifies".into() };
    }
    Verdict::Alert { changes: watched }
}

/// True when a launch gate hook is put with default CONTINUE: a silent gate then lets instances in.
pub fn weakens_gate(change: &Change, config: &GuardConfig) -> bool {
    matches!(change, Change::HookChanged { hook, default_result: Some(d), .. }
        if d.eq_ignore_ascii_case("CONTINUE") && any(&config.gate_hooks, hook))
}
