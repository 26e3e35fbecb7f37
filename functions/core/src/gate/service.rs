//! The launch gate's workflow: gather → check → (heartbeat and re-check while settling) → complete.
//!
//! Fail-closed: every path that is not "all checks passed" ends in ABANDON, and an error never becomes CONTINUE.

use super::checks::{evaluate, CheckResult, CheckStatus};
use super::rules::{GateMode, GateRules};
use super::verdict::Verdict;
use crate::gate::LaunchFactsSource;
use crate::lifecycle::{ActionResult, Completion, LifecycleActions};
use crate::lifecycle::{LifecycleAction, Transition};
use crate::retry::{retry, RetryPolicy};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::sync::{Arc, RwLock};
use std::time::Duration;
use tokio::time::Instant;

/// The launch gate, wired to its ports.
pub struct LaunchGate<F, L> {
    pub(crate) facts: F,
    pub(crate) actions: L,
    rules: RwLock<Arc<RulesInUse>>,
    dry_run: bool,
}

/// The rules in use, swapped whole when a new version loads: a decision uses one version from start to end.
#[derive(Debug)]
struct RulesInUse {
    rules: Arc<GateRules>,
    version: String,
    revision: Option<String>,
}

impl RulesInUse {
    fn new(rules: Arc<GateRules>, revision: Option<String>) -> Self {
        Self { version: rules.version(), rules, revision }
    }
}

/// What the gate did with one lifecycle action.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum GateOutcome {
    /// The gate decided and (unless dry-run) completed the action.
    Decided(Decision),
    /// The group already moved the instance on (a duplicate delivery): nothing to do.
    AlreadyDecided {
        /// The launch action that had moved on.
        action: LifecycleAction,
        /// Its lifecycle state in the group now.
        lifecycle_state: String,
    },
    /// Not a launch action: the gate leaves it alone.
    NotALaunch {
        /// The terminate action left for the drain.
        action: LifecycleAction,
    },
}

/// One decision, with everything the decision log needs.
#[derive(Debug, Clone, Serialize)]
pub struct Decision {
    /// The action decided.
    pub action: LifecycleAction,
    /// The gate's verdict: CONTINUE or ABANDON.
    pub result: ActionResult,
    /// Whether the verdict was enforced or only reported.
    pub mode: GateMode,
    /// What the action was completed with (or would have been, in dry-run): the verdict when enforcing, CONTINUE
    /// when only reporting.
    pub completed_with: ActionResult,
    /// Each check's result (from the last look, when the gate looked more than once).
    pub checks: Vec<CheckResult>,
    /// Why the gate abandoned: each failed check's reason, or the error or timeout that made it fail closed.
    pub reasons: Vec<String>,
    /// Names of the failed checks (`gate.error` / `gate.not_settled` when no check failed).
    pub failed_checks: Vec<String>,
    /// What completing did; `None` in dry-run or when completing failed.
    pub completion: Option<Completion>,
    /// The error that kept the action from being completed, if any (the hook's default result then applies).
    pub completion_error: Option<String>,
    /// How many times facts were gathered.
    pub looks: u32,
    /// Heartbeats sent while waiting for facts to settle.
    pub heartbeats: u32,
    /// From handling start to completion.
    #[serde(serialize_with = "millis")]
    pub latency: Duration,
    /// From the instance's launch to this decision, when the launch time is known.
    pub time_to_ready: Option<f64>,
    /// Hash of the rules that decided.
    pub rules_version: String,
    /// The stored version of the rules document that decided (its S3 version id), when the rules are read live.
    pub rules_revision: Option<String>,
    /// True when the action was not completed on purpose.
    pub dry_run: bool,
}

fn millis<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(d.as_secs_f64() * 1000.0)
}

impl<F: LaunchFactsSource, L: LifecycleActions> LaunchGate<F, L> {
    /// A gate over these ports and rules. With `dry_run` it decides but never completes or heartbeats.
    pub fn new(facts: F, actions: L, rules: GateRules, dry_run: bool) -> Self {
        let rules = RwLock::new(Arc::new(RulesInUse::new(Arc::new(rules), None)));
        Self { facts, actions, rules, dry_run }
    }

    /// Decides from now on with these rules (a version loaded from the rules document); decisions under way keep
    /// the version they started with.
    pub fn use_rules(&self, rules: Arc<GateRules>, revision: Option<String>) {
        let mut in_use = self.rules.write().unwrap_or_else(std::sync::PoisonError::into_inner);
        if !(Arc::ptr_eq(&in_use.rules, &rules) && in_use.revision == revision) {
            *in_use = Arc::new(RulesInUse::new(rules, revision));
        }
    }

    fn rules_in_use(&self) -> Arc<RulesInUse> {
        self.rules.read().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }

    /// Decides one lifecycle action. `Err` only when completing failed for good: the caller should report the
    /// delivery as failed so it comes back, and meanwhile the hook's own default (ABANDON) still holds.
    pub async fn handle(&self, action: &LifecycleAction, now: impl Fn() -> DateTime<Utc>) -> GateOutcome {
        if action.transition != Transition::Launching {
            return GateOutcome::NotALaunch { action: action.clone() };
        }
        let in_use = self.rules_in_use();
        let rules = in_use.rules.as_ref();
        let policy = RetryPolicy::new(rules.retry.max_attempts, Duration::from_secs(rules.retry.budget_seconds));
        let started = Instant::now();
        let settle_deadline = started + rules.settle_timeout();
        let mut looks = 0;
        let mut heartbeats = 0;
        let mut launch_time = None;

        let (checks, result, reasons, failed_checks) = loop {
            looks += 1;
            let gathered = retry(policy, || self.facts.gather(action)).await;
            let facts = match gathered.result {
                Ok(f) => f,
                Err(e) => {
                    let reason = format!("could not gather facts after {} attempt(s): {e}", gathered.attempts);
                    break (vec![], ActionResult::Abandon, vec![reason], vec!["gate.error".to_string()]);
                }
            };
            if let Some(state) = &facts.group.instance_lifecycle_state {
                if !state.awaits_launch_decision() {
                    return GateOutcome::AlreadyDecided {
                        action: action.clone(),
                        lifecycle_state: state.as_str().to_string(),
                    };
                }
            }
            launch_time = facts.instance.launch_time;
            let checks = evaluate(&facts, rules);
            match Verdict::from_checks(&checks) {
                Verdict::Continue => break (checks, ActionResult::Continue, vec![], vec![]),
                Verdict::Abandon => {
                    let (names, reasons) = failures(&checks, CheckStatus::Fail);
                    break (checks, ActionResult::Abandon, reasons, names);
                }
                Verdict::NotSettled => {
                    let interval = rules.settle_interval();
                    if Instant::now() + interval > settle_deadline {
                        let (_, pending) = failures(&checks, CheckStatus::Pending);
                        let reason =
                            format!("not settled within {} s: {}", rules.settle.timeout_seconds, pending.join("; "));
                        break (checks, ActionResult::Abandon, vec![reason], vec!["gate.not_settled".to_string()]);
                    }
                    if !self.dry_run {
                        let beat = retry(policy, || self.actions.heartbeat(action)).await;
                        heartbeats += 1;
                        match beat.result {
                            // Someone else finished it, or it timed out: there is nothing left to gate.
                            Ok(Completion::AlreadyDone) => {
                                return GateOutcome::AlreadyDecided {
                                    action: action.clone(),
                                    lifecycle_state: "no active lifecycle action".to_string(),
                                }
                            }
                            Ok(Completion::Done) => {}
                            // A failed heartbeat only shortens our window; the re-check still decides.
                            Err(e) => tracing::warn!(error = %e, instance = %action.instance_id, "heartbeat failed"),
                        }
                    }
                    tokio::time::sleep(interval).await;
                }
            }
        };

        let completed_with = rules.mode.completes_with(result);
        let mut decision = Decision {
            action: action.clone(),
            result,
            mode: rules.mode,
            completed_with,
            checks,
            reasons,
            failed_checks,
            completion: None,
            completion_error: None,
            looks,
            heartbeats,
            latency: Duration::ZERO,
            time_to_ready: None,
            rules_version: in_use.version.clone(),
            rules_revision: in_use.revision.clone(),
            dry_run: self.dry_run,
        };
        if !self.dry_run {
            let completed = retry(policy, || self.actions.complete(action, completed_with)).await;
            match completed.result {
                Ok(c) => decision.completion = Some(c),
                Err(e) => decision.completion_error = Some(e.to_string()),
            }
        }
        decision.latency = started.elapsed();
        decision.time_to_ready = launch_time.map(|t| (now() - t).num_milliseconds().max(0) as f64 / 1000.0);
        GateOutcome::Decided(decision)
    }
}

fn failures(checks: &[CheckResult], status: CheckStatus) -> (Vec<String>, Vec<String>) {
    checks
        .iter()
        .filter(|c| c.status == status)
        .map(|c| (c.name.to_string(), format!("{}: {}", c.name, c.reason)))
        .unzip()
}
