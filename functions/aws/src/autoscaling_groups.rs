//! The groups that opted in to a scalegate function by a tag key, as `DescribeAutoScalingGroups` describes them.

use crate::errors::classify;
use aws_sdk_autoscaling::types::{AutoScalingGroup, Filter};
use scalegate_core::ports::AwsError;

/// A size Auto Scaling gives as an optional `i32`: absent or negative is 0.
pub(crate) fn count(v: Option<i32>) -> u32 {
    v.and_then(|n| u32::try_from(n).ok()).unwrap_or(0)
}

/// Every group carrying the tag `key` (any value), each with that value, every page. The filter does the work in
/// AWS; the check keeps a group without the tag out whatever an endpoint returns.
pub(crate) async fn tagged_groups(
    autoscaling: &aws_sdk_autoscaling::Client,
    key: &str,
) -> Result<Vec<(AutoScalingGroup, String)>, AwsError> {
    let mut out = Vec::new();
    let mut pages = autoscaling
        .describe_auto_scaling_groups()
        .filters(Filter::builder().name("tag-key").values(key).build())
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| classify("DescribeAutoScalingGroups", e))?;
        for g in page.auto_scaling_groups() {
            if let Some(tag) = g.tags().iter().find(|t| t.key() == Some(key)) {
                out.push((g.clone(), tag.value().unwrap_or_default().to_string()));
            }
        }
    }
    Ok(out)
}
