//! The `scalegate` CLI's library: the audit's inputs and outputs, the local emulator launcher and the demo fleet,
//! shared with the end-to-end tests.

pub mod audit;

pub mod demo;
pub mod emulator;
