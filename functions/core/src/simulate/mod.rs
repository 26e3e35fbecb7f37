//! The scaling simulator: one Auto Scaling group, its demand and its policies, in one-second steps, with EC2 Auto
//! Scaling's documented behaviour and every undocumented choice a parameter ([`assumptions`] lists them).
//!
//! Pure: a [`Scenario`] and a [`DemandSource`] in, a [`Run`] (summary, decisions with their causes, recorded rows)
//! out. The CLI reads the files, writes the CSV and the chart.

mod calibrate;
mod chart;
mod demand;
mod engine;
mod live;
mod scenario;

pub use calibrate::{calibrate, real_changes, Calibration, Change, Pairing, MATCH_WINDOW};
pub use chart::svg;
pub use demand::{DemandSource, Trace, TraceError};
pub use engine::{assumptions, clock, simulate, Decision, InstanceHours, Row, Run, RunOptions, Summary};
pub use live::{apply_live, LiveAlarm, LivePolicies, LivePolicy};
pub use scenario::{
    AdjustmentType, AlarmShape, Comparison, Cost, DemandSpec, GroupSpec, MetricKind, Noise, Objective, Plant,
    PoolState, PredictiveSpec, Scenario, ScenarioError, ScheduledAction, Step, StepScalingSpec, TargetTrackingSpec,
    WarmPoolSpec,
};

/// The warm pool's size as AWS keeps it: `max(MinSize, (MaxGroupPreparedCapacity or MaxSize) − desired)`.
pub fn warm_pool_size(min_size: u32, max_group_prepared_capacity: Option<u32>, max_size: u32, desired: u32) -> u32 {
    min_size.max(max_group_prepared_capacity.unwrap_or(max_size).saturating_sub(desired))
}

#[cfg(test)]
mod tests;
