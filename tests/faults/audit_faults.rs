//! The live inventory under paging and failure. The emulator answers GetAccountAuthorizationDetails in one page and
//! cannot throttle or deny on demand, so aws-smithy-mocks stands in for IAM here.

use aws_sdk_iam::operation::get_account_authorization_details::{
    GetAccountAuthorizationDetailsError, GetAccountAuthorizationDetailsOutput,
};
use aws_sdk_iam::types::RoleDetail;
use aws_smithy_mocks::{mock, mock_client, RuleMode};
use aws_smithy_types::error::ErrorMetadata;
use scalegate_aws::iam_account_inventory::IamAccountInventory;
use scalegate_core::ports::AwsErrorKind;
use scalegate_iam::sod_audit::{self, AccountInventory};
use scalegate_iam::Duties;

fn role(name: &str) -> RoleDetail {
    RoleDetail::builder()
        .role_name(name)
        .arn(format!("arn:aws:iam::123456789012:role/{name}"))
        .assume_role_policy_document("%7B%22Statement%22%3A%5B%5D%7D")
        .build()
}

#[tokio::test]
async fn every_page_is_read() {
    let first = mock!(aws_sdk_iam::Client::get_account_authorization_details)
        .match_requests(|r| r.marker().is_none())
        .then_output(|| {
            GetAccountAuthorizationDetailsOutput::builder()
                .role_detail_list(role("a"))
                .is_truncated(true)
                .marker("m1")
                .build()
        });
    let second = mock!(aws_sdk_iam::Client::get_account_authorization_details)
        .match_requests(|r| r.marker() == Some("m1"))
        .then_output(|| {
            GetAccountAuthorizationDetailsOutput::builder().role_detail_list(role("b")).is_truncated(false).build()
        });
    let client = mock_client!(aws_sdk_iam, RuleMode::MatchAny, [&first, &second]);
    let loaded = IamAccountInventory::new(client).read().await.unwrap();
    let names: Vec<&str> = loaded.inventory.principals.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["a", "b"]);
    assert_eq!((first.num_calls(), second.num_calls()), (1, 1));
}

#[tokio::test]
async fn access_denied_and_throttling_are_errors_never_a_clean_report() {
    for (code, kind) in [("AccessDenied", AwsErrorKind::AccessDenied), ("Throttling", AwsErrorKind::Throttled)] {
        let denied = mock!(aws_sdk_iam::Client::get_account_authorization_details).then_error(move || {
            GetAccountAuthorizationDetailsError::generic(ErrorMetadata::builder().code(code).message("no").build())
        });
        let client = mock_client!(aws_sdk_iam, RuleMode::MatchAny, [&denied]);
        let err = sod_audit::run(
            &IamAccountInventory::new(client),
            &Duties::builtin().unwrap(),
            &serde_json::json!({}),
            chrono::Utc::now(),
        )
        .await
        .expect_err("an unreadable account is not a clean audit");
        assert_eq!((err.operation, err.kind), ("GetAccountAuthorizationDetails", kind), "{err}");
        assert!(err.to_string().contains(code), "{err}");
    }
}
