//! Drift checks over every way a template is written: groups by name and on interfaces, templates that name none,
//! AMIs through SSM, mixed-instances overrides with their own templates, and attribute-based type selection.

use super::super::example::compliant;
use super::super::*;

fn check(f: &LaunchFacts, rules: &GateRules, name: &str) -> (CheckStatus, String) {
    let c = evaluate(f, rules).into_iter().find(|c| c.name == name).unwrap();
    (c.status, c.reason)
}

fn drift(f: &LaunchFacts, name: &str) -> (CheckStatus, String) {
    check(f, &GateRules::default(), name)
}

#[test]
fn groups_named_by_name_resolve_through_the_instance_groups() {
    let mut f = compliant();
    let t = f.template.as_mut().unwrap();
    t.security_group_ids.clear();
    t.security_group_names = vec!["web".into()];
    assert_eq!(drift(&f, "drift.security_groups").0, CheckStatus::Pass);
    // A group added at boot is extra; a named group the instance lacks is missing, by name.
    f.instance.security_group_ids.push("sg-debug".into());
    f.security_groups.push(SecurityGroupFacts { id: "sg-debug".into(), name: "debug".into(), ingress: vec![] });
    f.template.as_mut().unwrap().security_group_names.push("monitoring".into());
    assert_eq!(
        drift(&f, "drift.security_groups"),
        (
            CheckStatus::Fail,
            "security groups differ from the launch template (extra: [sg-debug], missing: [name monitoring])".into()
        )
    );
}

#[test]
fn a_template_that_names_no_groups_fails_unless_the_rules_say_pass() {
    let mut f = compliant();
    f.template.as_mut().unwrap().security_group_ids.clear();
    let (status, reason) = drift(&f, "drift.security_groups");
    assert_eq!(status, CheckStatus::Fail);
    assert!(reason.starts_with("launch template names no security groups, so the instance's [sg-web]"), "{reason}");
    assert!(reason.contains("drift.template_without_groups = \"pass\""), "{reason}");
    let mut rules = GateRules::default();
    rules.drift.template_without_groups = TemplateWithoutGroups::Pass;
    assert_eq!(check(&f, &rules, "drift.security_groups").0, CheckStatus::Pass);
}

#[test]
fn an_ssm_alias_left_unresolved_fails_closed() {
    let mut f = compliant();
    f.template.as_mut().unwrap().image_id = Some("resolve:ssm:/golden/ami".into());
    assert_eq!(
        drift(&f, "drift.ami"),
        (
            CheckStatus::Fail,
            "the launch template names its AMI through resolve:ssm:/golden/ami, which the gate could not resolve (the \
             parameter must exist and the gate's role needs ssm:GetParameters on it)"
                .into()
        )
    );
}

fn arm_template() -> TemplateFacts {
    let mut t = compliant().template.unwrap();
    t.template_id = "lt-arm".into();
    t.version = 7;
    t.image_id = Some("ami-arm".into());
    t.instance_type = None;
    t
}

fn arm_ref() -> TemplateRef {
    TemplateRef { id: None, name: Some("web-arm".into()), version: Some("$Latest".into()) }
}

#[test]
fn an_override_with_its_own_template_is_the_template_for_its_type() {
    let mut f = compliant();
    f.group.overrides = vec![
        TypeOverride { instance_type: Some("t3.micro".into()), ..Default::default() },
        TypeOverride { instance_type: Some("m7g.large".into()), template: Some(arm_ref()), ..Default::default() },
    ];
    f.override_templates = vec![(arm_ref(), arm_template())];
    // An x86 instance compares with the group's template.
    assert!(evaluate(&f, &GateRules::default()).iter().all(|c| c.status == CheckStatus::Pass));
    // A Graviton instance compares with the override's: its AMI and version, not the group's.
    f.instance.instance_type = "m7g.large".into();
    f.instance.image_id = "ami-arm".into();
    f.instance.tags.insert("aws:ec2launchtemplate:id".into(), "lt-arm".into());
    f.instance.tags.insert("aws:ec2launchtemplate:version".into(), "7".into());
    for c in evaluate(&f, &GateRules::default()) {
        assert_eq!(c.status, CheckStatus::Pass, "{}: {}", c.name, c.reason);
    }
    f.instance.image_id = "ami-good".into();
    assert_eq!(
        drift(&f, "drift.ami"),
        (CheckStatus::Fail, "AMI ami-good differs from the launch template's ami-arm".into())
    );
    // If the override's template was not described, nothing is compared against the wrong one.
    f.override_templates.clear();
    let (status, reason) = drift(&f, "drift.ami");
    assert_eq!(status, CheckStatus::Fail);
    assert_eq!(reason, "the launch template web-arm that the override for m7g.large names was not described");
}

fn m5_large() -> InstanceTypeFacts {
    InstanceTypeFacts {
        name: "m5.large".into(),
        vcpus: Some(2.0),
        memory_mib: Some(8192.0),
        cpu_manufacturer: Some("Intel".into()),
        current_generation: Some(true),
        burstable: Some(false),
        bare_metal: Some(false),
        hibernation_supported: Some(true),
        max_network_interfaces: Some(3.0),
        network_bandwidth_gbps: Some(0.75),
        local_storage: Some(false),
        local_storage_gb: None,
        local_storage_types: vec![],
        baseline_ebs_bandwidth_mbps: Some(650.0),
        accelerators: vec![],
    }
}

fn requirements() -> InstanceRequirements {
    InstanceRequirements {
        vcpu_count: Bounds { min: Some(2.0), max: Some(4.0) },
        memory_mib: Bounds { min: Some(4096.0), max: None },
        ..Default::default()
    }
}

#[test]
fn attribute_based_selection_admits_types_that_meet_the_requirements() {
    let mut f = compliant();
    f.instance.instance_type = "m5.large".into();
    f.group.overrides = vec![TypeOverride { requirements: Some(requirements()), ..Default::default() }];
    f.instance_type_info = Some(m5_large());
    let (status, reason) = drift(&f, "drift.instance_type");
    assert_eq!(status, CheckStatus::Pass, "{reason}");
    assert_eq!(
        reason,
        "instance type m5.large meets the group's instance requirements: vCPUs 2 within 2–4; memory 8192 MiB within \
         at least 4096; bare metal excluded; burstable excluded"
    );
    // Too small.
    let mut small = m5_large();
    small.name = "m5.xlarge".into();
    small.vcpus = Some(8.0);
    f.instance.instance_type = "m5.xlarge".into();
    f.instance_type_info = Some(small);
    assert_eq!(
        drift(&f, "drift.instance_type"),
        (
            CheckStatus::Fail,
            "instance type m5.xlarge does not meet the group's instance requirements: vCPUs 8 is outside 2–4".into()
        )
    );
    // Not described: nothing proves it meets them.
    f.instance_type_info = None;
    let (status, reason) = drift(&f, "drift.instance_type");
    assert_eq!(status, CheckStatus::Fail);
    assert!(reason.contains("was not described"), "{reason}");
}

#[test]
fn requirements_follow_auto_scaling_defaults_and_patterns() {
    let mut t3 = m5_large();
    t3.name = "t3.large".into();
    t3.burstable = Some(true);
    let req = requirements();
    assert_eq!(req.check(&t3).unwrap_err(), "t3.large is burstable, which the requirements have excluded");
    let mut with_burst = requirements();
    with_burst.burstable_performance = Some(Inclusion::Included);
    assert!(with_burst.check(&t3).is_ok());
    with_burst.burstable_performance = Some(Inclusion::Required);
    assert_eq!(
        with_burst.check(&m5_large()).unwrap_err(),
        "m5.large is not burstable, which the requirements have required"
    );

    let mut patterns = requirements();
    patterns.allowed_instance_types = vec!["c5*.*".into(), "m5.*".into()];
    assert!(patterns.check(&m5_large()).unwrap().contains(&"m5.large matches the allowed pattern m5.*".to_string()));
    patterns.allowed_instance_types = vec!["c5*.*".into()];
    assert_eq!(patterns.check(&m5_large()).unwrap_err(), "m5.large matches none of the allowed types (c5*.*)");
    patterns.allowed_instance_types.clear();
    patterns.excluded_instance_types = vec!["*5.*".into()];
    assert_eq!(patterns.check(&m5_large()).unwrap_err(), "m5.large matches the excluded pattern *5.*");

    let mut makers = requirements();
    makers.cpu_manufacturers = vec!["amazon-web-services".into()];
    assert_eq!(makers.check(&m5_large()).unwrap_err(), "CPU manufacturer Intel is not one of amazon-web-services");
    let mut graviton = m5_large();
    graviton.cpu_manufacturer = Some("AWS".into());
    assert!(makers.check(&graviton).is_ok());

    let mut per_vcpu = requirements();
    per_vcpu.memory_gib_per_vcpu = Bounds { min: Some(8.0), max: None };
    assert_eq!(per_vcpu.check(&m5_large()).unwrap_err(), "memory per vCPU 4 GiB is outside at least 8");

    let mut gpus = requirements();
    gpus.accelerator_count = Bounds { min: None, max: Some(0.0) };
    assert!(gpus.check(&m5_large()).is_ok());
    let mut g5 = m5_large();
    g5.name = "g5.xlarge".into();
    g5.accelerators = vec![Accelerator {
        kind: "gpu".into(),
        count: 1,
        manufacturer: "NVIDIA".into(),
        name: "A10G".into(),
        total_memory_mib: Some(24576.0),
    }];
    assert_eq!(gpus.check(&g5).unwrap_err(), "accelerators 1 is outside at most 0");
    let mut named = requirements();
    named.accelerator_names = vec!["a10g".into()];
    assert!(named.check(&g5).is_ok());
    named.accelerator_names = vec!["t4".into()];
    assert_eq!(named.check(&g5).unwrap_err(), "g5.xlarge has a accelerator named A10G, not one of t4");

    let mut generations = requirements();
    generations.instance_generations = vec!["previous".into()];
    assert_eq!(generations.check(&m5_large()).unwrap_err(), "m5.large is a current-generation type");

    let mut unknown = requirements();
    unknown.network_bandwidth_gbps = Bounds { min: Some(1.0), max: None };
    let mut undescribed = m5_large();
    undescribed.network_bandwidth_gbps = None;
    assert_eq!(
        unknown.check(&undescribed).unwrap_err(),
        "network bandwidth of m5.large is not described, so the requirement cannot be met"
    );

    let mut priced = requirements();
    priced.not_type_properties = vec!["SpotMaxPricePercentageOverLowestPrice".into()];
    assert!(priced
        .check(&m5_large())
        .unwrap()
        .contains(&"SpotMaxPricePercentageOverLowestPrice not checked (not a property of the type)".to_string()));
}

#[test]
fn override_templates_to_describe() {
    let group = GroupFacts {
        overrides: vec![
            TypeOverride { instance_type: Some("m7g.large".into()), template: Some(arm_ref()), ..Default::default() },
            TypeOverride { instance_type: Some("c5.large".into()), ..Default::default() },
            TypeOverride { requirements: Some(requirements()), template: Some(arm_ref()), ..Default::default() },
        ],
        ..Default::default()
    };
    assert_eq!(group.override_template_refs(), vec![&arm_ref()]);
    assert!(group.selects_by_requirements());
}

#[test]
fn a_type_no_override_names_is_compared_with_the_template_it_was_launched_from() {
    let mut f = compliant();
    f.group.overrides = vec![
        TypeOverride { instance_type: Some("t3.micro".into()), ..Default::default() },
        TypeOverride { instance_type: Some("m7g.large".into()), template: Some(arm_ref()), ..Default::default() },
    ];
    f.override_templates = vec![(arm_ref(), arm_template())];
    // Launched from the arm template as m7g.large, then resized to a type no override names.
    f.instance.instance_type = "m5.large".into();
    f.instance.image_id = "ami-arm".into();
    f.instance.tags.insert("aws:ec2launchtemplate:id".into(), "lt-arm".into());
    f.instance.tags.insert("aws:ec2launchtemplate:version".into(), "7".into());
    let failed: Vec<&str> = evaluate(&f, &GateRules::default())
        .into_iter()
        .filter(|c| c.status == CheckStatus::Fail)
        .map(|c| c.name)
        .collect();
    assert_eq!(failed, ["drift.instance_type"]);
}
