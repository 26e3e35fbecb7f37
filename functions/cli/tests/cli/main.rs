//! The `scalegate` binary, run as a user runs it, in one test executable.

mod audit_live;
mod break_glass;
mod config;
mod gate;
mod lease;
mod offline;
mod sweep;
mod warm_pools;
