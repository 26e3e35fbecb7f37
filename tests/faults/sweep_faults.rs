//! The drift sweep's snapshot under throttling. The emulator cannot throttle on demand, so aws-smithy-mocks stands
//! in for EC2 here.

use aws_sdk_ec2::operation::describe_iam_instance_profile_associations::DescribeIamInstanceProfileAssociationsOutput;
use aws_sdk_ec2::operation::describe_instances::{DescribeInstancesError, DescribeInstancesOutput};
use aws_sdk_ec2::operation::describe_volumes::DescribeVolumesOutput;
use aws_smithy_mocks::{mock, mock_client, RuleMode};
use aws_smithy_types::error::ErrorMetadata;
use scalegate_aws::ec2_fleet_facts::{Ec2FleetFacts, BATCH};
use scalegate_core::gate::GroupFacts;
use scalegate_core::lifecycle::LifecycleState;
use scalegate_core::sweep::{FleetFacts, Health, Member, SweptGroup};

/// Five batches of instances; one of them throttled once. Only that batch is asked again: the snapshot retries its
/// calls one by one, never the whole of it.
#[tokio::test]
async fn a_throttled_batch_is_retried_alone() {
    let members: Vec<Member> = (0..BATCH * 5)
        .map(|n| Member {
            instance_id: format!("i-{n:017x}"),
            state: LifecycleState::InService,
            health: Health::Healthy,
            template: None,
        })
        .collect();
    let group = SweptGroup {
        facts: GroupFacts { name: "workers".into(), ..GroupFacts::default() },
        mode_tag: "report".into(),
        desired: members.len() as u32,
        min_healthy_percent: None,
        members,
    };
    let instances = mock!(aws_sdk_ec2::Client::describe_instances)
        .sequence()
        .error(|| {
            DescribeInstancesError::generic(
                ErrorMetadata::builder().code("RequestLimitExceeded").message("Request limit exceeded.").build(),
            )
        })
        .output(|| DescribeInstancesOutput::builder().build())
        .repeatedly()
        .build();
    let associations = mock!(aws_sdk_ec2::Client::describe_iam_instance_profile_associations)
        .then_output(|| DescribeIamInstanceProfileAssociationsOutput::builder().build());
    let volumes = mock!(aws_sdk_ec2::Client::describe_volumes).then_output(|| DescribeVolumesOutput::builder().build());
    let ec2 = mock_client!(aws_sdk_ec2, RuleMode::MatchAny, &[&instances, &associations, &volumes]);
    let autoscaling = mock_client!(aws_sdk_autoscaling, RuleMode::MatchAny, &[]);
    let snapshot = Ec2FleetFacts::new(ec2, autoscaling).snapshot(&[group]).await.expect("retried, then read");
    assert!(snapshot.instances.is_empty());
    assert_eq!(instances.num_calls(), 6, "five batches and one retry");
    assert_eq!((associations.num_calls(), volumes.num_calls()), (5, 5), "the other reads are not repeated");
}
