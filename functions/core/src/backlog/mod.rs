//! Backlog per instance: the signal target tracking scales queue workers on. Messages waiting (and, by
//! choice, in flight or delayed) divided by the instances that can take work — InService, past warmup, not draining,
//! not in standby or the warm pool — against a target of acceptable latency ÷ seconds per message.

mod config;
mod figures;
mod ports;
mod report;
mod service;
mod unexplained;

pub use config::{BacklogConfig, ConfigError, Pair, PerMessage, Publish};
pub use figures::{
    capacity, figures, measured_seconds_per_message, messages, Capacity, Figures, GroupMember, GroupView, QueueDepth,
};
pub use ports::{BacklogReader, CallRecords, Datum, MetricSink, TickQueue};
pub use service::{run, BacklogRun, PairFigures, PairReport, MEASURE_MINUTES};
pub use unexplained::{
    calls_behind, recorded_call, unexplained, RaisedBy, RecordedCall, UnexplainedRise, UnexplainedSettings,
    CAPACITY_CALLS,
};

#[cfg(test)]
mod tests;
