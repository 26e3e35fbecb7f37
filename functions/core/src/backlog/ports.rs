//! What the backlog computation reads and writes, as ports: each method is one batched round trip, or a bounded
//! fan-out of independent calls.

use super::figures::{GroupView, QueueDepth};
use crate::activity::ScalingActivity;
use crate::ports::AwsError;
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::future::Future;
use std::time::Duration;

/// Reads queues, groups, launch times, drain rates, scaling activities and who made a change.
pub trait BacklogReader: Send + Sync {
    /// `GetQueueAttributes` for each queue (name or URL), at most `concurrency` at once; one result per queue, in order.
    fn queue_depths(
        &self,
        queues: &[String],
        concurrency: usize,
    ) -> impl Future<Output = Vec<Result<QueueDepth, AwsError>>> + Send;

    /// `DescribeAutoScalingGroups` for these names (batched); groups that do not exist are simply absent.
    fn groups(&self, names: &[String]) -> impl Future<Output = Result<Vec<GroupView>, AwsError>> + Send;

    /// `DescribeInstances` launch times for these ids (batched).
    fn launch_times(
        &self,
        instance_ids: &[String],
    ) -> impl Future<Output = Result<HashMap<String, DateTime<Utc>>, AwsError>> + Send;

    /// `GetMetricData`: `AWS/SQS NumberOfMessagesDeleted` per minute over the last `minutes`, by queue name (batched).
    fn deleted_per_minute(
        &self,
        queue_names: &[String],
        minutes: u32,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<HashMap<String, Vec<f64>>, AwsError>> + Send;

    /// `DescribeScalingActivities` for one group, newest first, up to and including the newest activity that changed
    /// its desired capacity, however old (Auto Scaling keeps six weeks), within a bound of pages (asked only for a
    /// group above what its backlog explains: a rise stays unexplained for as long as it stands).
    fn activities(&self, group: &str) -> impl Future<Output = Result<Vec<ScalingActivity>, AwsError>> + Send;

    /// CloudTrail `LookupEvents` for one event name between `from` and `to`, every page up to a bound: each
    /// record's `CloudTrailEvent` JSON (asked only for a rise nothing explains).
    fn calls(
        &self,
        event: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> impl Future<Output = Result<CallRecords, AwsError>> + Send;
}

/// CloudTrail's records of one call in a window.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CallRecords {
    /// Each record's `CloudTrailEvent` JSON, newest first.
    pub records: Vec<String>,
    /// False when more pages were left than the bound allows (the oldest records were not read).
    pub complete: bool,
}

/// One metric value to publish through `PutMetricData`.
#[derive(Debug, Clone, PartialEq)]
pub struct Datum {
    /// The CloudWatch namespace the pair publishes in.
    pub namespace: String,
    /// Metric name.
    pub name: &'static str,
    /// `AutoScalingGroupName` dimension.
    pub group: String,
    /// The value, in `unit`s.
    pub value: f64,
    /// CloudWatch unit.
    pub unit: &'static str,
    /// 1 for high resolution, 60 otherwise.
    pub storage_resolution: i32,
    /// Timestamp.
    pub at: DateTime<Utc>,
}

/// Where the function schedules its own next computations within the minute (high resolution without sleeping).
pub trait TickQueue: Send + Sync {
    /// Sends one tick, delivered after `delay` (at most SQS's 900 s).
    fn send_tick(&self, delay: Duration) -> impl Future<Output = Result<(), AwsError>> + Send;
}

/// Publishes metrics through the API (the alternative to EMF lines).
pub trait MetricSink: Send + Sync {
    /// `PutMetricData`, batched.
    fn put(&self, data: &[Datum]) -> impl Future<Output = Result<(), AwsError>> + Send;
}
