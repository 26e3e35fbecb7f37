//! The launch gate: pure checks over a snapshot of facts, and the verdict they add up to.

mod checks;
pub mod example;
mod facts;
mod instance_types;
mod ports;
mod reach;
mod report;
mod rules;
mod service;
mod verdict;

pub use checks::{evaluate, CheckResult, CheckStatus, CHECK_NAMES};
pub use facts::{
    BlockDevice, GroupFacts, IngressRule, InstanceFacts, LaunchFacts, MetadataOptions, PrefixListEntries,
    PrefixListFacts, ProfileAssociation, SecurityGroupFacts, TemplateFacts, TemplateRef, TypeOverride,
};
pub use instance_types::{Accelerator, Bounds, Inclusion, InstanceRequirements, InstanceTypeFacts};
pub use ports::LaunchFactsSource;
pub use reach::{Exposure, Protocol, Reachability, Source, WorldLimits};
pub use report::decision_report;
pub use rules::{GateMode, GateRules, RulesError, TemplateWithoutGroups};
pub use service::{Decision, GateOutcome, LaunchGate};
pub use verdict::Verdict;

#[cfg(test)]
mod tests;
