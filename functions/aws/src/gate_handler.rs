//! The launch-gate handler shared by the Lambda and `scalegate gate`: parse every record, gate every launch
//! action, and report per record (for SQS partial-batch responses).

use crate::sqs_batch::{answer, InvocationError, Redelivery};
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

impl Redelivery for RecordOutcome {
    /// A rejected record comes back (so SQS moves it to the dead-letter queue after its receive count, rather than
    /// losing it), and so does an action the gate could not complete.
    fn redelivery(&self) -> Option<String> {
        match self {
            RecordOutcome::Rejected(e) => Some(e.clone()),
            RecordOutcome::Decided(d) => d.completion_error.clone(),
            _ => None,
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
    /// What Lambda is answered: the partial-batch response, or the failures of a direct invocation.
    pub fn answer(&self) -> Result<Value, InvocationError> {
        answer(self.records.iter().map(|r| (r.message_id.as_deref(), &r.outcome)))
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

/// The Lambda entry: handles the payload, writes its log and metric lines to stdout, and answers with the SQS
/// partial-batch response (harmless for EventBridge invocations, which ignore it).
pub async fn lambda<F: LaunchFactsSource, L: LifecycleActions>(
    gate: &LaunchGate<F, L>,
    payload: Value,
) -> Result<Value, InvocationError> {
    let report = handle_value(gate, &payload, Utc::now).await?;
    crate::telemetry::write_lines(&report.log_lines);
    report.answer()
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
