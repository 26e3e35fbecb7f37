//! The command line: flag definitions (`defs.rs`) and their conversion to the domain's types (`convert.rs`).

mod convert;
mod defs;

pub(crate) use convert::BacklogRequest;
pub(crate) use defs::*;
