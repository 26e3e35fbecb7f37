//! The `scalegate` CLI's library: the audit's inputs and outputs, the local emulator launcher and the demo fleet,
//! shared with the end-to-end tests.

pub mod audit;

pub mod demo;
pub mod emulator;

/// An error and every source under it, joined by `: ` (an SDK error's own text names only the operation's failure).
pub fn error_chain<E: std::error::Error>(e: &E) -> String {
    let mut msg = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        source = s.source();
    }
    msg
}
