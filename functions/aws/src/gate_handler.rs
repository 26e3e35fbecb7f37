//! The launch-gate handler shared by the Lambda and `scalegate gate`: parse every record, gate every launch
//! action, and report per record (for SQS partial-batch responses).

use crate::telemetry::{decision_log, gate_metrics};
use chrono::{DateTime, Utc};
use scalegate_core::gate::{Decision, GateOutcome, LaunchGate};
use scalegate_core::lifecycle::{self, Notification, ParseError};
use scalegate_core::ports::{LaunchFactsSource, LifecycleActions};
use serde_json::Value;

/// What happened to one record.
#[derive(Debug, Clone)]
pub enum RecordOutcome {
    /// The gate decided (and completed, unless dry-run).
    Decided(Box<Decision>),
    /// The instance had already moved on: a duplicate delivery.
    AlreadyDecided {
        /// Instance id.
        instance_id: String,
        /// Where it is now.
        lifecycle_state: String,
    },
    /// `autoscaling:TEST_NOTIFICATION`, acknowledged and dropped.
    TestDropped {
        /// The group it names.
        auto_scaling_group: Option<String>,
    },
    /// A terminate action sent to the launch gate: left for the drain function.
    NotALaunch {
        /// Instance id.
        instance_id: String,
    },
    /// The record is not a valid lifecycle notification.
    Rejected(String),
}

impl RecordOutcome {
    /// True when the delivery should come back: a rejected record (so SQS moves it to the dead-letter queue after
    /// its receive count, rather than losing it) or an action the gate could not complete.
    pub fn should_redeliver(&self) -> bool {
        match self {
            RecordOutcome::Rejected(_) => true,
            RecordOutcome::Decided(d) => d.completion_error.is_some(),
            _ => false,
        }
    }
}

/// One record's outcome, with its SQS message id when it had one.
#[derive(Debug, Clone)]
pub struct RecordReport {
    /// SQS message id.
    pub message_id: Option<String>,
    /// Outcome.
    pub outcome: RecordOutcome,
}

/// Everything one invocation did, and the lines it wants logged (decision logs and EMF metrics).
#[derive(Debug, Clone, Default)]
pub struct HandlerReport {
    /// Per record.
    pub records: Vec<RecordReport>,
    /// Structured log and EMF lines, in order.
    pub log_lines: Vec<String>,
}

impl HandlerReport {
    /// The SQS partial-batch response: the message ids to deliver again.
    pub fn batch_response(&self) -> Value {
        crate::sqs_batch::batch_item_failures(
            self.records.iter().filter(|r| r.outcome.should_redeliver()).filter_map(|r| r.message_id.as_deref()),
        )
    }

    /// Failures of records that did not come from SQS (a direct EventBridge invocation): these must fail the
    /// invocation so Lambda retries it.
    pub fn direct_failures(&self) -> Vec<String> {
        self.records
            .iter()
            .filter(|r| r.message_id.is_none() && r.outcome.should_redeliver())
            .map(|r| match &r.outcome {
                RecordOutcome::Rejected(e) => e.clone(),
                RecordOutcome::Decided(d) => d.completion_error.clone().unwrap_or_default(),
                _ => String::new(),
            })
            .collect()
    }
}

/// Handles one input (an EventBridge event, an SQS batch, an SNS event or a bare notification).
/// `Err` only when the input as a whole is not a lifecycle delivery.
pub async fn handle<F: LaunchFactsSource, L: LifecycleActions>(
    gate: &LaunchGate<F, L>,
    input: &str,
    now: fn() -> DateTime<Utc>,
) -> Result<HandlerReport, ParseError> {
    handle_records(gate, lifecycle::parse(input)?, now).await
}

/// [`handle`] for an already-decoded JSON value: the Lambda's payload is parsed once, not re-serialized.
pub async fn handle_value<F: LaunchFactsSource, L: LifecycleActions>(
    gate: &LaunchGate<F, L>,
    payload: &Value,
    now: fn() -> DateTime<Utc>,
) -> Result<HandlerReport, ParseError> {
    handle_records(gate, lifecycle::parse_value(payload)?, now).await
}

async fn handle_records<F: LaunchFactsSource, L: LifecycleActions>(
    gate: &LaunchGate<F, L>,
    records: Vec<lifecycle::Record>,
    now: fn() -> DateTime<Utc>,
) -> Result<HandlerReport, ParseError> {
    let mut report = HandlerReport::default();
    // Records are gated concurrently: one slow instance must not hold up the batch.
    let outcomes = futures::future::join_all(records.into_iter().map(|record| async move {
        let outcome = match record.notification {
            Err(e) => {
                tracing::error!(error = %e, message_id = record.message_id.as_deref().unwrap_or("-"), "rejected record");
                RecordOutcome::Rejected(e.to_string())
            }
            Ok(Notification::Test(t)) => {
                tracing::info!(group = t.auto_scaling_group.as_deref().unwrap_or("-"), "dropping autoscaling:TEST_NOTIFICATION");
                RecordOutcome::TestDropped { auto_scaling_group: t.auto_scaling_group }
            }
            Ok(Notification::Action(action)) => match gate.handle(&action, now).await {
                GateOutcome::Decided(d) => RecordOutcome::Decided(Box::new(d)),
                GateOutcome::AlreadyDecided { action, lifecycle_state } => {
                    tracing::info!(instance = %action.instance_id, state = %lifecycle_state, "already decided; duplicate delivery");
                    RecordOutcome::AlreadyDecided { instance_id: action.instance_id, lifecycle_state }
                }
                GateOutcome::NotALaunch { action } => {
                    tracing::warn!(instance = %action.instance_id, hook = %action.hook, "terminate action sent to the launch gate; left alone");
                    RecordOutcome::NotALaunch { instance_id: action.instance_id }
                }
            },
        };
        RecordReport { message_id: record.message_id, outcome }
    }))
    .await;
    for r in outcomes {
        if let RecordOutcome::Decided(d) = &r.outcome {
            let at = now();
            report.log_lines.push(decision_log(d, at));
            report.log_lines.extend(gate_metrics(d, at));
        }
        report.records.push(r);
    }
    Ok(report)
}

/// Why a Lambda invocation failed (so Lambda, or EventBridge's retry policy, delivers it again).
#[derive(Debug, thiserror::Error)]
pub enum InvocationError {
    /// The event is not a lifecycle delivery at all.
    #[error("rejected event: {0}")]
    Rejected(#[from] ParseError),
    /// Records of a direct (non-SQS) invocation that must be retried.
    #[error("{} record(s) not handled: {}", .0.len(), .0.join("; "))]
    NotHandled(Vec<String>),
}

/// The Lambda entry: handles the payload, writes its log and metric lines to stdout, and answers with the SQS
/// partial-batch response (harmless for EventBridge invocations, which ignore it).
pub async fn lambda<F: LaunchFactsSource, L: LifecycleActions>(
    gate: &LaunchGate<F, L>,
    payload: Value,
) -> Result<Value, InvocationError> {
    let report = handle_value(gate, &payload, Utc::now).await?;
    crate::telemetry::write_lines(&report.log_lines);
    let direct = report.direct_failures();
    if !direct.is_empty() {
        return Err(InvocationError::NotHandled(direct));
    }
    Ok(report.batch_response())
}

/// Gate rules for a function: inline TOML in `SCALEGATE_GATE_RULES`, else the file `SCALEGATE_GATE_RULES_FILE`,
/// else the defaults (which equal `policies/gate.toml`).
pub fn rules_from_env() -> Result<scalegate_core::gate::GateRules, scalegate_core::gate::RulesError> {
    use scalegate_core::gate::GateRules;
    if let Ok(inline) = std::env::var("SCALEGATE_GATE_RULES") {
        return GateRules::from_toml(&inline, "SCALEGATE_GATE_RULES");
    }
    if let Ok(path) = std::env::var("SCALEGATE_GATE_RULES_FILE") {
        return GateRules::load(std::path::Path::new(&path));
    }
    Ok(GateRules::default())
}
