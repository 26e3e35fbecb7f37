//! Fault injection on the launch gate's adapters. The emulator cannot throttle, fail with 5xx, time out or return
//! malformed output on demand, so these tests stand aws-smithy-mocks in for AWS (and, for timeouts, a real TCP
//! listener that never answers). None of the faults may end in CONTINUE.

use aws_sdk_autoscaling::operation::complete_lifecycle_action::{
    CompleteLifecycleActionError, CompleteLifecycleActionOutput,
};
use aws_sdk_autoscaling::types::{
    AutoScalingGroup, Instance as AsgInstance, LaunchTemplateSpecification, LifecycleState,
};
use aws_sdk_ec2::operation::describe_iam_instance_profile_associations::DescribeIamInstanceProfileAssociationsOutput;
use aws_sdk_ec2::operation::describe_instances::{DescribeInstancesError, DescribeInstancesOutput};
use aws_sdk_ec2::operation::describe_launch_template_versions::DescribeLaunchTemplateVersionsOutput;
use aws_sdk_ec2::operation::describe_security_groups::{DescribeSecurityGroupsError, DescribeSecurityGroupsOutput};
use aws_sdk_ec2::operation::describe_volumes::DescribeVolumesOutput;
use aws_sdk_ec2::types::{
    EbsInstanceBlockDevice, GroupIdentifier, HttpTokensState, IamInstanceProfile, Instance, InstanceBlockDeviceMapping,
    InstanceMetadataOptionsResponse, InstanceMetadataOptionsState, InstanceState, InstanceStateName, InstanceType,
    IpPermission, IpRange, LaunchTemplateHttpTokensState, LaunchTemplateIamInstanceProfileSpecification,
    LaunchTemplateInstanceMetadataOptions, LaunchTemplateVersion, Reservation, ResponseLaunchTemplateData,
    SecurityGroup, Volume, VolumeAttachment,
};
use aws_smithy_mocks::{mock, mock_client, Rule, RuleMode};
use aws_smithy_types::error::ErrorMetadata;
use scalegate_aws::{AutoScalingLifecycleActions, Ec2LaunchFacts};
use scalegate_core::gate::{GateOutcome, GateRules, LaunchGate};
use scalegate_core::lifecycle::{ActionResult, Completion};
use scalegate_core::lifecycle::{Delivery, LifecycleAction, Place, Transition};
use std::time::Duration;

const ID: &str = "i-0123456789abcdef0";

fn action() -> LifecycleAction {
    LifecycleAction {
        token: "tok".into(),
        auto_scaling_group: "web".into(),
        hook: "gate".into(),
        instance_id: ID.into(),
        transition: Transition::Launching,
        origin: Some(Place::Ec2),
        destination: Some(Place::AutoScalingGroup),
        metadata: None,
        delivery: Delivery::EventBridge,
    }
}

fn rules() -> GateRules {
    let mut r = GateRules::default();
    r.retry.budget_seconds = 2;
    r.retry.max_attempts = 3;
    r.settle.timeout_seconds = 0;
    r
}

fn instance() -> Instance {
    Instance::builder()
        .instance_id(ID)
        .image_id("ami-good")
        .instance_type(InstanceType::T3Micro)
        .subnet_id("subnet-a")
        .state(InstanceState::builder().name(InstanceStateName::Running).build())
        .security_groups(GroupIdentifier::builder().group_id("sg-web").build())
        .iam_instance_profile(IamInstanceProfile::builder().arn("arn:aws:iam::1:instance-profile/web").build())
        .metadata_options(
            InstanceMetadataOptionsResponse::builder()
                .state(InstanceMetadataOptionsState::Applied)
                .http_tokens(HttpTokensState::Required)
                .http_put_response_hop_limit(1)
                .build(),
        )
        .block_device_mappings(
            InstanceBlockDeviceMapping::builder()
                .device_name("/dev/xvda")
                .ebs(EbsInstanceBlockDevice::builder().volume_id("vol-1").build())
                .build(),
        )
        .build()
}

fn describe_instances_ok() -> Rule {
    mock!(aws_sdk_ec2::Client::describe_instances).then_output(|| {
        DescribeInstancesOutput::builder().reservations(Reservation::builder().instances(instance()).build()).build()
    })
}

fn ec2_happy_rules() -> Vec<Rule> {
    vec![
        describe_instances_ok(),
        mock!(aws_sdk_ec2::Client::describe_iam_instance_profile_associations)
            .then_output(|| DescribeIamInstanceProfileAssociationsOutput::builder().build()),
        mock!(aws_sdk_ec2::Client::describe_volumes).then_output(|| {
            DescribeVolumesOutput::builder()
                .volumes(
                    Volume::builder()
                        .volume_id("vol-1")
                        .encrypted(true)
                        .attachments(VolumeAttachment::builder().device("/dev/xvda").instance_id(ID).build())
                        .build(),
                )
                .build()
        }),
        describe_security_groups_ok(),
        mock!(aws_sdk_ec2::Client::describe_launch_template_versions).then_output(|| {
            version_one(
                ResponseLaunchTemplateData::builder()
                    .image_id("ami-good")
                    .instance_type(InstanceType::T3Micro)
                    .security_group_ids("sg-web")
                    .iam_instance_profile(LaunchTemplateIamInstanceProfileSpecification::builder().name("web").build())
                    .metadata_options(
                        LaunchTemplateInstanceMetadataOptions::builder()
                            .http_tokens(LaunchTemplateHttpTokensState::Required)
                            .http_put_response_hop_limit(1)
                            .build(),
                    )
                    .build(),
            )
        }),
    ]
}

/// `DescribeLaunchTemplateVersions` answering with version 1 of lt-1 holding `data`.
fn version_one(data: ResponseLaunchTemplateData) -> DescribeLaunchTemplateVersionsOutput {
    DescribeLaunchTemplateVersionsOutput::builder()
        .launch_template_versions(
            LaunchTemplateVersion::builder()
                .launch_template_id("lt-1")
                .version_number(1)
                .launch_template_data(data)
                .build(),
        )
        .build()
}

fn describe_security_groups_ok() -> Rule {
    security_group_with(
        IpPermission::builder()
            .ip_protocol("tcp")
            .from_port(443)
            .to_port(443)
            .ip_ranges(IpRange::builder().cidr_ip("0.0.0.0/0").build())
            .build(),
    )
}

/// `DescribeSecurityGroups` answering with sg-web holding one rule.
fn security_group_with(permission: IpPermission) -> Rule {
    mock!(aws_sdk_ec2::Client::describe_security_groups).then_output(move || {
        DescribeSecurityGroupsOutput::builder()
            .security_groups(
                SecurityGroup::builder()
                    .group_id("sg-web")
                    .group_name("web")
                    .ip_permissions(permission.clone())
                    .build(),
            )
            .build()
    })
}

fn group_rule() -> Rule {
    mock!(aws_sdk_autoscaling::Client::describe_auto_scaling_groups).then_output(|| {
        aws_sdk_autoscaling::operation::describe_auto_scaling_groups::DescribeAutoScalingGroupsOutput::builder()
            .auto_scaling_groups(
                AutoScalingGroup::builder()
                    .auto_scaling_group_name("web")
                    .launch_template(
                        LaunchTemplateSpecification::builder().launch_template_id("lt-1").version("$Latest").build(),
                    )
                    .vpc_zone_identifier("subnet-a,subnet-b")
                    .instances(
                        AsgInstance::builder().instance_id(ID).lifecycle_state(LifecycleState::PendingWait).build(),
                    )
                    .build(),
            )
            .build()
    })
}

/// Completion rules that count which result was sent.
struct Completions {
    continued: Rule,
    abandoned: Rule,
}

fn completions() -> Completions {
    Completions {
        continued: mock!(aws_sdk_autoscaling::Client::complete_lifecycle_action)
            .match_requests(|r| r.lifecycle_action_result() == Some("CONTINUE"))
            .then_output(|| CompleteLifecycleActionOutput::builder().build()),
        abandoned: mock!(aws_sdk_autoscaling::Client::complete_lifecycle_action)
            .match_requests(|r| r.lifecycle_action_result() == Some("ABANDON"))
            .then_output(|| CompleteLifecycleActionOutput::builder().build()),
    }
}

async fn run(ec2_rules: &[Rule], extra_asg: &[&Rule]) -> (GateOutcome, Completions) {
    let c = completions();
    let group = group_rule();
    let mut asg_rules: Vec<&Rule> = extra_asg.to_vec();
    asg_rules.extend([&group, &c.continued, &c.abandoned]);
    let ec2 = mock_client!(aws_sdk_ec2, RuleMode::MatchAny, ec2_rules, |b| b
        .retry_config(aws_sdk_ec2::config::retry::RetryConfig::disabled()));
    let asg = mock_client!(aws_sdk_autoscaling, RuleMode::MatchAny, asg_rules, |b| b
        .retry_config(aws_sdk_autoscaling::config::retry::RetryConfig::disabled()));
    let gate =
        LaunchGate::new(Ec2LaunchFacts::new(ec2, asg.clone()), AutoScalingLifecycleActions::new(asg), rules(), false);
    let outcome = gate.handle(&action(), chrono::Utc::now).await;
    (outcome, c)
}

fn decided(o: &GateOutcome) -> &scalegate_core::gate::Decision {
    match o {
        GateOutcome::Decided(d) => d,
        other => panic!("expected a decision, got {other:?}"),
    }
}

fn error_rule(code: &'static str) -> Rule {
    mock!(aws_sdk_ec2::Client::describe_instances).then_error(move || {
        DescribeInstancesError::generic(ErrorMetadata::builder().code(code).message("injected").build())
    })
}

fn with_instances_rule(first: Rule) -> Vec<Rule> {
    let mut rules = vec![first];
    rules.extend(ec2_happy_rules().into_iter().skip(1));
    rules
}

#[tokio::test]
async fn happy_path_through_the_mocks_continues() {
    let (outcome, c) = run(&ec2_happy_rules(), &[]).await;
    let d = decided(&outcome);
    assert_eq!(d.result, ActionResult::Continue, "{:?}", d.reasons);
    assert_eq!((c.continued.num_calls(), c.abandoned.num_calls()), (1, 0));
}

#[tokio::test]
async fn throttling_that_never_stops_abandons() {
    let throttled = mock!(aws_sdk_ec2::Client::describe_instances)
        .sequence()
        .error(|| {
            DescribeInstancesError::generic(
                ErrorMetadata::builder().code("RequestLimitExceeded").message("Rate exceeded").build(),
            )
        })
        .repeatedly()
        .build();
    let (outcome, c) = run(&with_instances_rule(throttled.clone()), &[]).await;
    let d = decided(&outcome);
    assert_eq!(d.result, ActionResult::Abandon);
    assert!(d.reasons[0].contains("RequestLimitExceeded"), "{:?}", d.reasons);
    assert_eq!(throttled.num_calls(), 3, "retried up to max_attempts");
    assert_eq!((c.continued.num_calls(), c.abandoned.num_calls()), (0, 1));
}

#[tokio::test]
async fn throttling_that_clears_is_retried_and_decides_on_facts() {
    let flaky = mock!(aws_sdk_ec2::Client::describe_security_groups)
        .sequence()
        .error(|| DescribeSecurityGroupsError::generic(ErrorMetadata::builder().code("Throttling").build()))
        .output(|| DescribeSecurityGroupsOutput::builder().build())
        .build();
    let mut rules: Vec<Rule> = ec2_happy_rules();
    rules.insert(0, flaky);
    let (outcome, c) = run(&rules, &[]).await;
    // The retry's answer lacks sg-web: fail-closed on an undescribed group.
    assert_eq!(decided(&outcome).result, ActionResult::Abandon);
    assert_eq!(c.continued.num_calls(), 0);
}

#[tokio::test]
async fn server_errors_abandon() {
    let unavailable =
        mock!(aws_sdk_ec2::Client::describe_instances).sequence().http_status(503, None).repeatedly().build();
    let (outcome, c) = run(&with_instances_rule(unavailable), &[]).await;
    assert_eq!(decided(&outcome).result, ActionResult::Abandon);
    assert_eq!((c.continued.num_calls(), c.abandoned.num_calls()), (0, 1));
}

#[tokio::test]
async fn expired_credentials_abandon() {
    let (outcome, c) = run(&with_instances_rule(error_rule("ExpiredToken")), &[]).await;
    let d = decided(&outcome);
    assert_eq!(d.result, ActionResult::Abandon);
    assert!(d.reasons[0].contains("ExpiredCredentials"), "{:?}", d.reasons);
    assert_eq!(c.continued.num_calls(), 0);
}

#[tokio::test]
async fn malformed_describe_output_abandons() {
    // An instance description without its AMI or type cannot be checked.
    let bare = mock!(aws_sdk_ec2::Client::describe_instances).then_output(|| {
        DescribeInstancesOutput::builder()
            .reservations(Reservation::builder().instances(Instance::builder().instance_id(ID).build()).build())
            .build()
    });
    let (outcome, c) = run(&with_instances_rule(bare), &[]).await;
    let d = decided(&outcome);
    assert_eq!(d.result, ActionResult::Abandon);
    assert!(d.reasons[0].contains("Malformed"), "{:?}", d.reasons);
    assert_eq!(c.continued.num_calls(), 0);

    // A body that is not XML at all.
    let garbage = mock!(aws_sdk_ec2::Client::describe_instances)
        .sequence()
        .http_status(200, Some("<<<not xml".to_string()))
        .repeatedly()
        .build();
    let (outcome, c) = run(&with_instances_rule(garbage), &[]).await;
    assert_eq!(decided(&outcome).result, ActionResult::Abandon);
    assert_eq!(c.continued.num_calls(), 0);

    // No such instance.
    let empty =
        mock!(aws_sdk_ec2::Client::describe_instances).then_output(|| DescribeInstancesOutput::builder().build());
    let (outcome, _) = run(&with_instances_rule(empty), &[]).await;
    assert!(decided(&outcome).reasons[0].contains("not found"));
}

#[tokio::test]
async fn an_expired_lifecycle_token_is_already_done_not_an_error() {
    let gone = mock!(aws_sdk_autoscaling::Client::complete_lifecycle_action).then_error(|| {
        CompleteLifecycleActionError::generic(
            ErrorMetadata::builder()
                .code("ValidationError")
                .message("No active Lifecycle Action found with token tok")
                .build(),
        )
    });
    let (outcome, c) = run(&ec2_happy_rules(), &[&gone]).await;
    let d = decided(&outcome);
    assert_eq!(d.completion, Some(Completion::AlreadyDone));
    assert_eq!(d.completion_error, None);
    assert_eq!(c.continued.num_calls() + c.abandoned.num_calls(), 0);
}

#[tokio::test]
async fn timeouts_abandon() {
    // A listener that accepts and never answers: a real timeout through the real SDK stack.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let _hold = std::thread::spawn(move || {
        let mut open = vec![];
        for s in listener.incoming().take(16) {
            open.push(s);
        }
    });
    let conf = aws_sdk_ec2::Config::builder()
        .behavior_version(aws_sdk_ec2::config::BehaviorVersion::latest())
        .endpoint_url(format!("http://{addr}"))
        .region(aws_sdk_ec2::config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_ec2::config::Credentials::new("a", "b", None, None, "test"))
        .timeout_config(
            aws_sdk_ec2::config::timeout::TimeoutConfig::builder()
                .operation_timeout(Duration::from_millis(150))
                .build(),
        )
        .retry_config(aws_sdk_ec2::config::retry::RetryConfig::disabled())
        .build();
    let ec2 = aws_sdk_ec2::Client::from_conf(conf);
    let c = completions();
    let group = group_rule();
    let asg = mock_client!(aws_sdk_autoscaling, RuleMode::MatchAny, [&group, &c.continued, &c.abandoned]);
    let gate =
        LaunchGate::new(Ec2LaunchFacts::new(ec2, asg.clone()), AutoScalingLifecycleActions::new(asg), rules(), false);
    let d = match gate.handle(&action(), chrono::Utc::now).await {
        GateOutcome::Decided(d) => d,
        other => panic!("{other:?}"),
    };
    assert_eq!(d.result, ActionResult::Abandon);
    assert!(d.reasons[0].contains("Timeout"), "{:?}", d.reasons);
    assert_eq!((c.continued.num_calls(), c.abandoned.num_calls()), (0, 1));
}

/// The happy rules, but for the operations `first` answers (rules match in order).
fn ec2_rules_after(first: Vec<Rule>) -> Vec<Rule> {
    let mut rules = first;
    rules.extend(ec2_happy_rules());
    rules
}

fn ssh_through_prefix_list() -> Rule {
    security_group_with(
        IpPermission::builder()
            .ip_protocol("tcp")
            .from_port(22)
            .to_port(22)
            .prefix_list_ids(aws_sdk_ec2::types::PrefixListId::builder().prefix_list_id("pl-ops").build())
            .build(),
    )
}

#[tokio::test]
async fn a_prefix_list_the_gate_may_not_read_counts_as_the_internet() {
    use aws_sdk_ec2::operation::get_managed_prefix_list_entries::GetManagedPrefixListEntriesError;
    let denied = mock!(aws_sdk_ec2::Client::get_managed_prefix_list_entries).then_error(|| {
        GetManagedPrefixListEntriesError::generic(
            ErrorMetadata::builder().code("UnauthorizedOperation").message("not authorized").build(),
        )
    });
    let rules = ec2_rules_after(vec![ssh_through_prefix_list(), denied.clone()]);
    let (outcome, c) = run(&rules, &[]).await;
    let d = decided(&outcome);
    assert_eq!(d.result, ActionResult::Abandon);
    assert!(d.failed_checks.contains(&"firewall.admin_ports".to_string()), "{:?}", d.failed_checks);
    let reasons = d.reasons.join("\n");
    assert!(reasons.contains("pl-ops, unresolved") && reasons.contains("UnauthorizedOperation"), "{reasons}");
    assert!(reasons.contains("counted as the whole internet"), "{reasons}");
    assert_eq!(denied.num_calls(), 1, "a denial is not retried");
    assert_eq!((c.continued.num_calls(), c.abandoned.num_calls()), (0, 1));
}

#[tokio::test]
async fn a_throttled_prefix_list_is_retried_and_read_for_what_it_holds() {
    use aws_sdk_ec2::operation::get_managed_prefix_list_entries::{
        GetManagedPrefixListEntriesError, GetManagedPrefixListEntriesOutput,
    };
    let flaky = mock!(aws_sdk_ec2::Client::get_managed_prefix_list_entries)
        .sequence()
        .error(|| {
            GetManagedPrefixListEntriesError::generic(ErrorMetadata::builder().code("RequestLimitExceeded").build())
        })
        .output(|| {
            GetManagedPrefixListEntriesOutput::builder()
                .entries(aws_sdk_ec2::types::PrefixListEntry::builder().cidr("198.51.100.0/24").build())
                .entries(aws_sdk_ec2::types::PrefixListEntry::builder().cidr("81.2.69.0/24").build())
                .build()
        })
        .build();
    let rules = ec2_rules_after(vec![ssh_through_prefix_list(), flaky.clone()]);
    let (outcome, c) = run(&rules, &[]).await;
    let d = decided(&outcome);
    assert_eq!(d.result, ActionResult::Continue, "{:?}", d.reasons);
    assert_eq!(flaky.num_calls(), 2, "the throttled read is retried");
    assert_eq!((c.continued.num_calls(), c.abandoned.num_calls()), (1, 0));
}

#[tokio::test]
async fn an_ssm_named_ami_the_gate_may_not_resolve_fails_closed() {
    use aws_sdk_ec2::operation::describe_launch_template_versions::DescribeLaunchTemplateVersionsError;
    let denied = mock!(aws_sdk_ec2::Client::describe_launch_template_versions)
        .match_requests(|r| r.resolve_alias() == Some(true))
        .then_error(|| {
            DescribeLaunchTemplateVersionsError::generic(
                ErrorMetadata::builder().code("UnauthorizedOperation").message("ssm:GetParameters").build(),
            )
        });
    let as_written = mock!(aws_sdk_ec2::Client::describe_launch_template_versions)
        .match_requests(|r| r.resolve_alias() == Some(false))
        .then_output(|| {
            version_one(
                ResponseLaunchTemplateData::builder()
                    .image_id("resolve:ssm:/golden/ami")
                    .security_group_ids("sg-web")
                    .iam_instance_profile(LaunchTemplateIamInstanceProfileSpecification::builder().name("web").build())
                    .build(),
            )
        });
    let rules = ec2_rules_after(vec![denied.clone(), as_written.clone()]);
    let (outcome, c) = run(&rules, &[]).await;
    let d = decided(&outcome);
    assert_eq!(d.result, ActionResult::Abandon);
    assert_eq!(d.failed_checks, ["drift.ami"], "{:?}", d.reasons);
    assert!(
        d.reasons[0].contains("resolve:ssm:/golden/ami") && d.reasons[0].contains("ssm:GetParameters"),
        "{:?}",
        d.reasons
    );
    assert_eq!((denied.num_calls(), as_written.num_calls()), (1, 1));
    assert_eq!(c.continued.num_calls(), 0);
}
