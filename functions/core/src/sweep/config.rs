//! How a group opts in to the sweep, and the sweep's own settings.

use serde::Serialize;

/// The group tag by which a group opts in: `report`, or `replace` with an optional limit per run (`replace:2`,
/// `replace:10%`; `replace` alone is `replace:10%`).
pub const OPT_IN_TAG: &str = "scalegate:drift-sweep";

/// What the sweep does with a group's drifted members.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "mode", rename_all = "snake_case")]
pub enum SweepMode {
    /// Report them (a log line each, `DriftedInstances`).
    Report,
    /// Report them and mark up to `limit` of them unhealthy per run, so the group replaces them.
    Replace {
        /// At most this many per run.
        limit: ReplaceLimit,
    },
}

/// How many drifted members one run may mark unhealthy in one group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReplaceLimit {
    /// A fixed number.
    Count(u32),
    /// A share of the group's desired capacity, rounded down, at least one.
    Percent(u32),
}

impl ReplaceLimit {
    /// The number this limit allows for a group of `desired` instances.
    pub fn of(self, desired: u32) -> u32 {
        match self {
            ReplaceLimit::Count(n) => n,
            ReplaceLimit::Percent(p) => ((u64::from(desired) * u64::from(p) / 100) as u32).max(1),
        }
    }
}

/// A tag value the sweep cannot read: the group is left alone and the run fails, naming it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "tag {OPT_IN_TAG} = `{value}`: {problem} (write `report`, `replace`, `replace:N` or `replace:N%`); \
     nothing in this group was checked or changed"
)]
pub struct TagError {
    /// The tag's value.
    pub value: String,
    /// What is wrong with it.
    pub problem: String,
}

impl SweepMode {
    /// Reads the opt-in tag's value.
    pub fn parse(value: &str) -> Result<Self, TagError> {
        let bad = |problem: &str| TagError { value: value.into(), problem: problem.into() };
        let v = value.trim();
        match v.to_ascii_lowercase().as_str() {
            "report" => return Ok(SweepMode::Report),
            "replace" => return Ok(SweepMode::Replace { limit: ReplaceLimit::Percent(10) }),
            _ => {}
        }
        let lower = v.to_ascii_lowercase();
        let Some(limit) = lower.strip_prefix("replace:") else {
            return Err(bad("not a mode"));
        };
        let limit = limit.trim();
        let (number, percent) = match limit.strip_suffix('%') {
            Some(n) => (n.trim(), true),
            None => (limit, false),
        };
        let n: u32 = number.parse().map_err(|_| bad("the limit is not a whole number"))?;
        match (percent, n) {
            (_, 0) => Err(bad("a limit of 0 replaces nothing: use `report`")),
            (true, 101..) => Err(bad("a percentage is at most 100")),
            (true, p) => Ok(SweepMode::Replace { limit: ReplaceLimit::Percent(p) }),
            (false, n) => Ok(SweepMode::Replace { limit: ReplaceLimit::Count(n) }),
        }
    }
}

/// The sweep's settings (`SCALEGATE_SWEEP_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SweepSettings {
    /// The share of desired capacity that must stay healthy and in service when a group has no instance maintenance
    /// policy of its own (a group's `MinHealthyPercentage` wins). 90, as instance refresh's default.
    pub min_healthy_percent: u32,
}

impl Default for SweepSettings {
    fn default() -> Self {
        Self { min_healthy_percent: 90 }
    }
}
