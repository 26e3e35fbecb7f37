//! A scenario file: one group, its demand, how fast its instances arrive, its warm pool and its scaling policies.
//! Every duration is written as people write them (`243s`, `4m`, `1h`); every field has a default that says where it
//! comes from, so the smallest file is a demand and a policy.

use crate::duration::parse_duration;
use serde::{Deserialize, Deserializer};
use thiserror::Error;

/// What is wrong with a scenario, naming the field.
#[derive(Debug, Error, PartialEq)]
pub enum ScenarioError {
    /// The file is not TOML of this shape.
    #[error("{file}: {message}")]
    Parse {
        /// The scenario file.
        file: String,
        /// What the parser said, with the line.
        message: String,
    },
    /// A value is out of its range.
    #[error("{file}: `{field}` {problem}")]
    Invalid {
        /// The scenario file.
        file: String,
        /// The field, as written in the file.
        field: &'static str,
        /// What is wrong and what is allowed.
        problem: String,
    },
}

/// Seconds from a duration string (`90s`, `4m`) or a bare number of seconds.
fn seconds<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Number(f64),
        Text(String),
    }
    match Raw::deserialize(d)? {
        Raw::Number(n) => Ok(n),
        Raw::Text(t) => parse_duration(&t).map(|d| d.as_secs_f64()).map_err(serde::de::Error::custom),
    }
}

fn opt_seconds<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    seconds(d).map(Some)
}

/// The whole scenario.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// A name for the summary and the chart.
    #[serde(default = "default_name")]
    pub name: String,
    /// How long to simulate.
    #[serde(deserialize_with = "seconds")]
    pub duration: f64,
    /// Where the work comes from.
    pub demand: DemandSpec,
    /// What one instance does and how long it takes to arrive.
    #[serde(default)]
    pub plant: Plant,
    /// The group's sizes.
    pub group: GroupSpec,
    /// The warm pool, when there is one.
    #[serde(default)]
    pub warm_pool: Option<WarmPoolSpec>,
    /// Target tracking policies.
    #[serde(default)]
    pub target_tracking: Vec<TargetTrackingSpec>,
    /// Step scaling policies.
    #[serde(default)]
    pub step_scaling: Vec<StepScalingSpec>,
    /// Scheduled actions.
    #[serde(default)]
    pub scheduled: Vec<ScheduledAction>,
    /// Predictive scaling in ForecastAndScale mode: a floor under desired capacity, hour by hour.
    #[serde(default)]
    pub predictive: Option<PredictiveSpec>,
    /// What counts as good service.
    #[serde(default)]
    pub objective: Objective,
    /// Prices for the summary.
    #[serde(default)]
    pub cost: Cost,
}

fn default_name() -> String {
    "scenario".into()
}

/// Work arriving per second, from a generator or a trace.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum DemandSpec {
    /// A constant rate.
    Steady {
        /// Arrivals per second.
        rate: f64,
        /// Seeded noise.
        #[serde(default)]
        noise: Option<Noise>,
    },
    /// `from` until `start`, then linearly to `to` over `over`, then `to`.
    Ramp {
        /// Arrivals per second before the ramp.
        from: f64,
        /// Arrivals per second after it.
        to: f64,
        /// When the ramp starts.
        #[serde(deserialize_with = "seconds")]
        start: f64,
        /// How long it takes.
        #[serde(deserialize_with = "seconds")]
        over: f64,
        /// Seeded noise.
        #[serde(default)]
        noise: Option<Noise>,
    },
    /// `base`, with `peak` from `at` for `lasting`.
    Spike {
        /// Arrivals per second outside the spike.
        base: f64,
        /// Arrivals per second during it.
        peak: f64,
        /// When it starts.
        #[serde(deserialize_with = "seconds")]
        at: f64,
        /// How long it lasts.
        #[serde(deserialize_with = "seconds")]
        lasting: f64,
        /// Seeded noise.
        #[serde(default)]
        noise: Option<Noise>,
    },
    /// A sine around `mean` with its top at `peak_at` of every `period`.
    Diurnal {
        /// The average rate.
        mean: f64,
        /// How far above and below the mean the rate swings.
        amplitude: f64,
        /// The cycle's length.
        #[serde(default = "one_day", deserialize_with = "seconds")]
        period: f64,
        /// When in the cycle the rate peaks.
        #[serde(default, deserialize_with = "seconds")]
        peak_at: f64,
        /// Seeded noise.
        #[serde(default)]
        noise: Option<Noise>,
    },
    /// Arrivals read from a CSV trace (`time,arrivals`), given to the simulator separately.
    Trace,
}

impl DemandSpec {
    /// The generator's noise (a trace has none).
    pub fn noise(&self) -> Option<Noise> {
        match self {
            DemandSpec::Steady { noise, .. }
            | DemandSpec::Ramp { noise, .. }
            | DemandSpec::Spike { noise, .. }
            | DemandSpec::Diurnal { noise, .. } => *noise,
            DemandSpec::Trace => None,
        }
    }
}

fn one_day() -> f64 {
    86_400.0
}

/// Multiplicative noise: each second's rate times (1 + a uniform draw of this standard deviation), from `seed`.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Noise {
    /// The standard deviation, as a fraction of the rate (0.1 = 10 %).
    pub sd: f64,
    /// The generator's seed: the same seed, the same demand.
    #[serde(default)]
    pub seed: u64,
}

/// What one instance does and how long it takes to serve.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Plant {
    /// Work items one in-service instance completes per second.
    pub throughput: f64,
    /// Launch to ready on a cold start. Default 243 s: the scaling activity measured by AWS's warm-pool sample
    /// (aws-samples/amazon-ec2-auto-scaling-group-examples, features/warm-pools: t2.micro, user data with a 120 s
    /// wait, then the lifecycle hook completed).
    #[serde(deserialize_with = "seconds")]
    pub cold_launch: f64,
    /// Out of a Stopped pool to ready. Default 36 s: the same sample's "from warm pool" activity.
    #[serde(deserialize_with = "seconds")]
    pub warm_from_stopped: f64,
    /// Out of a Hibernated pool. AWS publishes no measurement; the default assumes a Stopped pool's 36 s.
    #[serde(deserialize_with = "seconds")]
    pub warm_from_hibernated: f64,
    /// Out of a Running pool. AWS publishes no measurement; the default assumes 10 s (the hook and registration).
    #[serde(deserialize_with = "seconds")]
    pub warm_from_running: f64,
    /// The launch hook's time on top of the launch (scalegate's gate decides in well under a second; event delivery
    /// adds about one).
    #[serde(deserialize_with = "seconds")]
    pub hook: f64,
    /// Work that waits longer than this fails (a client or load balancer timeout); none: work waits as long as it
    /// takes (a queue).
    #[serde(deserialize_with = "opt_seconds")]
    pub timeout: Option<f64>,
    /// The fraction of failed work that comes back as new arrivals (clients retrying).
    pub retry: f64,
    /// How long after failing retried work arrives again.
    #[serde(deserialize_with = "seconds")]
    pub retry_after: f64,
}

impl Default for Plant {
    fn default() -> Self {
        Self {
            throughput: 1.0,
            cold_launch: 243.0,
            warm_from_stopped: 36.0,
            warm_from_hibernated: 36.0,
            warm_from_running: 10.0,
            hook: 1.0,
            timeout: None,
            retry: 0.0,
            retry_after: 1.0,
        }
    }
}

/// The group's sizes and warmup.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct GroupSpec {
    /// MinSize.
    pub min: u32,
    /// MaxSize.
    pub max: u32,
    /// DesiredCapacity at the start (default: min); instances start in service.
    #[serde(default)]
    pub desired: Option<u32>,
    /// DefaultInstanceWarmup: a new instance's metrics are left out and policy scale-in waits this long after it is
    /// in service. AWS falls back to the default cooldown (300 s) when it is not set.
    #[serde(default = "five_minutes", deserialize_with = "seconds")]
    pub instance_warmup: f64,
    /// Instances protected from scale in (work leases held): scale in never terminates them, so the group may stay
    /// above its desired capacity until they are released.
    #[serde(default)]
    pub protected: u32,
}

fn five_minutes() -> f64 {
    300.0
}

/// The pool's states (PutWarmPool PoolState).
#[derive(Debug, Clone, Copy, Deserialize, serde::Serialize, PartialEq, Eq, Default)]
pub enum PoolState {
    /// Stopped: pays for volumes only.
    #[default]
    Stopped,
    /// Hibernated: pays for volumes, RAM saved on them.
    Hibernated,
    /// Running: pays for the instance.
    Running,
}

impl PoolState {
    /// AWS's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Stopped => "Stopped",
            Self::Running => "Running",
            Self::Hibernated => "Hibernated",
        }
    }

    /// Reads AWS's spelling.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "Stopped" => Some(Self::Stopped),
            "Running" => Some(Self::Running),
            "Hibernated" => Some(Self::Hibernated),
            _ => None,
        }
    }
}

/// A warm pool (PutWarmPool).
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct WarmPoolSpec {
    /// MinSize (default 0).
    #[serde(default)]
    pub min_size: u32,
    /// MaxGroupPreparedCapacity (default: the group's max).
    #[serde(default)]
    pub max_group_prepared_capacity: Option<u32>,
    /// PoolState.
    #[serde(default)]
    pub state: PoolState,
    /// InstanceReusePolicy.ReuseOnScaleIn: scaled-in instances go back to the pool instead of terminating.
    #[serde(default)]
    pub reuse_on_scale_in: bool,
    /// The pool is prepared when the run starts (a group that has been running); false: it starts empty and fills
    /// at the cold launch's pace.
    #[serde(default = "yes")]
    pub start_full: bool,
}

fn yes() -> bool {
    true
}

/// The metric a target tracking policy follows.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum MetricKind {
    /// Backlog ÷ in-service instances that are not warming (scalegate's BacklogPerInstance).
    BacklogPerInstance,
    /// Arrivals ÷ the capacity of counted instances, in percent, at most 100 (like CPU utilization).
    Utilization,
    /// Arrivals per second ÷ counted instances, not capped (like ALBRequestCountPerTarget, per second).
    RequestsPerInstance,
}

/// A target tracking policy and the alarms AWS makes for it. AWS does not publish the alarms' settings: the
/// defaults are the commonly observed ones, each a parameter.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TargetTrackingSpec {
    /// A name for the explanation.
    #[serde(default = "default_policy_name")]
    pub name: String,
    /// What it follows.
    pub metric: MetricKind,
    /// The target value.
    pub target: f64,
    /// The metric's period: 10, 30 or 60 s (TargetTrackingMetricStat.Period).
    #[serde(default = "sixty", deserialize_with = "seconds")]
    pub period: f64,
    /// How long after a period ends its datapoint is there for the alarm (publication and ingestion).
    #[serde(default, deserialize_with = "opt_seconds")]
    pub lag: Option<f64>,
    /// The high alarm: `datapoints` of the last `evaluation_periods` above the target.
    #[serde(default = "high_alarm")]
    pub high: AlarmShape,
    /// The low alarm: `datapoints` of the last `evaluation_periods` below `low_ratio` × target.
    #[serde(default = "low_alarm")]
    pub low: AlarmShape,
    /// The low alarm's threshold as a fraction of the target (AWS: scale in when "usually more than 10 % lower").
    #[serde(default = "low_ratio")]
    pub low_ratio: f64,
    /// DisableScaleIn.
    #[serde(default)]
    pub disable_scale_in: bool,
}

fn default_policy_name() -> String {
    "target-tracking".into()
}
fn sixty() -> f64 {
    60.0
}
fn high_alarm() -> AlarmShape {
    AlarmShape { datapoints: 3, evaluation_periods: 3 }
}
fn low_alarm() -> AlarmShape {
    AlarmShape { datapoints: 15, evaluation_periods: 15 }
}
fn low_ratio() -> f64 {
    0.9
}

/// M of N.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct AlarmShape {
    /// M: datapoints that must breach.
    pub datapoints: u32,
    /// N: the datapoints looked at.
    pub evaluation_periods: u32,
}

/// How a step policy's adjustment is read (PutScalingPolicy AdjustmentType).
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
pub enum AdjustmentType {
    /// Add the adjustment (negative removes).
    ChangeInCapacity,
    /// Set the capacity to the adjustment.
    ExactCapacity,
    /// Add this percentage of the current capacity, rounded as AWS documents.
    PercentChangeInCapacity,
}

/// Which side of the threshold breaches.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum Comparison {
    /// The metric at or above the threshold.
    AtOrAbove,
    /// The metric at or below it.
    AtOrBelow,
}

/// One step: the adjustment for metric values between `lower` and `upper`, both relative to the threshold (AWS:
/// above the threshold the lower bound is inclusive, below it the upper bound).
#[derive(Debug, Clone, Copy, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// MetricIntervalLowerBound (none: minus infinity).
    #[serde(default)]
    pub lower: Option<f64>,
    /// MetricIntervalUpperBound (none: infinity).
    #[serde(default)]
    pub upper: Option<f64>,
    /// ScalingAdjustment.
    pub adjustment: i32,
}

/// A step scaling policy and the alarm that invokes it (you make that alarm; its settings are yours).
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct StepScalingSpec {
    /// A name for the explanation.
    #[serde(default = "default_step_name")]
    pub name: String,
    /// What the alarm watches.
    pub metric: MetricKind,
    /// The alarm's threshold.
    pub threshold: f64,
    /// Which side breaches.
    pub comparison: Comparison,
    /// The alarm's period: 10, 30 or a multiple of 60 s.
    #[serde(default = "sixty", deserialize_with = "seconds")]
    pub period: f64,
    /// The alarm: `datapoints` of the last `evaluation_periods` breaching.
    #[serde(default = "one_of_one")]
    pub alarm: AlarmShape,
    /// How the adjustments are read.
    pub adjustment_type: AdjustmentType,
    /// MinAdjustmentMagnitude (PercentChangeInCapacity only).
    #[serde(default)]
    pub min_adjustment_magnitude: Option<u32>,
    /// The steps.
    pub steps: Vec<Step>,
}

fn default_step_name() -> String {
    "step-scaling".into()
}
fn one_of_one() -> AlarmShape {
    AlarmShape { datapoints: 1, evaluation_periods: 1 }
}

/// Predictive scaling's forecast as a floor: at the start of each hour (less the scheduling buffer) desired becomes at
/// least that hour's forecast capacity; it never scales in.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PredictiveSpec {
    /// Forecast capacity for hour 0, 1, 2, … of the run (the last value holds after).
    pub forecast: Vec<u32>,
    /// SchedulingBufferTime: instances launch this long before their hour (default 300 s).
    #[serde(default = "five_minutes", deserialize_with = "seconds")]
    pub buffer: f64,
}

/// A scheduled action: at `at`, set whichever of min, max and desired it names.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ScheduledAction {
    /// When, from the start.
    #[serde(deserialize_with = "seconds")]
    pub at: f64,
    /// New MinSize.
    #[serde(default)]
    pub min: Option<u32>,
    /// New MaxSize.
    #[serde(default)]
    pub max: Option<u32>,
    /// New DesiredCapacity.
    #[serde(default)]
    pub desired: Option<u32>,
}

/// Good service: work waits at most `latency`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Objective {
    /// The longest acceptable wait.
    #[serde(deserialize_with = "seconds")]
    pub latency: f64,
}

impl Default for Objective {
    fn default() -> Self {
        Self { latency: 10.0 }
    }
}

/// Prices for the summary.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Cost {
    /// EBS per GB-month (gp3 in us-east-1: $0.08).
    pub ebs_gb_month: f64,
    /// Each instance's volumes, in GB.
    pub volume_gb: f64,
    /// Each instance's memory in GB, which a Hibernated pool keeps on its volume.
    pub memory_gb: f64,
    /// An instance-hour (for in-service and running-pool time).
    pub instance_hour: f64,
}

impl Cost {
    /// The EBS one pooled instance keeps: its volumes, and in a Hibernated pool its memory too.
    pub fn pool_gb(&self, state: PoolState) -> f64 {
        self.volume_gb + if state == PoolState::Hibernated { self.memory_gb } else { 0.0 }
    }
}

impl Default for Cost {
    fn default() -> Self {
        Self { ebs_gb_month: 0.08, volume_gb: 8.0, memory_gb: 1.0, instance_hour: 0.0104 }
    }
}

/// Above zero and finite (NaN is not).
fn positive(x: f64) -> bool {
    x > 0.0 && x.is_finite()
}

impl Scenario {
    /// Parses and validates a scenario; `file` names it in errors.
    pub fn from_toml(text: &str, file: &str) -> Result<Self, ScenarioError> {
        let s: Scenario =
            toml::from_str(text).map_err(|e| ScenarioError::Parse { file: file.into(), message: e.to_string() })?;
        s.validate(file)?;
        Ok(s)
    }

    pub(crate) fn validate(&self, file: &str) -> Result<(), ScenarioError> {
        let bad =
            |field: &'static str, problem: String| Err(ScenarioError::Invalid { file: file.into(), field, problem });
        // Every number is finite and in AWS's range: NaN, infinities and absurd sizes are refused here, so the
        // simulator never has to guard against them.
        let finite = |v: f64| v.is_finite() && v >= 0.0;
        let rates: Vec<(&'static str, f64)> = match &self.demand {
            DemandSpec::Steady { rate, .. } => vec![("demand.rate", *rate)],
            DemandSpec::Ramp { from, to, start, over, .. } => {
                vec![("demand.from", *from), ("demand.to", *to), ("demand.start", *start), ("demand.over", *over)]
            }
            DemandSpec::Spike { base, peak, at, lasting, .. } => {
                vec![("demand.base", *base), ("demand.peak", *peak), ("demand.at", *at), ("demand.lasting", *lasting)]
            }
            DemandSpec::Diurnal { mean, amplitude, period, peak_at, .. } => {
                if !(period.is_finite() && *period >= 60.0) {
                    return bad("demand.period", format!("must be at least 60 s (got {period})"));
                }
                vec![("demand.mean", *mean), ("demand.amplitude", *amplitude), ("demand.peak_at", *peak_at)]
            }
            DemandSpec::Trace => vec![],
        };
        for (field, v) in rates.into_iter().chain([
            ("objective.latency", self.objective.latency),
            ("cost.ebs_gb_month", self.cost.ebs_gb_month),
            ("cost.volume_gb", self.cost.volume_gb),
            ("cost.memory_gb", self.cost.memory_gb),
            ("cost.instance_hour", self.cost.instance_hour),
            ("plant.retry_after", self.plant.retry_after),
        ]) {
            if !finite(v) || v > 1e12 {
                return bad(field, format!("must be a finite number of 0 or more (got {v})"));
            }
        }
        const MAX_CAPACITY: u32 = 100_000;
        let pool = self.warm_pool.as_ref();
        for (field, v) in [
            ("group.max", self.group.max),
            ("warm_pool.min_size", pool.map_or(0, |w| w.min_size)),
            ("warm_pool.max_group_prepared_capacity", pool.and_then(|w| w.max_group_prepared_capacity).unwrap_or(0)),
        ] {
            if v > MAX_CAPACITY {
                return bad(field, format!("must be at most {MAX_CAPACITY} instances (got {v})"));
            }
        }
        if !(self.duration >= 1.0 && self.duration <= 400.0 * 86_400.0) {
            return bad("duration", format!("must be between 1 s and 400 days (got {} s)", self.duration));
        }
        if !positive(self.plant.throughput) {
            return bad(
                "plant.throughput",
                format!("must be above 0 work items per second (got {})", self.plant.throughput),
            );
        }
        for (field, v) in [
            ("plant.cold_launch", self.plant.cold_launch),
            ("plant.warm_from_stopped", self.plant.warm_from_stopped),
            ("plant.warm_from_hibernated", self.plant.warm_from_hibernated),
            ("plant.warm_from_running", self.plant.warm_from_running),
            ("plant.hook", self.plant.hook),
        ] {
            if !(0.0..=7200.0).contains(&v) {
                return bad(field, format!("must be between 0 and 2 hours (got {v} s)"));
            }
        }
        if !(0.0..=3600.0).contains(&self.group.instance_warmup) {
            return bad(
                "group.instance_warmup",
                format!(
                    "must be between 0 and 3600 s, as DefaultInstanceWarmup (got {} s)",
                    self.group.instance_warmup
                ),
            );
        }
        if !(0.0..=1.0).contains(&self.plant.retry) {
            return bad("plant.retry", format!("must be a fraction between 0 and 1 (got {})", self.plant.retry));
        }
        if self.plant.timeout.is_some_and(|t| !positive(t)) {
            return bad("plant.timeout", "must be above 0 s".into());
        }
        if self.group.min > self.group.max {
            return bad("group.min", format!("{} is above group.max {}", self.group.min, self.group.max));
        }
        if let Some(d) = self.group.desired {
            if d < self.group.min || d > self.group.max {
                return bad(
                    "group.desired",
                    format!("{d} is outside [min {}, max {}]", self.group.min, self.group.max),
                );
            }
        }
        for p in &self.target_tracking {
            if ![10.0, 30.0, 60.0].contains(&p.period) {
                return bad("target_tracking.period", format!("must be 10, 30 or 60 s (got {} s)", p.period));
            }
            if p.lag.is_some_and(|l| !(0.0..=3600.0).contains(&l)) {
                return bad("target_tracking.lag", "must be between 0 and 3600 s".into());
            }
            if f64::from(p.high.evaluation_periods.max(p.low.evaluation_periods)) * p.period > 86_400.0 {
                return bad(
                    "target_tracking",
                    "evaluation periods × period must be at most one day (CloudWatch's limit)".into(),
                );
            }
            if !positive(p.target) || p.target > 1e12 {
                return bad("target_tracking.target", format!("must be above 0 (got {})", p.target));
            }
            for (field, a) in [("target_tracking.high", p.high), ("target_tracking.low", p.low)] {
                if a.datapoints == 0 || a.datapoints > a.evaluation_periods {
                    return bad(
                        field,
                        format!(
                            "datapoints {} must be between 1 and evaluation_periods {}",
                            a.datapoints, a.evaluation_periods
                        ),
                    );
                }
            }
            if !(p.low_ratio > 0.0 && p.low_ratio < 1.0) {
                return bad("target_tracking.low_ratio", format!("must be between 0 and 1 (got {})", p.low_ratio));
            }
        }
        for p in &self.step_scaling {
            if !(p.period == 10.0 || p.period == 30.0 || (p.period >= 60.0 && p.period % 60.0 == 0.0)) {
                return bad(
                    "step_scaling.period",
                    format!("must be 10, 30 or a multiple of 60 s (got {} s)", p.period),
                );
            }
            if !p.threshold.is_finite() || f64::from(p.alarm.evaluation_periods) * p.period > 86_400.0 {
                return bad(
                    "step_scaling",
                    "the threshold must be finite and evaluation periods × period at most one day".into(),
                );
            }
            if p.alarm.datapoints == 0 || p.alarm.datapoints > p.alarm.evaluation_periods {
                return bad(
                    "step_scaling.alarm",
                    format!(
                        "datapoints {} must be between 1 and evaluation_periods {}",
                        p.alarm.datapoints, p.alarm.evaluation_periods
                    ),
                );
            }
            if p.steps.is_empty() {
                return bad("step_scaling.steps", "must list at least one step".into());
            }
            for st in &p.steps {
                if let (Some(l), Some(u)) = (st.lower, st.upper) {
                    if l >= u {
                        return bad("step_scaling.steps", format!("lower {l} must be below upper {u}"));
                    }
                }
            }
        }
        for a in &self.scheduled {
            if !(0.0..=self.duration).contains(&a.at) {
                return bad("scheduled.at", format!("must be within the run, 0 to {} s (got {})", self.duration, a.at));
            }
            if let (Some(lo), Some(hi)) = (a.min, a.max) {
                if lo > hi {
                    return bad("scheduled.min", format!("{lo} is above the action's max {hi} (AWS rejects it)"));
                }
            }
            if a.max.is_some_and(|m| m > MAX_CAPACITY) {
                return bad("scheduled.max", format!("must be at most {MAX_CAPACITY}"));
            }
        }
        if let Some(p) = &self.predictive {
            if p.forecast.is_empty() {
                return bad("predictive.forecast", "must give at least one hour's capacity".into());
            }
            if !(0.0..3600.0).contains(&p.buffer) {
                return bad("predictive.buffer", format!("must be below one hour (got {} s)", p.buffer));
            }
        }
        let noise = self.demand.noise();
        if let Some(n) = noise {
            // A uniform draw wider than the rate would clip at zero and bias the mean up.
            if !(0.0..=1.0 / 3f64.sqrt()).contains(&n.sd) {
                return bad("demand.noise.sd", format!("must be between 0 and 0.577 (1/√3) (got {})", n.sd));
            }
        }
        Ok(())
    }
}
