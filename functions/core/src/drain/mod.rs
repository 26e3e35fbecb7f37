//! The drain function's rules. A terminating instance whose worker holds a live work lease stays in
//! `Terminating:Wait` until the lease is released or expires, or the drain budget is spent; then the action completes
//! with CONTINUE. The wait is durable and never a sleeping Lambda: each check heartbeats the hook and re-queues itself
//! with an SQS delay that backs off.
//!
//! - [`DrainConfig`]: the budget and the re-check delays, validated at start.
//! - [`parse_input`]: an invocation's records, each a fresh lifecycle notification or one of our own re-checks.
//! - [`decide`]: the pure rule: complete now, or wait how long.
//! - [`Drain`]: the workflow over its ports; [`outcome_report`]: its log and EMF lines.

mod config;
mod input;
mod ports;
mod report;
mod service;
mod step;

pub use config::{DrainConfig, DrainConfigError, HookTimeouts, MAX_SQS_DELAY};
pub use input::{parse_input, recheck_body, DrainRecord, Ticket, ENVELOPE_KEY};
pub use ports::{DrainFacts, RecheckQueue};
pub use report::outcome_report;
pub use service::{Drain, DrainOutcome};
pub use step::{budget, decide, DrainReason, DrainStep, LeaseLook};

#[cfg(test)]
mod tests;
