//! The warm-pool planner's run: for every group that opted in, its demand and its own launches are read, a plan is
//! made ([`plan`]) and applied within the group's bounds past the deadband ([`decide`]). Whatever is missing — a
//! tag that does not parse, a group the document does not describe, a history with holes — changes nothing and
//! says why.

use super::config::{Bounds, GroupPlanning, Missing, PlannerConfig};
use super::ports::{DemandMetrics, PoolGroup, ScalingActivities, WarmPoolSpec, WarmPools};
use super::report::{group_report, not_opted_in};
use super::{
    decide, plan, ChangePolicy, DeadTime, DemandHistory, HeadroomPlan, PlanSettings, PoolDecision, PoolSettings,
};
use crate::activity::{LaunchPath, ScalingActivity};
use crate::ports::AwsError;
use crate::report::Report;
use crate::retry::{retry, RetryPolicy};
use chrono::{DateTime, Duration as TimeDelta, Utc};
use futures::stream::{self, StreamExt};
use serde::Serialize;

/// How far back a group's launches are read for its dead time.
pub const LAUNCH_HISTORY_DAYS: i64 = 14;
/// The fewest cold launches a measured dead time rests on.
const FEWEST_LAUNCHES: usize = 3;

/// What the planner did with one group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// PutWarmPool was called.
    Applied,
    /// A change was planned; dry run, so nothing was put.
    WouldApply,
    /// The pool stays: already right, or inside the deadband.
    Kept,
    /// No plan could be made (history too short or with holes, the group not described): nothing changed.
    NoPlan,
    /// An AWS call failed or the group's tag is wrong: nothing changed, and the run fails so its alarm sees it.
    Failed,
}

/// Where the launch part of the dead time comes from.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "source", rename_all = "snake_case")]
pub enum LaunchSource {
    /// The 90th percentile of the group's own cold launches (launch → InService, hooks included).
    Measured {
        /// Cold launches measured.
        launches: usize,
    },
    /// The document's `launch` and `hook` (too few launches of its own).
    Configured {
        /// Cold launches the history had.
        launches: usize,
    },
}

/// One group's outcome, with the inputs that led to it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupOutcome {
    /// The group.
    pub group: String,
    /// What was done.
    pub action: Action,
    /// Why, in words.
    pub reason: String,
    /// The bounds from its tag.
    pub bounds: Option<Bounds>,
    /// The dead time used.
    pub dead_time: Option<DeadTime>,
    /// Where its launch part came from.
    pub launch_source: Option<LaunchSource>,
    /// The plan, when one was made.
    pub plan: Option<HeadroomPlan>,
    /// The warm instances planned, within the bounds.
    pub planned_warm: Option<u32>,
    /// The pool before.
    pub before: Option<WarmPoolSpec>,
    /// The pool put (or that would be, in dry run).
    pub after: Option<WarmPoolSpec>,
}

impl GroupOutcome {
    fn new(group: &PoolGroup) -> Self {
        Self {
            group: group.name.clone(),
            action: Action::NoPlan,
            reason: String::new(),
            bounds: None,
            dead_time: None,
            launch_source: None,
            plan: None,
            planned_warm: None,
            before: group.pool,
            after: None,
        }
    }

    fn end(mut self, action: Action, reason: impl Into<String>) -> Self {
        self.action = action;
        self.reason = reason.into();
        self
    }
}

/// A run over every opted-in group.
#[derive(Debug)]
pub struct PlannerRun {
    /// Log and metric lines.
    pub report: Report,
    /// One per opted-in group, in the order AWS listed them.
    pub outcomes: Vec<GroupOutcome>,
}

impl PlannerRun {
    /// The groups that failed, each with its reason: a non-empty list fails the invocation.
    pub fn failures(&self) -> Vec<String> {
        self.outcomes
            .iter()
            .filter(|o| o.action == Action::Failed)
            .map(|o| format!("{}: {}", o.group, o.reason))
            .collect()
    }
}

/// The launch part of the dead time from a group's own launches: the 90th percentile (nearest rank) of its
/// successful cold launches — into service, or into the warm pool (the same boot and hooks, so a group whose pool
/// serves its scale-outs keeps a measurement) — when there are enough of them. Launches from the pool are not the
/// path a pool replaces and do not count.
pub fn measured_launch(activities: &[ScalingActivity]) -> (Option<f64>, usize) {
    let mut cold: Vec<f64> = activities
        .iter()
        .filter(|a| a.successful() && matches!(a.launch(), Some(LaunchPath::Cold | LaunchPath::IntoWarmPool)))
        .filter_map(ScalingActivity::seconds)
        .collect();
    let count = cold.len();
    if count < FEWEST_LAUNCHES {
        return (None, count);
    }
    cold.sort_by(f64::total_cmp);
    let rank = ((0.9 * count as f64).ceil() as usize).clamp(1, count);
    (Some(cold[rank - 1]), count)
}

/// A metric's datapoints as arrival rates, one sample per period from `start` (inclusive) to `end` (exclusive):
/// counts (`Sum`, `SampleCount`) divided by the period; a period with no datapoint is a hole, or zero work when
/// the metric is one CloudWatch receives only when it is not zero.
pub fn history_from_points(
    points: &[(DateTime<Utc>, f64)],
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    planning: &GroupPlanning,
) -> DemandHistory {
    let period = i64::from(planning.metric.period.max(1));
    let samples = ((end - start).num_seconds() / period).max(0) as usize;
    let empty = match planning.missing {
        Missing::Hole => None,
        Missing::Zero => Some(0.0),
    };
    let mut rates = vec![empty; samples];
    let scale = if planning.metric.is_count() { 1.0 / period as f64 } else { 1.0 };
    for (at, value) in points {
        let offset = (*at - start).num_seconds();
        if offset < 0 || !value.is_finite() {
            continue;
        }
        if let Some(slot) = rates.get_mut((offset / period) as usize) {
            *slot = Some(value * scale);
        }
    }
    DemandHistory { step: period as f64, rates }
}

/// The window of whole periods ending at or before `now` and reaching `length` back: the current period is still
/// filling and would read as a drop.
pub fn history_window(
    planning: &GroupPlanning,
    length: std::time::Duration,
    now: DateTime<Utc>,
) -> (DateTime<Utc>, DateTime<Utc>) {
    let period = i64::from(planning.metric.period);
    let end = floor_to(now, period);
    (floor_to(end - TimeDelta::seconds(length.as_secs() as i64), period), end)
}

/// Plans every opted-in group with at most `config.concurrency` in flight. Fails only when the groups cannot be
/// listed; each group's own failure is in its outcome.
pub async fn plan_warm_pools<P>(ports: &P, config: &PlannerConfig, now: DateTime<Utc>) -> Result<PlannerRun, AwsError>
where
    P: WarmPools + DemandMetrics + ScalingActivities,
{
    let groups = retry(RetryPolicy::standard(), || ports.opted_in_groups()).await.result?;
    let outcomes: Vec<GroupOutcome> = stream::iter(groups.iter())
        .map(|g| plan_group(ports, config, g, now))
        .buffered(config.concurrency)
        .collect()
        .await;
    let mut report = Report::default();
    for o in &outcomes {
        report.append(group_report(o, now));
    }
    for g in config.groups.iter().filter(|g| !groups.iter().any(|o| o.name == g.name)) {
        not_opted_in(&mut report, &g.name, now);
    }
    Ok(PlannerRun { report, outcomes })
}

async fn plan_group<P>(ports: &P, config: &PlannerConfig, group: &PoolGroup, now: DateTime<Utc>) -> GroupOutcome
where
    P: WarmPools + DemandMetrics + ScalingActivities,
{
    let mut out = GroupOutcome::new(group);
    let bounds = match Bounds::parse(&group.bounds_tag) {
        Ok(b) => b,
        Err(e) => return out.end(Action::Failed, format!("{e}; the pool is left as it is")),
    };
    out.bounds = Some(bounds);
    let Some(planning) = config.group(&group.name) else {
        return out.end(
            Action::NoPlan,
            "the planner document has no [[group]] for it, so its demand is unknown; the pool is left as it is",
        );
    };
    let since = now - TimeDelta::days(LAUNCH_HISTORY_DAYS);
    let (start, end) = history_window(planning, planning.history, now);
    // The launches and the demand are independent reads: side by side, one round trip between them.
    let (launches, points) = futures::join!(
        retry(RetryPolicy::standard(), || ports.activities(&group.name, since)),
        retry(RetryPolicy::standard(), || ports.datapoints(&planning.metric, start, end)),
    );
    let (launches, points) = match (launches.result, points.result) {
        (Ok(l), Ok(p)) => (l, p),
        (Err(e), _) | (_, Err(e)) => return out.end(Action::Failed, format!("{e}; the pool is left as it is")),
    };
    let (dead, source) = dead_time(planning, &launches);
    out.dead_time = Some(dead);
    out.launch_source = Some(source);
    let history = history_from_points(&points, start, end, planning);
    // A metric with no datapoint at all is a misspelt name or dimension as often as a quiet one (CloudWatch does not
    // say which): read as zeros (`missing = "zero"`) it would plan an empty pool.
    if points.is_empty() {
        return out.end(
            Action::NoPlan,
            format!(
                "{}/{} has no datapoint in the window (a wrong name or dimension reads as nothing); the pool is left as it is",
                planning.metric.namespace, planning.metric.name
            ),
        );
    }
    let settings = PlanSettings {
        per_instance: planning.per_instance,
        percentile: planning.percentile,
        max_missing: planning.max_missing,
        group_min: group.min_size,
        group_max: group.max_size,
    };
    let planned = match plan(&history, dead, settings) {
        Ok(p) => p,
        Err(no) => return out.end(Action::NoPlan, format!("{no}; the pool is left as it is")),
    };
    out.planned_warm = Some(planned.warm_instances.clamp(bounds.min, bounds.max));
    out.plan = Some(planned.clone());
    let current = group.pool.zip(group.pool_size()).map(|(p, size)| {
        let settings = PoolSettings {
            min_size: p.min_size,
            max_group_prepared_capacity: p.max_group_prepared_capacity.unwrap_or(group.max_size),
        };
        (settings, size)
    });
    let policy = ChangePolicy { min_warm: bounds.min, max_warm: bounds.max, deadband: planning.deadband };
    let (settings, reason) = match decide(current, &planned, policy) {
        Ok(PoolDecision::Keep { reason }) => return out.end(Action::Kept, reason),
        Ok(PoolDecision::Apply { settings, reason }) => (settings, reason),
        Err(no) => return out.end(Action::Failed, no.0),
    };
    // PutWarmPool replaces the whole configuration: an existing pool keeps its state and reuse policy.
    let spec = WarmPoolSpec {
        min_size: settings.min_size,
        max_group_prepared_capacity: Some(settings.max_group_prepared_capacity),
        state: group.pool.map_or(planning.pool_state, |p| p.state),
        reuse_on_scale_in: group.pool.is_some_and(|p| p.reuse_on_scale_in),
    };
    out.after = Some(spec);
    if planning.dry_run {
        return out.end(Action::WouldApply, format!("{reason} (dry run: nothing put)"));
    }
    match retry(RetryPolicy::standard(), || ports.put_warm_pool(&group.name, &spec)).await.result {
        Ok(()) => out.end(Action::Applied, reason),
        Err(e) => out.end(Action::Failed, format!("{reason}, but {e}; the pool is left as it was")),
    }
}

fn dead_time(planning: &GroupPlanning, launches: &[ScalingActivity]) -> (DeadTime, LaunchSource) {
    let configured = DeadTime {
        metric_lag: planning.metric_lag,
        detection: planning.detection,
        launch: planning.launch,
        hook: planning.hook,
    };
    configured.measured_from(launches)
}

/// `t` rounded down to a whole `period` (seconds since the epoch), as CloudWatch aligns its datapoints.
fn floor_to(t: DateTime<Utc>, period: i64) -> DateTime<Utc> {
    let secs = t.timestamp();
    DateTime::from_timestamp(secs - secs.rem_euclid(period.max(1)), 0).unwrap_or(t)
}
