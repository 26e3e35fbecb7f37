//! The backlog reader on the SDK: SQS queue attributes (bounded fan-out), Auto Scaling groups (batched by 50), EC2
//! launch times (batched by 200), CloudWatch drain rates (batched by 500 queries), scaling activities and CloudTrail's
//! record of who changed capacity.

use crate::autoscaling_groups::count;
use crate::errors::classify;
use aws_sdk_cloudwatch::types::{Dimension, MetricDataQuery, MetricStat};
use aws_sdk_ec2::types::Filter;
use aws_sdk_sqs::types::QueueAttributeName;
use chrono::{DateTime, Utc};
use futures::stream::{self, StreamExt};
use scalegate_core::activity::ScalingActivity;
use scalegate_core::backlog::{BacklogReader, CallRecords, GroupMember, GroupView, QueueDepth};
use scalegate_core::lifecycle::LifecycleState;
use scalegate_core::ports::{AwsError, AwsErrorKind};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

/// Reads through the SDK clients. Queue URLs looked up by name are kept for the process's life.
#[derive(Debug)]
pub struct SqsBacklogReader {
    sqs: aws_sdk_sqs::Client,
    autoscaling: aws_sdk_autoscaling::Client,
    ec2: aws_sdk_ec2::Client,
    cloudwatch: aws_sdk_cloudwatch::Client,
    cloudtrail: aws_sdk_cloudtrail::Client,
    urls: Mutex<HashMap<String, String>>,
    settled: crate::cloudtrail_calls::SettledCalls,
}

impl SqsBacklogReader {
    /// Wraps the clients.
    pub fn new(
        sqs: aws_sdk_sqs::Client,
        autoscaling: aws_sdk_autoscaling::Client,
        ec2: aws_sdk_ec2::Client,
        cloudwatch: aws_sdk_cloudwatch::Client,
        cloudtrail: aws_sdk_cloudtrail::Client,
    ) -> Self {
        Self { sqs, autoscaling, ec2, cloudwatch, cloudtrail, urls: Mutex::default(), settled: Default::default() }
    }

    async fn url(&self, queue: &str) -> Result<String, AwsError> {
        if queue.starts_with("https://") || queue.starts_with("http://") {
            return Ok(queue.to_string());
        }
        if let Some(url) = self.urls.lock().expect("url cache").get(queue) {
            return Ok(url.clone());
        }
        let out = self.sqs.get_queue_url().queue_name(queue).send().await.map_err(|e| classify("GetQueueUrl", e))?;
        let url =
            out.queue_url().ok_or_else(|| AwsError::new("GetQueueUrl", AwsErrorKind::Malformed, "no QueueUrl"))?;
        self.urls.lock().expect("url cache").insert(queue.to_string(), url.to_string());
        Ok(url.to_string())
    }

    async fn depth(&self, queue: &str) -> Result<QueueDepth, AwsError> {
        let url = self.url(queue).await?;
        let out = self
            .sqs
            .get_queue_attributes()
            .queue_url(url)
            .attribute_names(QueueAttributeName::ApproximateNumberOfMessages)
            .attribute_names(QueueAttributeName::ApproximateNumberOfMessagesNotVisible)
            .attribute_names(QueueAttributeName::ApproximateNumberOfMessagesDelayed)
            .send()
            .await
            .map_err(|e| classify("GetQueueAttributes", e))?;
        let attrs = out.attributes();
        let count = |name: QueueAttributeName| -> Result<u64, AwsError> {
            match attrs.and_then(|a| a.get(&name)) {
                None => Ok(0),
                Some(v) => v.parse().map_err(|_| {
                    AwsError::new(
                        "GetQueueAttributes",
                        AwsErrorKind::Malformed,
                        format!("{name}: `{v}` is not a count"),
                    )
                }),
            }
        };
        Ok(QueueDepth {
            visible: count(QueueAttributeName::ApproximateNumberOfMessages)?,
            in_flight: count(QueueAttributeName::ApproximateNumberOfMessagesNotVisible)?,
            delayed: count(QueueAttributeName::ApproximateNumberOfMessagesDelayed)?,
        })
    }

    async fn group_batch(&self, names: &[String]) -> Result<Vec<GroupView>, AwsError> {
        let mut views = Vec::new();
        let mut pages = self
            .autoscaling
            .describe_auto_scaling_groups()
            .set_auto_scaling_group_names(Some(names.to_vec()))
            .max_records(100)
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| classify("DescribeAutoScalingGroups", e))?;
            for g in page.auto_scaling_groups() {
                views.push(GroupView {
                    name: g.auto_scaling_group_name().unwrap_or_default().to_string(),
                    instance_warmup: g
                        .default_instance_warmup()
                        .filter(|w| *w > 0)
                        .map(|w| Duration::from_secs(w as u64)),
                    desired: count(g.desired_capacity()),
                    min_size: count(g.min_size()),
                    members: g
                        .instances()
                        .iter()
                        .map(|i| GroupMember {
                            instance_id: i.instance_id().unwrap_or_default().to_string(),
                            lifecycle_state: LifecycleState::parse(i.lifecycle_state().map_or("", |s| s.as_str())),
                            launched_at: None,
                        })
                        .collect(),
                });
            }
        }
        Ok(views)
    }
}

/// Runs `batches` side by side and flattens their results, failing on the first error.
async fn all<T, F: std::future::Future<Output = Result<Vec<T>, AwsError>>>(
    batches: Vec<F>,
) -> Result<Vec<T>, AwsError> {
    let mut out = Vec::new();
    for batch in futures::future::join_all(batches).await {
        out.extend(batch?);
    }
    Ok(out)
}

impl BacklogReader for SqsBacklogReader {
    async fn queue_depths(&self, queues: &[String], concurrency: usize) -> Vec<Result<QueueDepth, AwsError>> {
        // Futures are lazy: building them all up front and polling `concurrency` at a time bounds the fan-out.
        let lookups: Vec<_> = queues.iter().map(|q| self.depth(q)).collect();
        stream::iter(lookups).buffered(concurrency.max(1)).collect().await
    }

    async fn groups(&self, names: &[String]) -> Result<Vec<GroupView>, AwsError> {
        all(names.chunks(50).map(|c| self.group_batch(c)).collect()).await
    }

    async fn launch_times(&self, ids: &[String]) -> Result<HashMap<String, DateTime<Utc>>, AwsError> {
        let batch = |chunk: &[String]| {
            let request = self
                .ec2
                .describe_instances()
                // A filter, not InstanceIds: an instance terminated meanwhile must not fail the whole batch.
                .filters(Filter::builder().name("instance-id").set_values(Some(chunk.to_vec())).build());
            async move {
                let mut out = Vec::new();
                let mut pages = request.into_paginator().send();
                while let Some(page) = pages.next().await {
                    let page = page.map_err(|e| classify("DescribeInstances", e))?;
                    for i in page.reservations().iter().flat_map(|r| r.instances()) {
                        if let (Some(id), Some(t)) = (i.instance_id(), i.launch_time()) {
                            if let Some(at) = DateTime::from_timestamp(t.secs(), t.subsec_nanos()) {
                                out.push((id.to_string(), at));
                            }
                        }
                    }
                }
                Ok(out)
            }
        };
        Ok(all(ids.chunks(200).map(batch).collect()).await?.into_iter().collect())
    }

    async fn deleted_per_minute(
        &self,
        names: &[String],
        minutes: u32,
        now: DateTime<Utc>,
    ) -> Result<HashMap<String, Vec<f64>>, AwsError> {
        let start = now - chrono::Duration::minutes(i64::from(minutes));
        let batch = |(offset, chunk): (usize, &[String])| {
            let queries: Vec<MetricDataQuery> = chunk
                .iter()
                .enumerate()
                .map(|(i, name)| {
                    MetricDataQuery::builder()
                        .id(format!("q{}", offset + i))
                        .metric_stat(
                            MetricStat::builder()
                                .metric(
                                    aws_sdk_cloudwatch::types::Metric::builder()
                                        .namespace("AWS/SQS")
                                        .metric_name("NumberOfMessagesDeleted")
                                        .dimensions(Dimension::builder().name("QueueName").value(name).build())
                                        .build(),
                                )
                                .period(60)
                                .stat("Sum")
                                .build(),
                        )
                        .build()
                })
                .collect();
            let request = self
                .cloudwatch
                .get_metric_data()
                .set_metric_data_queries(Some(queries))
                .start_time(aws_smithy_types::DateTime::from_secs(start.timestamp()))
                .end_time(aws_smithy_types::DateTime::from_secs(now.timestamp()));
            async move {
                let out = request.send().await.map_err(|e| classify("GetMetricData", e))?;
                Ok(out
                    .metric_data_results()
                    .iter()
                    .filter_map(|r| {
                        let i: usize = r.id()?.strip_prefix('q')?.parse().ok()?;
                        Some((names.get(i)?.clone(), r.values().to_vec()))
                    })
                    .collect::<Vec<_>>())
            }
        };
        Ok(all(names.chunks(500).enumerate().map(|(b, c)| batch((b * 500, c))).collect()).await?.into_iter().collect())
    }

    async fn activities(&self, group: &str) -> Result<Vec<ScalingActivity>, AwsError> {
        crate::autoscaling_warm_pools::activities_to_newest_change(&self.autoscaling, group).await
    }

    async fn calls(&self, event: &str, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<CallRecords, AwsError> {
        self.settled.calls_named(&self.cloudtrail, event, from, to).await
    }
}
