//! AWS adapters for scalegate's ports, and the shell pieces every function and the CLI share.
//!
//! Each adapter wraps `aws_sdk_*::Client`s and turns SDK errors into the core's classified [`AwsError`]s
//! (`errors`); nothing here decides anything: decisions are the core's.
//!
//! [`AwsError`]: scalegate_core::ports::AwsError

pub mod backlog_handler;
pub mod backlog_reader;
pub mod drain_handler;
pub mod errors;
pub mod gate_handler;
pub mod iam_inventory;
pub mod instance_types;
pub mod launch_facts;
pub mod leases;
pub mod lifecycle_actions;
pub mod reaper;
pub mod round_trips;
pub mod sdk;
pub mod sod_audit;
pub mod sqs_batch;
pub mod telemetry;

pub use launch_facts::Ec2LaunchFacts;
pub use lifecycle_actions::AutoScalingLifecycleActions;

/// The launch gate wired to AWS.
pub type AwsLaunchGate = scalegate_core::gate::LaunchGate<Ec2LaunchFacts, AutoScalingLifecycleActions>;

/// Wires the launch gate to these clients. With `dry_run` it decides but never completes or heartbeats.
pub fn launch_gate(
    ec2: &aws_sdk_ec2::Client,
    autoscaling: &aws_sdk_autoscaling::Client,
    rules: scalegate_core::gate::GateRules,
    dry_run: bool,
) -> AwsLaunchGate {
    scalegate_core::gate::LaunchGate::new(
        Ec2LaunchFacts::new(ec2.clone(), autoscaling.clone()),
        AutoScalingLifecycleActions::new(autoscaling.clone()),
        rules,
        dry_run,
    )
}
