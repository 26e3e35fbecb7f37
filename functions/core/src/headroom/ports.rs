//! What the warm-pool planner needs from AWS: the groups that opted in with their pools, their demand's datapoints,
//! their own scaling activities (for launches), and PutWarmPool.

use super::config::MetricSpec;
use crate::activity::ScalingActivity;
use crate::ports::AwsError;
use crate::simulate::{warm_pool_size, PoolState};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::future::Future;

/// A group tagged [`OPT_IN_TAG`](super::OPT_IN_TAG), as `DescribeAutoScalingGroups` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PoolGroup {
    /// The group's name.
    pub name: String,
    /// The opt-in tag's value, unparsed (the planner says what is wrong with it).
    pub bounds_tag: String,
    /// MinSize.
    pub min_size: u32,
    /// MaxSize.
    pub max_size: u32,
    /// DesiredCapacity.
    pub desired: u32,
    /// Its warm pool, if it has one.
    pub pool: Option<WarmPoolSpec>,
}

/// A warm pool's configuration, as `PutWarmPool` takes it and `DescribeAutoScalingGroups` gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct WarmPoolSpec {
    /// MinSize.
    pub min_size: u32,
    /// MaxGroupPreparedCapacity; `None` (AWS's -1): the group's MaxSize.
    pub max_group_prepared_capacity: Option<u32>,
    /// PoolState.
    pub state: PoolState,
    /// InstanceReusePolicy.ReuseOnScaleIn.
    pub reuse_on_scale_in: bool,
}

impl PoolGroup {
    /// The pool's size now by AWS's rule: max(MinSize, (MaxGroupPreparedCapacity or MaxSize) − desired).
    pub fn pool_size(&self) -> Option<u32> {
        self.pool.map(|p| warm_pool_size(p.min_size, p.max_group_prepared_capacity, self.max_size, self.desired))
    }
}

/// The groups the planner may touch, and the one write it makes.
pub trait WarmPools: Send + Sync {
    /// Groups tagged with the opt-in tag (any value: a bad value is reported, not skipped in silence).
    fn opted_in_groups(&self) -> impl Future<Output = Result<Vec<PoolGroup>, AwsError>> + Send;
    /// `PutWarmPool`: replaces the whole configuration, so `spec` carries the state and reuse policy to keep.
    fn put_warm_pool(&self, group: &str, spec: &WarmPoolSpec) -> impl Future<Output = Result<(), AwsError>> + Send;
}

/// A group's demand as CloudWatch holds it.
pub trait DemandMetrics: Send + Sync {
    /// `GetMetricData` for `metric` from `start` to `end`, every page: (period start, value) in any order.
    fn datapoints(
        &self,
        metric: &MetricSpec,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> impl Future<Output = Result<Vec<(DateTime<Utc>, f64)>, AwsError>> + Send;
}

/// A group's own record of what Auto Scaling did: its launches measure its dead time, its capacity changes
/// calibrate the simulator.
pub trait ScalingActivities: Send + Sync {
    /// `DescribeScalingActivities` of `group` that started at or after `since` (AWS keeps six weeks), every page.
    fn activities(
        &self,
        group: &str,
        since: DateTime<Utc>,
    ) -> impl Future<Output = Result<Vec<ScalingActivity>, AwsError>> + Send;
}
