//! SDK configuration shared by the functions and the CLI: one bag of clients, built one way, with the SDK's retries
//! off (the one retry layer is the core's, so a call makes at most its policy's attempts) and every call bounded in
//! time (a connection that hangs fails as a timeout the retry policy sees, instead of holding the invocation until
//! Lambda kills it).

use crate::round_trips::RoundTripCounter;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::BehaviorVersion;
use std::time::Duration;

/// How long one call to AWS may take, response headers included. A page of `GetAccountAuthorizationDetails` in a
/// large account takes a few seconds; anything near this bound is a connection that will not answer.
pub const CALL_TIMEOUT: Duration = Duration::from_secs(15);
/// How long opening a connection may take (the SDK's own default).
const CONNECT_TIMEOUT: Duration = Duration::from_millis(3100);

/// The SDK's timeouts for one call of at most `call` (retries are off, so an attempt is the operation), unless the
/// loaded configuration bounds operations itself (the emulator's, which is slower under load).
fn timeouts(shared: &aws_types::SdkConfig, call: Duration) -> TimeoutConfig {
    if let Some(given) = shared.timeout_config().filter(|t| t.operation_timeout().is_some()) {
        return given.clone();
    }
    TimeoutConfig::builder()
        .connect_timeout(CONNECT_TIMEOUT.min(call))
        .operation_attempt_timeout(call)
        .operation_timeout(call)
        .build()
}

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
    /// CloudTrail: who made a change of capacity nothing explains (event history).
    pub cloudtrail: aws_sdk_cloudtrail::Client,
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
        Self::with_call_timeout(shared, counter, CALL_TIMEOUT)
    }

    /// The clients with calls bounded by `call` instead of [`CALL_TIMEOUT`] (when `shared` sets no operation timeout).
    pub fn with_call_timeout(
        shared: &aws_types::SdkConfig,
        counter: Option<&RoundTripCounter>,
        call: Duration,
    ) -> Self {
        // `$tune` adjusts one client's builder beyond what every client shares.
        macro_rules! client {
            ($krate:ident $(, $tune:expr)?) => {{
                // Retries are the workflows' (scalegate_core::retry): the SDK's own would multiply them.
                let mut b = $krate::config::Builder::from(shared)
                    .retry_config(RetryConfig::disabled())
                    .timeout_config(timeouts(shared, call));
                $(b = $tune(b);)?
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
            cloudtrail: client!(aws_sdk_cloudtrail),
            // Path-style addressing against an emulator (`AWS_ENDPOINT_URL`), where bucket subdomains do not resolve.
            s3: client!(aws_sdk_s3, |b: aws_sdk_s3::config::Builder| b
                .force_path_style(shared.endpoint_url().is_some())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::errors::classify;
    use scalegate_core::ports::AwsErrorKind;
    use std::net::TcpListener;

    /// A server that accepts connections and never answers: the call fails as a timeout, within its bound.
    #[tokio::test]
    async fn a_call_to_a_server_that_never_answers_fails_as_a_timeout() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let held = std::thread::spawn(move || listener.accept().map(|(stream, _)| stream));
        let shared = aws_types::SdkConfig::builder()
            .endpoint_url(endpoint)
            .region(aws_types::region::Region::new("us-east-1"))
            .credentials_provider(aws_sdk_sqs::config::SharedCredentialsProvider::new(
                aws_sdk_sqs::config::Credentials::new("test", "test", None, None, "test"),
            ))
            .behavior_version(BehaviorVersion::latest())
            .build();
        let clients = Clients::with_call_timeout(&shared, None, Duration::from_millis(300));
        let started = std::time::Instant::now();
        let err = clients.sqs.list_queues().send().await.expect_err("nobody answers");
        let elapsed = started.elapsed();
        assert_eq!(classify("ListQueues", err).kind, AwsErrorKind::Timeout);
        assert!(elapsed < Duration::from_secs(5), "bounded by the call timeout, took {elapsed:?}");
        drop(held);
    }
}
