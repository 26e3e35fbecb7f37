//! What every port returns when AWS fails: a classified error. The ports themselves live beside the feature that
//! uses them (`gate/ports.rs`, `lifecycle/ports.rs`, `backlog/ports.rs`, `lease/ports.rs`, `drain/ports.rs`).
//!
//! Adapters in `scalegate-aws` implement the ports with the AWS SDK; tests implement them in memory.

/// What kind of failure an AWS call had, which decides whether to retry it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AwsErrorKind {
    /// Throttling or request-limit errors.
    Throttled,
    /// 5xx from the service.
    ServerError,
    /// The call timed out.
    Timeout,
    /// Connection-level failure.
    Network,
    /// The resource does not exist.
    NotFound,
    /// Not authorized.
    AccessDenied,
    /// The caller's credentials expired or are invalid.
    ExpiredCredentials,
    /// The service answered with something we cannot use (missing fields, unparseable body).
    Malformed,
    /// The request was rejected as invalid.
    Validation,
    /// The resource is not in a state that allows the call (an instance leaving its group cannot change its
    /// scale-in protection, say).
    WrongState,
    /// Anything else.
    Other,
}

/// A failed AWS call, classified.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{operation} failed ({kind:?}): {message}")]
pub struct AwsError {
    /// The API operation, e.g. `DescribeInstances`.
    pub operation: &'static str,
    /// Classification.
    pub kind: AwsErrorKind,
    /// The service's message.
    pub message: String,
}

impl AwsError {
    /// Builds an error.
    pub fn new(operation: &'static str, kind: AwsErrorKind, message: impl Into<String>) -> Self {
        Self { operation, kind, message: message.into() }
    }

    /// Transient failures are worth another attempt; the rest will fail the same way again.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self.kind,
            AwsErrorKind::Throttled | AwsErrorKind::ServerError | AwsErrorKind::Timeout | AwsErrorKind::Network
        )
    }
}
