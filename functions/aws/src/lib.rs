//! AWS adapters for scalegate's ports, and the shell pieces every function and the CLI share.
//!
//! Each adapter wraps `aws_sdk_*::Client`s and turns SDK errors into the core's classified [`AwsError`]s
//! (`errors`); nothing here decides anything: decisions are the core's.
//!
//! [`AwsError`]: scalegate_core::ports::AwsError

pub mod backlog_reader;
pub mod errors;
pub mod iam_inventory;
pub mod instance_types;
pub mod launch_facts;
pub mod leases;
pub mod lifecycle_actions;
pub mod round_trips;
pub mod sdk;
pub mod settings;
pub mod sqs_recheck;
pub mod telemetry;

pub use launch_facts::Ec2LaunchFacts;
pub use lifecycle_actions::AutoScalingLifecycleActions;
