//! SDK configuration shared by the functions and the CLI: one bag of clients, built one way, with the SDK's retries
//! off (the one retry layer is the core's, so a call makes at most its policy's attempts).

use crate::round_trips::RoundTripCounter;
use aws_config::retry::RetryConfig;
use aws_config::BehaviorVersion;

/// The one bag of AWS clients, built once per process (a Lambda builds them at cold start and reuses them).
#[derive(Debug, Clone)]
pub struct Clients {
    /// EC2.
    pub ec2: aws_sdk_ec2::Client,
    /// Auto Scaling.
    pub autoscaling: aws_sdk_autoscaling::Client,
    /// SQS: queue depths, the drain's re-checks and dead letters.
    pub sqs: aws_sdk_sqs::Client,
    /// CloudWatch: drain rates (GetMetricData) and PutMetricData.
    pub cloudwatch: aws_sdk_cloudwatch::Client,
    /// IAM (the separation-of-duties audit).
    pub iam: aws_sdk_iam::Client,
    /// EventBridge (the demo fleet's rules).
    pub events: aws_sdk_eventbridge::Client,
    /// S3: the versioned configuration documents.
    pub s3: aws_sdk_s3::Client,
}

impl Clients {
    /// Loads the standard configuration chain (environment, profile, container/instance credentials).
    /// `AWS_ENDPOINT_URL` points every client at an emulator. With `counter`, every call is recorded.
    pub async fn load(counter: Option<&RoundTripCounter>) -> Self {
        let shared = aws_config::defaults(BehaviorVersion::latest()).load().await;
        Self::from_shared(&shared, counter)
    }

    /// The clients on an already-loaded configuration (an emulator's, in tests and the demo).
    pub fn new(shared: &aws_types::SdkConfig) -> Self {
        Self::from_shared(shared, None)
    }

    /// Builds the clients from an already-loaded configuration; with `counter`, every call is recorded.
    pub fn from_shared(shared: &aws_types::SdkConfig, counter: Option<&RoundTripCounter>) -> Self {
        macro_rules! client {
            ($krate:ident) => {{
                // Retries are the workflows' (scalegate_core::retry): the SDK's own would multiply them.
                let mut b = $krate::config::Builder::from(shared).retry_config(RetryConfig::disabled());
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
            iam: client!(aws_sdk_iam),
            events: client!(aws_sdk_eventbridge),
            s3: s3_client(shared, counter),
        }
    }
}

/// S3 needs path-style addressing against an emulator (`AWS_ENDPOINT_URL`), where bucket subdomains do not resolve.
fn s3_client(shared: &aws_types::SdkConfig, counter: Option<&RoundTripCounter>) -> aws_sdk_s3::Client {
    let mut b = aws_sdk_s3::config::Builder::from(shared)
        .retry_config(RetryConfig::disabled())
        .force_path_style(shared.endpoint_url().is_some());
    if let Some(c) = counter {
        b = b.interceptor(c.clone());
    }
    aws_sdk_s3::Client::from_conf(b.build())
}
