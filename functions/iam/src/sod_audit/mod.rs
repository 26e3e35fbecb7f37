//! The separation-of-duties audit as the `sod-audit` function runs it: on a schedule and on IAM change events, read
//! the account, audit it against the duties, and report each finding and `SodViolations` per duty.
//!
//! - `ports.rs`: [`AccountInventory`], where the account's principals come from; `service.rs`: [`Trigger`] and
//!   [`run`]; `report.rs`: the run's lines.

mod ports;
mod report;
mod service;

pub use ports::AccountInventory;
pub use service::{run, violations_by_duty, SodRun, Trigger, IAM_CHANGE_EVENTS};

#[cfg(test)]
mod tests;
