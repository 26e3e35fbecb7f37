//! AWS adapters for scalegate's ports, and the shell pieces every function and the CLI share.
//!
//! Each adapter wraps `aws_sdk_*::Client`s and turns SDK errors into the core's classified [`AwsError`]s
//! (`errors`); nothing here decides anything: decisions are the core's.
//!
//! [`AwsError`]: scalegate_core::ports::AwsError

pub mod autoscaling_gate_hooks;
mod autoscaling_groups;
pub mod autoscaling_lifecycle_actions;
pub mod autoscaling_warm_pools;
mod cloudtrail_calls;
pub mod cloudwatch_metric_sink;
pub mod ec2_fleet_facts;
pub mod ec2_instance_types;
pub mod ec2_launch_facts;
pub mod ec2_leases;
pub mod errors;
pub mod iam_account_inventory;
pub mod round_trips;
pub mod s3_config_document;
pub mod sdk;
pub mod settings;
pub mod sqs_backlog_reader;
pub mod sqs_recheck_queue;
pub mod sqs_tick_queue;
pub mod telemetry;

pub use autoscaling_lifecycle_actions::AutoScalingLifecycleActions;
pub use ec2_launch_facts::Ec2LaunchFacts;
