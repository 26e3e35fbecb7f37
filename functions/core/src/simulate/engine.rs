//! One group, one-second steps, EC2 Auto Scaling's documented behaviour: instances arrive after their launch path's
//! latency, warming instances serve but are left out of the metric, target tracking alarms see datapoints a period
//! late, scale out if any policy wants to and in only if all agree, and the warm pool keeps its documented size.

use super::demand::DemandSource;
use super::scenario::{
    AdjustmentType, Comparison, MetricKind, PoolState, Scenario, Step, StepScalingSpec, TargetTrackingSpec,
};
use serde::Serialize;
use std::collections::VecDeque;

/// What the run keeps besides the summary.
#[derive(Debug, Clone, Copy, Default)]
pub struct RunOptions {
    /// Keep a row every this many seconds (0: none) for the CSV and the chart.
    pub record_every: u32,
    /// Run the whole model every second, quiet ones included: the same results, slower; for checking the shortcut.
    pub exhaustive: bool,
}

/// Seconds of demand drawn at a time.
const DEMAND_BLOCK: usize = 256;

/// A scaling decision, as `DescribeScalingActivities` would show its cause.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Decision {
    /// Seconds from the start.
    pub at: f64,
    /// Desired capacity before.
    pub from: u32,
    /// Desired capacity after.
    pub to: u32,
    /// Why, in the style of the activity's Cause.
    pub cause: String,
}

/// One recorded second.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Row {
    /// Seconds from the start.
    pub t: f64,
    /// Work arriving per second.
    pub arrivals: f64,
    /// Work waiting.
    pub backlog: f64,
    /// DesiredCapacity.
    pub desired: u32,
    /// In service and counted by the metric.
    pub in_service: u32,
    /// In service, still warming (serving, not counted).
    pub warming: u32,
    /// Launching (cold or out of the pool), not yet serving.
    pub launching: u32,
    /// Ready in the warm pool.
    pub pooled: u32,
    /// Entering the warm pool.
    pub pool_preparing: u32,
    /// How long arriving work waits, in seconds.
    pub wait: f64,
}

/// Time spent in each state, in instance-hours.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct InstanceHours {
    /// Launching, before serving (billed as running).
    pub launching: f64,
    /// In service.
    pub in_service: f64,
    /// Entering the pool (booting, billed as running).
    pub pool_preparing: f64,
    /// In the pool, by its state.
    pub pool: f64,
}

/// What a run comes to.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// The scenario's name.
    pub scenario: String,
    /// Seconds simulated.
    pub seconds: f64,
    /// Seconds in which arriving work waited longer than the objective.
    pub seconds_over_objective: f64,
    /// The objective, in seconds.
    pub objective_seconds: f64,
    /// Median wait of arriving work (weighted by arrivals), seconds.
    pub wait_p50: f64,
    /// 99th percentile wait, seconds.
    pub wait_p99: f64,
    /// The most work waiting at once.
    pub peak_backlog: f64,
    /// Work that arrived (retries included).
    pub arrived: f64,
    /// Work that waited past the plant's timeout and failed.
    pub timed_out: f64,
    /// Instance-hours by state.
    pub instance_hours: InstanceHours,
    /// What the pool's volumes cost over the run (EBS per GB-month, volumes and, when hibernated, memory).
    pub warm_pool_storage_cost: f64,
    /// What running instances cost over the run (in service, launching, preparing, a Running pool).
    pub instance_cost: f64,
    /// Increases of desired capacity.
    pub scale_outs: u32,
    /// Decreases.
    pub scale_ins: u32,
    /// Times the direction of change reversed (out after in, in after out) within 10 minutes.
    pub oscillations: u32,
    /// Instances launched cold.
    pub cold_launches: u32,
    /// Instances launched out of the warm pool.
    pub warm_launches: u32,
    /// The largest desired capacity.
    pub max_desired: u32,
    /// Desired capacity at the end.
    pub final_desired: u32,
}

/// A run's results.
#[derive(Debug, Clone)]
pub struct Run {
    /// The figures.
    pub summary: Summary,
    /// Every change of desired capacity, with its cause.
    pub decisions: Vec<Decision>,
    /// Recorded seconds (see [`RunOptions::record_every`]).
    pub rows: Vec<Row>,
}

/// What the model assumes where AWS documents nothing; `--explain` prints it.
pub fn assumptions(s: &Scenario) -> Vec<String> {
    let mut out = vec![
        "target tracking: desired = ceil(instances the datapoint covered × metric ÷ target), covered = in service and \
         not warming during its period (AWS documents rounding up on scale out and removing conservatively; the \
         formula itself is not published)"
            .to_string(),
        "target tracking: while an alarm stays in ALARM its policy acts again at each evaluation (every 60 s, every \
         10 s for 10 and 30 s periods), on a datapoint whose period \
         began after the last change of desired capacity (a datapoint from before the change would count the old \
         fleet twice)"
            .to_string(),
        "warm pool: only instances ready in the pool start warm; the rest of a scale out starts cold (AWS does not \
         document how a partly prepared pool splits)"
            .to_string(),
        "scale in removes launching instances first, then the newest in service; instances reused on scale in are \
         ready in the pool at once, and a pool starts prepared unless start_full = false"
            .to_string(),
        "a per-instance metric with no counted instance reads as if one were counted (AWS's alarm would see no data \
         and wait); the metric divides all arrivals by counted instances, warming ones serving but not counted, so it \
         reads high while instances warm"
            .to_string(),
        "work is served first come, first served by every in-service instance, warming ones included; the wait is \
         the backlog ÷ the capacity serving it"
            .to_string(),
    ];
    for p in &s.target_tracking {
        out.push(format!(
            "policy {}: alarm high {} of {} datapoints above {}, low {} of {} below {} (AWS does not publish these); \
             each {} s datapoint seen {} s after its period",
            p.name,
            p.high.datapoints,
            p.high.evaluation_periods,
            p.target,
            p.low.datapoints,
            p.low.evaluation_periods,
            p.target * p.low_ratio,
            p.period,
            lag(p),
        ));
    }
    out
}

/// How late a datapoint reaches the alarm: the given lag, else one period.
fn lag(p: &TargetTrackingSpec) -> f64 {
    p.lag.unwrap_or(p.period)
}

/// An M-of-N alarm over the most recent datapoints.
#[derive(Debug, Clone)]
struct Alarm {
    window: VecDeque<bool>,
    n: usize,
    m: usize,
    in_alarm: bool,
    last_action: f64,
}

impl Alarm {
    fn new(m: u32, n: u32) -> Self {
        Self {
            window: VecDeque::with_capacity(n as usize),
            n: n as usize,
            m: m as usize,
            in_alarm: false,
            last_action: f64::NEG_INFINITY,
        }
    }

    fn push(&mut self, breaching: bool) {
        if self.window.len() == self.n {
            self.window.pop_front();
        }
        self.window.push_back(breaching);
        self.in_alarm = self.window.iter().filter(|b| **b).count() >= self.m;
    }
}

/// A metric as an alarm sees it: summed into periods, each datapoint visible after a lag, looked at every
/// evaluation.
#[derive(Debug, Clone)]
struct Watch {
    metric: MetricKind,
    /// The metric's numerator (backlog, arrivals, or demanded capacity in percent), summed over the period's seconds.
    sum: f64,
    /// The instances the metric covered, summed over the period's seconds.
    basis: f64,
    samples: u32,
    /// The period and the evaluation cadence in whole seconds.
    period: u32,
    lag: f64,
    cadence: u32,
    /// The second of the next evaluation.
    next_evaluation: u64,
    /// Datapoints waiting to be seen.
    pending: VecDeque<Datapoint>,
    /// The newest datapoint seen.
    latest: Option<Datapoint>,
}

impl Watch {
    fn new(metric: MetricKind, period: f64, lag: f64) -> Self {
        Self {
            metric,
            sum: 0.0,
            basis: 0.0,
            samples: 0,
            period: period as u32,
            lag,
            // Evaluated every 10 s for 10 and 30 s periods, every minute otherwise.
            cadence: if period < 60.0 { 10 } else { 60 },
            next_evaluation: 0,
            pending: VecDeque::new(),
            latest: None,
        }
    }

    /// Adds second `t`. A per-instance metric is a ratio: a period's datapoint is its load over its
    /// instance-seconds (the ratio of the sums, as CloudWatch aggregates a Sum over instances), not the average of
    /// each second's ratio.
    fn add(&mut self, t: f64, backlog: f64, arrivals: f64, counted: f64, throughput: f64) {
        self.sum += match self.metric {
            MetricKind::BacklogPerInstance => backlog,
            MetricKind::RequestsPerInstance => arrivals,
            MetricKind::Utilization => 100.0 * arrivals / throughput,
        };
        self.basis += counted.max(1.0);
        self.samples += 1;
        if self.samples == self.period {
            let n = f64::from(self.samples);
            let mut value = self.sum / self.basis;
            if self.metric == MetricKind::Utilization {
                value = value.min(100.0);
            }
            self.pending.push_back(Datapoint {
                available_at: t + 1.0 + self.lag,
                start: t + 1.0 - n,
                value,
                basis: self.basis / n,
            });
            self.sum = 0.0;
            self.basis = 0.0;
            self.samples = 0;
        }
    }

    /// Whether second `step` is an evaluation (seconds are visited in order; an evaluation is never skipped).
    fn due(&mut self, step: u64) -> bool {
        if step < self.next_evaluation {
            return false;
        }
        self.next_evaluation = step + u64::from(self.cadence);
        true
    }

    /// The next datapoint that has become visible by `t`, oldest first.
    fn seen(&mut self, t: f64) -> Option<Datapoint> {
        if self.pending.front().is_some_and(|d| d.available_at <= t) {
            self.latest = self.pending.pop_front();
            return self.latest;
        }
        None
    }
}

/// A target tracking policy's running state.
#[derive(Debug, Clone)]
struct Policy {
    spec: TargetTrackingSpec,
    watch: Watch,
    /// The capacity its newest fresh datapoint asks for.
    wants: Option<u32>,
    high: Alarm,
    low: Alarm,
}

/// A step scaling policy's running state.
#[derive(Debug, Clone)]
struct StepPolicy {
    spec: StepScalingSpec,
    watch: Watch,
    alarm: Alarm,
    /// Until when the instances of its last scale out warm, and how many it added: a breach of the same step while
    /// they warm adds nothing, of a larger one the difference (AWS's step scaling with warmup).
    warming: Option<(f64, u32)>,
}

/// A finished period's value, when the alarm sees it, and how many instances it covered (the proposal scales the
/// load it measured, not today's count times yesterday's average).
#[derive(Debug, Clone, Copy)]
struct Datapoint {
    available_at: f64,
    start: f64,
    value: f64,
    basis: f64,
}

/// The fleet by state; launch and readiness times are kept in order, so each second costs O(1).
#[derive(Debug, Default)]
struct Fleet {
    /// Ready times of cold launches (in order: one latency).
    cold: VecDeque<f64>,
    /// Ready times of launches out of the pool.
    warm: VecDeque<f64>,
    /// In service, not warming.
    counted: u32,
    /// Warmup end times of in-service instances still warming.
    warming: VecDeque<f64>,
    /// Ready times of instances entering the pool.
    preparing: VecDeque<f64>,
    /// Ready in the pool.
    pooled: u32,
}

impl Fleet {
    fn launching(&self) -> u32 {
        (self.cold.len() + self.warm.len()) as u32
    }
    fn in_service(&self) -> u32 {
        self.counted + self.warming.len() as u32
    }
    fn members(&self) -> u32 {
        self.launching() + self.in_service()
    }

    /// Adds one second in the current states to `seconds` (launching, in service, preparing, pooled).
    fn tally(&self, seconds: &mut [f64; 4]) {
        seconds[0] += f64::from(self.launching());
        seconds[1] += f64::from(self.in_service());
        seconds[2] += self.preparing.len() as f64;
        seconds[3] += f64::from(self.pooled);
    }

    fn row(&self, t: f64, arrivals: f64, backlog: f64, desired: u32, wait: f64) -> Row {
        Row {
            t,
            arrivals,
            backlog,
            desired,
            in_service: self.counted,
            warming: self.warming.len() as u32,
            launching: self.launching(),
            pooled: self.pooled,
            pool_preparing: self.preparing.len() as u32,
            wait,
        }
    }
}

/// A streaming histogram of waits, about 2 % wide per bucket.
#[derive(Debug)]
struct WaitHistogram {
    weights: Vec<f64>,
    total: f64,
}

const WAIT_FLOOR: f64 = 0.01;
const WAIT_GROWTH: f64 = 1.02;
const WAIT_BUCKETS: usize = 700; // up to about 0.01 × 1.02^700 ≈ 10^4 s

impl WaitHistogram {
    fn new() -> Self {
        Self { weights: vec![0.0; WAIT_BUCKETS + 1], total: 0.0 }
    }
    fn add(&mut self, wait: f64, weight: f64) {
        if weight <= 0.0 || !weight.is_finite() || wait.is_nan() {
            return;
        }
        let i = if wait <= WAIT_FLOOR {
            0
        } else {
            (((wait / WAIT_FLOOR).ln() / WAIT_GROWTH.ln()) as usize + 1).min(WAIT_BUCKETS)
        };
        self.weights[i] += weight;
        self.total += weight;
    }
    fn quantile(&self, q: f64) -> f64 {
        if self.total <= 0.0 {
            return 0.0;
        }
        let mut seen = 0.0;
        for (i, w) in self.weights.iter().enumerate() {
            seen += w;
            if seen >= q * self.total {
                return if i == 0 { 0.0 } else { WAIT_FLOOR * WAIT_GROWTH.powi(i as i32) };
            }
        }
        WAIT_FLOOR * WAIT_GROWTH.powi(WAIT_BUCKETS as i32)
    }
}

/// A wait that stands for "nobody is serving": far over any objective.
const NO_SERVICE_WAIT: f64 = 1.0e4;

/// Runs the scenario on `demand`.
pub fn simulate(s: &Scenario, mut demand: DemandSource, options: RunOptions) -> Run {
    let plant = &s.plant;
    let mut min = s.group.min;
    let mut max = s.group.max;
    let mut desired = s.group.desired.unwrap_or(min);
    let mut fleet = Fleet { counted: desired, ..Fleet::default() };
    if let Some(pool) = s.warm_pool.as_ref().filter(|w| w.start_full) {
        fleet.pooled = super::warm_pool_size(pool.min_size, pool.max_group_prepared_capacity, max, desired);
    }
    let mut policies: Vec<Policy> = s
        .target_tracking
        .iter()
        .map(|p| Policy {
            spec: p.clone(),
            watch: Watch::new(p.metric, p.period, lag(p)),
            wants: None,
            high: Alarm::new(p.high.datapoints, p.high.evaluation_periods),
            low: Alarm::new(p.low.datapoints, p.low.evaluation_periods),
        })
        .collect();
    let mut step_policies: Vec<StepPolicy> = s
        .step_scaling
        .iter()
        .map(|p| StepPolicy {
            spec: p.clone(),
            watch: Watch::new(p.metric, p.period, p.period),
            alarm: Alarm::new(p.alarm.datapoints, p.alarm.evaluation_periods),
            warming: None,
        })
        .collect();
    // Predictive scaling's floor for the current hour.
    let mut floor = 0u32;
    let mut scheduled = s.scheduled.clone();
    scheduled.sort_by(|a, b| a.at.total_cmp(&b.at));
    let mut next_scheduled = 0;

    let steps = s.duration.ceil() as u64;
    // Waiting work, first come first served: (arrived at, amount); and retries due: (due at, amount).
    let mut queue: VecDeque<(f64, f64)> = VecDeque::new();
    let mut retries: VecDeque<(f64, f64)> = VecDeque::new();
    let mut backlog = 0.0f64;
    let mut hist = WaitHistogram::new();
    let mut summary = Summary {
        scenario: s.name.clone(),
        seconds: steps as f64,
        seconds_over_objective: 0.0,
        objective_seconds: s.objective.latency,
        wait_p50: 0.0,
        wait_p99: 0.0,
        peak_backlog: 0.0,
        arrived: 0.0,
        timed_out: 0.0,
        instance_hours: InstanceHours::default(),
        warm_pool_storage_cost: 0.0,
        instance_cost: 0.0,
        scale_outs: 0,
        scale_ins: 0,
        oscillations: 0,
        cold_launches: 0,
        warm_launches: 0,
        max_desired: desired,
        final_desired: desired,
    };
    let mut seconds = [0.0f64; 4]; // launching, in service, preparing, pooled
    let mut changes = Changes::default();
    let mut rows = Vec::with_capacity(if options.record_every > 0 {
        (steps / u64::from(options.record_every)) as usize + 1
    } else {
        0
    });
    let mut block = [0.0f64; DEMAND_BLOCK];
    let mut block_start = 0u64;
    let mut block_len = 0usize;
    // Before this second nothing but arrivals can be due: no instance ready, retry, evaluation, scheduled action or
    // forecast hour. A second before it whose arrivals the fleet serves at once (nothing queued) is quiet: the whole
    // step would serve them, wait nothing and change nothing else, so only the sums move. Most seconds are quiet.
    let mut quiet_until = 0u64;
    // What the in-service instances serve per second, as the last whole step left them.
    let mut serving_capacity = 0.0f64;

    for step in 0..steps {
        let t = step as f64;
        if step >= block_start + block_len as u64 {
            block_start = step;
            block_len = (steps - step).min(DEMAND_BLOCK as u64) as usize;
            demand.fill(t, &mut block[..block_len]);
        }
        let fresh = block[(step - block_start) as usize];
        if step < quiet_until && queue.is_empty() && fresh <= serving_capacity {
            // Nothing waits: no wait is over an objective of 0 s or more, nor a timeout (above 0 s, validated).
            hist.add(0.0, fresh);
            summary.arrived += fresh;
            let counted = f64::from(fleet.counted);
            for w in policies.iter_mut().map(|p| &mut p.watch).chain(step_policies.iter_mut().map(|p| &mut p.watch)) {
                w.add(t, 0.0, fresh, counted, plant.throughput);
            }
            fleet.tally(&mut seconds);
            if options.record_every > 0 && step % u64::from(options.record_every) == 0 {
                rows.push(fleet.row(t, fresh, 0.0, desired, 0.0));
            }
            continue;
        }

        // Scheduled actions take effect at their second.
        while next_scheduled < scheduled.len() && scheduled[next_scheduled].at <= t {
            let a = &scheduled[next_scheduled];
            min = a.min.unwrap_or(min);
            max = a.max.unwrap_or(max).max(min);
            let want = a.desired.unwrap_or(desired).clamp(min, max);
            if want != desired {
                changes.apply(
                    t,
                    &mut desired,
                    want,
                    &format!("a scheduled action set the group's min {min} and max {max},"),
                );
            } else {
                desired = desired.clamp(min, max);
            }
            next_scheduled += 1;
        }

        // Arrivals of instances.
        for queue in [&mut fleet.cold, &mut fleet.warm] {
            while queue.front().is_some_and(|r| *r <= t) {
                queue.pop_front();
                fleet.warming.push_back(t + s.group.instance_warmup);
            }
        }
        while fleet.warming.front().is_some_and(|w| *w <= t) {
            fleet.warming.pop_front();
            fleet.counted += 1;
        }
        while fleet.preparing.front().is_some_and(|r| *r <= t) {
            fleet.preparing.pop_front();
            fleet.pooled += 1;
        }

        // Work: new and retried arrivals join the queue; in-service instances serve its front; what waited past the
        // timeout fails, and some of it comes back.
        let mut arrivals = fresh;
        while retries.front().is_some_and(|(due, _)| *due <= t) {
            arrivals += retries.pop_front().map_or(0.0, |(_, a)| a);
        }
        if arrivals > 0.0 {
            queue.push_back((t, arrivals));
            backlog += arrivals;
        }
        let serving = f64::from(fleet.in_service());
        let capacity = serving * plant.throughput;
        let mut budget = capacity;
        while budget > 0.0 {
            let Some(front) = queue.front_mut() else { break };
            let take = front.1.min(budget);
            front.1 -= take;
            budget -= take;
            backlog -= take;
            if front.1 <= 1e-12 {
                queue.pop_front();
            }
        }
        if let Some(timeout) = plant.timeout {
            let mut failed = 0.0;
            while queue.front().is_some_and(|(at, _)| t - at >= timeout) {
                failed += queue.pop_front().map_or(0.0, |(_, a)| a);
            }
            if failed > 0.0 {
                backlog -= failed;
                summary.timed_out += failed;
                if plant.retry > 0.0 {
                    retries.push_back((t + plant.retry_after.max(1.0), failed * plant.retry));
                }
            }
        }
        if queue.is_empty() {
            backlog = 0.0; // no drift from floating-point sums
        }
        let queued = if backlog <= 0.0 {
            0.0
        } else if capacity > 0.0 {
            backlog / capacity
        } else {
            NO_SERVICE_WAIT
        };
        // Work never waits past the timeout: it fails there.
        let wait = plant.timeout.map_or(queued, |limit| queued.min(limit));
        hist.add(wait, arrivals);
        if wait > s.objective.latency {
            summary.seconds_over_objective += 1.0;
        }
        summary.peak_backlog = summary.peak_backlog.max(backlog);
        summary.arrived += arrivals;

        // Metrics into periods; a finished period's datapoint reaches the alarm after the lag.
        let counted = f64::from(fleet.counted);
        for w in policies.iter_mut().map(|p| &mut p.watch).chain(step_policies.iter_mut().map(|p| &mut p.watch)) {
            w.add(t, backlog, arrivals, counted, plant.throughput);
        }

        // Alarms are evaluated every 10 s for 10 and 30 s periods, every minute otherwise.
        // Causes are worded only for the changes that happen: most evaluations in ALARM change nothing.
        let mut out: Option<Proposal> = None;
        let mut inward: Option<Proposal> = None;
        let warming_now = !fleet.warming.is_empty() || fleet.launching() > 0;
        for (i, p) in policies.iter_mut().enumerate() {
            if !p.watch.due(step) {
                continue;
            }
            let cadence = p.watch.cadence;
            while let Some(d) = p.watch.seen(t) {
                p.high.push(d.value > p.spec.target);
                p.low.push(d.value < p.spec.target * p.spec.low_ratio);
            }
            let Some(Datapoint { start, value: metric, basis, .. }) = p.watch.latest else { continue };
            if changes.last.is_some_and(|(at, _)| start < at) {
                continue; // the newest datapoint still counts the fleet from before the last change
            }
            let want = (basis * metric / p.spec.target - 1e-9).ceil().max(0.0) as u32;
            p.wants = Some(want);
            let proposal = Proposal { want, policy: i, metric, counted: fleet.counted, warming: fleet.warming.len() };
            if p.high.in_alarm && t - p.high.last_action >= f64::from(cadence) {
                p.high.last_action = t;
                if out.is_none_or(|o| want > o.want) {
                    out = Some(proposal);
                }
            }
            if p.low.in_alarm && !p.spec.disable_scale_in && !warming_now && t - p.low.last_action >= f64::from(cadence)
            {
                p.low.last_action = t;
                if inward.is_none_or(|o| want > o.want) {
                    inward = Some(proposal);
                }
            }
        }
        // Step policies: the alarm's step decides the adjustment; a scale out whose instances still warm counts.
        let mut step_out: Option<(u32, String)> = None;
        let mut step_in: Option<(u32, String)> = None;
        for p in &mut step_policies {
            if !p.watch.due(step) {
                continue;
            }
            let spec = &p.spec;
            while let Some(d) = p.watch.seen(t) {
                p.alarm.push(match spec.comparison {
                    Comparison::AtOrAbove => d.value >= spec.threshold,
                    Comparison::AtOrBelow => d.value <= spec.threshold,
                });
            }
            let Some(d) = p.watch.latest else { continue };
            if !p.alarm.in_alarm || t - p.alarm.last_action < f64::from(p.watch.cadence) {
                continue;
            }
            p.alarm.last_action = t;
            let Some(step) = step_for(spec, d.value - spec.threshold) else { continue };
            let mut want = adjusted(spec, desired, step.adjustment);
            let warming = p.warming.filter(|(until, _)| *until > t).map_or(0, |(_, added)| added);
            if want > desired && warming > 0 {
                // The instances of the last scale out count: add only what this step asks beyond them.
                want = want.saturating_sub(warming).max(desired);
            }
            let cause = format!(
                "a monitor alarm {} in state ALARM ({} {:.1} {} {}) triggered policy {} (step {}..{}: {:+})",
                spec.name,
                metric_name(spec.metric),
                d.value,
                if spec.comparison == Comparison::AtOrAbove { ">=" } else { "<=" },
                spec.threshold,
                spec.name,
                step.lower.map_or("-inf".into(), |v| v.to_string()),
                step.upper.map_or("+inf".into(), |v| v.to_string()),
                step.adjustment
            );
            if want > desired {
                p.warming = Some((t + s.group.instance_warmup, want - desired));
                if step_out.as_ref().is_none_or(|(w, _)| want > *w) {
                    step_out = Some((want, cause));
                }
            } else if want < desired && !warming_now && step_in.as_ref().is_none_or(|(w, _)| want > *w) {
                step_in = Some((want, cause));
            }
        }
        // Predictive scaling raises the floor at each hour (less the scheduling buffer) and never scales in.
        let mut next_hour = steps;
        if let Some(pred) = &s.predictive {
            let hour = ((t + pred.buffer) / 3600.0) as usize;
            next_hour = ((hour + 1) as f64 * 3600.0 - pred.buffer).floor() as u64;
            let forecast = pred.forecast[hour.min(pred.forecast.len() - 1)];
            if forecast != floor {
                floor = forecast;
                let want = floor.clamp(min, max);
                if want > desired {
                    changes.apply(
                        t,
                        &mut desired,
                        want,
                        &format!(
                            "predictive scaling's forecast for hour {hour} ({forecast} instances) raised the floor,"
                        ),
                    );
                }
            }
        }
        // Scale out if any policy wants to, to the largest capacity asked; in only if every target tracking policy
        // that may scale in is in its low alarm, to the largest capacity any policy (or the forecast) still asks.
        let tt_out = out.map(|o| (o.want, o));
        let best_out = match (tt_out, step_out) {
            (Some((w, o)), Some((sw, sc))) => {
                Some(if sw > w { (sw, sc) } else { (w, o.cause(&policies[o.policy].spec, true)) })
            }
            (Some((w, o)), None) => Some((w, o.cause(&policies[o.policy].spec, true))),
            (None, step) => step,
        };
        if let Some((want, cause)) = best_out {
            let want = want.clamp(min, max);
            if want > desired {
                changes.apply(t, &mut desired, want, &cause);
            }
        } else if inward.is_some() || step_in.is_some() {
            let all_agree = policies.iter().all(|p| p.spec.disable_scale_in || p.low.in_alarm);
            let largest_tt = policies.iter().filter(|p| !p.spec.disable_scale_in).filter_map(|p| p.wants).max();
            let asked =
                [inward.map(|o| o.want), step_in.as_ref().map(|(w, _)| *w), largest_tt].into_iter().flatten().max();
            let want = asked.unwrap_or(desired).max(floor).clamp(min, max);
            if all_agree && want < desired {
                let cause = match inward {
                    Some(o) => o.cause(&policies[o.policy].spec, false),
                    None => step_in.map(|(_, c)| c).unwrap_or_default(),
                };
                changes.apply(t, &mut desired, want, &cause);
            }
        }

        // The group meets desired: out of the pool first, then cold; scale in removes launching, then newest.
        let members = fleet.members();
        if desired > members {
            for _ in members..desired {
                if fleet.pooled > 0 {
                    fleet.pooled -= 1;
                    let latency = match s.warm_pool.as_ref().map(|w| w.state).unwrap_or_default() {
                        PoolState::Stopped => plant.warm_from_stopped,
                        PoolState::Hibernated => plant.warm_from_hibernated,
                        PoolState::Running => plant.warm_from_running,
                    };
                    fleet.warm.push_back(t + latency + plant.hook);
                    summary.warm_launches += 1;
                } else {
                    fleet.cold.push_back(t + plant.cold_launch + plant.hook);
                    summary.cold_launches += 1;
                }
            }
        } else if desired < members {
            let reuse = s.warm_pool.as_ref().is_some_and(|w| w.reuse_on_scale_in);
            for _ in desired..members {
                if fleet.cold.pop_back().is_some() || fleet.warm.pop_back().is_some() {
                    continue;
                }
                // Protected instances (work leases held) are never chosen: the group stays above desired.
                if fleet.in_service() <= s.group.protected {
                    break;
                }
                if fleet.warming.pop_back().is_none() && fleet.counted > 0 {
                    fleet.counted -= 1;
                }
                if reuse {
                    fleet.pooled += 1;
                }
            }
        }
        // The pool keeps max(MinSize, (MaxGroupPreparedCapacity or MaxSize) − desired).
        let mut pool_settled = true;
        if let Some(pool) = &s.warm_pool {
            let target = super::warm_pool_size(pool.min_size, pool.max_group_prepared_capacity, max, desired);
            let have = fleet.pooled + fleet.preparing.len() as u32;
            for _ in have..target {
                fleet.preparing.push_back(t + plant.cold_launch + plant.hook);
            }
            // A pool above its size loses the instances still preparing first, then ready ones.
            for _ in target..have {
                if fleet.preparing.pop_back().is_none() {
                    fleet.pooled = fleet.pooled.saturating_sub(1);
                }
            }
            pool_settled = fleet.pooled + fleet.preparing.len() as u32 == target;
        }

        fleet.tally(&mut seconds);
        summary.max_desired = summary.max_desired.max(desired);
        if options.record_every > 0 && step % u64::from(options.record_every) == 0 {
            rows.push(fleet.row(t, arrivals, backlog, desired, wait));
        }

        serving_capacity = f64::from(fleet.in_service()) * plant.throughput;
        quiet_until = if options.exhaustive || fleet.members() != desired || !pool_settled {
            0
        } else {
            // The earliest second anything is due, rounded down: stopping early only costs a whole step.
            let second = |at: &f64| at.max(0.0).floor() as u64;
            [fleet.cold.front(), fleet.warm.front(), fleet.warming.front(), fleet.preparing.front()]
                .into_iter()
                .chain([retries.front().map(|(due, _)| due), scheduled.get(next_scheduled).map(|a| &a.at)])
                .flatten()
                .map(second)
                .chain(policies.iter().map(|p| p.watch.next_evaluation))
                .chain(step_policies.iter().map(|p| p.watch.next_evaluation))
                .fold(next_hour, u64::min)
        };
    }

    let hours = |s: f64| s / 3600.0;
    summary.instance_hours = InstanceHours {
        launching: hours(seconds[0]),
        in_service: hours(seconds[1]),
        pool_preparing: hours(seconds[2]),
        pool: hours(seconds[3]),
    };
    let state = s.warm_pool.as_ref().map(|w| w.state).unwrap_or_default();
    let per_instance_gb = s.cost.pool_gb(state);
    // A month is 730 hours in AWS's pricing.
    summary.warm_pool_storage_cost = per_instance_gb * s.cost.ebs_gb_month * summary.instance_hours.pool / 730.0;
    let running_hours = summary.instance_hours.launching
        + summary.instance_hours.in_service
        + summary.instance_hours.pool_preparing
        + if state == PoolState::Running { summary.instance_hours.pool } else { 0.0 };
    summary.instance_cost = running_hours * s.cost.instance_hour;
    summary.wait_p50 = hist.quantile(0.50);
    summary.wait_p99 = hist.quantile(0.99);
    summary.final_desired = desired;
    summary.scale_outs = changes.outs;
    summary.scale_ins = changes.ins;
    summary.oscillations = changes.reversals;
    Run { summary, decisions: changes.decisions, rows }
}

/// The step whose interval holds `delta` (the metric less the threshold): above the threshold the lower bound is
/// inclusive, below it the upper bound.
fn step_for(spec: &StepScalingSpec, delta: f64) -> Option<Step> {
    spec.steps.iter().copied().find(|st| {
        let lower = st.lower.unwrap_or(f64::NEG_INFINITY);
        let upper = st.upper.unwrap_or(f64::INFINITY);
        if delta >= 0.0 {
            lower <= delta && delta < upper
        } else {
            lower < delta && delta <= upper
        }
    })
}

/// The capacity a step's adjustment asks for, rounded as AWS documents for percentages: above 1 down, between 0 and
/// 1 to 1, between -1 and 0 to -1, below -1 up; MinAdjustmentMagnitude raises a percentage's size.
pub(super) fn adjusted(spec: &StepScalingSpec, current: u32, adjustment: i32) -> u32 {
    let current = i64::from(current);
    let change = match spec.adjustment_type {
        AdjustmentType::ChangeInCapacity => i64::from(adjustment),
        AdjustmentType::ExactCapacity => return adjustment.max(0) as u32,
        AdjustmentType::PercentChangeInCapacity => {
            let raw = current as f64 * f64::from(adjustment) / 100.0;
            let mut rounded = if raw >= 1.0 {
                raw.floor()
            } else if raw > 0.0 {
                1.0
            } else if raw > -1.0 && raw < 0.0 {
                -1.0
            } else {
                raw.ceil()
            } as i64;
            if let Some(magnitude) = spec.min_adjustment_magnitude {
                if rounded != 0 && rounded.unsigned_abs() < u64::from(magnitude) {
                    rounded = rounded.signum() * i64::from(magnitude);
                }
            }
            rounded
        }
    };
    (current + change).clamp(0, i64::from(u32::MAX)) as u32
}

/// What one policy asks for at an evaluation, and what it saw.
#[derive(Debug, Clone, Copy)]
struct Proposal {
    want: u32,
    policy: usize,
    metric: f64,
    counted: u32,
    warming: usize,
}

impl Proposal {
    /// The cause, as DescribeScalingActivities starts it.
    fn cause(&self, p: &TargetTrackingSpec, high: bool) -> String {
        let name = metric_name(p.metric);
        if high {
            format!(
                "a monitor alarm TargetTracking-{}-AlarmHigh in state ALARM ({name} {:.1} > {} in {} of {} datapoints; {} counted, {} warming) triggered policy {}",
                p.name, self.metric, p.target, p.high.datapoints, p.high.evaluation_periods, self.counted, self.warming, p.name
            )
        } else {
            format!(
                "a monitor alarm TargetTracking-{}-AlarmLow in state ALARM ({name} {:.1} < {:.1} in {} of {} datapoints) triggered policy {}",
                p.name, self.metric, p.target * p.low_ratio, p.low.datapoints, p.low.evaluation_periods, p.name
            )
        }
    }
}

/// The changes of desired capacity so far.
#[derive(Debug, Default)]
struct Changes {
    decisions: Vec<Decision>,
    /// The last change: when, and its direction (+1 out, -1 in).
    last: Option<(f64, i8)>,
    outs: u32,
    ins: u32,
    /// Changes that reversed the previous one within 10 minutes.
    reversals: u32,
}

impl Changes {
    /// Sets `desired` to `to` for `cause` (how DescribeScalingActivities would start the sentence), and counts it.
    fn apply(&mut self, t: f64, desired: &mut u32, to: u32, cause: &str) {
        let from = *desired;
        let direction: i8 = if to > from { 1 } else { -1 };
        if direction > 0 {
            self.outs += 1;
        } else {
            self.ins += 1;
        }
        if self.last.is_some_and(|(at, previous)| previous != direction && t - at <= 600.0) {
            self.reversals += 1;
        }
        self.last = Some((t, direction));
        self.decisions.push(Decision {
            at: t,
            from,
            to,
            cause: format!("At {} {cause} changing the desired capacity from {from} to {to}.", clock(t)),
        });
        *desired = to;
    }
}

fn metric_name(kind: MetricKind) -> &'static str {
    match kind {
        MetricKind::BacklogPerInstance => "BacklogPerInstance",
        MetricKind::Utilization => "Utilization",
        MetricKind::RequestsPerInstance => "RequestsPerInstance",
    }
}

/// `+1h02m03s` from the start.
pub fn clock(t: f64) -> String {
    let s = t as u64;
    format!("+{}h{:02}m{:02}s", s / 3600, (s / 60) % 60, s % 60)
}
