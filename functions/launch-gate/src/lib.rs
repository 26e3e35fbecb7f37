//! The `launch-gate` function's shell, shared by the Lambda, `scalegate gate` and the demo: the gate wired to AWS,
//! and the handler that parses every record, gates every launch action and reports per record (for SQS partial-batch
//! responses).

use chrono::{DateTime, Utc};
use scalegate_aws::{telemetry, AutoScalingLifecycleActions, Ec2LaunchFacts};
use scalegate_core::config::{ConfigStore, LiveDocument};
use scalegate_core::gate::LaunchFactsSource;
use scalegate_core::gate::{decision_report, Decision, GateOutcome, GateRules, LaunchGate};
use scalegate_core::lifecycle::LifecycleActions;
use scalegate_core::lifecycle::{self, answer, InvocationError, Notification, ParseError, Redelivery};
use scalegate_core::report::{Level, Report};
use serde_json::{json, Value};

/// The launch gate wired to AWS.
pub type AwsLaunchGate = LaunchGate<Ec2LaunchFacts, AutoScalingLifecycleActions>;

/// Wires the launch gate to these clients. With `dry_run` it decides but never completes or heartbeats.
pub fn aws_launch_gate(
    ec2: &aws_sdk_ec2::Client,
    autoscaling: &aws_sdk_autoscaling::Client,
    rules: GateRules,
    dry_run: bool,
) -> AwsLaunchGate {
    LaunchGate::new(
        Ec2LaunchFacts::new(ec2.clone(), autoscaling.clone()),
        AutoScalingLifecycleActions::new(autoscaling.clone()),
        rules,
        dry_run,
    )
}

/// What happened to one record.
#[derive(Debug, Clone)]
pub enum RecordOutcome {
    /// The gate decided (and completed, unless dry-run).
    Decided(Box<Decision>),
    /// The instance had already moved on: a duplicate delivery.
    AlreadyDecided {
        /// The instance whose action was already decided.
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
        /// The instance of the terminate action.
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
    /// What the gate did with the record.
    pub outcome: RecordOutcome,
}

/// Everything one invocation did, and the lines it writes: a line per record (a decision also writes its metrics).
#[derive(Debug, Clone, Default)]
pub struct HandlerReport {
    /// Per record.
    pub records: Vec<RecordReport>,
    /// Structured log and EMF lines, in order.
    pub report: Report,
}

impl RecordReport {
    /// This record's lines.
    fn report(&self, at: DateTime<Utc>) -> Report {
        let mut report = Report::default();
        match &self.outcome {
            RecordOutcome::Decided(d) => report = decision_report(d, at),
            RecordOutcome::AlreadyDecided { instance_id, lifecycle_state } => report.log(
                at,
                Level::Info,
                "already decided",
                json!({"instance_id": instance_id, "lifecycle_state": lifecycle_state}),
            ),
            RecordOutcome::TestDropped { auto_scaling_group } => report.log(
                at,
                Level::Info,
                "test notification dropped",
                json!({"auto_scaling_group": auto_scaling_group}),
            ),
            RecordOutcome::NotALaunch { instance_id } => {
                report.log(at, Level::Warn, "not a launch action; left alone", json!({"instance_id": instance_id}))
            }
            RecordOutcome::Rejected(e) => {
                report.log(at, Level::Error, "rejected", json!({"error": e, "message_id": self.message_id}))
            }
        }
        report
    }
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
            Err(e) => RecordOutcome::Rejected(e.to_string()),
            Ok(Notification::Test(t)) => RecordOutcome::TestDropped { auto_scaling_group: t.auto_scaling_group },
            Ok(Notification::Action(action)) => match gate.handle(&action, now).await {
                GateOutcome::Decided(d) => RecordOutcome::Decided(Box::new(d)),
                GateOutcome::AlreadyDecided { action, lifecycle_state } => {
                    RecordOutcome::AlreadyDecided { instance_id: action.instance_id, lifecycle_state }
                }
                GateOutcome::NotALaunch { action } => RecordOutcome::NotALaunch { instance_id: action.instance_id },
            },
        };
        RecordReport { message_id: record.message_id, outcome }
    }))
    .await;
    for r in outcomes {
        report.report.append(r.report(now()));
        report.records.push(r);
    }
    Ok(report)
}

/// The Lambda entry: brings the gate's rules up to date with their document (see [`use_current_rules`]), handles
/// the payload, writes its log and metric lines to stdout, and answers with the SQS partial-batch response (harmless
/// for EventBridge invocations, which ignore it).
pub async fn lambda<F: LaunchFactsSource, L: LifecycleActions, S: ConfigStore>(
    gate: &LaunchGate<F, L>,
    rules: &LiveDocument<GateRules, S>,
    payload: Value,
) -> Result<Value, InvocationError> {
    let config = use_current_rules(gate, rules, Utc::now()).await;
    telemetry::write_report(&config.1);
    config.0?;
    let report = handle_value(gate, &payload, Utc::now).await?;
    telemetry::write_report(&report.report);
    report.answer()
}

/// Gives the gate the current good version of its rules document (read again when the last look is older than the
/// document's max age); the report says when a version was loaded, rejected or could not be read. `Err` only when
/// no good version was ever loaded: then nothing is decided and the hook's default (ABANDON) holds.
pub async fn use_current_rules<F: LaunchFactsSource, L: LifecycleActions, S: ConfigStore>(
    gate: &LaunchGate<F, L>,
    rules: &LiveDocument<GateRules, S>,
    at: DateTime<Utc>,
) -> (Result<(), scalegate_core::config::ConfigError>, Report) {
    let (loaded, report) = rules.current(at).await;
    let used = loaded.map(|l| gate.use_rules(l.value.clone(), l.version.clone()));
    (used, report)
}
