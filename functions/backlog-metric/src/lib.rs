//! The `backlog-metric` function's shell: every minute (EventBridge schedule), for every configured (queue, group) pair,
//! publishes `BacklogPerInstance`, `BacklogTarget` and `CapableInstances`. With 10 s or 30 s resolution it computes
//! six or two times within the one-minute invocation.

use chrono::Utc;
use scalegate_aws::cloudwatch_metric_sink::CloudWatchMetricSink;
use scalegate_aws::sqs_backlog_reader::SqsBacklogReader;
use scalegate_aws::telemetry;
use scalegate_core::backlog::{run, BacklogConfig, BacklogRun, Publish};
use serde_json::{json, Value};
use std::time::Duration;

/// Why an invocation failed (after publishing what it could).
#[derive(Debug, thiserror::Error)]
pub enum BacklogError {
    /// Pairs that could not be computed or published.
    #[error("{} pair(s) not published: {}", .0.len(), .0.join("; "))]
    NotPublished(Vec<String>),
}

/// How many computations one one-minute invocation makes: 60 ÷ the finest resolution configured.
pub fn ticks_per_minute(config: &BacklogConfig) -> u32 {
    60 / config.pairs.iter().map(|p| p.resolution).min().unwrap_or(60).max(10)
}

/// One computation: runs every pair and writes its lines to stdout.
pub async fn run_once(reader: &SqsBacklogReader, sink: &CloudWatchMetricSink, config: &BacklogConfig) -> BacklogRun {
    let sink = (config.publish == Publish::PutMetricData).then_some(sink);
    let result = run(config, reader, sink, Utc::now()).await;
    telemetry::write_report(&result.report);
    result
}

/// The Lambda entry.
pub async fn lambda(
    reader: &SqsBacklogReader,
    sink: &CloudWatchMetricSink,
    config: &BacklogConfig,
    _payload: Value,
) -> Result<Value, BacklogError> {
    let ticks = ticks_per_minute(config);
    let every = Duration::from_secs(60 / u64::from(ticks));
    let started = tokio::time::Instant::now();
    let mut failures = Vec::new();
    let mut published = 0;
    for tick in 0..ticks {
        tokio::time::sleep_until(started + every * tick).await;
        let result = run_once(reader, sink, config).await;
        published += result.pairs.iter().filter(|p| p.outcome.is_ok()).count();
        failures.extend(result.failures());
    }
    failures.sort();
    failures.dedup();
    if !failures.is_empty() {
        return Err(BacklogError::NotPublished(failures));
    }
    Ok(json!({"pairs": config.pairs.len(), "runs": ticks, "published": published}))
}
