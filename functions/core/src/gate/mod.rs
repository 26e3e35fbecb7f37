//! The launch gate: pure checks over a snapshot of facts, and the verdict they add up to.

mod checks;
pub mod example;
mod facts;
mod rules;
mod service;
mod verdict;

pub use checks::{evaluate, CheckResult, CheckStatus, CHECK_NAMES};
pub use facts::{
    BlockDevice, GroupFacts, IngressRule, InstanceFacts, LaunchFacts, MetadataOptions, ProfileAssociation,
    SecurityGroupFacts, TemplateFacts, TemplateRef,
};
pub use rules::{GateRules, RulesError};
pub use service::{Decision, GateOutcome, LaunchGate};
pub use verdict::Verdict;

#[cfg(test)]
mod tests;
