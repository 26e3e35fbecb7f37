//! A compliant snapshot of launch facts: the starting point for tests, benchmarks and examples, which change one
//! fact at a time to show what each check catches.

use super::*;
use crate::lifecycle::LifecycleState;

/// Facts for an instance that passes every default rule.
pub fn compliant() -> LaunchFacts {
    let metadata = MetadataOptions {
        state: Some("applied".into()),
        http_tokens: Some("required".into()),
        hop_limit: Some(1),
        http_endpoint: Some("enabled".into()),
    };
    LaunchFacts {
        instance: InstanceFacts {
            id: "i-0123".into(),
            state: "running".into(),
            image_id: "ami-good".into(),
            instance_type: "t3.micro".into(),
            subnet_id: Some("subnet-a".into()),
            security_group_ids: vec!["sg-web".into()],
            instance_profile_arn: Some("arn:aws:iam::123456789012:instance-profile/app/web-profile".into()),
            key_name: None,
            metadata: metadata.clone(),
            block_devices: vec![BlockDevice { device_name: "/dev/xvda".into(), encrypted: Some(true) }],
            tags: [
                ("aws:ec2launchtemplate:id".to_string(), "lt-1".to_string()),
                ("aws:ec2launchtemplate:version".to_string(), "3".to_string()),
                ("team".to_string(), "payments".to_string()),
            ]
            .into_iter()
            .collect(),
            launch_time: Some("2026-11-22T00:00:00Z".parse().unwrap()),
        },
        security_groups: vec![SecurityGroupFacts {
            id: "sg-web".into(),
            name: "web".into(),
            ingress: vec![
                IngressRule {
                    protocol: "tcp".into(),
                    from_port: Some(443),
                    to_port: Some(443),
                    ipv4_ranges: vec!["0.0.0.0/0".into()],
                    ipv6_ranges: vec!["::/0".into()],
                    ..Default::default()
                },
                IngressRule {
                    protocol: "tcp".into(),
                    from_port: Some(22),
                    to_port: Some(22),
                    ipv4_ranges: vec!["10.0.0.0/8".into()],
                    ipv6_ranges: vec![],
                    ..Default::default()
                },
            ],
        }],
        group: GroupFacts {
            name: "web".into(),
            template: Some(TemplateRef { id: Some("lt-1".into()), name: None, version: Some("$Latest".into()) }),
            overrides: vec![],
            subnets: vec!["subnet-a".into(), "subnet-b".into()],
            instance_lifecycle_state: Some(LifecycleState::PendingWait),
        },
        template: Some(TemplateFacts {
            template_id: "lt-1".into(),
            version: 3,
            image_id: Some("ami-good".into()),
            instance_type: Some("t3.micro".into()),
            security_group_ids: vec!["sg-web".into()],
            security_group_names: vec![],
            instance_profile_arn: None,
            instance_profile_name: Some("web-profile".into()),
            key_name: None,
            metadata,
            block_devices: vec![],
        }),
        profile_associations: vec![ProfileAssociation {
            profile_arn: Some("arn:aws:iam::123456789012:instance-profile/app/web-profile".into()),
            state: "associated".into(),
        }],
        override_templates: vec![],
        instance_type_info: None,
        prefix_lists: vec![],
    }
}
