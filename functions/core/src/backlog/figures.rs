//! The arithmetic of backlog per instance: which instances can take work, how many messages wait, what to publish,
//! and what target tracking will ask for.

use crate::lifecycle::LifecycleState;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::time::Duration;

/// A queue's approximate counts (`GetQueueAttributes`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct QueueDepth {
    /// `ApproximateNumberOfMessages`: waiting to be received.
    pub visible: u64,
    /// `ApproximateNumberOfMessagesNotVisible`: received, not yet deleted (in flight).
    pub in_flight: u64,
    /// `ApproximateNumberOfMessagesDelayed`.
    pub delayed: u64,
}

/// One instance of a group, as `DescribeAutoScalingGroups` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupMember {
    /// The EC2 instance (`i-…`).
    pub instance_id: String,
    /// Where it is in its lifecycle.
    pub lifecycle_state: LifecycleState,
    /// When it launched (`DescribeInstances`), if looked up.
    pub launched_at: Option<DateTime<Utc>>,
}

/// A group and its instances. Warm-pool instances are not members: `DescribeAutoScalingGroups` lists them apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupView {
    /// The Auto Scaling group's name, as pairs name it.
    pub name: String,
    /// `DefaultInstanceWarmup`, when the group sets one.
    pub instance_warmup: Option<Duration>,
    /// DesiredCapacity.
    pub desired: u32,
    /// MinSize.
    pub min_size: u32,
    /// Instances in the group.
    pub members: Vec<GroupMember>,
}

/// How a group's members were counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Capacity {
    /// InService, past warmup: these take work.
    pub capable: u32,
    /// InService but still inside the instance warmup.
    pub warming: u32,
    /// Launching (`Pending*`).
    pub pending: u32,
    /// Leaving (`Terminating*`, draining).
    pub draining: u32,
    /// In standby (`EnteringStandby`, `Standby`).
    pub standby: u32,
    /// Anything else (detaching, quarantined, …).
    pub other: u32,
}

/// Which instances can take work now: InService, past `warmup` since launch, and nothing else. An InService
/// instance whose launch time is unknown counts as warming (fewer capable instances only errs towards scaling out).
pub fn capacity(group: &GroupView, warmup: Duration, now: DateTime<Utc>) -> Capacity {
    let mut c = Capacity::default();
    for m in &group.members {
        let state = &m.lifecycle_state;
        let slot = match state {
            LifecycleState::InService => {
                let warm = warmup.is_zero()
                    || m.launched_at.is_some_and(|t| (now - t).to_std().is_ok_and(|age| age >= warmup));
                if warm {
                    &mut c.capable
                } else {
                    &mut c.warming
                }
            }
            s if s.is_launching() => &mut c.pending,
            s if s.is_terminating() => &mut c.draining,
            s if s.is_standby() => &mut c.standby,
            _ => &mut c.other,
        };
        *slot += 1;
    }
    c
}

/// Messages that count as backlog.
pub fn messages(depth: QueueDepth, count_in_flight: bool, count_delayed: bool) -> u64 {
    depth.visible + if count_in_flight { depth.in_flight } else { 0 } + if count_delayed { depth.delayed } else { 0 }
}

/// The figures for one (queue, group) pair.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Figures {
    /// Messages counted.
    pub messages: u64,
    /// Instances that can take work.
    pub capable: u32,
    /// `BacklogPerInstance`: messages ÷ capable instances; with none capable and messages waiting, the whole backlog
    /// (as if one instance held it), which is above any sensible target and so still drives a scale-out; 0 when the
    /// queue is empty.
    pub backlog_per_instance: f64,
    /// `BacklogTarget`: acceptable latency ÷ seconds per message.
    pub target: f64,
    /// The capacity target tracking will ask for: ⌈messages ÷ target⌉.
    pub capacity_wanted: u64,
}

/// Computes the figures. `target` must be positive (the configuration guarantees it).
pub fn figures(messages: u64, capable: u32, latency: Duration, seconds_per_message: f64) -> Figures {
    let target = latency.as_secs_f64() / seconds_per_message;
    let backlog_per_instance = match (messages, capable) {
        (0, _) => 0.0,
        (m, 0) => m as f64,
        (m, c) => m as f64 / c as f64,
    };
    Figures {
        messages,
        capable,
        backlog_per_instance,
        target,
        capacity_wanted: (messages as f64 / target).ceil() as u64,
    }
}

/// Seconds per message from how fast the queue drains: busy instances × the window ÷ messages deleted in it. `None`
/// when nothing was deleted or nobody was busy (no evidence: use the configured fallback).
pub fn measured_seconds_per_message(deleted_per_minute: &[f64], busy_instances: u32) -> Option<f64> {
    let deleted: f64 = deleted_per_minute.iter().sum();
    if deleted <= 0.0 || busy_instances == 0 || deleted_per_minute.is_empty() {
        return None;
    }
    // Summing over the whole window smooths minute-to-minute noise.
    Some(f64::from(busy_instances) * 60.0 * deleted_per_minute.len() as f64 / deleted)
}
