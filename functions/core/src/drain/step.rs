//! The rule: complete the terminate action now, or look again later — and how much later.

use super::config::{DrainConfig, HookTimeouts, MAX_SQS_DELAY};
use super::input::Ticket;
use crate::lease::parse_expiry;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::time::Duration;

/// What the drain found of the instance's work lease.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LeaseLook {
    /// No lease tag: the worker released its lease, or never took one.
    Absent,
    /// The lease tag's value.
    Tag(String),
    /// The tag could not be read (the error, after retries): the drain waits rather than guess.
    Unknown(String),
}

/// Why a drain ended in CONTINUE.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum DrainReason {
    /// The instance was in the warm pool (stopped): it runs no work.
    FromWarmPool,
    /// No lease tag.
    NoLease,
    /// The lease expired (its worker stopped renewing it).
    LeaseExpired {
        /// When.
        at: DateTime<Utc>,
    },
    /// The tag is not a timestamp, so it proves no live lease (the reaper reads it the same way).
    LeaseUnreadable {
        /// The tag's value.
        tag: String,
    },
    /// The budget ran out while the lease was still live (or unreadable): the work is cut short.
    BudgetSpent {
        /// The budget that applied, in seconds.
        budget_s: u64,
        /// What the lease looked like at the end.
        lease: String,
    },
}

impl DrainReason {
    /// The `Reason` dimension of `DrainCompletions`.
    pub fn as_str(&self) -> &'static str {
        match self {
            DrainReason::FromWarmPool => "warm_pool",
            DrainReason::NoLease => "no_lease",
            DrainReason::LeaseExpired { .. } => "lease_expired",
            DrainReason::LeaseUnreadable { .. } => "lease_unreadable",
            DrainReason::BudgetSpent { .. } => "budget_spent",
        }
    }
}

/// The rule's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DrainStep {
    /// Complete the action with CONTINUE.
    Complete(DrainReason),
    /// Heartbeat the hook and look again after `delay` (whole seconds, 1 to 900).
    Wait {
        /// The re-check's SQS delay.
        delay: Duration,
        /// Why, in words (`lease live until …`).
        why: String,
    },
}

/// The budget that applies: the configured one, cut to end a little before the hook's global timeout, so the last
/// look completes the action rather than the timeout.
pub fn budget(config: &DrainConfig, hook: HookTimeouts) -> Duration {
    let margin = Duration::from_secs(60).min(hook.global / 10);
    config.budget.min(hook.global.saturating_sub(margin))
}

/// Decides one look at a terminating instance's lease.
pub fn decide(
    lease: &LeaseLook,
    ticket: &Ticket,
    hook: HookTimeouts,
    config: &DrainConfig,
    now: DateTime<Utc>,
) -> DrainStep {
    let (expires, holding) = match lease {
        LeaseLook::Absent => return DrainStep::Complete(DrainReason::NoLease),
        LeaseLook::Tag(tag) => match parse_expiry(tag) {
            Some(at) if at > now => (Some(at), format!("lease live until {}", at.to_rfc3339())),
            Some(at) => return DrainStep::Complete(DrainReason::LeaseExpired { at }),
            None => return DrainStep::Complete(DrainReason::LeaseUnreadable { tag: tag.clone() }),
        },
        LeaseLook::Unknown(error) => (None, format!("lease unknown ({error})")),
    };
    let budget = budget(config, hook);
    let spent = (now - ticket.first_seen).to_std().unwrap_or(Duration::ZERO);
    let remaining = budget.saturating_sub(spent);
    if remaining < Duration::from_secs(1) {
        return DrainStep::Complete(DrainReason::BudgetSpent { budget_s: budget.as_secs(), lease: holding });
    }
    let backoff = config.first_delay.saturating_mul(1 << ticket.attempt.min(16)).min(config.max_delay);
    // Heartbeat again well inside the hook's timeout, however late SQS delivers.
    let mut delay = backoff.min(hook.heartbeat / 2).min(MAX_SQS_DELAY).min(remaining);
    if let Some(at) = expires {
        // Look again just after the lease would expire, not a whole backoff later.
        let until_expiry = (at - now).to_std().unwrap_or(Duration::ZERO) + Duration::from_secs(1);
        delay = delay.min(until_expiry);
    }
    let whole = Duration::from_secs(delay.as_secs_f64().ceil().clamp(1.0, MAX_SQS_DELAY.as_secs() as f64) as u64);
    DrainStep::Wait { delay: whole, why: holding }
}
