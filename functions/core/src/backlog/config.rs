//! The backlog function's configuration: a list of (queue, group) pairs with the figures each needs. Read from
//! TOML (a file, or the environment), validated whole at start so a mistake is found before the first run.
//!
//! ```toml
//! publish = "emf"              # or "put-metric-data"
//! concurrency = 16             # queue lookups in flight at once
//!
//! [defaults]                   # every key of a [[pair]] except queue and group may be set here
//! count_in_flight = true       # received-but-not-deleted messages are still work
//! count_delayed = false
//! namespace = "scalegate"
//! resolution = 60              # 60, or 10 / 30 for high-resolution metrics
//! instance_warmup = "0s"       # used when the group sets no DefaultInstanceWarmup
//!
//! [[pair]]
//! queue = "jobs"               # name or URL (a URL saves a GetQueueUrl call at cold start)
//! group = "workers"
//! latency = "10s"              # acceptable time for a message to wait
//! seconds_per_message = 0.1    # or "measure", with fallback_seconds_per_message
//!
//! [unexplained]                # capacity with no backlog behind it (on unless enabled = false)
//! tolerance = 0.25             # up to 25 % above what the backlog asks for is explained
//! dead_time = "10m"            # how long a rise may stand before the backlog must be behind it
//! callers = true              # name who made a flagged rise, from CloudTrail's event history (LookupEvents)
//! ```

use super::unexplained::UnexplainedSettings;
use crate::duration::from_toml as duration;
use serde::Deserialize;
use std::time::Duration;

/// How metrics leave the function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Publish {
    /// Embedded Metric Format lines on stdout (CloudWatch Logs turns them into metrics; no API call).
    Emf,
    /// `PutMetricData`, batched.
    PutMetricData,
}

/// Seconds one instance spends on one message.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PerMessage {
    /// As configured.
    Fixed(f64),
    /// Estimated each run from the queue's deleted-message rate; the fallback when there is no evidence.
    Measure {
        /// Used when nothing was deleted lately.
        fallback: f64,
    },
}

impl PerMessage {
    /// The configured value, or the fallback.
    pub fn configured(self) -> f64 {
        match self {
            Self::Fixed(s) | Self::Measure { fallback: s } => s,
        }
    }
}

/// One (queue, group) pair, defaults applied.
#[derive(Debug, Clone, PartialEq)]
pub struct Pair {
    /// Queue name or URL.
    pub queue: String,
    /// Auto Scaling group name.
    pub group: String,
    /// Acceptable latency.
    pub latency: Duration,
    /// How long one instance spends on one message: fixed, or measured from the queue.
    pub seconds_per_message: PerMessage,
    /// Count `ApproximateNumberOfMessagesNotVisible`.
    pub count_in_flight: bool,
    /// Count `ApproximateNumberOfMessagesDelayed`.
    pub count_delayed: bool,
    /// Metric namespace.
    pub namespace: String,
    /// Metric resolution in seconds: 60, or 10 / 30 (high resolution).
    pub resolution: u32,
    /// Warmup when the group sets none.
    pub instance_warmup: Duration,
}

impl Pair {
    /// The queue's name (the last path segment of a URL).
    pub fn queue_name(&self) -> &str {
        self.queue.rsplit('/').next().unwrap_or(&self.queue)
    }
}

/// The whole configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct BacklogConfig {
    /// Pairs, in file order.
    pub pairs: Vec<Pair>,
    /// How metrics are published.
    pub publish: Publish,
    /// Queue lookups in flight at once.
    pub concurrency: usize,
    /// When a group's capacity stands unexplained by its backlog; `None`: not checked.
    pub unexplained: Option<UnexplainedSettings>,
}

/// An invalid configuration, naming where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid backlog config {origin}: {message}")]
pub struct ConfigError {
    /// File path or variable name.
    pub origin: String,
    /// What is wrong, naming the pair and key.
    pub message: String,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawFile {
    publish: Option<String>,
    concurrency: Option<usize>,
    #[serde(default)]
    defaults: RawPair,
    #[serde(default)]
    pair: Vec<RawPair>,
    unexplained: Option<RawUnexplained>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawUnexplained {
    enabled: Option<bool>,
    tolerance: Option<f64>,
    dead_time: Option<toml::Value>,
    callers: Option<bool>,
}

fn unexplained(raw: Option<&RawUnexplained>) -> Result<Option<UnexplainedSettings>, String> {
    let raw = match raw {
        Some(r) if r.enabled == Some(false) => return Ok(None),
        Some(r) => r,
        None => return Ok(Some(UnexplainedSettings::default())),
    };
    let mut settings = UnexplainedSettings::default();
    if let Some(t) = raw.tolerance {
        if !(t.is_finite() && (0.0..=10.0).contains(&t)) {
            return Err(format!("[unexplained] `tolerance` must be a share from 0 to 10 (0.25 = 25 %), not {t}"));
        }
        settings.tolerance = t;
    }
    if let Some(v) = &raw.dead_time {
        settings.dead_time = duration(v, "dead_time").map_err(|e| format!("[unexplained] {e}"))?;
    }
    settings.callers = raw.callers.unwrap_or(settings.callers);
    Ok(Some(settings))
}

#[derive(Deserialize, Default, Clone)]
#[serde(deny_unknown_fields)]
struct RawPair {
    queue: Option<String>,
    group: Option<String>,
    latency: Option<toml::Value>,
    seconds_per_message: Option<toml::Value>,
    fallback_seconds_per_message: Option<f64>,
    count_in_flight: Option<bool>,
    count_delayed: Option<bool>,
    namespace: Option<String>,
    resolution: Option<u32>,
    instance_warmup: Option<toml::Value>,
}

impl BacklogConfig {
    /// How many computations a minute the finest resolution configured asks for: 60 ÷ that resolution.
    pub fn ticks_per_minute(&self) -> u32 {
        60 / self.pairs.iter().map(|p| p.resolution).min().unwrap_or(60).max(10)
    }

    /// When, after the minute's scheduled computation, the others are due: none at 60 s resolution; at 10 s,
    /// 10, 20, …, 50 s later. Each becomes a delayed message on the function's tick queue, so the function runs (and
    /// bills) only for the work, never waiting inside an invocation.
    pub fn tick_delays(&self) -> Vec<Duration> {
        let ticks = self.ticks_per_minute();
        let every = 60 / u64::from(ticks);
        (1..u64::from(ticks)).map(|k| Duration::from_secs(every * k)).collect()
    }
    /// Parses and validates a configuration file's text.
    pub fn from_toml(text: &str, origin: &str) -> Result<Self, ConfigError> {
        let err = |message: String| ConfigError { origin: origin.to_string(), message };
        let raw: RawFile = toml::from_str(text).map_err(|e| err(crate::json::toml_error(text, &e)))?;
        let publish = match raw.publish.as_deref() {
            None | Some("emf") => Publish::Emf,
            Some("put-metric-data") => Publish::PutMetricData,
            Some(other) => {
                return Err(err(format!("`publish` must be \"emf\" or \"put-metric-data\", not \"{other}\"")))
            }
        };
        let concurrency = raw.concurrency.unwrap_or(16);
        if !(1..=256).contains(&concurrency) {
            return Err(err(format!("`concurrency` must be between 1 and 256, not {concurrency}")));
        }
        if raw.pair.is_empty() {
            return Err(err("no [[pair]]: name at least one queue and group".into()));
        }
        let mut pairs = Vec::with_capacity(raw.pair.len());
        for (i, p) in raw.pair.iter().enumerate() {
            let pair = resolve(p, &raw.defaults).map_err(|m| err(format!("pair {} ({}): {m}", i + 1, label(p))))?;
            // The metric is per group: two pairs for one group would publish two answers to one question.
            if pairs.iter().any(|q: &Pair| q.group == pair.group) {
                return Err(err(format!(
                    "pair {} ({}): group `{}` is already in another pair",
                    i + 1,
                    label(p),
                    pair.group
                )));
            }
            pairs.push(pair);
        }
        let unexplained = unexplained(raw.unexplained.as_ref()).map_err(err)?;
        Ok(Self { pairs, publish, concurrency, unexplained })
    }

    /// One pair from command-line values, validated the same way.
    pub fn single(pair: Pair, publish: Publish) -> Result<Self, ConfigError> {
        validate(&pair).map_err(|message| ConfigError { origin: "flags".into(), message })?;
        Ok(Self { pairs: vec![pair], publish, concurrency: 1, unexplained: Some(UnexplainedSettings::default()) })
    }
}

fn label(p: &RawPair) -> String {
    format!("{} → {}", p.queue.as_deref().unwrap_or("?"), p.group.as_deref().unwrap_or("?"))
}

fn resolve(p: &RawPair, d: &RawPair) -> Result<Pair, String> {
    let queue = p.queue.clone().filter(|q| !q.trim().is_empty()).ok_or("`queue` is missing")?;
    let group = p.group.clone().filter(|g| !g.trim().is_empty()).ok_or("`group` is missing")?;
    let latency = duration(p.latency.as_ref().or(d.latency.as_ref()).ok_or("`latency` is missing")?, "latency")?;
    let fallback = p.fallback_seconds_per_message.or(d.fallback_seconds_per_message);
    let seconds_per_message = match p.seconds_per_message.as_ref().or(d.seconds_per_message.as_ref()) {
        None => return Err("`seconds_per_message` is missing (a number, or \"measure\")".into()),
        Some(toml::Value::String(s)) if s == "measure" => PerMessage::Measure {
            fallback: fallback.ok_or("`seconds_per_message = \"measure\"` needs `fallback_seconds_per_message`")?,
        },
        Some(toml::Value::Float(f)) => PerMessage::Fixed(*f),
        Some(toml::Value::Integer(n)) => PerMessage::Fixed(*n as f64),
        Some(other) => return Err(format!("`seconds_per_message` must be a number or \"measure\", not {other}")),
    };
    let instance_warmup = match p.instance_warmup.as_ref().or(d.instance_warmup.as_ref()) {
        Some(v) => duration(v, "instance_warmup")?,
        None => Duration::ZERO,
    };
    let pair = Pair {
        queue,
        group,
        latency,
        seconds_per_message,
        count_in_flight: p.count_in_flight.or(d.count_in_flight).unwrap_or(true),
        count_delayed: p.count_delayed.or(d.count_delayed).unwrap_or(false),
        namespace: p.namespace.clone().or(d.namespace.clone()).unwrap_or_else(|| crate::emf::NAMESPACE.to_string()),
        resolution: p.resolution.or(d.resolution).unwrap_or(60),
        instance_warmup,
    };
    validate(&pair)?;
    Ok(pair)
}

fn validate(p: &Pair) -> Result<(), String> {
    if p.latency.is_zero() {
        return Err("`latency` must be more than zero".into());
    }
    let spm = p.seconds_per_message.configured();
    if !(spm.is_finite() && spm > 0.0) {
        return Err(format!("seconds per message must be a positive number, not {spm}"));
    }
    if ![10, 30, 60].contains(&p.resolution) {
        return Err(format!("`resolution` must be 60, 30 or 10 seconds, not {}", p.resolution));
    }
    if p.namespace.is_empty() || p.namespace.starts_with("AWS/") {
        return Err(format!("`namespace` \"{}\" is empty or reserved (AWS/…)", p.namespace));
    }
    Ok(())
}
