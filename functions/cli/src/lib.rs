//! The `scalegate` CLI's library: the local emulator launcher and the demo fleet, shared with the end-to-end tests.

pub mod demo;
pub mod emulator;
