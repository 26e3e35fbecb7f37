//! The drift sweep: between the hooks, the gate's own checks re-run on every InService, Standby and warm-pool member
//! of the groups that opted in, and (in `replace` mode) drifted instances marked unhealthy so the group replaces
//! them with fresh, gated ones — a few at a time, never below the group's minimum healthy capacity, never one that
//! holds a live work lease.
//!
//! - `config.rs`: the opt-in tag and what its value says ([`SweepMode`], [`ReplaceLimit`]), [`SweepSettings`];
//! - `ports.rs`: [`SweptGroups`], [`FleetFacts`], [`InstanceHealth`] and the plain data they return;
//! - `select.rs`: the pure rules — each member's facts from the shared snapshot, its finding, which are replaced;
//! - `service.rs`: [`sweep`]; `report.rs`: its lines and metrics.

mod config;
mod ports;
mod report;
mod select;
mod service;

pub use config::{ReplaceLimit, SweepMode, SweepSettings, TagError, OPT_IN_TAG};
pub use ports::{FleetFacts, FleetSnapshot, Health, InstanceHealth, Member, SweptGroup, SweptGroups};
pub use select::{decide, findings, swept, templates_needed, Disposition, Finding, FindingKind, Hold};
pub use service::{sweep, GroupSweep, SweepRun};

#[cfg(test)]
mod tests;
