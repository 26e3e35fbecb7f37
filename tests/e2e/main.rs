//! End-to-end tests against the local emulator, as one test executable: one emulator for the whole run (started on
//! first use, see `scalegate_tests::endpoint`), every test on its own uniquely named resources.

mod backlog;
mod config_rollout;
mod drain;
mod drift_sweep;
#[path = "../emulator/mod.rs"]
mod emulator;
mod guard_restore;
mod launch_gate;
mod leases;
mod sod_audit;
mod template_corpus;
mod warm_pools;
