//! SDK errors → the core's [`AwsError`], classified so the core knows what to retry.

use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::display::DisplayErrorContext;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use scalegate_core::ports::{AwsError, AwsErrorKind};

/// Classifies an SDK error from `operation`.
pub fn classify<E>(operation: &'static str, err: SdkError<E, HttpResponse>) -> AwsError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let kind = match &err {
        SdkError::TimeoutError(_) => AwsErrorKind::Timeout,
        SdkError::DispatchFailure(d) if d.is_timeout() => AwsErrorKind::Timeout,
        SdkError::DispatchFailure(_) => AwsErrorKind::Network,
        SdkError::ResponseError(_) => AwsErrorKind::Malformed,
        SdkError::ConstructionFailure(_) => AwsErrorKind::Validation,
        SdkError::ServiceError(se) => kind_from_code(se.err().code(), se.raw().status().as_u16()),
        _ => AwsErrorKind::Other,
    };
    let message = match (err.code(), err.message()) {
        (Some(code), Some(msg)) => format!("{code}: {msg}"),
        (Some(code), None) => code.to_string(),
        _ => DisplayErrorContext(&err).to_string(),
    };
    AwsError::new(operation, kind, message)
}

/// The kind an error code (or, failing that, an HTTP status) stands for.
pub fn kind_from_code(code: Option<&str>, status: u16) -> AwsErrorKind {
    match code.unwrap_or("") {
        "Throttling"
        | "ThrottlingException"
        | "ThrottledException"
        | "RequestLimitExceeded"
        | "TooManyRequestsException"
        | "RequestThrottled"
        | "RequestThrottledException"
        | "SlowDown"
        | "PriorRequestNotComplete"
        | "ProvisionedThroughputExceededException" => AwsErrorKind::Throttled,
        "InternalFailure" | "InternalError" | "InternalServerError" | "ServiceUnavailable" | "Unavailable" => {
            AwsErrorKind::ServerError
        }
        "RequestTimeout" | "RequestTimeoutException" => AwsErrorKind::Timeout,
        "ExpiredToken"
        | "ExpiredTokenException"
        | "RequestExpired"
        | "InvalidClientTokenId"
        | "UnrecognizedClientException"
        | "AuthFailure"
        | "SignatureDoesNotMatch"
        | "InvalidAccessKeyId" => AwsErrorKind::ExpiredCredentials,
        "AccessDenied" | "AccessDeniedException" | "UnauthorizedOperation" | "UnauthorizedAccess" => {
            AwsErrorKind::AccessDenied
        }
        c if c.contains("NotFound") || c.contains("NonExistent") || c.contains("DoesNotExist") => {
            AwsErrorKind::NotFound
        }
        "ValidationError"
        | "ValidationException"
        | "InvalidParameterValue"
        | "InvalidParameterCombination"
        | "MissingParameter" => AwsErrorKind::Validation,
        _ if status >= 500 => AwsErrorKind::ServerError,
        _ if status == 429 => AwsErrorKind::Throttled,
        _ => AwsErrorKind::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_map_to_kinds() {
        assert_eq!(kind_from_code(Some("Throttling"), 400), AwsErrorKind::Throttled);
        assert_eq!(kind_from_code(Some("RequestLimitExceeded"), 503), AwsErrorKind::Throttled);
        assert_eq!(kind_from_code(Some("InvalidInstanceID.NotFound"), 400), AwsErrorKind::NotFound);
        assert_eq!(kind_from_code(Some("ExpiredToken"), 403), AwsErrorKind::ExpiredCredentials);
        assert_eq!(kind_from_code(Some("UnauthorizedOperation"), 403), AwsErrorKind::AccessDenied);
        assert_eq!(kind_from_code(Some("Whatever"), 502), AwsErrorKind::ServerError);
        assert_eq!(kind_from_code(None, 429), AwsErrorKind::Throttled);
        assert_eq!(kind_from_code(Some("ValidationError"), 400), AwsErrorKind::Validation);
    }
}
