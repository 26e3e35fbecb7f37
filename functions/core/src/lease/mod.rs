//! Work leases: scale-in protection that cannot leak. A worker holding a lease is protected from scale-in
//! and carries a lease-expiry tag; renewing moves the expiry, releasing removes both. The protection reaper removes
//! protection whose lease expired — or that has no lease while the group opted in — so a crashed worker never pins
//! the fleet.
//!
//! - `reaper.rs`: the pure rule, which protected instance loses its protection; `ports.rs`: [`LeaseStore`] and
//!   [`OptedInGroups`]; `service.rs`: acquire, renew, release and [`reap`]; `report.rs`: the reaper's lines.

mod ports;
mod reaper;
mod report;
mod service;

pub use ports::{LeaseStore, OptedInGroups};
pub use reaper::{batches, decide, GroupLeases, LeaseVerdict, ProtectedMember, MAX_PROTECTION_BATCH};
pub use service::{
    acquire, expiry_tag, leaving_group, parse_expiry, reap, release, renew, LeaseError, ReaperRun, LEASE_TAG,
    OPT_IN_TAG,
};

#[cfg(test)]
mod tests;
