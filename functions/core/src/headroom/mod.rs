//! How much capacity must already be warm: the loop's dead time (metric lag, alarm detection, launch, hook) is
//! what demand can climb before new capacity serves, so the warm pool must hold the climb a high percentile of the
//! history shows over windows that long. And when to change a pool: only within the group's bounds, only past a
//! deadband, never on data with holes (a made-up low climb would shrink the pool before a peak).

use crate::simulate::{MetricKind, Scenario};
use serde::Serialize;

mod config;
mod ports;
mod report;
mod service;
#[cfg(test)]
mod tests;

pub use config::{
    Bounds, GroupPlanning, MetricSpec, Missing, PlannerConfig, PlannerConfigError, DEFAULT_COLD_LAUNCH, OPT_IN_TAG,
};
pub use ports::{DemandMetrics, PoolGroup, ScalingActivities, WarmPoolSpec, WarmPools};
pub use service::{
    history_from_points, history_window, measured_launch, plan_warm_pools, Action, GroupOutcome, LaunchSource,
    PlannerRun, LAUNCH_HISTORY_DAYS,
};

/// What delays new capacity, in seconds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct DeadTime {
    /// From a period's end to its datapoint reaching the alarm.
    pub metric_lag: f64,
    /// The alarm's detection: datapoints × period.
    pub detection: f64,
    /// Launch to ready, on the path the pool would replace (cold).
    pub launch: f64,
    /// The launch hook.
    pub hook: f64,
}

impl DeadTime {
    /// The whole delay.
    pub fn total(&self) -> f64 {
        self.metric_lag + self.detection + self.launch + self.hook
    }

    /// This dead time with the launch measured from a group's own launches when there are enough of them
    /// ([`measured_launch`]): a measured launch ends InService, so the hooks are inside it.
    pub fn measured_from(self, activities: &[crate::activity::ScalingActivity]) -> (DeadTime, LaunchSource) {
        match measured_launch(activities) {
            (Some(launch), launches) => (DeadTime { launch, hook: 0.0, ..self }, LaunchSource::Measured { launches }),
            (None, launches) => (self, LaunchSource::Configured { launches }),
        }
    }
}

/// The loop's dead time as a scenario sets it: its first target tracking policy's lag and detection (defaults:
/// one-minute datapoints, 3 of 3), the cold launch and the hook.
pub fn dead_time(s: &Scenario) -> DeadTime {
    let (lag, detection) = s
        .target_tracking
        .first()
        .map_or((60.0, 180.0), |p| (p.lag.unwrap_or(p.period), f64::from(p.high.datapoints) * p.period));
    DeadTime { metric_lag: lag, detection, launch: s.plant.cold_launch, hook: s.plant.hook }
}

/// The work one instance carries at the scenario's first policy's target (its throughput when no policy says).
pub fn per_instance_load(s: &Scenario) -> f64 {
    match s.target_tracking.first() {
        Some(p) if p.metric == MetricKind::RequestsPerInstance => p.target,
        Some(p) if p.metric == MetricKind::Utilization => s.plant.throughput * p.target / 100.0,
        _ => s.plant.throughput,
    }
}

/// Arrival rates sampled every `step` seconds; `None` where the history has no datapoint.
#[derive(Debug, Clone, PartialEq)]
pub struct DemandHistory {
    /// Seconds between samples.
    pub step: f64,
    /// Work per second, per sample.
    pub rates: Vec<Option<f64>>,
}

/// Why no plan was made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{0}")]
pub struct NoPlan(pub String);

/// The warm capacity that covers the dead time, and pool settings that keep it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HeadroomPlan {
    /// The dead time it covers, seconds.
    pub dead_time: f64,
    /// The percentile of days it covers: each day's steepest climb counts once, so a launch that happens once a day
    /// is not lost among the day's calm windows.
    pub percentile: f64,
    /// The climb of the arrival rate over one dead time at that percentile of the days' steepest (work per second).
    pub climb: f64,
    /// The steepest climb of the whole history.
    pub largest_climb: f64,
    /// Days (or the part of one) the history covers.
    pub days: usize,
    /// The steepest slope in the history, work per second per second (for reading, not for sizing).
    pub peak_slope: f64,
    /// Instances that must be warm: ceil(climb ÷ the work one instance carries at the policy's target).
    pub warm_instances: u32,
    /// PutWarmPool MinSize.
    pub min_size: u32,
    /// PutWarmPool MaxGroupPreparedCapacity, equal to MinSize: AWS then keeps the pool at that absolute size
    /// whatever the desired capacity.
    pub max_group_prepared_capacity: u32,
    /// Samples the history had, and how many were missing.
    pub samples: usize,
    /// Missing samples.
    pub missing: usize,
}

/// Settings of the planner.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlanSettings {
    /// Work one instance carries per second at the scaling policy's target (a requests-per-instance target of 70:
    /// 70; 60 % utilization of 100 a second: 60): scale out brings the group to climb ÷ this, and that is what must
    /// be warm, not the bare minimum that matches demand (which leaves the backlog of the dead time to drain at
    /// nearly no surplus).
    pub per_instance: f64,
    /// Which climb to cover (0.99: all but the steepest 1 %).
    pub percentile: f64,
    /// The largest share of missing samples the plan accepts.
    pub max_missing: f64,
    /// The group's MinSize and MaxSize: warm instances beyond max − min could never enter service.
    pub group_min: u32,
    /// The group's MaxSize.
    pub group_max: u32,
}

/// Plans the warm capacity for `history` and `dead`.
pub fn plan(history: &DemandHistory, dead: DeadTime, settings: PlanSettings) -> Result<HeadroomPlan, NoPlan> {
    let dead_time = dead.total();
    let samples = history.rates.len();
    let missing = history.rates.iter().filter(|r| r.is_none()).count();
    if history.step.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater)
        || settings.per_instance.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater)
    {
        return Err(NoPlan(format!(
            "step {} s and per-instance load {} must be above 0",
            history.step, settings.per_instance
        )));
    }
    let window = (dead_time / history.step).ceil().max(1.0) as usize;
    if samples < 2 * window {
        return Err(NoPlan(format!(
            "the history holds {samples} samples of {} s; at least two dead times ({} samples of {dead_time:.0} s) are needed",
            history.step,
            2 * window
        )));
    }
    if missing as f64 > settings.max_missing * samples as f64 {
        return Err(NoPlan(format!(
            "{missing} of {samples} samples are missing (more than {:.0} %): a climb measured on a partial history could be too low and shrink the pool before a peak",
            settings.max_missing * 100.0
        )));
    }
    // Each day's steepest climb over one dead time (a window counts for the day it starts in).
    let per_day = ((86_400.0 / history.step).round() as usize).max(1);
    let mut daily: Vec<f64> = Vec::new();
    let mut peak_slope = 0.0f64;
    for i in 0..samples {
        if i + window < samples {
            if let (Some(a), Some(b)) = (history.rates[i], history.rates[i + window]) {
                let day = i / per_day;
                if daily.len() <= day {
                    daily.resize(day + 1, 0.0);
                }
                daily[day] = daily[day].max(b - a);
            }
        }
        if let (Some(a), Some(Some(b))) = (history.rates[i], history.rates.get(i + 1)) {
            peak_slope = peak_slope.max((b - a) / history.step);
        }
    }
    if daily.is_empty() {
        return Err(NoPlan("no two samples one dead time apart are both present".into()));
    }
    let days = daily.len();
    let largest_climb = daily.iter().copied().fold(0.0f64, f64::max);
    daily.sort_by(f64::total_cmp);
    let index = ((days - 1) as f64 * settings.percentile.clamp(0.0, 1.0)).round() as usize;
    let climb = daily[index];
    let room = settings.group_max.saturating_sub(settings.group_min);
    let warm_instances = ((climb / settings.per_instance - 1e-9).ceil().max(0.0) as u32).min(room);
    Ok(HeadroomPlan {
        dead_time,
        percentile: settings.percentile,
        climb,
        largest_climb,
        days,
        peak_slope,
        warm_instances,
        min_size: warm_instances,
        max_group_prepared_capacity: warm_instances,
        samples,
        missing,
    })
}

/// A pool's settings as PutWarmPool takes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PoolSettings {
    /// MinSize.
    pub min_size: u32,
    /// MaxGroupPreparedCapacity.
    pub max_group_prepared_capacity: u32,
}

/// What the planner does with a plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum PoolDecision {
    /// Put these settings.
    Apply {
        /// The new settings.
        settings: PoolSettings,
        /// Why.
        reason: String,
    },
    /// Leave the pool as it is.
    Keep {
        /// Why.
        reason: String,
    },
}

/// The bounds a group opted in with, and how big a change must be to happen.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChangePolicy {
    /// The fewest warm instances the planner may set.
    pub min_warm: u32,
    /// The most.
    pub max_warm: u32,
    /// A change smaller than this share of the current warm size (and than one instance) is not made.
    pub deadband: f64,
}

/// Decides whether `planned` replaces `current` (None: the group has no pool yet). `effective` is the pool's size
/// now (AWS's max(MinSize, (MaxGroupPreparedCapacity or MaxSize) − desired)). Growth is applied at once — an
/// under-provisioned pool is what the planner exists to prevent —; shrinking waits until it is past the deadband.
pub fn decide(
    current: Option<(PoolSettings, u32)>,
    planned: &HeadroomPlan,
    policy: ChangePolicy,
) -> Result<PoolDecision, NoPlan> {
    if policy.min_warm > policy.max_warm {
        return Err(NoPlan(format!("the bounds are reversed: min {} above max {}", policy.min_warm, policy.max_warm)));
    }
    let bounded = planned.warm_instances.clamp(policy.min_warm, policy.max_warm);
    let settings = PoolSettings { min_size: bounded, max_group_prepared_capacity: bounded };
    let bound_note = if bounded == planned.warm_instances {
        String::new()
    } else {
        format!(" (planned {}, held to the bounds {}–{})", planned.warm_instances, policy.min_warm, policy.max_warm)
    };
    let Some((current, effective)) = current else {
        return Ok(if bounded == 0 {
            PoolDecision::Keep { reason: "no warm pool and none planned".into() }
        } else {
            PoolDecision::Apply { settings, reason: format!("no warm pool yet: {bounded} warm instances{bound_note}") }
        });
    };
    if settings == current {
        return Ok(PoolDecision::Keep { reason: format!("the pool already keeps {bounded} warm instances") });
    }
    if bounded > effective {
        return Ok(PoolDecision::Apply {
            settings,
            reason: format!("{effective} → {bounded} warm instances{bound_note}: growth is applied at once"),
        });
    }
    let change = effective - bounded;
    let band = ((policy.deadband * f64::from(effective)).ceil() as u32).max(1);
    if change < band {
        return Ok(PoolDecision::Keep {
            reason: format!("{bounded} warm instances planned{bound_note}, {effective} now: shrinking by {change} is inside the deadband of {band}"),
        });
    }
    Ok(PoolDecision::Apply {
        settings,
        reason: format!(
            "{effective} → {bounded} warm instances{bound_note}: shrinking by {change}, past the deadband of {band}"
        ),
    })
}

#[cfg(test)]
mod plan_tests {
    use super::*;

    fn ramp(from: f64, to: f64, start: usize, over: usize, len: usize) -> DemandHistory {
        let rates = (0..len)
            .map(|t| {
                Some(if t < start {
                    from
                } else if t >= start + over {
                    to
                } else {
                    from + (to - from) * (t - start) as f64 / over as f64
                })
            })
            .collect();
        DemandHistory { step: 1.0, rates }
    }

    const LAUNCH: DeadTime = DeadTime { metric_lag: 10.0, detection: 30.0, launch: 240.0, hook: 1.0 };
    const SETTINGS: PlanSettings =
        PlanSettings { per_instance: 100.0, percentile: 0.99, max_missing: 0.05, group_min: 3, group_max: 50 };

    #[test]
    fn the_launch_morning_needs_its_whole_climb_warm() {
        // 200 → 1000 over 60 s: within one dead time (281 s) the rate climbs 800, eight instances' worth.
        let p = plan(&ramp(200.0, 1000.0, 300, 60, 1800), LAUNCH, SETTINGS).unwrap();
        assert_eq!(p.dead_time, 281.0);
        assert_eq!(p.climb, 800.0);
        assert_eq!(p.warm_instances, 8);
        assert_eq!((p.min_size, p.max_group_prepared_capacity), (8, 8));
        // The group's room caps it: with max 6 over min 3, three warm instances are all that could ever serve.
        let small =
            plan(&ramp(200.0, 1000.0, 300, 60, 1800), LAUNCH, PlanSettings { group_max: 6, ..SETTINGS }).unwrap();
        assert_eq!(small.warm_instances, 3);
        assert!((p.peak_slope - 800.0 / 60.0).abs() < 1e-9, "{}", p.peak_slope);
        // A slow climb over hours needs little: the loop keeps up with it.
        let slow = plan(&ramp(200.0, 1000.0, 300, 7200, 9000), LAUNCH, SETTINGS).unwrap();
        assert_eq!(slow.warm_instances, 1, "{slow:?}");
    }

    /// A launch once a day among calm hours: the days' steepest climbs decide, not the calm windows around them.
    #[test]
    fn a_daily_launch_is_not_lost_among_calm_windows() {
        let day = 86_400;
        let rates = (0..3 * day)
            .map(|t| {
                let into = t % day;
                Some(if into < 36_000 {
                    200.0
                } else if into < 36_060 {
                    200.0 + 800.0 * (into - 36_000) as f64 / 60.0
                } else {
                    1000.0
                })
            })
            .collect();
        let p = plan(&DemandHistory { step: 1.0, rates }, LAUNCH, SETTINGS).unwrap();
        assert_eq!((p.days, p.climb, p.largest_climb, p.warm_instances), (3, 800.0, 800.0, 8), "{p:?}");
    }

    #[test]
    fn a_history_with_holes_or_too_short_plans_nothing() {
        let mut h = ramp(200.0, 1000.0, 300, 60, 1800);
        for r in h.rates.iter_mut().skip(100).step_by(10) {
            *r = None;
        }
        let e = plan(&h, LAUNCH, SETTINGS).unwrap_err();
        assert!(e.0.contains("missing") && e.0.contains("shrink the pool before a peak"), "{e}");
        let e = plan(&ramp(200.0, 1000.0, 0, 60, 300), LAUNCH, SETTINGS).unwrap_err();
        assert!(e.0.contains("two dead times"), "{e}");
    }

    #[test]
    fn the_deadband_stops_flapping_growth_is_at_once_and_bounds_hold() {
        let base = plan(&ramp(200.0, 1000.0, 300, 60, 1800), LAUNCH, SETTINGS).unwrap();
        let planned = |w: u32| HeadroomPlan { warm_instances: w, ..base.clone() };
        let policy = |deadband| ChangePolicy { min_warm: 1, max_warm: 20, deadband };
        // Plans that wander just below 10 from run to run, as a noisy history makes them.
        let plans = [9u32, 10, 9, 8, 10, 9, 8, 9];
        let count = |deadband: f64| {
            let mut current = (PoolSettings { min_size: 10, max_group_prepared_capacity: 10 }, 10);
            let mut changes = 0;
            for w in plans {
                if let PoolDecision::Apply { settings, .. } =
                    decide(Some(current), &planned(w), policy(deadband)).unwrap()
                {
                    current = (settings, settings.min_size);
                    changes += 1;
                }
            }
            changes
        };
        assert_eq!(count(0.0), 8, "without hysteresis every wobble is a PutWarmPool");
        assert_eq!(count(0.25), 0, "a 25 % deadband holds the pool");
        let now = (PoolSettings { min_size: 10, max_group_prepared_capacity: 10 }, 10);
        // Growth past the plan is applied at once, deadband or not; the bounds hold.
        match decide(Some(now), &planned(11), policy(0.25)).unwrap() {
            PoolDecision::Apply { settings, reason } => {
                assert!(settings.min_size == 11 && reason.contains("at once"), "{reason}")
            }
            other => panic!("{other:?}"),
        }
        match decide(Some(now), &planned(40), policy(0.25)).unwrap() {
            PoolDecision::Apply { settings, reason } => {
                assert_eq!(settings, PoolSettings { min_size: 20, max_group_prepared_capacity: 20 });
                assert!(reason.contains("held to the bounds 1–20"), "{reason}");
            }
            other => panic!("{other:?}"),
        }
        // A pool driven by MaxGroupPreparedCapacity counts at its effective size.
        let driven = (PoolSettings { min_size: 0, max_group_prepared_capacity: 15 }, 12);
        assert!(matches!(decide(Some(driven), &planned(12), policy(0.25)).unwrap(), PoolDecision::Keep { .. }));
        assert!(matches!(
            decide(None, &planned(0), ChangePolicy { min_warm: 0, ..policy(0.25) }).unwrap(),
            PoolDecision::Keep { .. }
        ));
        assert!(decide(None, &planned(3), ChangePolicy { min_warm: 5, max_warm: 2, deadband: 0.1 }).is_err());
    }
}
