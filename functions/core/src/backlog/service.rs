//! One run over every pair: read (queues ‖ groups ‖ drain rates), then launch times when a warmup applies, compute,
//! publish. A pair whose inputs failed publishes nothing: a missing value leaves target tracking where it is, where a
//! made-up 0 would scale the group in.

use super::config::{BacklogConfig, PerMessage};
use super::figures::{capacity, figures, measured_seconds_per_message, messages, Capacity, Figures, QueueDepth};
use super::ports::{BacklogReader, MetricSink};
use super::report::pair_report;
use super::unexplained::{
    calls_behind, recorded_call, unexplained, RaisedBy, UnexplainedRise, UnexplainedSettings, CALL_AFTER, CALL_BEFORE,
};
use super::GroupView;
use crate::guard::{classify, CloudTrailRecord};
use crate::lifecycle::LifecycleState;
use crate::ports::{AwsError, AwsErrorKind};
use crate::report::{Level, Report};
use crate::retry::{retry, Backoff, RetryPolicy};
use chrono::{DateTime, Utc};
use futures::StreamExt;
use serde::Serialize;
use serde_json::json;
use std::collections::HashMap;

/// Minutes of `NumberOfMessagesDeleted` a measured seconds-per-message averages over.
pub const MEASURE_MINUTES: u32 = 5;

/// The figures of one pair that could be computed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PairFigures {
    /// The queue's counts.
    pub depth: QueueDepth,
    /// How the group's instances were counted.
    pub capacity: Capacity,
    /// The published figures.
    pub figures: Figures,
    /// Seconds per message used for the target.
    pub seconds_per_message: f64,
    /// The measured estimate, when measuring (`None`: no evidence, the fallback was used).
    pub measured_seconds_per_message: Option<f64>,
    /// The warmup applied, seconds.
    pub instance_warmup_s: f64,
    /// The group's capacity stands above what the backlog explains, raised by something else (`UnexplainedScaling`).
    pub unexplained: Option<UnexplainedRise>,
}

/// One pair's outcome.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PairReport {
    /// Queue name or URL.
    pub queue: String,
    /// The Auto Scaling group whose capable instances divide the backlog.
    pub group: String,
    /// Figures, or why there are none.
    pub outcome: Result<PairFigures, String>,
}

/// The whole run.
#[derive(Debug, Clone, PartialEq)]
pub struct BacklogRun {
    /// One report per pair, in config order.
    pub pairs: Vec<PairReport>,
    /// Log lines (one per pair) and, when publishing as EMF, metric lines.
    pub report: Report,
    /// Why `PutMetricData` failed, if it did.
    pub publish_error: Option<String>,
}

impl BacklogRun {
    /// Pairs that could not be computed, as `queue → group: reason`.
    pub fn failures(&self) -> Vec<String> {
        self.pairs
            .iter()
            .filter_map(|p| p.outcome.as_ref().err().map(|e| format!("{} → {}: {e}", p.queue, p.group)))
            .chain(self.publish_error.iter().map(|e| format!("PutMetricData: {e}")))
            .collect()
    }
}

/// Runs every pair of `config`. `sink` is used when the config publishes through `PutMetricData`.
pub async fn run<R: BacklogReader, S: MetricSink>(
    config: &BacklogConfig,
    reader: &R,
    sink: Option<&S>,
    now: DateTime<Utc>,
) -> BacklogRun {
    let queues: Vec<String> = config.pairs.iter().map(|p| p.queue.clone()).collect();
    let mut group_names: Vec<String> = config.pairs.iter().map(|p| p.group.clone()).collect();
    group_names.sort();
    group_names.dedup();
    let measured: Vec<String> = config
        .pairs
        .iter()
        .filter(|p| matches!(p.seconds_per_message, PerMessage::Measure { .. }))
        .map(|p| p.queue_name().to_string())
        .collect();
    // The first round trip: three independent reads side by side.
    let policy = RetryPolicy::standard();
    let (depths, groups, rates) = futures::join!(
        depths_retried(reader, &queues, config.concurrency, policy),
        async { retry(policy, || reader.groups(&group_names)).await.result },
        async {
            if measured.is_empty() {
                Ok(HashMap::new())
            } else {
                retry(policy, || reader.deleted_per_minute(&measured, MEASURE_MINUTES, now)).await.result
            }
        }
    );
    let mut groups = match groups {
        Ok(g) => g.into_iter().map(|g| (g.name.clone(), g)).collect::<HashMap<_, _>>(),
        Err(e) => {
            let reason = format!("DescribeAutoScalingGroups failed: {e}");
            return finish(config, vec![Err(reason); config.pairs.len()], sink, now).await;
        }
    };
    let mut notes: Vec<String> = Vec::new();
    let rates = rates.unwrap_or_else(|e| {
        notes.push(format!("GetMetricData failed ({e}); measured pairs use their fallback"));
        HashMap::new()
    });
    // The second round trip, only when a warmup applies: launch times of InService instances.
    // The group's own warmup wins over the pair's.
    let warmup_of = |p: &super::config::Pair, g: &GroupView| g.instance_warmup.unwrap_or(p.instance_warmup);
    let needing: Vec<String> = config
        .pairs
        .iter()
        .filter_map(|p| groups.get(&p.group).filter(|g| !warmup_of(p, g).is_zero()))
        .flat_map(|g| {
            g.members.iter().filter(|m| m.lifecycle_state == LifecycleState::InService).map(|m| m.instance_id.clone())
        })
        .collect();
    if !needing.is_empty() {
        match retry(policy, || reader.launch_times(&needing)).await.result {
            Ok(times) => {
                for g in groups.values_mut() {
                    for m in &mut g.members {
                        m.launched_at = times.get(&m.instance_id).copied().or(m.launched_at);
                    }
                }
            }
            Err(e) => notes.push(format!("DescribeInstances failed ({e}); InService instances count as warming")),
        }
    }
    let outcomes = config
        .pairs
        .iter()
        .zip(depths)
        .map(|(p, depth)| {
            let depth = depth.map_err(|e| match e.kind {
                AwsErrorKind::NotFound => format!("queue `{}` does not exist ({})", p.queue, e.message),
                _ => format!("reading queue `{}`: {e}", p.queue),
            })?;
            let group = groups.get(&p.group).ok_or_else(|| format!("group `{}` not found", p.group))?;
            let warmup = warmup_of(p, group);
            let capacity = capacity(group, warmup, now);
            let waiting = messages(depth, p.count_in_flight, p.count_delayed);
            let measured = match p.seconds_per_message {
                PerMessage::Measure { .. } => rates
                    .get(p.queue_name())
                    .and_then(|per_minute| measured_seconds_per_message(per_minute, capacity.capable)),
                PerMessage::Fixed(_) => None,
            };
            let seconds_per_message = measured.unwrap_or(p.seconds_per_message.configured());
            Ok(PairFigures {
                depth,
                capacity,
                figures: figures(waiting, capacity.capable, p.latency, seconds_per_message),
                seconds_per_message,
                measured_seconds_per_message: measured,
                instance_warmup_s: warmup.as_secs_f64(),
                unexplained: None,
            })
        })
        .collect::<Vec<_>>();
    let mut outcomes = outcomes;
    if let Some(settings) = &config.unexplained {
        explain(config, reader, &groups, &mut outcomes, settings, now, &mut notes).await;
    }
    let mut run = finish(config, outcomes, sink, now).await;
    for note in notes {
        run.report.log(now, Level::Warn, &note, json!({}));
    }
    run
}

/// Looks for capacity the backlog does not explain: only groups standing above what their backlog asks for cost a
/// read (`DescribeScalingActivities`, side by side), so a run where every group is explained makes no extra call.
async fn explain<R: BacklogReader>(
    config: &BacklogConfig,
    reader: &R,
    groups: &HashMap<String, GroupView>,
    outcomes: &mut [Result<PairFigures, String>],
    settings: &UnexplainedSettings,
    now: DateTime<Utc>,
    notes: &mut Vec<String>,
) {
    let above: Vec<(usize, &GroupView)> = outcomes
        .iter()
        .enumerate()
        .filter_map(|(i, o)| Some((i, o.as_ref().ok()?, groups.get(&config.pairs[i].group)?)))
        .filter(|(_, f, g)| u64::from(g.desired) > settings.allowed(f.figures.capacity_wanted, g.min_size))
        .map(|(i, _, g)| (i, g))
        .collect();
    if above.is_empty() {
        return;
    }
    let policy = RetryPolicy::standard();
    // As many in flight as the queue reads: the run's own bound on concurrent calls.
    let read: Vec<_> = futures::stream::iter(above.iter())
        .map(|(_, g)| async move { retry(policy, || reader.activities(&g.name)).await.result })
        .buffered(config.concurrency)
        .collect()
        .await;
    for ((i, g), activities) in above.into_iter().zip(read) {
        let Ok(f) = outcomes[i].as_mut() else { continue };
        match activities {
            Ok(activities) => {
                f.unexplained =
                    unexplained(g.desired, g.min_size, f.figures.capacity_wanted, &activities, settings, now);
            }
            Err(e) => notes.push(format!(
                "DescribeScalingActivities for {} failed ({e}): whether its capacity is explained was not checked",
                g.name
            )),
        }
    }
    if settings.callers {
        // One flagged group after another: LookupEvents allows two calls a second per account and region.
        for (f, p) in outcomes.iter_mut().zip(&config.pairs) {
            let Some(rise) = f.as_mut().ok().and_then(|f| f.unexplained.as_mut()) else { continue };
            if matches!(rise.raised_by, RaisedBy::UserRequest | RaisedBy::Other) {
                look_up_caller(reader, &p.group, rise, notes).await;
            }
        }
    }
}

/// Finds the call behind `rise` in CloudTrail's event history: the calls its Cause names, around when it was asked for.
async fn look_up_caller<R: BacklogReader>(
    reader: &R,
    group: &str,
    rise: &mut UnexplainedRise,
    notes: &mut Vec<String>,
) {
    let (from, to) = (rise.requested - CALL_BEFORE, rise.requested + CALL_AFTER);
    let mut calls = Vec::new();
    let mut unreadable = 0;
    for event in calls_behind(&rise.cause) {
        match retry(RetryPolicy::standard(), || reader.calls(event, from, to)).await.result {
            Ok(found) => {
                if !found.complete {
                    notes.push(format!(
                        "CloudTrail holds more {event} calls between {from} and {to} than were read: the caller of \
                         {group}'s rise may be among those left"
                    ));
                }
                for text in found.records {
                    match CloudTrailRecord::from_json(&text) {
                        Ok(record) => calls.push(classify(&record)),
                        Err(_) => unreadable += 1,
                    }
                }
            }
            Err(e) => {
                notes
                    .push(format!("CloudTrail LookupEvents {event} for {group} failed ({e}): its caller is not known"));
                return;
            }
        }
    }
    if unreadable > 0 {
        notes.push(format!("CloudTrail returned {unreadable} records for {group}'s rise that are not CloudTrail JSON"));
    }
    rise.call = recorded_call(group, rise.requested, rise.to, &calls);
    rise.caller = Some(match &rise.call {
        Some(call) => call.principal.name().to_string(),
        None => format!(
            "not in CloudTrail's event history between {from} and {to} (a record can take 5 minutes or more to \
             appear){}",
            rise.caller.as_deref().map(|c| format!("; Auto Scaling says: {c}")).unwrap_or_default()
        ),
    });
}

async fn finish<S: MetricSink>(
    config: &BacklogConfig,
    outcomes: Vec<Result<PairFigures, String>>,
    sink: Option<&S>,
    now: DateTime<Utc>,
) -> BacklogRun {
    let mut report = Report::default();
    let mut data = Vec::new();
    let pairs: Vec<PairReport> = config
        .pairs
        .iter()
        .zip(outcomes)
        .map(|(p, outcome)| {
            data.extend(pair_report(&mut report, config.publish, p, &outcome, now));
            PairReport { queue: p.queue.clone(), group: p.group.clone(), outcome }
        })
        .collect();
    let checked: Vec<&PairFigures> = pairs.iter().filter_map(|p| p.outcome.as_ref().ok()).collect();
    if config.unexplained.is_some() && !checked.is_empty() {
        // Every run that looked at a group, 0 included, with no dimension: what the alarm watches.
        let flagged = checked.iter().filter(|f| f.unexplained.is_some()).count();
        report.metric(now, &[], &[crate::emf::Metric::new("UnexplainedScaling", flagged as f64, "Count")]);
    }
    let publish_error = match (sink, data.is_empty()) {
        (_, true) => None,
        (Some(sink), false) => {
            retry(RetryPolicy::standard(), || sink.put(&data)).await.result.err().map(|e| e.to_string())
        }
        (None, false) => Some("no metric sink for put-metric-data".to_string()),
    };
    BacklogRun { pairs, report, publish_error }
}

/// Each queue's depth. Queues whose read failed transiently are asked again, together, under one backoff: one
/// throttled queue among two hundred costs one more batch, not two hundred more calls.
async fn depths_retried<R: BacklogReader>(
    reader: &R,
    queues: &[String],
    concurrency: usize,
    policy: RetryPolicy,
) -> Vec<Result<QueueDepth, AwsError>> {
    let mut results = reader.queue_depths(queues, concurrency).await;
    let mut backoff = Backoff::new(policy);
    loop {
        let failed: Vec<usize> =
            (0..results.len()).filter(|&i| matches!(&results[i], Err(e) if e.is_retryable())).collect();
        let Some(Err(first)) = failed.first().map(|&i| &results[i]) else { break };
        let Some(pause) = backoff.next_pause(first) else { break };
        tokio::time::sleep(pause).await;
        let again: Vec<String> = failed.iter().map(|&i| queues[i].clone()).collect();
        for (i, r) in failed.into_iter().zip(reader.queue_depths(&again, concurrency).await) {
            results[i] = r;
        }
    }
    results
}
