//! The checks. Each is a pure function of the facts and the rules; `evaluate` runs them all and times each one.
//!
//! Names are `family.rule`; the family is one of `credentials`, `firewall`, `drift`.

use super::facts::{profile_name, LaunchFacts};
use super::rules::GateRules;
use serde::Serialize;
use std::collections::BTreeSet;
use std::time::{Duration, Instant};

/// How one check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CheckStatus {
    /// Satisfied (or not applicable under the rules).
    Pass,
    /// Violated: the instance must not enter service.
    Fail,
    /// Cannot be told yet: a fact is still settling.
    Pending,
}

/// One check's result, with its reason and how long it took.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckResult {
    /// `family.rule`.
    pub name: &'static str,
    /// Outcome.
    pub status: CheckStatus,
    /// Why, in words an operator can act on.
    pub reason: String,
    /// Time spent in the check.
    #[serde(serialize_with = "micros")]
    pub duration: Duration,
}

fn micros<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u64(d.as_micros() as u64)
}

type Outcome = (CheckStatus, String);
type Check = fn(&LaunchFacts, &GateRules) -> Outcome;

const CHECKS: &[(&str, Check)] = &[
    ("credentials.instance_profile", instance_profile),
    ("credentials.imdsv2", imdsv2),
    ("credentials.hop_limit", hop_limit),
    ("credentials.key_pair", key_pair),
    ("firewall.world_ingress", world_ingress),
    ("firewall.admin_ports", admin_ports),
    ("firewall.allowed_groups", allowed_groups),
    ("drift.template_version", template_version),
    ("drift.ami", ami),
    ("drift.instance_type", instance_type),
    ("drift.security_groups", security_groups),
    ("drift.metadata_options", metadata_options),
    ("drift.encrypted_volumes", encrypted_volumes),
    ("drift.required_tags", required_tags),
    ("drift.approved_ami", approved_ami),
    ("drift.subnet", subnet),
];

/// Every check's name, in the order they run.
pub const CHECK_NAMES: [&str; 16] = {
    let mut names = [""; 16];
    let mut i = 0;
    while i < CHECKS.len() {
        names[i] = CHECKS[i].0;
        i += 1;
    }
    names
};

/// Runs every check against the facts.
pub fn evaluate(facts: &LaunchFacts, rules: &GateRules) -> Vec<CheckResult> {
    CHECKS
        .iter()
        .map(|(name, check)| {
            let started = Instant::now();
            let (status, reason) = check(facts, rules);
            CheckResult { name, status, reason, duration: started.elapsed() }
        })
        .collect()
}

fn pass(reason: impl Into<String>) -> Outcome {
    (CheckStatus::Pass, reason.into())
}
fn fail(reason: impl Into<String>) -> Outcome {
    (CheckStatus::Fail, reason.into())
}
fn pending(reason: impl Into<String>) -> Outcome {
    (CheckStatus::Pending, reason.into())
}

// ---- credentials -------------------------------------------------------------------------------------------------

fn instance_profile(f: &LaunchFacts, r: &GateRules) -> Outcome {
    if !r.credentials.require_instance_profile {
        return pass("not required by rules");
    }
    let Some(arn) = f.instance.instance_profile_arn.as_deref() else {
        if f.profile_associations.iter().any(|a| a.state == "associating") {
            return pending("instance profile is still associating");
        }
        return fail("no instance profile attached");
    };
    let attached = profile_name(arn);
    let mut expected: Vec<&str> = r.credentials.allowed_instance_profiles.iter().map(|p| profile_name(p)).collect();
    if let Some(t) = &f.template {
        if let Some(p) = t.instance_profile_arn.as_deref().or(t.instance_profile_name.as_deref()) {
            expected.push(profile_name(p));
        }
    }
    if expected.is_empty() || expected.contains(&attached) {
        pass(format!("instance profile {attached}"))
    } else {
        fail(format!("instance profile {attached} is not the launch template's ({})", expected.join(", ")))
    }
}

fn imdsv2(f: &LaunchFacts, r: &GateRules) -> Outcome {
    if !r.credentials.require_imdsv2 {
        return pass("not required by rules");
    }
    let m = &f.instance.metadata;
    if m.state.as_deref() == Some("pending") {
        return pending("metadata options are still being applied");
    }
    if m.http_endpoint.as_deref() == Some("disabled") {
        return pass("metadata endpoint disabled");
    }
    match m.http_tokens.as_deref() {
        Some("required") => pass("IMDSv2 required"),
        Some(other) => fail(format!("IMDSv1 allowed (HttpTokens={other})")),
        None => fail("IMDS token setting unknown (HttpTokens absent)"),
    }
}

fn hop_limit(f: &LaunchFacts, r: &GateRules) -> Outcome {
    let m = &f.instance.metadata;
    if m.state.as_deref() == Some("pending") {
        return pending("metadata options are still being applied");
    }
    if m.http_endpoint.as_deref() == Some("disabled") {
        return pass("metadata endpoint disabled");
    }
    match m.hop_limit {
        Some(h) if h <= r.credentials.max_hop_limit => pass(format!("hop limit {h}")),
        Some(h) => fail(format!("hop limit {h} exceeds {}", r.credentials.max_hop_limit)),
        None => fail("hop limit unknown"),
    }
}

fn key_pair(f: &LaunchFacts, r: &GateRules) -> Outcome {
    match f.instance.key_name.as_deref() {
        None | Some("") => pass("no key pair"),
        Some(_) if r.credentials.allow_key_pair => pass("key pairs allowed by rules"),
        Some(k) if r.credentials.allowed_key_pairs.iter().any(|a| a == k) => pass(format!("key pair {k} allowed")),
        Some(k) => fail(format!("key pair {k} attached")),
    }
}

// ---- firewall ----------------------------------------------------------------------------------------------------

fn is_icmp(protocol: &str) -> bool {
    matches!(protocol, "icmp" | "icmpv6" | "1" | "58")
}

/// World-open port ranges, as (security group id, from, to).
fn world_ranges(f: &LaunchFacts) -> Vec<(&str, i32, i32)> {
    f.security_groups
        .iter()
        .flat_map(|g| {
            g.ingress.iter().filter(|rule| rule.open_to_world() && !is_icmp(&rule.protocol)).map(move |rule| {
                let (lo, hi) = rule.port_range();
                (g.id.as_str(), lo, hi)
            })
        })
        .collect()
}

fn missing_groups(f: &LaunchFacts) -> Vec<&str> {
    f.instance
        .security_group_ids
        .iter()
        .filter(|id| !f.security_groups.iter().any(|g| &g.id == *id))
        .map(String::as_str)
        .collect()
}

fn port_list(lo: i32, hi: i32) -> String {
    if lo == hi {
        format!("port {lo}")
    } else if lo == 0 && hi == 65535 {
        "all ports".to_string()
    } else {
        format!("ports {lo}-{hi}")
    }
}

fn world_ingress(f: &LaunchFacts, r: &GateRules) -> Outcome {
    let missing = missing_groups(f);
    if !missing.is_empty() {
        return fail(format!("security group(s) {} could not be described", missing.join(", ")));
    }
    let allowed: BTreeSet<i32> = r.firewall.world_open_ports.iter().map(|p| i32::from(*p)).collect();
    let offending: Vec<String> = world_ranges(f)
        .into_iter()
        .filter(|(_, lo, hi)| (*lo..=*hi).any(|p| !allowed.contains(&p)))
        .map(|(sg, lo, hi)| format!("{} open to the world in {sg}", port_list(lo, hi)))
        .collect();
    if offending.is_empty() {
        pass("only allowed ports open to the world")
    } else {
        fail(offending.join("; "))
    }
}

fn admin_ports(f: &LaunchFacts, r: &GateRules) -> Outcome {
    let mut offending = Vec::new();
    for (sg, lo, hi) in world_ranges(f) {
        for port in &r.firewall.admin_ports {
            let p = i32::from(*port);
            if (lo..=hi).contains(&p) {
                let label = match p {
                    22 => "SSH (22)".to_string(),
                    3389 => "RDP (3389)".to_string(),
                    _ => format!("admin port {p}"),
                };
                offending.push(format!("{label} open to the world in {sg}"));
            }
        }
    }
    if offending.is_empty() {
        pass("no admin port open to the world")
    } else {
        fail(offending.join("; "))
    }
}

fn allowed_groups(f: &LaunchFacts, r: &GateRules) -> Outcome {
    if r.firewall.allowed_security_groups.is_empty() {
        return pass("no allow list");
    }
    let extra: Vec<&str> = f
        .instance
        .security_group_ids
        .iter()
        .filter(|id| !r.firewall.allowed_security_groups.contains(id))
        .map(String::as_str)
        .collect();
    if extra.is_empty() {
        pass("all security groups on the allow list")
    } else {
        fail(format!("security group(s) not on the allow list: {}", extra.join(", ")))
    }
}

// ---- drift -------------------------------------------------------------------------------------------------------

/// The template to compare against, or the outcome when there is none or comparison is off.
fn template<'a>(f: &'a LaunchFacts, r: &GateRules) -> Result<&'a super::facts::TemplateFacts, Outcome> {
    if !r.drift.match_launch_template {
        return Err(pass("not required by rules"));
    }
    f.template.as_ref().ok_or_else(|| fail("the group names no launch template to compare against"))
}

fn template_version(f: &LaunchFacts, r: &GateRules) -> Outcome {
    let t = match template(f, r) {
        Ok(t) => t,
        Err(o) => return o,
    };
    let tags = &f.instance.tags;
    match (tags.get("aws:ec2launchtemplate:id"), tags.get("aws:ec2launchtemplate:version")) {
        (Some(id), Some(v)) if *id == t.template_id && *v == t.version.to_string() => pass(format!("{id} version {v}")),
        (Some(id), Some(v)) => {
            fail(format!("launched from {id} version {v}, the group now names {} version {}", t.template_id, t.version))
        }
        _ => pass("instance carries no launch-template tags; compared by attributes"),
    }
}

fn ami(f: &LaunchFacts, r: &GateRules) -> Outcome {
    let t = match template(f, r) {
        Ok(t) => t,
        Err(o) => return o,
    };
    match t.image_id.as_deref() {
        Some(want) if want == f.instance.image_id => pass(format!("AMI {want}")),
        Some(want) => fail(format!("AMI {} differs from the launch template's {want}", f.instance.image_id)),
        None => pass("launch template names no AMI"),
    }
}

fn instance_type(f: &LaunchFacts, r: &GateRules) -> Outcome {
    let t = match template(f, r) {
        Ok(t) => t,
        Err(o) => return o,
    };
    let got = f.instance.instance_type.as_str();
    let mut allowed: Vec<&str> = f.group.allowed_instance_types.iter().map(String::as_str).collect();
    allowed.extend(t.instance_type.as_deref());
    if allowed.is_empty() || allowed.contains(&got) {
        pass(format!("instance type {got}"))
    } else {
        fail(format!("instance type {got} is not one the group launches ({})", allowed.join(", ")))
    }
}

fn security_groups(f: &LaunchFacts, r: &GateRules) -> Outcome {
    let t = match template(f, r) {
        Ok(t) => t,
        Err(o) => return o,
    };
    if t.security_group_ids.is_empty() {
        return pass("launch template names no security groups");
    }
    let want: BTreeSet<&str> = t.security_group_ids.iter().map(String::as_str).collect();
    let got: BTreeSet<&str> = f.instance.security_group_ids.iter().map(String::as_str).collect();
    if want == got {
        pass("security groups match the launch template")
    } else {
        let extra: Vec<&str> = got.difference(&want).copied().collect();
        let absent: Vec<&str> = want.difference(&got).copied().collect();
        fail(format!(
            "security groups differ from the launch template (extra: [{}], missing: [{}])",
            extra.join(", "),
            absent.join(", ")
        ))
    }
}

fn metadata_options(f: &LaunchFacts, r: &GateRules) -> Outcome {
    let t = match template(f, r) {
        Ok(t) => t,
        Err(o) => return o,
    };
    let got = &f.instance.metadata;
    if got.state.as_deref() == Some("pending") {
        return pending("metadata options are still being applied");
    }
    let mut diffs = Vec::new();
    if let Some(want) = &t.metadata.http_tokens {
        if got.http_tokens.as_ref() != Some(want) {
            diffs.push(format!("HttpTokens {} (template {want})", got.http_tokens.as_deref().unwrap_or("unset")));
        }
    }
    if let Some(want) = t.metadata.hop_limit {
        if got.hop_limit != Some(want) {
            diffs.push(format!(
                "hop limit {} (template {want})",
                got.hop_limit.map_or("unset".to_string(), |h| h.to_string())
            ));
        }
    }
    if let Some(want) = &t.metadata.http_endpoint {
        if got.http_endpoint.as_ref() != Some(want) {
            diffs.push(format!("HttpEndpoint {} (template {want})", got.http_endpoint.as_deref().unwrap_or("unset")));
        }
    }
    if diffs.is_empty() {
        pass("metadata options match the launch template")
    } else {
        fail(format!("metadata options differ: {}", diffs.join(", ")))
    }
}

fn encrypted_volumes(f: &LaunchFacts, r: &GateRules) -> Outcome {
    if !r.drift.require_encrypted_volumes {
        return pass("not required by rules");
    }
    let devices = &f.instance.block_devices;
    if devices.is_empty() {
        return if f.instance.state == "pending" {
            pending("volumes not attached yet")
        } else {
            pass("no EBS volumes")
        };
    }
    if let Some(d) = devices.iter().find(|d| d.encrypted.is_none()) {
        return pending(format!("encryption of {} not known yet", d.device_name));
    }
    let plain: Vec<&str> =
        devices.iter().filter(|d| d.encrypted == Some(false)).map(|d| d.device_name.as_str()).collect();
    if plain.is_empty() {
        pass("all volumes encrypted")
    } else {
        fail(format!("unencrypted volume(s): {}", plain.join(", ")))
    }
}

fn required_tags(f: &LaunchFacts, r: &GateRules) -> Outcome {
    let missing: Vec<&str> =
        r.drift.required_tags.iter().filter(|k| !f.instance.tags.contains_key(*k)).map(String::as_str).collect();
    if missing.is_empty() {
        pass("required tags present")
    } else {
        fail(format!("missing tag(s): {}", missing.join(", ")))
    }
}

fn approved_ami(f: &LaunchFacts, r: &GateRules) -> Outcome {
    if r.drift.approved_amis.is_empty() {
        return pass("no approved-AMI list");
    }
    if r.drift.approved_amis.contains(&f.instance.image_id) {
        pass(format!("AMI {} approved", f.instance.image_id))
    } else {
        fail(format!("AMI {} is not on the approved list", f.instance.image_id))
    }
}

fn subnet(f: &LaunchFacts, r: &GateRules) -> Outcome {
    if !r.drift.require_group_subnet || f.group.subnets.is_empty() {
        return pass("no subnet constraint");
    }
    match f.instance.subnet_id.as_deref() {
        Some(s) if f.group.subnets.iter().any(|g| g == s) => pass(format!("subnet {s}")),
        Some(s) => fail(format!("subnet {s} is not one of the group's ({})", f.group.subnets.join(", "))),
        None => fail("instance is in no subnet"),
    }
}
