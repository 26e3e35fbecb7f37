//! The metric sink on CloudWatch: `PutMetricData`, batched by namespace and by 1000 values.

use crate::errors::classify;
use aws_sdk_cloudwatch::types::{Dimension, MetricDatum, StandardUnit};
use scalegate_core::backlog::{Datum, MetricSink};
use scalegate_core::ports::AwsError;
use std::collections::HashMap;

/// Publishes metrics through the API (the alternative to EMF lines).
#[derive(Debug, Clone)]
pub struct CloudWatchMetricSink {
    cloudwatch: aws_sdk_cloudwatch::Client,
}

impl CloudWatchMetricSink {
    /// Wraps the client.
    pub fn new(cloudwatch: aws_sdk_cloudwatch::Client) -> Self {
        Self { cloudwatch }
    }
}

impl MetricSink for CloudWatchMetricSink {
    async fn put(&self, data: &[Datum]) -> Result<(), AwsError> {
        let mut by_namespace: HashMap<&str, Vec<MetricDatum>> = HashMap::new();
        for d in data {
            by_namespace.entry(&d.namespace).or_default().push(
                MetricDatum::builder()
                    .metric_name(d.name)
                    .dimensions(Dimension::builder().name("AutoScalingGroupName").value(&d.group).build())
                    .value(d.value)
                    .unit(StandardUnit::from(d.unit))
                    .storage_resolution(d.storage_resolution)
                    .timestamp(aws_smithy_types::DateTime::from_secs(d.at.timestamp()))
                    .build(),
            );
        }
        let calls = by_namespace.iter().flat_map(|(ns, datums)| {
            datums.chunks(1000).map(move |chunk| {
                self.cloudwatch.put_metric_data().namespace(*ns).set_metric_data(Some(chunk.to_vec())).send()
            })
        });
        for result in futures::future::join_all(calls).await {
            result.map_err(|e| classify("PutMetricData", e))?;
        }
        Ok(())
    }
}
