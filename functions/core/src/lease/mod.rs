//! Work leases (issue #4): scale-in protection that cannot leak. A worker holding a lease is protected from scale-in
//! and carries a lease-expiry tag; renewing moves the expiry, releasing removes both. The protection reaper removes
//! protection whose lease expired — or that has no lease while the group opted in — so a crashed worker never pins
//! the fleet.

mod reaper;
mod service;

pub use reaper::{batches, decide, GroupLeases, LeaseVerdict, ProtectedMember, MAX_PROTECTION_BATCH};
pub use service::{
    acquire, expiry_tag, leaving_group, parse_expiry, release, renew, LeaseError, LeaseStore, LEASE_TAG, OPT_IN_TAG,
};

#[cfg(test)]
mod tests;
