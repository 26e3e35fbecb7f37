//! The demo: a fleet on the local emulator whose scale-out the launch gate polices.
//!
//! The story: a debug launch template (SSH open to the world, IMDSv1) was live long enough for the group to launch
//! two instances from it; the team rolls back to the compliant template, adds a warm pool, and scales out to ten.
//! The gate lets the compliant instances in and abandons the two drifted ones, naming why; Auto Scaling replaces them.
//! Then a busy worker's instance is terminated anyway, and the drain holds it until the worker releases its lease.

mod drain;
mod fleet;
mod run;

pub use drain::{drain_a_busy_worker, invoke_once, lifecycle_state, DrainAct, DrainEvent};
pub use fleet::{queue, Fleet, FleetSpec, GroupState, DEMO_AMI};
pub use run::{gate_until_settled, GateRow, GateRun};

/// Why the demo failed.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    /// An AWS call failed.
    #[error("{operation}: {message}")]
    Aws {
        /// The API call that failed.
        operation: &'static str,
        /// What the emulator answered.
        message: String,
    },
    /// The fleet did not settle in time.
    #[error("timed out after {0:?} waiting for the fleet to settle")]
    Timeout(std::time::Duration),
}

/// Maps an SDK error to a [`DemoError`] naming the operation.
pub(crate) fn aws<E: std::error::Error>(operation: &'static str) -> impl FnOnce(E) -> DemoError {
    move |e| DemoError::Aws { operation, message: crate::error_chain(&e) }
}
