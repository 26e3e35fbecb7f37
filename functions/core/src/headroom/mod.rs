//! How much capacity must already be warm: the loop's dead time (metric lag, alarm detection, launch, hook) is
//! what demand can climb before new capacity serves, so the warm pool must hold the climb a high percentile of the
//! history shows over windows that long. And when to change a pool: only within the group's bounds, only past a
//! deadband, never on data with holes (a made-up low climb would shrink the pool before a peak).

use serde::Serialize;

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
    /// The percentile of climbs it covers.
    pub percentile: f64,
    /// The climb of the arrival rate over one dead time at that percentile (work per second).
    pub climb: f64,
    /// The steepest slope in the history, work per second per second (for reading, not for sizing).
    pub peak_slope: f64,
    /// Instances that must be warm: ceil(climb ÷ the work one instance carries at the policy's target).
    pub warm_instances: u32,
    /// PutWarmPool MinSize: the pool never holds fewer.
    pub min_size: u32,
    /// PutWarmPool MaxGroupPreparedCapacity: group min + warm instances, so the pool stays at `warm_instances`
    /// whatever the desired capacity (AWS keeps max(MinSize, this − desired)).
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
    /// The group's MinSize.
    pub group_min: u32,
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
    let mut climbs: Vec<f64> = Vec::with_capacity(samples);
    let mut peak_slope = 0.0f64;
    for i in 0..samples.saturating_sub(window) {
        if let (Some(a), Some(b)) = (history.rates[i], history.rates[i + window]) {
            climbs.push((b - a).max(0.0));
        }
        if let (Some(a), Some(b)) = (history.rates[i], history.rates[i + 1]) {
            peak_slope = peak_slope.max((b - a) / history.step);
        }
    }
    if climbs.is_empty() {
        return Err(NoPlan("no two samples one dead time apart are both present".into()));
    }
    climbs.sort_by(f64::total_cmp);
    let index = ((climbs.len() - 1) as f64 * settings.percentile.clamp(0.0, 1.0)).round() as usize;
    let climb = climbs[index];
    let warm_instances = (climb / settings.per_instance - 1e-9).ceil().max(0.0) as u32;
    Ok(HeadroomPlan {
        dead_time,
        percentile: settings.percentile,
        climb,
        peak_slope,
        warm_instances,
        min_size: warm_instances,
        max_group_prepared_capacity: settings.group_min + warm_instances,
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

/// Decides whether `planned` replaces `current` (None: the group has no pool yet).
pub fn decide(
    current: Option<PoolSettings>,
    planned: &HeadroomPlan,
    group_min: u32,
    policy: ChangePolicy,
) -> PoolDecision {
    let bounded = planned.warm_instances.clamp(policy.min_warm, policy.max_warm.max(policy.min_warm));
    let settings = PoolSettings { min_size: bounded, max_group_prepared_capacity: group_min + bounded };
    let bound_note = if bounded == planned.warm_instances {
        String::new()
    } else {
        format!(" (planned {}, held to the bounds {}–{})", planned.warm_instances, policy.min_warm, policy.max_warm)
    };
    let Some(current) = current else {
        return PoolDecision::Apply {
            settings,
            reason: format!("no warm pool yet: {bounded} warm instances{bound_note}"),
        };
    };
    let now = current.min_size;
    let change = bounded.abs_diff(now);
    let band = ((policy.deadband * f64::from(now)).ceil() as u32).max(1);
    if change < band {
        return PoolDecision::Keep {
            reason: format!("{bounded} warm instances planned{bound_note}, {now} now: a change of {change} is inside the deadband of {band}"),
        };
    }
    if settings == current {
        return PoolDecision::Keep { reason: "the pool already has the planned settings".into() };
    }
    PoolDecision::Apply {
        settings,
        reason: format!(
            "{now} → {bounded} warm instances{bound_note}: a change of {change}, past the deadband of {band}"
        ),
    }
}

#[cfg(test)]
mod tests {
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
        PlanSettings { per_instance: 100.0, percentile: 0.99, max_missing: 0.05, group_min: 3 };

    #[test]
    fn the_launch_morning_needs_its_whole_climb_warm() {
        // 200 → 1000 over 60 s: within one dead time (281 s) the rate climbs 800, eight instances' worth.
        let p = plan(&ramp(200.0, 1000.0, 300, 60, 1800), LAUNCH, SETTINGS).unwrap();
        assert_eq!(p.dead_time, 281.0);
        assert_eq!(p.climb, 800.0);
        assert_eq!(p.warm_instances, 8);
        assert_eq!((p.min_size, p.max_group_prepared_capacity), (8, 11));
        assert!((p.peak_slope - 800.0 / 60.0).abs() < 1e-9, "{}", p.peak_slope);
        // A slow climb over hours needs little: the loop keeps up with it.
        let slow = plan(&ramp(200.0, 1000.0, 300, 7200, 9000), LAUNCH, SETTINGS).unwrap();
        assert_eq!(slow.warm_instances, 1, "{slow:?}");
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
    fn the_deadband_stops_flapping_and_bounds_hold() {
        let policy = |deadband| ChangePolicy { min_warm: 1, max_warm: 20, deadband };
        // Plans that wander around 10 from run to run, as a noisy history makes them.
        let plans = [10u32, 11, 10, 9, 11, 10, 12, 10];
        let count = |deadband: f64| {
            let mut current = Some(PoolSettings { min_size: 10, max_group_prepared_capacity: 13 });
            let mut changes = 0;
            for w in plans {
                let p = HeadroomPlan {
                    warm_instances: w,
                    ..plan(&ramp(200.0, 1000.0, 300, 60, 1800), LAUNCH, SETTINGS).unwrap()
                };
                if let PoolDecision::Apply { settings, .. } = decide(current, &p, 3, policy(deadband)) {
                    current = Some(settings);
                    changes += 1;
                }
            }
            changes
        };
        assert_eq!(count(0.0), 7, "without hysteresis every wobble is a PutWarmPool");
        assert_eq!(count(0.25), 0, "a 25 % deadband holds the pool");
        let big =
            HeadroomPlan { warm_instances: 40, ..plan(&ramp(200.0, 1000.0, 300, 60, 1800), LAUNCH, SETTINGS).unwrap() };
        match decide(Some(PoolSettings { min_size: 10, max_group_prepared_capacity: 13 }), &big, 3, policy(0.25)) {
            PoolDecision::Apply { settings, reason } => {
                assert_eq!(settings, PoolSettings { min_size: 20, max_group_prepared_capacity: 23 });
                assert!(reason.contains("held to the bounds 1–20"), "{reason}");
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(decide(None, &big, 3, policy(0.25)), PoolDecision::Apply { .. }));
    }
}
