//! The warm-pool planner on the SDK: opted-in groups with their pools (`DescribeAutoScalingGroups`), their scaling
//! activities (`DescribeScalingActivities`), `PutWarmPool`, and their demand (`GetMetricData`, every page); for the
//! simulator, a live group's target tracking policies and their alarms (`DescribePolicies`, `DescribeAlarms`).

use crate::autoscaling_groups::{count, tagged_groups};
use crate::ec2_launch_facts::to_chrono;
use crate::errors::classify;
use aws_sdk_autoscaling::types::{InstanceReusePolicy, WarmPoolState, WarmPoolStatus};
use aws_sdk_cloudwatch::types::{ComparisonOperator, Dimension, MetricDataQuery, MetricStat, ScanBy, StatusCode};
use chrono::{DateTime, Utc};
use scalegate_core::activity::ScalingActivity;
use scalegate_core::headroom::{
    DemandMetrics, MetricSpec, PoolGroup, ScalingActivities, WarmPoolSpec, WarmPools, OPT_IN_TAG,
};
use scalegate_core::ports::{AwsError, AwsErrorKind};
use scalegate_core::simulate::{LiveAlarm, LivePolicies, LivePolicy, PoolState};

/// The planner's ports over the Auto Scaling and CloudWatch clients.
#[derive(Debug, Clone)]
pub struct AutoScalingWarmPools {
    autoscaling: aws_sdk_autoscaling::Client,
    cloudwatch: aws_sdk_cloudwatch::Client,
}

impl AutoScalingWarmPools {
    /// Wraps the clients.
    pub fn new(autoscaling: aws_sdk_autoscaling::Client, cloudwatch: aws_sdk_cloudwatch::Client) -> Self {
        Self { autoscaling, cloudwatch }
    }
}

impl WarmPools for AutoScalingWarmPools {
    async fn opted_in_groups(&self) -> Result<Vec<PoolGroup>, AwsError> {
        let mut groups = Vec::new();
        for (g, bounds_tag) in tagged_groups(&self.autoscaling, OPT_IN_TAG).await? {
            let name = g.auto_scaling_group_name().unwrap_or_default().to_string();
            let pool = match g.warm_pool_configuration() {
                // A pool being deleted is no pool: a plan that wants one puts a new one once it is gone.
                Some(w) if w.status() != Some(&WarmPoolStatus::PendingDelete) => {
                    let state = match w.pool_state() {
                        None => PoolState::Stopped,
                        Some(s) => PoolState::parse(s.as_str()).ok_or_else(|| {
                            AwsError::new(
                                "DescribeAutoScalingGroups",
                                AwsErrorKind::Malformed,
                                format!("group {name}: unknown warm pool state {}", s.as_str()),
                            )
                        })?,
                    };
                    Some(WarmPoolSpec {
                        min_size: count(w.min_size()),
                        // AWS spells "the group's MaxSize" as -1 or leaves it out.
                        max_group_prepared_capacity: w
                            .max_group_prepared_capacity()
                            .and_then(|n| u32::try_from(n).ok()),
                        state,
                        reuse_on_scale_in: w
                            .instance_reuse_policy()
                            .and_then(|p| p.reuse_on_scale_in())
                            .unwrap_or(false),
                    })
                }
                _ => None,
            };
            groups.push(PoolGroup {
                name,
                bounds_tag,
                min_size: count(g.min_size()),
                max_size: count(g.max_size()),
                desired: count(g.desired_capacity()),
                pool,
            });
        }
        Ok(groups)
    }

    async fn put_warm_pool(&self, group: &str, spec: &WarmPoolSpec) -> Result<(), AwsError> {
        let size = |n: u32| i32::try_from(n).unwrap_or(i32::MAX);
        self.autoscaling
            .put_warm_pool()
            .auto_scaling_group_name(group)
            .min_size(size(spec.min_size))
            .max_group_prepared_capacity(spec.max_group_prepared_capacity.map_or(-1, size))
            .pool_state(WarmPoolState::from(spec.state.as_str()))
            .instance_reuse_policy(InstanceReusePolicy::builder().reuse_on_scale_in(spec.reuse_on_scale_in).build())
            .send()
            .await
            .map(|_| ())
            .map_err(|e| classify("PutWarmPool", e))
    }
}

impl ScalingActivities for AutoScalingWarmPools {
    async fn activities(&self, group: &str, since: DateTime<Utc>) -> Result<Vec<ScalingActivity>, AwsError> {
        scaling_activities(&self.autoscaling, group, since).await
    }
}

/// `DescribeScalingActivities` for one group since `since`, every page needed.
async fn scaling_activities(
    autoscaling: &aws_sdk_autoscaling::Client,
    group: &str,
    since: DateTime<Utc>,
) -> Result<Vec<ScalingActivity>, AwsError> {
    let mut read = activities_until(autoscaling, group, usize::MAX, |a| a.start < since).await?;
    read.retain(|a| a.start >= since);
    Ok(read)
}

/// Pages of 100 read at most looking for a group's newest change of desired capacity: a group that launched and
/// replaced a thousand instances since its capacity last changed is not looked at further back.
const CHANGE_PAGES: usize = 10;

/// `DescribeScalingActivities` for one group back to its newest finished change of desired capacity, however old,
/// at most [`CHANGE_PAGES`] pages.
pub(crate) async fn activities_to_newest_change(
    autoscaling: &aws_sdk_autoscaling::Client,
    group: &str,
) -> Result<Vec<ScalingActivity>, AwsError> {
    activities_until(autoscaling, group, CHANGE_PAGES, |a| a.desired_change().is_some()).await
}

/// One group's activities, newest first — except that activities still in progress come before all others whatever
/// their start, so only a finished one can end the reading —, page after page until a page holds a finished activity
/// `enough` accepts, or `max_pages` were read.
async fn activities_until(
    autoscaling: &aws_sdk_autoscaling::Client,
    group: &str,
    max_pages: usize,
    enough: impl Fn(&ScalingActivity) -> bool,
) -> Result<Vec<ScalingActivity>, AwsError> {
    let mut out = Vec::new();
    let mut pages = autoscaling
        .describe_scaling_activities()
        .auto_scaling_group_name(group)
        .max_records(100)
        .into_paginator()
        .send();
    for _ in 0..max_pages {
        let Some(page) = pages.next().await else { break };
        let page = page.map_err(|e| classify("DescribeScalingActivities", e))?;
        let before = out.len();
        out.extend(page.activities().iter().filter_map(activity_of));
        if out[before..].iter().any(|a| a.end.is_some() && enough(a)) {
            break;
        }
    }
    Ok(out)
}

/// An activity as the core reads it; one with no start time is skipped.
fn activity_of(a: &aws_sdk_autoscaling::types::Activity) -> Option<ScalingActivity> {
    Some(ScalingActivity {
        start: a.start_time().and_then(to_chrono)?,
        end: a.end_time().and_then(to_chrono),
        description: a.description().unwrap_or_default().to_string(),
        cause: a.cause().unwrap_or_default().to_string(),
        status: a.status_code().map(|s| s.as_str().to_string()).unwrap_or_default(),
    })
}

impl DemandMetrics for AutoScalingWarmPools {
    async fn datapoints(
        &self,
        metric: &MetricSpec,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Result<Vec<(DateTime<Utc>, f64)>, AwsError> {
        let dimensions: Vec<Dimension> =
            metric.dimensions.iter().map(|(k, v)| Dimension::builder().name(k).value(v).build()).collect();
        let query = MetricDataQuery::builder()
            .id("demand")
            .metric_stat(
                MetricStat::builder()
                    .metric(
                        aws_sdk_cloudwatch::types::Metric::builder()
                            .namespace(&metric.namespace)
                            .metric_name(&metric.name)
                            .set_dimensions(Some(dimensions))
                            .build(),
                    )
                    .period(i32::try_from(metric.period).unwrap_or(60))
                    .stat(&metric.statistic)
                    .build(),
            )
            .return_data(true)
            .build();
        let mut pages = self
            .cloudwatch
            .get_metric_data()
            .metric_data_queries(query)
            .start_time(aws_smithy_types::DateTime::from_secs(start.timestamp()))
            .end_time(aws_smithy_types::DateTime::from_secs(end.timestamp()))
            .scan_by(ScanBy::TimestampAscending)
            .into_paginator()
            .send();
        let mut out = Vec::new();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| classify("GetMetricData", e))?;
            for r in page.metric_data_results() {
                // Forbidden or InternalError leaves a result with no datapoints: read as such it would be zero demand.
                match r.status_code() {
                    Some(StatusCode::Complete | StatusCode::PartialData) => {}
                    other => {
                        return Err(AwsError::new(
                            "GetMetricData",
                            AwsErrorKind::ServerError,
                            format!("the demand query ended {}", other.map_or("without a status", |s| s.as_str())),
                        ))
                    }
                }
                if r.timestamps().len() != r.values().len() {
                    return Err(AwsError::new(
                        "GetMetricData",
                        AwsErrorKind::Malformed,
                        format!("{} timestamps for {} values", r.timestamps().len(), r.values().len()),
                    ));
                }
                out.extend(r.timestamps().iter().zip(r.values()).filter_map(|(t, v)| Some((to_chrono(t)?, *v))));
            }
            // A query CloudWatch refused (bad statistic, say) comes back as a message, not an error.
            if let Some(m) = page.messages().iter().find(|m| m.code() != Some("PartialData")) {
                return Err(AwsError::new(
                    "GetMetricData",
                    AwsErrorKind::Validation,
                    format!("{}: {}", m.code().unwrap_or("?"), m.value().unwrap_or("?")),
                ));
            }
        }
        Ok(out)
    }
}

impl LivePolicies for AutoScalingWarmPools {
    async fn target_tracking(&self, group: &str) -> Result<Vec<LivePolicy>, AwsError> {
        let mut policies = Vec::new();
        let mut pages = self
            .autoscaling
            .describe_policies()
            .auto_scaling_group_name(group)
            .policy_types("TargetTrackingScaling")
            .into_paginator()
            .send();
        let mut names: Vec<(usize, String)> = Vec::new();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| classify("DescribePolicies", e))?;
            for p in page.scaling_policies() {
                let Some(config) = p.target_tracking_configuration() else { continue };
                // A disabled policy does not scale the group: its alarms say nothing about how the group moves.
                if p.enabled() == Some(false) {
                    continue;
                }
                let index = policies.len();
                names.extend(p.alarms().iter().filter_map(|a| a.alarm_name()).map(|n| (index, n.to_string())));
                policies.push(LivePolicy {
                    name: p.policy_name().unwrap_or_default().to_string(),
                    target: config.target_value().unwrap_or(0.0),
                    disable_scale_in: config.disable_scale_in().unwrap_or(false),
                    alarms: Vec::new(),
                });
            }
        }
        // DescribeAlarms takes at most 100 names a call.
        for chunk in names.chunks(100) {
            let wanted: Vec<String> = chunk.iter().map(|(_, n)| n.clone()).collect();
            let mut pages = self.cloudwatch.describe_alarms().set_alarm_names(Some(wanted)).into_paginator().send();
            while let Some(page) = pages.next().await {
                let page = page.map_err(|e| classify("DescribeAlarms", e))?;
                for a in page.metric_alarms() {
                    let name = a.alarm_name().unwrap_or_default();
                    let Some((index, _)) = chunk.iter().find(|(_, n)| n == name) else { continue };
                    let count = |v: Option<i32>| v.and_then(|n| u32::try_from(n).ok());
                    let above = matches!(
                        a.comparison_operator(),
                        Some(
                            ComparisonOperator::GreaterThanThreshold
                                | ComparisonOperator::GreaterThanOrEqualToThreshold
                        )
                    );
                    policies[*index].alarms.push(LiveAlarm {
                        name: name.to_string(),
                        period: count(a.period()).unwrap_or(60),
                        evaluation_periods: count(a.evaluation_periods()).unwrap_or(1),
                        datapoints_to_alarm: count(a.datapoints_to_alarm()),
                        threshold: a.threshold().unwrap_or(0.0),
                        above,
                    });
                }
            }
        }
        Ok(policies)
    }
}
