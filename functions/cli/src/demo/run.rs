//! Consumes the fleet's lifecycle queues and runs the launch gate on every notification as it arrives.

use super::{aws, DemoError, Fleet, GroupState};
use launch_gate::{aws_launch_gate, handle, RecordOutcome};
use scalegate_aws::sdk::Clients;
use scalegate_core::gate::GateRules;
use scalegate_core::lifecycle::ActionResult;
use scalegate_core::lifecycle::Redelivery;
use scalegate_core::report::Report;
use std::time::{Duration, Instant};

/// One decision, as the demo table shows it.
#[derive(Debug, Clone)]
pub struct GateRow {
    /// The instance the decision was about.
    pub instance_id: String,
    /// origin→destination.
    pub route: String,
    /// CONTINUE or ABANDON.
    pub verdict: ActionResult,
    /// Failed check names.
    pub failed_checks: Vec<String>,
    /// Reasons for ABANDON.
    pub reasons: Vec<String>,
    /// Gate latency.
    pub latency_ms: f64,
}

/// Everything a gate run saw.
#[derive(Debug, Clone, Default)]
pub struct GateRun {
    /// Decisions, in the order they were made.
    pub rows: Vec<GateRow>,
    /// Deliveries of actions already decided (duplicates) that changed nothing.
    pub duplicates: usize,
    /// TEST_NOTIFICATIONs consumed and dropped.
    pub tests_dropped: usize,
    /// Records rejected as malformed.
    pub rejected: Vec<String>,
    /// Lines the handler wrote (decision logs and EMF metrics).
    pub report: Report,
}

/// Polls the fleet's queues, gating each notification, until the group has settled and the queues are empty.
/// `on_row` sees each decision as it is made.
pub async fn gate_until_settled(
    c: &Clients,
    fleet: &Fleet,
    rules: GateRules,
    timeout: Duration,
    mut on_row: impl FnMut(&GateRow),
) -> Result<(GateRun, GroupState), DemoError> {
    let gate = aws_launch_gate(&c.ec2, &c.autoscaling, rules, false);
    let started = Instant::now();
    let mut run = GateRun::default();
    let mut quiet_polls = 0;
    loop {
        let mut handled = 0;
        for queue in [&fleet.events_queue, &fleet.hook_queue] {
            let out = c
                .sqs
                .receive_message()
                .queue_url(queue)
                .max_number_of_messages(10)
                .send()
                .await
                .map_err(aws("ReceiveMessage"))?;
            let messages = out.messages().to_vec();
            handled += messages.len();
            let reports = futures::future::join_all(messages.iter().map(|m| {
                let body = m.body().unwrap_or_default().to_string();
                let gate = &gate;
                async move { handle(gate, &body, chrono::Utc::now).await }
            }))
            .await;
            for (message, report) in messages.iter().zip(reports) {
                let report = match report {
                    Ok(r) => r,
                    Err(e) => {
                        run.rejected.push(e.to_string());
                        delete(c, queue, message).await?;
                        continue;
                    }
                };
                run.report.append(report.report.clone());
                let mut redeliver = false;
                for record in report.records {
                    redeliver |= record.outcome.redelivery().is_some();
                    match record.outcome {
                        RecordOutcome::Decided(d) => {
                            let row = GateRow {
                                instance_id: d.action.instance_id.clone(),
                                route: d.action.route(),
                                verdict: d.result,
                                failed_checks: d.failed_checks.clone(),
                                reasons: d.reasons.clone(),
                                latency_ms: d.latency.as_secs_f64() * 1000.0,
                            };
                            let duplicate = d.completion == Some(scalegate_core::lifecycle::Completion::AlreadyDone)
                                && run.rows.iter().any(|r| r.instance_id == row.instance_id && r.route == row.route);
                            if duplicate {
                                run.duplicates += 1;
                            } else {
                                on_row(&row);
                                run.rows.push(row);
                            }
                        }
                        RecordOutcome::AlreadyDecided { .. } => run.duplicates += 1,
                        RecordOutcome::TestDropped { .. } => run.tests_dropped += 1,
                        RecordOutcome::NotALaunch { .. } => {}
                        RecordOutcome::Rejected(e) => run.rejected.push(e),
                    }
                }
                if !redeliver {
                    delete(c, queue, message).await?;
                }
            }
        }
        if handled == 0 {
            quiet_polls += 1;
            let state = fleet.state(c).await?;
            if quiet_polls >= 2 && state.settled() {
                return Ok((run, state));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        } else {
            quiet_polls = 0;
        }
        if started.elapsed() > timeout {
            return Err(DemoError::Timeout(timeout));
        }
    }
}

async fn delete(c: &Clients, queue: &str, m: &aws_sdk_sqs::types::Message) -> Result<(), DemoError> {
    if let Some(handle) = m.receipt_handle() {
        c.sqs.delete_message().queue_url(queue).receipt_handle(handle).send().await.map_err(aws("DeleteMessage"))?;
    }
    Ok(())
}
