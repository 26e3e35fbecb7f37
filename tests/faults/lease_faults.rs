//! Leases under AWS faults: the emulator cannot throttle on demand, so aws-smithy-mocks stands in for Auto Scaling
//! and EC2. Each failure says what state it left, and none leaves protection without a lease tag to expire.

use aws_sdk_autoscaling::operation::describe_auto_scaling_instances::DescribeAutoScalingInstancesOutput;
use aws_sdk_autoscaling::operation::set_instance_protection::SetInstanceProtectionError;
use aws_sdk_ec2::operation::create_tags::CreateTagsOutput;
use aws_sdk_ec2::operation::delete_tags::DeleteTagsOutput;
use aws_smithy_mocks::{mock, mock_client, RuleMode};
use aws_smithy_types::error::ErrorMetadata;
use scalegate_aws::ec2_leases::Ec2Leases;
use scalegate_core::lease::{acquire, release, LeaseError, OptedInGroups};
use std::time::Duration;

fn throttled_protection() -> aws_smithy_mocks::Rule {
    mock!(aws_sdk_autoscaling::Client::set_instance_protection).then_error(|| {
        SetInstanceProtectionError::generic(
            ErrorMetadata::builder().code("Throttling").message("Rate exceeded").build(),
        )
    })
}

#[tokio::test]
async fn throttled_protection_on_acquire_says_the_instance_is_not_protected() {
    let (protect, tag, untag) = (
        throttled_protection(),
        mock!(aws_sdk_ec2::Client::create_tags).then_output(|| CreateTagsOutput::builder().build()),
        mock!(aws_sdk_ec2::Client::delete_tags).then_output(|| DeleteTagsOutput::builder().build()),
    );
    let leases = Ec2Leases::new(
        mock_client!(aws_sdk_autoscaling, RuleMode::MatchAny, [&protect]),
        mock_client!(aws_sdk_ec2, RuleMode::MatchAny, [&tag, &untag]),
    );
    let e = acquire(&leases, "workers", "i-1", Duration::from_secs(60), chrono::Utc::now()).await.unwrap_err();
    assert!(matches!(e, LeaseError::Protection { action: "set", .. }), "{e}");
    assert!(e.to_string().contains("NOT protected and holds no lease") && e.to_string().contains("Throttling"), "{e}");
    assert_eq!((tag.num_calls(), untag.num_calls()), (1, 1), "the tag written first is taken back");
}

#[tokio::test]
async fn throttled_release_keeps_the_tag_so_the_reaper_can_finish() {
    let (protect, untag) = (
        throttled_protection(),
        mock!(aws_sdk_ec2::Client::delete_tags).then_output(|| DeleteTagsOutput::builder().build()),
    );
    let leases = Ec2Leases::new(
        mock_client!(aws_sdk_autoscaling, RuleMode::MatchAny, [&protect]),
        mock_client!(aws_sdk_ec2, RuleMode::MatchAny, [&untag]),
    );
    let e = release(&leases, "workers", "i-1").await.unwrap_err();
    assert!(e.to_string().contains("until its lease expires"), "{e}");
    assert_eq!(untag.num_calls(), 0, "the lease tag stays: protection without a lease tag would never expire");
}

#[tokio::test]
async fn an_instance_outside_any_group_is_named() {
    let none = mock!(aws_sdk_autoscaling::Client::describe_auto_scaling_instances)
        .then_output(|| DescribeAutoScalingInstancesOutput::builder().build());
    let leases = Ec2Leases::new(
        mock_client!(aws_sdk_autoscaling, RuleMode::MatchAny, [&none]),
        mock_client!(aws_sdk_ec2, RuleMode::MatchAny, []),
    );
    let e = leases.group_of("i-lonely").await.unwrap_err();
    assert!(e.to_string().contains("i-lonely is not in any Auto Scaling group"), "{e}");
}

#[tokio::test]
async fn the_reaper_leaves_out_members_that_cannot_change_protection() {
    use aws_sdk_autoscaling::operation::describe_auto_scaling_groups::DescribeAutoScalingGroupsOutput;
    use aws_sdk_autoscaling::types::{AutoScalingGroup, Instance, LifecycleState, TagDescription};
    use aws_sdk_ec2::operation::describe_tags::DescribeTagsOutput;
    let member = |id: &str, state: LifecycleState| {
        Instance::builder().instance_id(id).lifecycle_state(state).protected_from_scale_in(true).build()
    };
    let groups = mock!(aws_sdk_autoscaling::Client::describe_auto_scaling_groups).then_output(move || {
        DescribeAutoScalingGroupsOutput::builder()
            .auto_scaling_groups(
                AutoScalingGroup::builder()
                    .auto_scaling_group_name("workers")
                    .tags(TagDescription::builder().key("scalegate:leases").value("true").build())
                    .instances(member("i-busy", LifecycleState::InService))
                    .instances(member("i-leaving", LifecycleState::TerminatingWait))
                    .instances(member("i-aside", LifecycleState::Standby))
                    .build(),
            )
            .build()
    });
    let tags = mock!(aws_sdk_ec2::Client::describe_tags).then_output(|| DescribeTagsOutput::builder().build());
    let leases = Ec2Leases::new(
        mock_client!(aws_sdk_autoscaling, RuleMode::MatchAny, [&groups]),
        mock_client!(aws_sdk_ec2, RuleMode::MatchAny, [&tags]),
    );
    let found = leases.opted_in_groups().await.unwrap();
    let ids: Vec<&str> = found[0].protected.iter().map(|m| m.instance_id.as_str()).collect();
    // A terminating member in a batch would make AWS refuse the whole SetInstanceProtection call.
    assert_eq!(ids, ["i-busy", "i-aside"]);
}
