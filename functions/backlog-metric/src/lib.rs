//! The `backlog-metric` function's shell: every minute (EventBridge schedule), for every configured (queue, group)
//! pair, publishes `BacklogPerInstance`, `BacklogTarget` and `CapableInstances`. At 10 s or 30 s resolution the
//! scheduled run also sends the minute's other computations to its tick queue as delayed messages, and each tick
//! invokes the function once: it bills for the work, never for waiting.

use chrono::Utc;
use scalegate_aws::cloudwatch_metric_sink::CloudWatchMetricSink;
use scalegate_aws::sqs_backlog_reader::SqsBacklogReader;
use scalegate_aws::telemetry;
use scalegate_core::backlog::{run, BacklogConfig, BacklogRun, Publish, TickQueue};
use scalegate_core::config::{ConfigError, ConfigStore, LiveDocument};
use scalegate_core::report::{Level, Report};
use scalegate_core::retry::{retry, RetryPolicy};
use serde_json::{json, Value};

/// Why an invocation failed (after publishing what it could).
#[derive(Debug, thiserror::Error)]
pub enum BacklogError {
    /// Pairs that could not be computed or published.
    #[error("{} pair(s) not published: {}", .0.len(), .0.join("; "))]
    NotPublished(Vec<String>),
    /// No good version of the pairs was ever loaded.
    #[error("no backlog pairs to publish: {0}")]
    NoConfiguration(#[from] ConfigError),
}

/// One computation: runs every pair and writes its lines to stdout. A tick leaves the unexplained-scaling check to
/// the minute's scheduled run: a rise is judged against a dead time of minutes, and reading activities and CloudTrail
/// six times a minute would only spend the accounts' API rates.
pub async fn run_once(
    reader: &SqsBacklogReader,
    sink: &CloudWatchMetricSink,
    config: &BacklogConfig,
    tick: bool,
) -> BacklogRun {
    let sink = (config.publish == Publish::PutMetricData).then_some(sink);
    let without_unexplained;
    let config = if tick && config.unexplained.is_some() {
        without_unexplained = BacklogConfig { unexplained: None, ..config.clone() };
        &without_unexplained
    } else {
        config
    };
    let result = run(config, reader, sink, Utc::now()).await;
    telemetry::write_report(&result.report);
    result
}

/// True when the invocation is a batch of ticks from the tick queue (an SQS event), not the minute's schedule.
fn is_tick(payload: &Value) -> bool {
    payload["Records"].as_array().is_some_and(|r| r.iter().any(|r| r["eventSource"] == "aws:sqs"))
}

/// The Lambda entry. Each invocation first brings the pairs up to date with their document (at most its max age
/// old). The minute's scheduled invocation computes once and schedules the minute's other computations; a tick
/// computes once. Failures fail the scheduled invocation (its errors alarm); a tick logs them and returns, since
/// redelivering it later would only compute stale figures.
pub async fn lambda<T: TickQueue, S: ConfigStore>(
    reader: &SqsBacklogReader,
    sink: &CloudWatchMetricSink,
    ticks: Option<&T>,
    pairs: &LiveDocument<BacklogConfig, S>,
    payload: Value,
) -> Result<Value, BacklogError> {
    let (loaded, config_report) = pairs.current(Utc::now()).await;
    telemetry::write_report(&config_report);
    let loaded = loaded?;
    let config = loaded.value.as_ref();
    let tick = is_tick(&payload);
    let result = run_once(reader, sink, config, tick).await;
    let published = result.pairs.iter().filter(|p| p.outcome.is_ok()).count();
    let failures = result.failures();
    if tick {
        return Ok(json!({"pairs": config.pairs.len(), "published": published, "tick": true}));
    }
    let mut scheduled = 0;
    let mut report = Report::default();
    if let Some(queue) = ticks {
        for delay in config.tick_delays() {
            match retry(RetryPolicy::standard(), || queue.send_tick(delay)).await.result {
                Ok(()) => scheduled += 1,
                Err(e) => report.log(
                    Utc::now(),
                    Level::Error,
                    "backlog tick not scheduled: that computation is skipped this minute",
                    json!({"delay_s": delay.as_secs(), "error": e.to_string()}),
                ),
            }
        }
    }
    telemetry::write_report(&report);
    if !failures.is_empty() {
        return Err(BacklogError::NotPublished(failures));
    }
    Ok(json!({"pairs": config.pairs.len(), "published": published, "ticks_scheduled": scheduled}))
}
