//! The drain workflow over its ports: look at the lease (and the hook), then either complete with CONTINUE, or
//! heartbeat and re-queue a re-check. One record never takes longer than a few AWS calls.

use super::config::{DrainConfig, HookTimeouts};
use super::input::{recheck_body, DrainRecord, Ticket};
use super::ports::{DrainFacts, RecheckQueue};
use super::step::{decide, DrainReason, DrainStep, LeaseLook};
use crate::lifecycle::{ActionResult, Completion, LifecycleActions};
use crate::lifecycle::{LifecycleAction, Notification, Place, Transition};
use crate::retry::{retry, RetryPolicy};
use chrono::{DateTime, Utc};
use std::time::Duration;

/// The drain, wired to its ports.
pub struct Drain<F, A, Q> {
    facts: F,
    actions: A,
    queue: Q,
    config: DrainConfig,
    policy: RetryPolicy,
    dry_run: bool,
}

/// What happened to one record.
#[derive(Debug, Clone, PartialEq)]
pub enum DrainOutcome {
    /// The action was completed with CONTINUE (or, in dry-run, would have been).
    Completed {
        /// The terminate action completed.
        action: LifecycleAction,
        /// Why now.
        reason: DrainReason,
        /// From the start of the action to this completion.
        drained: Duration,
        /// Looks taken, this one included.
        looks: u32,
        /// What completing did (`None` in dry-run).
        completion: Option<Completion>,
        /// A lease tag that could not be cleared on the warm-pool path (the reaper reads it as expired later).
        warning: Option<String>,
    },
    /// The hook was heartbeaten and a re-check queued (or, in dry-run, would have been).
    Requeued {
        /// The terminate action still held.
        action: LifecycleAction,
        /// The re-check's delay.
        delay: Duration,
        /// The re-check's attempt number.
        attempt: u32,
        /// Why the drain waits.
        why: String,
        /// A heartbeat that failed (the next look heartbeats again).
        warning: Option<String>,
    },
    /// "No active Lifecycle Action": completed already (a duplicate) or timed out. Nothing is left to do.
    AlreadyDone {
        /// The terminate action nobody is waiting on any more.
        action: LifecycleAction,
        /// Which call found it gone.
        during: &'static str,
    },
    /// `autoscaling:TEST_NOTIFICATION`, acknowledged and dropped.
    TestDropped {
        /// The group it names.
        auto_scaling_group: Option<String>,
    },
    /// Unusable (malformed, or not a terminate action): sent to the dead-letter queue, not retried.
    DeadLettered {
        /// Why.
        reason: String,
    },
    /// Could not be handled now; the delivery should come back (SQS redelivers it after its visibility timeout).
    Failed {
        /// The instance, when known.
        instance_id: Option<String>,
        /// What failed.
        error: String,
    },
}

impl<F: DrainFacts, A: LifecycleActions, Q: RecheckQueue> Drain<F, A, Q> {
    /// A drain over these ports. With `dry_run` it reads and decides, but never heartbeats, completes or re-queues.
    pub fn new(facts: F, actions: A, queue: Q, config: DrainConfig, dry_run: bool) -> Self {
        Self { facts, actions, queue, config, policy: RetryPolicy::new(4, Duration::from_secs(5)), dry_run }
    }

    /// Handles one record of an invocation.
    pub async fn handle_record(&self, record: &DrainRecord, now: DateTime<Utc>) -> DrainOutcome {
        match &record.item {
            Err(e) => self.dead_letter(&record.raw, &e.to_string(), None).await,
            Ok((Notification::Test(t), _)) => {
                DrainOutcome::TestDropped { auto_scaling_group: t.auto_scaling_group.clone() }
            }
            Ok((Notification::Action(a), _)) if a.transition != Transition::Terminating => {
                let reason = format!(
                    "launch action for {} sent to the drain function (only terminate actions belong on its queue)",
                    a.instance_id
                );
                self.dead_letter(&record.raw, &reason, Some(&a.instance_id)).await
            }
            Ok((Notification::Action(a), ticket)) => self.handle(a, ticket, now).await,
        }
    }

    async fn dead_letter(&self, raw: &str, reason: &str, instance: Option<&str>) -> DrainOutcome {
        if self.dry_run {
            return DrainOutcome::DeadLettered { reason: reason.to_string() };
        }
        match retry(self.policy, || self.queue.dead_letter(raw, reason)).await.result {
            Ok(()) => DrainOutcome::DeadLettered { reason: reason.to_string() },
            Err(e) => DrainOutcome::Failed {
                instance_id: instance.map(str::to_string),
                error: format!("{reason}; and it could not be dead-lettered: {e}"),
            },
        }
    }

    /// One look at a terminate action.
    pub async fn handle(&self, action: &LifecycleAction, ticket: &Ticket, now: DateTime<Utc>) -> DrainOutcome {
        let looks = ticket.attempt + 1;
        if action.origin == Some(Place::WarmPool) {
            return self.complete(action, ticket, DrainReason::FromWarmPool, looks, now, None).await;
        }
        let known_hook = ticket.hook;
        let (lease, hook) =
            futures::future::join(retry(self.policy, || self.facts.lease_tag(&action.instance_id)), async {
                match known_hook {
                    Some(h) => Ok(h),
                    None => {
                        retry(self.policy, || self.facts.hook_timeouts(&action.auto_scaling_group, &action.hook))
                            .await
                            .result
                    }
                }
            })
            .await;
        let lease = match lease.result {
            Ok(None) => LeaseLook::Absent,
            Ok(Some(tag)) => LeaseLook::Tag(tag),
            Err(e) => LeaseLook::Unknown(e.to_string()),
        };
        let (hook, hook_known) = match hook {
            Ok(h) => (h, Some(h)),
            Err(e) => {
                tracing::warn!(error = %e, hook = %action.hook, "could not describe the hook; assuming the shortest timeouts");
                (HookTimeouts::SHORTEST, None)
            }
        };
        match decide(&lease, ticket, hook, &self.config, now) {
            DrainStep::Complete(reason) => {
                let warning = if action.destination == Some(Place::WarmPool) && lease != LeaseLook::Absent {
                    self.clear_lease(&action.instance_id).await
                } else {
                    None
                };
                self.complete(action, ticket, reason, looks, now, warning).await
            }
            DrainStep::Wait { delay, why } => self.wait(action, ticket, hook_known, delay, why).await,
        }
    }

    async fn clear_lease(&self, instance: &str) -> Option<String> {
        if self.dry_run {
            return None;
        }
        let cleared = retry(self.policy, || self.facts.clear_lease_tag(instance)).await.result;
        cleared.err().map(|e| format!("the lease tag stays on {instance} as it enters the warm pool: {e}"))
    }

    async fn complete(
        &self,
        action: &LifecycleAction,
        ticket: &Ticket,
        reason: DrainReason,
        looks: u32,
        now: DateTime<Utc>,
        warning: Option<String>,
    ) -> DrainOutcome {
        let drained = (now - ticket.first_seen).to_std().unwrap_or(Duration::ZERO);
        let completion = if self.dry_run {
            None
        } else {
            match retry(self.policy, || self.actions.complete(action, ActionResult::Continue)).await.result {
                Ok(Completion::AlreadyDone) => {
                    return DrainOutcome::AlreadyDone { action: action.clone(), during: "CompleteLifecycleAction" }
                }
                Ok(c) => Some(c),
                Err(e) => {
                    return DrainOutcome::Failed {
                        instance_id: Some(action.instance_id.clone()),
                        error: format!("could not complete the terminate action ({}): {e}", reason.as_str()),
                    }
                }
            }
        };
        DrainOutcome::Completed { action: action.clone(), reason, drained, looks, completion, warning }
    }

    async fn wait(
        &self,
        action: &LifecycleAction,
        ticket: &Ticket,
        hook: Option<HookTimeouts>,
        delay: Duration,
        why: String,
    ) -> DrainOutcome {
        let next = ticket.next(hook);
        if self.dry_run {
            return DrainOutcome::Requeued { action: action.clone(), delay, attempt: next.attempt, why, warning: None };
        }
        let warning = match retry(self.policy, || self.actions.heartbeat(action)).await.result {
            Ok(Completion::AlreadyDone) => {
                return DrainOutcome::AlreadyDone { action: action.clone(), during: "RecordLifecycleActionHeartbeat" }
            }
            Ok(Completion::Done) => None,
            // The hook's timer keeps running; the re-check heartbeats again, well inside it.
            Err(e) => Some(format!("heartbeat failed: {e}")),
        };
        let body = recheck_body(action, &next);
        match retry(self.policy, || self.queue.requeue(&body, delay)).await.result {
            Ok(()) => DrainOutcome::Requeued { action: action.clone(), delay, attempt: next.attempt, why, warning },
            Err(e) => DrainOutcome::Failed {
                instance_id: Some(action.instance_id.clone()),
                error: format!("could not re-queue the re-check: {e}"),
            },
        }
    }
}

impl crate::lifecycle::Redelivery for DrainOutcome {
    /// A record that failed comes back; every other outcome is done with it.
    fn redelivery(&self) -> Option<String> {
        match self {
            DrainOutcome::Failed { error, .. } => Some(error.clone()),
            _ => None,
        }
    }
}
