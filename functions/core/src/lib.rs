//! scalegate's functional core: the rules that decide, over plain data.
//!
//! Nothing here talks to AWS or knows about Lambda. The shell (`scalegate-aws`, the function binaries and the CLI)
//! gathers facts through the [`ports`], calls these rules, and acts on what they return.

pub mod activity;
pub mod backlog;
pub mod config;
pub mod drain;
pub mod duration;
pub mod emf;
pub mod gate;
pub mod guard;
pub mod headroom;
pub mod json;
pub mod lease;
pub mod lifecycle;
pub mod net;
pub mod ports;
pub mod report;
pub mod retry;
pub mod settings;
pub mod simulate;
pub mod sweep;
pub mod wildcard;
