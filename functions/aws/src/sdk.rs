//! SDK configuration shared by the functions and the CLI.

use crate::round_trips::RoundTripCounter;
use aws_config::BehaviorVersion;

/// AWS clients, built once per process (a Lambda builds them at cold start and reuses them).
#[derive(Debug, Clone)]
pub struct Clients {
    /// EC2.
    pub ec2: aws_sdk_ec2::Client,
    /// Auto Scaling.
    pub autoscaling: aws_sdk_autoscaling::Client,
    /// SQS.
    pub sqs: aws_sdk_sqs::Client,
    /// CloudWatch.
    pub cloudwatch: aws_sdk_cloudwatch::Client,
}

impl Clients {
    /// Loads the standard configuration chain (environment, profile, container/instance credentials).
    /// `AWS_ENDPOINT_URL` points every client at an emulator. With `counter`, every call is recorded.
    pub async fn load(counter: Option<&RoundTripCounter>) -> Self {
        let shared = aws_config::defaults(BehaviorVersion::latest()).load().await;
        Self::from_shared(&shared, counter)
    }

    /// Builds the clients from an already-loaded configuration.
    pub fn from_shared(shared: &aws_types::SdkConfig, counter: Option<&RoundTripCounter>) -> Self {
        macro_rules! client {
            ($krate:ident) => {{
                let mut b = $krate::config::Builder::from(shared);
                if let Some(c) = counter {
                    b = b.interceptor(c.clone());
                }
                $krate::Client::from_conf(b.build())
            }};
        }
        Self {
            ec2: client!(aws_sdk_ec2),
            autoscaling: client!(aws_sdk_autoscaling),
            sqs: client!(aws_sdk_sqs),
            cloudwatch: client!(aws_sdk_cloudwatch),
        }
    }
}
