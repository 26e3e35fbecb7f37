//! A live group's target tracking alarms in place of the scenario's assumptions. AWS does not publish how the
//! alarms it makes for a target tracking policy are set (datapoints, evaluation periods, the low threshold), but
//! `DescribePolicies` names them and `DescribeAlarms` shows them: when a live group is simulated, its own values
//! replace the defaults, and each replacement is said.

use super::scenario::{AlarmShape, Scenario, ScenarioError};
use crate::ports::AwsError;
use std::future::Future;

/// One alarm of a target tracking policy, as `DescribeAlarms` gives it.
#[derive(Debug, Clone, PartialEq)]
pub struct LiveAlarm {
    /// AlarmName.
    pub name: String,
    /// Period, seconds.
    pub period: u32,
    /// EvaluationPeriods.
    pub evaluation_periods: u32,
    /// DatapointsToAlarm (AWS: EvaluationPeriods when unset).
    pub datapoints_to_alarm: Option<u32>,
    /// Threshold.
    pub threshold: f64,
    /// Fires above the threshold (the scale-out alarm), else below it.
    pub above: bool,
}

/// A target tracking policy as `DescribePolicies` gives it, with its alarms.
#[derive(Debug, Clone, PartialEq)]
pub struct LivePolicy {
    /// PolicyName.
    pub name: String,
    /// TargetValue.
    pub target: f64,
    /// DisableScaleIn.
    pub disable_scale_in: bool,
    /// Its alarms, read.
    pub alarms: Vec<LiveAlarm>,
}

/// Where a live group's target tracking policies are read.
pub trait LivePolicies: Send + Sync {
    /// `DescribePolicies` (target tracking) of `group`, every page, and `DescribeAlarms` for the alarms they name.
    fn target_tracking(&self, group: &str) -> impl Future<Output = Result<Vec<LivePolicy>, AwsError>> + Send;
}

/// Puts each live policy's target and alarms into the scenario's policy of the same name (or the only one, when
/// both sides have one), then validates the scenario again. Returns what was replaced, in words.
pub fn apply_live(scenario: &mut Scenario, live: &[LivePolicy], file: &str) -> Result<Vec<String>, ScenarioError> {
    let mut notes = Vec::new();
    let only = scenario.target_tracking.len() == 1 && live.len() == 1;
    for p in &mut scenario.target_tracking {
        let Some(l) = live.iter().find(|l| l.name == p.name).or(if only { live.first() } else { None }) else {
            notes.push(format!(
                "policy {}: the group has no target tracking policy of that name; its assumptions stay",
                p.name
            ));
            continue;
        };
        if l.target != p.target {
            notes.push(format!("policy {}: target {} (the scenario said {})", p.name, l.target, p.target));
            p.target = l.target;
        }
        p.disable_scale_in = l.disable_scale_in;
        for a in &l.alarms {
            let shape = AlarmShape {
                datapoints: a.datapoints_to_alarm.unwrap_or(a.evaluation_periods),
                evaluation_periods: a.evaluation_periods,
            };
            if a.above {
                p.high = shape;
                p.period = f64::from(a.period);
                notes.push(format!(
                    "policy {}: scale out on {} of {} datapoints of {} s above {} ({})",
                    p.name, shape.datapoints, shape.evaluation_periods, a.period, a.threshold, a.name
                ));
            } else {
                p.low = shape;
                p.low_ratio = a.threshold / l.target;
                notes.push(format!(
                    "policy {}: scale in on {} of {} datapoints below {} = {:.3} × target ({})",
                    p.name, shape.datapoints, shape.evaluation_periods, a.threshold, p.low_ratio, a.name
                ));
            }
        }
    }
    scenario.validate(file)?;
    Ok(notes)
}
