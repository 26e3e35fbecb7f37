//! How long a drain may last and how often it looks again.

use crate::duration::parse_duration;
use crate::settings;
use std::time::Duration;

/// SQS delays a message at most this long (`DelaySeconds` ≤ 900).
pub const MAX_SQS_DELAY: Duration = Duration::from_secs(900);
/// Auto Scaling holds a lifecycle action at most 48 hours.
const MAX_BUDGET: Duration = Duration::from_secs(48 * 3600);

/// The drain's settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DrainConfig {
    /// How long a leased instance may hold up its termination, from when the drain first saw it. The hook's own
    /// global timeout bounds it further (see [`budget`](super::budget)).
    pub budget: Duration,
    /// The first re-check's delay; each later one doubles, up to `max_delay`.
    pub first_delay: Duration,
    /// The longest re-check delay (at most 900 s, SQS's limit).
    pub max_delay: Duration,
}

impl Default for DrainConfig {
    fn default() -> Self {
        Self {
            budget: Duration::from_secs(3600),
            first_delay: Duration::from_secs(15),
            max_delay: Duration::from_secs(300),
        }
    }
}

/// A setting that is out of range or unreadable; names the setting.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{setting}: {problem}")]
pub struct DrainConfigError {
    /// The environment variable (or flag) at fault.
    pub setting: &'static str,
    /// What is wrong with it.
    pub problem: String,
}

impl DrainConfig {
    /// Validates: budget 1 s to 48 h; delays 1 s to 900 s, first ≤ max.
    pub fn new(budget: Duration, first_delay: Duration, max_delay: Duration) -> Result<Self, DrainConfigError> {
        let err = |setting, problem: String| Err(DrainConfigError { setting, problem });
        if budget < Duration::from_secs(1) || budget > MAX_BUDGET {
            return err(
                settings::DRAIN_BUDGET,
                format!("{budget:?} is out of range (1s to 48h: Auto Scaling holds an action at most 48 h)"),
            );
        }
        if first_delay < Duration::from_secs(1) || first_delay > MAX_SQS_DELAY {
            return err(
                settings::DRAIN_FIRST_DELAY,
                format!("{first_delay:?} is out of range (1s to 900s, SQS's longest delay)"),
            );
        }
        if max_delay < first_delay || max_delay > MAX_SQS_DELAY {
            return err(
                settings::DRAIN_MAX_DELAY,
                format!("{max_delay:?} must be between the first delay ({first_delay:?}) and 900s"),
            );
        }
        Ok(Self { budget, first_delay, max_delay })
    }

    /// Reads `SCALEGATE_DRAIN_BUDGET`, `SCALEGATE_DRAIN_FIRST_DELAY` and `SCALEGATE_DRAIN_MAX_DELAY` through `get`
    /// (the environment, in a function); an unset one keeps its default (1h, 15s, 5m).
    pub fn from_settings(get: impl Fn(&str) -> Option<String>) -> Result<Self, DrainConfigError> {
        let d = Self::default();
        let read = |setting: &'static str, default: Duration| -> Result<Duration, DrainConfigError> {
            match get(setting) {
                None => Ok(default),
                Some(text) => parse_duration(&text).map_err(|problem| DrainConfigError { setting, problem }),
            }
        };
        Self::new(
            read(settings::DRAIN_BUDGET, d.budget)?,
            read(settings::DRAIN_FIRST_DELAY, d.first_delay)?,
            read(settings::DRAIN_MAX_DELAY, d.max_delay)?,
        )
    }
}

/// A terminate hook's timeouts, from `DescribeLifecycleHooks`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HookTimeouts {
    /// `HeartbeatTimeout`: how long the hook waits without a heartbeat.
    pub heartbeat: Duration,
    /// `GlobalTimeout`: the longest the action can be held, heartbeats or not (min(48 h, 100 × heartbeat)).
    pub global: Duration,
}

impl HookTimeouts {
    /// What to assume when the hook cannot be described: AWS's shortest heartbeat timeout (30 s) and the global
    /// timeout that goes with it, so the drain neither lets the hook time out nor plans past its end.
    pub const SHORTEST: HookTimeouts =
        HookTimeouts { heartbeat: Duration::from_secs(30), global: Duration::from_secs(3000) };
}
