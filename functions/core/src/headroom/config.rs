//! The warm-pool planner's document: how each opted-in group's demand is read and what the planner may assume.
//! A group opts in with the tag [`OPT_IN_TAG`] = `MIN-MAX` (the bounds the pool is kept within: its role can put
//! warm pools on tagged groups only); this document says where its demand lives. Validated whole at start.
//!
//! ```toml
//! [defaults]                 # every key of a [[group]] except name, per_instance and metric may be set here
//! history = "14d"            # how far back (under 15 days: CloudWatch keeps 1-minute data 15 days, sub-minute 3 hours)
//! percentile = 0.99          # which of the days' steepest climbs to cover
//! max_missing = 0.05         # the largest share of missing datapoints a plan accepts
//! missing = "hole"           # or "zero", for metrics published only when non-zero (ALB RequestCount)
//! deadband = 0.25            # a pool shrinks only by more than this share of its size (growth is at once)
//! pool_state = "Stopped"     # for a group with no pool yet; an existing pool keeps its state and reuse policy
//! metric_lag = "60s"         # the scaling metric's datapoint delay
//! detection = "180s"         # the alarm's datapoints × period (target tracking: 3 of 3 one-minute datapoints)
//! launch = "243s"            # cold launch → InService, when the group's own launches do not say
//! hook = "0s"                # launch hooks, when `launch` is given (measured launches include them)
//! dry_run = false            # plan and report only
//!
//! [[group]]
//! name = "workers"
//! per_instance = 70          # work per second one instance carries at the scaling policy's target
//! metric = { namespace = "AWS/SQS", name = "NumberOfMessagesSent", dimensions = { QueueName = "jobs" }, statistic = "Sum", period = 60 }
//! ```

use crate::duration::from_toml as duration;
use crate::simulate::PoolState;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::time::Duration;

/// The group tag by which a group opts in; its value is the bounds, `MIN-MAX` warm instances.
pub const OPT_IN_TAG: &str = "scalegate:warm-pool";

/// How long CloudWatch keeps one-minute datapoints: a longer history would read holes.
const LONGEST_HISTORY: Duration = Duration::from_secs(15 * 86_400);

/// The warm instances a group allows the planner to set, from its [`OPT_IN_TAG`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Bounds {
    /// The fewest.
    pub min: u32,
    /// The most.
    pub max: u32,
}

impl Bounds {
    /// Parses a tag value `MIN-MAX` (`0-20`); the error says what was expected.
    pub fn parse(value: &str) -> Result<Self, String> {
        let expected = || format!("tag {OPT_IN_TAG} = `{value}`: expected MIN-MAX warm instances, like `2-20`");
        let (min, max) = value.trim().split_once('-').ok_or_else(expected)?;
        let number = |s: &str| s.trim().parse::<u32>().map_err(|_| expected());
        let bounds = Self { min: number(min)?, max: number(max)? };
        if bounds.min > bounds.max {
            return Err(format!("tag {OPT_IN_TAG} = `{value}`: the minimum is above the maximum"));
        }
        Ok(bounds)
    }
}

/// How a period without a datapoint is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Missing {
    /// A hole: too many of them and no plan is made.
    Hole,
    /// No work: for metrics CloudWatch receives only when they are not zero.
    Zero,
}

/// A CloudWatch metric as `GetMetricData` asks for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricSpec {
    /// `AWS/SQS`, `AWS/ApplicationELB`, a custom namespace.
    pub namespace: String,
    /// The metric's name.
    pub name: String,
    /// Its dimensions, exactly as published.
    #[serde(default)]
    pub dimensions: BTreeMap<String, String>,
    /// `Sum` (a count per period: divided by the period to a rate), `SampleCount` (likewise), or a statistic that
    /// already is a rate (`Average`, `Maximum`, …).
    #[serde(default = "sum")]
    pub statistic: String,
    /// Seconds per datapoint: 60 or a multiple of it (1, 5, 10, 30 for high-resolution metrics).
    #[serde(default = "sixty")]
    pub period: u32,
}

fn sum() -> String {
    "Sum".into()
}

fn sixty() -> u32 {
    60
}

impl MetricSpec {
    /// True when a datapoint counts work over its period rather than giving a rate.
    pub fn is_count(&self) -> bool {
        matches!(self.statistic.as_str(), "Sum" | "SampleCount")
    }
}

/// One group's settings, defaults applied.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupPlanning {
    /// The group's name.
    pub name: String,
    /// Work per second one instance carries at the scaling policy's target.
    pub per_instance: f64,
    /// Where its demand is.
    pub metric: MetricSpec,
    /// How far back.
    pub history: Duration,
    /// Which day's climb to cover.
    pub percentile: f64,
    /// Largest share of holes.
    pub max_missing: f64,
    /// How holes are read.
    pub missing: Missing,
    /// Shrinking threshold.
    pub deadband: f64,
    /// State for a new pool.
    pub pool_state: PoolState,
    /// Metric delay, seconds.
    pub metric_lag: f64,
    /// Alarm detection, seconds.
    pub detection: f64,
    /// Cold launch to InService when not measured, seconds.
    pub launch: f64,
    /// Hooks, seconds, added to a configured launch.
    pub hook: f64,
    /// Report only.
    pub dry_run: bool,
}

/// The whole document.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannerConfig {
    /// Groups, in file order.
    pub groups: Vec<GroupPlanning>,
    /// Groups planned at once.
    pub concurrency: usize,
}

/// An invalid document, naming where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid warm-pool planner document {origin}: {message}")]
pub struct PlannerConfigError {
    /// File path or variable name.
    pub origin: String,
    /// What is wrong, naming the group and key.
    pub message: String,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawFile {
    concurrency: Option<usize>,
    #[serde(default)]
    defaults: RawGroup,
    #[serde(default)]
    group: Vec<RawGroup>,
}

#[derive(Deserialize, Default, Clone)]
#[serde(deny_unknown_fields)]
struct RawGroup {
    name: Option<String>,
    per_instance: Option<f64>,
    metric: Option<MetricSpec>,
    history: Option<toml::Value>,
    percentile: Option<f64>,
    max_missing: Option<f64>,
    missing: Option<Missing>,
    deadband: Option<f64>,
    pool_state: Option<PoolState>,
    metric_lag: Option<toml::Value>,
    detection: Option<toml::Value>,
    launch: Option<toml::Value>,
    hook: Option<toml::Value>,
    dry_run: Option<bool>,
}

impl PlannerConfig {
    /// Parses and validates a document's text.
    pub fn from_toml(text: &str, origin: &str) -> Result<Self, PlannerConfigError> {
        let err = |message: String| PlannerConfigError { origin: origin.to_string(), message };
        let raw: RawFile = toml::from_str(text).map_err(|e| err(crate::json::toml_error(text, &e)))?;
        if raw.defaults.name.is_some() || raw.defaults.per_instance.is_some() || raw.defaults.metric.is_some() {
            return Err(err(
                "[defaults] cannot set `name`, `per_instance` or `metric`: they are each group's own".into()
            ));
        }
        let concurrency = raw.concurrency.unwrap_or(8);
        if !(1..=64).contains(&concurrency) {
            return Err(err(format!("`concurrency` must be between 1 and 64, not {concurrency}")));
        }
        let mut groups: Vec<GroupPlanning> = Vec::with_capacity(raw.group.len());
        for (i, g) in raw.group.iter().enumerate() {
            let label = g.name.as_deref().unwrap_or("?");
            let group = resolve(g, &raw.defaults).map_err(|m| err(format!("group {} ({label}): {m}", i + 1)))?;
            if groups.iter().any(|o| o.name == group.name) {
                return Err(err(format!("group {} ({label}) is named twice", i + 1)));
            }
            groups.push(group);
        }
        Ok(Self { groups, concurrency })
    }

    /// The settings of `group`, if the document names it.
    pub fn group(&self, name: &str) -> Option<&GroupPlanning> {
        self.groups.iter().find(|g| g.name == name)
    }
}

fn seconds(v: Option<&toml::Value>, key: &str, default: f64) -> Result<f64, String> {
    v.map_or(Ok(default), |v| duration(v, key).map(|d| d.as_secs_f64()))
}

fn resolve(g: &RawGroup, d: &RawGroup) -> Result<GroupPlanning, String> {
    let name = g.name.clone().filter(|n| !n.trim().is_empty()).ok_or("`name` is missing")?;
    if name.starts_with("arn:") {
        return Err("`name` is the group's name, not its ARN".into());
    }
    let per_instance = g.per_instance.ok_or("`per_instance` is missing (work per second one instance carries)")?;
    if !(per_instance.is_finite() && per_instance > 0.0) {
        return Err(format!("`per_instance` must be above 0, not {per_instance}"));
    }
    let metric = g.metric.clone().ok_or("`metric` is missing ({ namespace, name, dimensions, statistic, period })")?;
    if metric.namespace.trim().is_empty() || metric.name.trim().is_empty() {
        return Err("`metric` needs a `namespace` and a `name`".into());
    }
    if !([1, 5, 10, 30].contains(&metric.period) || (metric.period >= 60 && metric.period % 60 == 0)) {
        return Err(format!("`metric.period` must be 1, 5, 10, 30 or a multiple of 60, not {}", metric.period));
    }
    if metric.dimensions.len() > 30 {
        return Err("`metric.dimensions`: CloudWatch allows at most 30".into());
    }
    let history = match g.history.as_ref().or(d.history.as_ref()) {
        Some(v) => duration(v, "history")?,
        None => Duration::from_secs(14 * 86_400),
    };
    // The window starts one period before `history` (whole periods only); sub-minute data is kept three hours.
    let longest = if metric.period < 60 { Duration::from_secs(3 * 3600) } else { LONGEST_HISTORY };
    if history + Duration::from_secs(u64::from(metric.period)) > longest || history < Duration::from_secs(3600) {
        return Err(format!(
            "`history` must be between 1h and {} less one period (CloudWatch keeps {}-second data that long), not {history:?}",
            if metric.period < 60 { "3h" } else { "15d" },
            metric.period
        ));
    }
    let fraction = |v: Option<f64>, key: &str, default: f64| {
        let v = v.unwrap_or(default);
        if (0.0..=1.0).contains(&v) {
            Ok(v)
        } else {
            Err(format!("`{key}` must be between 0 and 1, not {v}"))
        }
    };
    let launch_given = g.launch.as_ref().or(d.launch.as_ref());
    Ok(GroupPlanning {
        name,
        per_instance,
        metric,
        history,
        percentile: fraction(g.percentile.or(d.percentile), "percentile", 0.99)?,
        max_missing: fraction(g.max_missing.or(d.max_missing), "max_missing", 0.05)?,
        missing: g.missing.or(d.missing).unwrap_or(Missing::Hole),
        deadband: fraction(g.deadband.or(d.deadband), "deadband", 0.25)?,
        pool_state: g.pool_state.or(d.pool_state).unwrap_or(PoolState::Stopped),
        metric_lag: seconds(g.metric_lag.as_ref().or(d.metric_lag.as_ref()), "metric_lag", 60.0)?,
        detection: seconds(g.detection.as_ref().or(d.detection.as_ref()), "detection", 180.0)?,
        launch: seconds(launch_given, "launch", DEFAULT_COLD_LAUNCH)?,
        hook: seconds(g.hook.as_ref().or(d.hook.as_ref()), "hook", 0.0)?,
        dry_run: g.dry_run.or(d.dry_run).unwrap_or(false),
    })
}

/// Cold launch to InService when nothing better is known: AWS's warm-pool sample measured 243 s.
pub const DEFAULT_COLD_LAUNCH: f64 = 243.0;

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = r#"
[defaults]
deadband = 0.2
launch = "4m"

[[group]]
name = "workers"
per_instance = 70
metric = { namespace = "AWS/SQS", name = "NumberOfMessagesSent", dimensions = { QueueName = "jobs" } }

[[group]]
name = "web"
per_instance = 100
missing = "zero"
history = "7d"
metric = { namespace = "AWS/ApplicationELB", name = "RequestCount", dimensions = { LoadBalancer = "app/web/1" }, statistic = "Sum", period = 60 }
"#;

    #[test]
    fn defaults_apply_and_groups_keep_their_own() {
        let c = PlannerConfig::from_toml(DOC, "doc").unwrap();
        let w = c.group("workers").unwrap();
        assert_eq!((w.deadband, w.launch, w.missing, w.history.as_secs()), (0.2, 240.0, Missing::Hole, 14 * 86_400));
        assert!(w.metric.is_count() && w.metric.period == 60);
        let web = c.group("web").unwrap();
        assert_eq!(
            (web.missing, web.history.as_secs(), web.pool_state),
            (Missing::Zero, 7 * 86_400, PoolState::Stopped)
        );
        assert!(c.group("nobody").is_none());
    }

    #[test]
    fn mistakes_name_the_group_and_key() {
        let bad = |text: &str| PlannerConfig::from_toml(text, "doc").unwrap_err().to_string();
        let metric = r#"metric = { namespace = "N", name = "M" }"#;
        assert!(bad(&format!("[[group]]\nname = \"a\"\n{metric}")).contains("group 1 (a): `per_instance` is missing"));
        assert!(bad(&format!("[[group]]\nname = \"a\"\nper_instance = 1\nhistory = \"30d\"\n{metric}"))
            .contains("between 1h and 15d less one period"));
        let fast = "[[group]]\nname = \"a\"\nper_instance = 1\nhistory = \"6h\"\nmetric = { namespace = \"N\", name = \"M\", period = 10 }";
        assert!(bad(fast).contains("between 1h and 3h less one period"), "{}", bad(fast));
        assert!(bad(&format!("[[group]]\nname = \"a\"\nper_instance = 1\npercentile = 99\n{metric}"))
            .contains("`percentile` must be between 0 and 1"));
        assert!(bad(
            "[[group]]\nname = \"a\"\nper_instance = 1\nmetric = { namespace = \"N\", name = \"M\", period = 45 }"
        )
        .contains("metric.period"));
        assert!(bad(&format!("[[group]]\nname = \"a\"\nper_instance = 1\npool_state = \"Warm\"\n{metric}"))
            .contains("pool_state"));
        assert!(bad(&format!("[[group]]\nname = \"a\"\nper_instance = 1\nwarmth = 3\n{metric}")).contains("warmth"));
        assert!(bad("[defaults]\nper_instance = 3").contains("each group's own"));
        let twice = format!("[[group]]\nname = \"a\"\nper_instance = 1\n{metric}\n");
        assert!(bad(&twice.repeat(2)).contains("named twice"));
    }

    #[test]
    fn bounds_come_from_the_tag_value() {
        assert_eq!(Bounds::parse("2-20").unwrap(), Bounds { min: 2, max: 20 });
        assert_eq!(Bounds::parse(" 0 - 5 ").unwrap(), Bounds { min: 0, max: 5 });
        for bad in ["", "true", "20", "5-2", "-3", "a-b", "1-2-3"] {
            assert!(Bounds::parse(bad).is_err(), "{bad}");
        }
    }
}
