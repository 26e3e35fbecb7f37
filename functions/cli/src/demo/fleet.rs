//! Builds the demo fleet: network, security groups, two launch templates, queues, EventBridge rule, group, hook.

use super::{aws, DemoError};
use aws_sdk_autoscaling::types::{LaunchTemplateSpecification, LifecycleHookSpecification, WarmPoolState};
use aws_sdk_ec2::types::{
    InstanceType, IpPermission, IpRange, LaunchTemplateBlockDeviceMappingRequest, LaunchTemplateEbsBlockDeviceRequest,
    LaunchTemplateHttpTokensState, LaunchTemplateIamInstanceProfileSpecificationRequest,
    LaunchTemplateInstanceMetadataOptionsRequest, RequestLaunchTemplateData,
};
use aws_sdk_sqs::types::QueueAttributeName;
use scalegate_aws::sdk::Clients;
use scalegate_core::lifecycle::LifecycleState;

/// Knobs for one fleet; names are prefixed so several fleets can share one emulator.
#[derive(Debug, Clone)]
pub struct FleetSpec {
    /// Prefix for every name.
    pub prefix: String,
    /// Lifecycle hook heartbeat timeout, seconds.
    pub heartbeat_timeout: i32,
    /// Group maximum size.
    pub max_size: i32,
}

impl Default for FleetSpec {
    fn default() -> Self {
        Self { prefix: "scalegate-demo".into(), heartbeat_timeout: 300, max_size: 20 }
    }
}

/// The fleet's resources.
#[derive(Debug, Clone)]
pub struct Fleet {
    /// The Auto Scaling group the demo scales.
    pub group: String,
    /// Launch hook name.
    pub hook: String,
    /// The compliant launch template.
    pub compliant_template: String,
    /// The drifted one (SSH open to the world, IMDSv1).
    pub drifted_template: String,
    /// Queue the EventBridge rule delivers lifecycle events to.
    pub events_queue: String,
    /// Queue the hook notifies directly (receives the TEST_NOTIFICATION, then flat notifications).
    pub hook_queue: String,
    /// Group subnets.
    pub subnets: Vec<String>,
    /// The compliant security group.
    pub web_security_group: String,
    /// The instance profile both templates name.
    pub instance_profile: String,
}

/// The group's state, for the demo's closing lines and the tests.
#[derive(Debug, Clone, Default)]
pub struct GroupState {
    /// Desired capacity.
    pub desired: i32,
    /// (instance id, lifecycle state) of group members.
    pub instances: Vec<(String, String)>,
    /// (instance id, lifecycle state) of warm-pool members.
    pub warm_pool: Vec<(String, String)>,
}

impl GroupState {
    /// Group members in a state.
    pub fn count(&self, state: &str) -> usize {
        self.instances.iter().filter(|(_, s)| s == state).count()
    }

    /// True when no instance waits on a lifecycle action and the group is at its desired size.
    pub fn settled(&self) -> bool {
        let waiting = self.instances.iter().chain(&self.warm_pool).any(|(_, s)| !LifecycleState::parse(s).is_settled());
        !waiting && self.count("InService") as i32 == self.desired
    }
}

impl Fleet {
    /// Creates every resource. The group starts empty, pointing at the drifted template.
    pub async fn create(c: &Clients, spec: &FleetSpec) -> Result<Self, DemoError> {
        let p = &spec.prefix;
        let vpc = c.ec2.create_vpc().cidr_block("10.0.0.0/16").send().await.map_err(aws("CreateVpc"))?;
        let vpc_id = vpc.vpc().and_then(|v| v.vpc_id()).unwrap_or_default().to_string();
        let mut subnets = vec![];
        for (cidr, az) in [("10.0.1.0/24", "us-east-1a"), ("10.0.2.0/24", "us-east-1b")] {
            let s = c
                .ec2
                .create_subnet()
                .vpc_id(&vpc_id)
                .cidr_block(cidr)
                .availability_zone(az)
                .send()
                .await
                .map_err(aws("CreateSubnet"))?;
            subnets.push(s.subnet().and_then(|s| s.subnet_id()).unwrap_or_default().to_string());
        }
        let web_sg = security_group(c, &vpc_id, &format!("{p}-web"), &[(443, "0.0.0.0/0"), (22, "10.0.0.0/8")]).await?;
        let debug_sg = security_group(c, &vpc_id, &format!("{p}-debug"), &[(22, "0.0.0.0/0")]).await?;

        let profile = format!("{p}-web");
        c.iam
            .create_instance_profile()
            .instance_profile_name(&profile)
            .send()
            .await
            .map_err(aws("CreateInstanceProfile"))?;

        let web_sg_id = web_sg.clone();
        let compliant = launch_template(
            c,
            &format!("{p}-compliant"),
            template_data(DEMO_AMI, vec![web_sg.clone()], "required", &profile, true),
        )
        .await?;
        let drifted = launch_template(
            c,
            &format!("{p}-debug"),
            template_data(DEMO_AMI, vec![web_sg, debug_sg], "optional", &profile, false),
        )
        .await?;

        let (events_queue, events_arn) = queue(c, &format!("{p}-lifecycle-events")).await?;
        let (hook_queue, hook_arn) = queue(c, &format!("{p}-lifecycle-hook")).await?;
        let group = format!("{p}-web");
        let rule = format!("{p}-lifecycle");
        let pattern = serde_json::json!({
            "source": ["aws.autoscaling"],
            "detail-type": ["EC2 Instance-launch Lifecycle Action"],
            "detail": {"AutoScalingGroupName": [group]},
        });
        c.events.put_rule().name(&rule).event_pattern(pattern.to_string()).send().await.map_err(aws("PutRule"))?;
        let target = aws_sdk_eventbridge::types::Target::builder()
            .id("launch-gate-queue")
            .arn(&events_arn)
            .build()
            .map_err(aws("PutTargets"))?;
        c.events.put_targets().rule(&rule).targets(target).send().await.map_err(aws("PutTargets"))?;

        let hook = format!("{p}-launch-gate");
        // Created with the group, so not even the first instance escapes it.
        let hook_spec = LifecycleHookSpecification::builder()
            .lifecycle_hook_name(&hook)
            .lifecycle_transition("autoscaling:EC2_INSTANCE_LAUNCHING")
            .heartbeat_timeout(spec.heartbeat_timeout)
            .default_result("ABANDON")
            .notification_target_arn(&hook_arn)
            .role_arn("arn:aws:iam::123456789012:role/scalegate-demo-hook")
            .build();
        c.autoscaling
            .create_auto_scaling_group()
            .auto_scaling_group_name(&group)
            .min_size(0)
            .max_size(spec.max_size)
            .desired_capacity(0)
            .vpc_zone_identifier(subnets.join(","))
            .launch_template(template_spec(&drifted))
            .lifecycle_hook_specification_list(hook_spec)
            .send()
            .await
            .map_err(aws("CreateAutoScalingGroup"))?;

        Ok(Self {
            group,
            hook,
            compliant_template: compliant,
            drifted_template: drifted,
            events_queue,
            hook_queue,
            subnets,
            web_security_group: web_sg_id,
            instance_profile: profile,
        })
    }

    /// Sets desired capacity.
    pub async fn set_desired(&self, c: &Clients, n: i32) -> Result<(), DemoError> {
        c.autoscaling
            .set_desired_capacity()
            .auto_scaling_group_name(&self.group)
            .desired_capacity(n)
            .send()
            .await
            .map_err(aws("SetDesiredCapacity"))?;
        Ok(())
    }

    /// Points the group back at the compliant template.
    pub async fn roll_back(&self, c: &Clients) -> Result<(), DemoError> {
        c.autoscaling
            .update_auto_scaling_group()
            .auto_scaling_group_name(&self.group)
            .launch_template(template_spec(&self.compliant_template))
            .send()
            .await
            .map_err(aws("UpdateAutoScalingGroup"))?;
        Ok(())
    }

    /// Adds a stopped warm pool of `size` instances.
    pub async fn add_warm_pool(&self, c: &Clients, size: i32) -> Result<(), DemoError> {
        c.autoscaling
            .put_warm_pool()
            .auto_scaling_group_name(&self.group)
            .min_size(size)
            .max_group_prepared_capacity(size)
            .pool_state(WarmPoolState::Stopped)
            .send()
            .await
            .map_err(aws("PutWarmPool"))?;
        Ok(())
    }

    /// Publishes a new compliant version of the compliant template (a routine AMI bump); returns its number.
    pub async fn publish_compliant_version(&self, c: &Clients, ami: &str) -> Result<i64, DemoError> {
        let data = template_data(ami, vec![self.web_security_group.clone()], "required", &self.instance_profile, true);
        let out = c
            .ec2
            .create_launch_template_version()
            .launch_template_id(&self.compliant_template)
            .launch_template_data(data)
            .send()
            .await
            .map_err(aws("CreateLaunchTemplateVersion"))?;
        Ok(out.launch_template_version().and_then(|v| v.version_number()).unwrap_or_default())
    }

    /// The group and its warm pool, now.
    pub async fn state(&self, c: &Clients) -> Result<GroupState, DemoError> {
        let (groups, pool) = futures::join!(
            c.autoscaling.describe_auto_scaling_groups().auto_scaling_group_names(&self.group).send(),
            c.autoscaling.describe_warm_pool().auto_scaling_group_name(&self.group).send(),
        );
        let groups = groups.map_err(aws("DescribeAutoScalingGroups"))?;
        let pool = pool.map_err(aws("DescribeWarmPool"))?;
        let g = groups.auto_scaling_groups().first();
        let pair = |id: Option<&str>, s: Option<String>| (id.unwrap_or_default().to_string(), s.unwrap_or_default());
        Ok(GroupState {
            desired: g.and_then(|g| g.desired_capacity()).unwrap_or(0),
            instances: g
                .map(|g| {
                    g.instances()
                        .iter()
                        .map(|i| pair(i.instance_id(), i.lifecycle_state().map(|s| s.as_str().to_string())))
                        .collect()
                })
                .unwrap_or_default(),
            warm_pool: pool
                .instances()
                .iter()
                .map(|i| pair(i.instance_id(), i.lifecycle_state().map(|s| s.as_str().to_string())))
                .collect(),
        })
    }
}

pub(crate) fn template_spec(id: &str) -> LaunchTemplateSpecification {
    LaunchTemplateSpecification::builder().launch_template_id(id).version("$Latest").build()
}

async fn security_group(c: &Clients, vpc: &str, name: &str, open: &[(i32, &str)]) -> Result<String, DemoError> {
    let sg = c
        .ec2
        .create_security_group()
        .group_name(name)
        .description(format!("scalegate demo: {name}"))
        .vpc_id(vpc)
        .send()
        .await
        .map_err(aws("CreateSecurityGroup"))?;
    let id = sg.group_id().unwrap_or_default().to_string();
    for (port, cidr) in open {
        c.ec2
            .authorize_security_group_ingress()
            .group_id(&id)
            .ip_permissions(
                IpPermission::builder()
                    .ip_protocol("tcp")
                    .from_port(*port)
                    .to_port(*port)
                    .ip_ranges(IpRange::builder().cidr_ip(*cidr).build())
                    .build(),
            )
            .send()
            .await
            .map_err(aws("AuthorizeSecurityGroupIngress"))?;
    }
    Ok(id)
}

/// The AMI the demo templates start from (the emulator accepts any id).
pub const DEMO_AMI: &str = "ami-0abcdef1234567890";

fn template_data(
    ami: &str,
    security_groups: Vec<String>,
    http_tokens: &str,
    profile: &str,
    encrypted: bool,
) -> RequestLaunchTemplateData {
    RequestLaunchTemplateData::builder()
        .image_id(ami)
        .instance_type(InstanceType::T3Micro)
        .set_security_group_ids(Some(security_groups))
        .metadata_options(
            LaunchTemplateInstanceMetadataOptionsRequest::builder()
                .http_tokens(LaunchTemplateHttpTokensState::from(http_tokens))
                .http_put_response_hop_limit(1)
                .build(),
        )
        .iam_instance_profile(LaunchTemplateIamInstanceProfileSpecificationRequest::builder().name(profile).build())
        .block_device_mappings(
            LaunchTemplateBlockDeviceMappingRequest::builder()
                .device_name("/dev/xvda")
                .ebs(LaunchTemplateEbsBlockDeviceRequest::builder().volume_size(8).encrypted(encrypted).build())
                .build(),
        )
        .build()
}

async fn launch_template(c: &Clients, name: &str, data: RequestLaunchTemplateData) -> Result<String, DemoError> {
    let lt = c
        .ec2
        .create_launch_template()
        .launch_template_name(name)
        .launch_template_data(data)
        .send()
        .await
        .map_err(aws("CreateLaunchTemplate"))?;
    Ok(lt.launch_template().and_then(|t| t.launch_template_id()).unwrap_or_default().to_string())
}

/// Creates an SQS queue; returns its URL and ARN (a hook's notification target is the ARN).
pub async fn queue(c: &Clients, name: &str) -> Result<(String, String), DemoError> {
    let url = c.sqs.create_queue().queue_name(name).send().await.map_err(aws("CreateQueue"))?;
    let url = url.queue_url().unwrap_or_default().to_string();
    let attrs = c
        .sqs
        .get_queue_attributes()
        .queue_url(&url)
        .attribute_names(QueueAttributeName::QueueArn)
        .send()
        .await
        .map_err(aws("GetQueueAttributes"))?;
    let arn = attrs.attributes().and_then(|a| a.get(&QueueAttributeName::QueueArn)).cloned().unwrap_or_default();
    Ok((url, arn))
}
