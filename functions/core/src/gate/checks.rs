//! The checks. Each is a pure function of the facts and the rules; `evaluate` runs them all and times each one.
//!
//! Names are `family.rule`; the family is one of `credentials`, `firewall`, `drift`.

use super::facts::{profile_name, LaunchFacts, TemplateFacts, TypeOverride};
use super::instance_types::InstanceRequirements;
use super::reach::{Protocol, Reachability};
use super::rules::{GateRules, TemplateWithoutGroups};
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

fn missing_groups(f: &LaunchFacts) -> Vec<&str> {
    f.instance
        .security_group_ids
        .iter()
        .filter(|id| !f.security_groups.iter().any(|g| &g.id == *id))
        .map(String::as_str)
        .collect()
}

/// What the firewall checks need: every group described, then the reachability of the instance's ports.
fn reachability(f: &LaunchFacts) -> Result<Reachability, Outcome> {
    if f.instance.security_group_ids.is_empty() {
        // Every instance in a VPC has at least one group: none reported is a description we cannot trust.
        return Err(fail("the instance reports no security group"));
    }
    let missing = missing_groups(f);
    if !missing.is_empty() {
        return Err(fail(format!("security group(s) {} could not be described", missing.join(", "))));
    }
    Ok(Reachability::new(&f.security_groups, &f.prefix_lists))
}

/// Protocols, what opens them to the world, and the port ranges (allowed ports taken out) it opens.
type Offending = (Vec<Protocol>, String, Vec<(u16, u16)>);

/// `all TCP ports`, `TCP port 22`, `TCP and UDP ports 0-79, 81-442, 444-65535`, `protocol 47`.
fn ports_phrase(protocols: &[Protocol], ranges: &[(u16, u16)]) -> String {
    let label = protocols.iter().map(|p| p.label()).collect::<Vec<_>>().join(" and ");
    match ranges {
        [] => label,
        [(0, u16::MAX)] => format!("all {label} ports"),
        [(a, b)] if a == b => format!("{label} port {a}"),
        many => {
            let spans: Vec<String> =
                many.iter().map(|(a, b)| if a == b { a.to_string() } else { format!("{a}-{b}") }).collect();
            format!("{label} ports {}", spans.join(", "))
        }
    }
}

/// The ports of `first..=last` that are not allowed, as ranges.
fn not_allowed(first: u16, last: u16, allowed: &BTreeSet<u16>) -> Vec<(u16, u16)> {
    let mut out: Vec<(u16, u16)> = Vec::new();
    let mut start = u32::from(first);
    for &port in allowed.range(first..=last) {
        if u32::from(port) > start {
            out.push((start as u16, port - 1));
        }
        start = u32::from(port) + 1;
    }
    if start <= u32::from(last) {
        out.push((start as u16, last));
    }
    out
}

fn world_ingress(f: &LaunchFacts, r: &GateRules) -> Outcome {
    let reach = match reachability(f) {
        Ok(reach) => reach,
        Err(outcome) => return outcome,
    };
    let limits = r.firewall.world_limits();
    let allowed: BTreeSet<u16> = r.firewall.world_open_ports.iter().copied().collect();
    // One line per (protocol, what opens it), listing every port range it opens, so one rule reads as one line.
    let mut offending: Vec<Offending> = Vec::new();
    for e in reach.exposures() {
        let ranges = if e.protocol.has_ports() { not_allowed(e.first, e.last, &allowed) } else { vec![] };
        if e.protocol.has_ports() && ranges.is_empty() {
            continue;
        }
        let Some(opening) = limits.opening(&reach, &e) else { continue };
        let i = match offending.iter().position(|(p, o, _)| p == &[e.protocol] && *o == opening) {
            Some(i) => i,
            None => {
                offending.push((vec![e.protocol], opening, Vec::new()));
                offending.len() - 1
            }
        };
        let entry = &mut offending[i].2;
        for (first, last) in ranges {
            match entry.last_mut() {
                Some((_, end)) if u32::from(*end) + 1 == u32::from(first) => *end = last,
                _ => entry.push((first, last)),
            }
        }
    }
    // TCP and UDP opened alike (an all-traffic rule, say) read as one line.
    let mut merged: Vec<Offending> = Vec::new();
    for (protocols, opening, ranges) in offending {
        match merged.iter_mut().find(|(_, o, r)| *o == opening && *r == ranges && !ranges.is_empty()) {
            Some((ps, _, _)) => ps.extend(protocols),
            None => merged.push((protocols, opening, ranges)),
        }
    }
    if merged.is_empty() {
        return pass(format!("no port beyond {} admits more than {}", port_names(&allowed), limits.describe()));
    }
    let lines: Vec<String> = merged
        .into_iter()
        .map(|(protocols, opening, ranges)| {
            let verb = match ranges.as_slice() {
                [] => "admits",
                [(a, b)] if a == b => "admits",
                _ => "admit",
            };
            format!("{} {verb} {opening}", ports_phrase(&protocols, &ranges))
        })
        .collect();
    fail(lines.join("; "))
}

fn port_names(ports: &BTreeSet<u16>) -> String {
    if ports.is_empty() {
        return "none".to_string();
    }
    ports.iter().map(u16::to_string).collect::<Vec<_>>().join(", ")
}

fn admin_port_name(port: u16) -> String {
    match port {
        22 => "SSH (22)".to_string(),
        3389 => "RDP (3389)".to_string(),
        p => format!("admin port {p}"),
    }
}

fn admin_ports(f: &LaunchFacts, r: &GateRules) -> Outcome {
    let reach = match reachability(f) {
        Ok(reach) => reach,
        Err(outcome) => return outcome,
    };
    let limits = r.firewall.world_limits();
    let mut offending = Vec::new();
    for &port in &r.firewall.admin_ports {
        let name = admin_port_name(port);
        let tcp = limits.opening(&reach, &reach.at(Protocol::Tcp, port));
        let udp = limits.opening(&reach, &reach.at(Protocol::Udp, port));
        match (tcp, udp) {
            (Some(t), Some(u)) if t == u => offending.push(format!("{name} over TCP and UDP admits {t}")),
            (t, u) => {
                offending.extend(t.map(|t| format!("{name} admits {t}")));
                offending.extend(u.map(|u| format!("{name} over UDP admits {u}")));
            }
        }
    }
    if offending.is_empty() {
        pass(format!("no admin port admits more than {}", limits.describe()))
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

/// The mixed-instances override this instance was launched under: the first that lists its type, else the first
/// whose requirements its type meets.
fn matching_override(f: &LaunchFacts) -> Option<&TypeOverride> {
    let got = f.instance.instance_type.as_str();
    let overrides = &f.group.overrides;
    overrides.iter().find(|o| o.instance_type.as_deref() == Some(got)).or_else(|| {
        let info = f.instance_type_info.as_ref()?;
        overrides.iter().find(|o| o.requirements.as_ref().is_some_and(|req| req.check(info).is_ok()))
    })
}

/// The template to compare against, or the outcome when there is none or comparison is off: the one the instance's
/// override carries; else, for an instance whose type no override names, the one of the group's templates it was
/// launched from (so the reasons are about its type, not about a template it never used); else the group's.
fn template<'a>(f: &'a LaunchFacts, r: &GateRules) -> Result<&'a TemplateFacts, Outcome> {
    if !r.drift.match_launch_template {
        return Err(pass("not required by rules"));
    }
    let default = f.template.as_ref().ok_or_else(|| fail("the group names no launch template to compare against"));
    match matching_override(f) {
        Some(o) => match o.template.as_ref() {
            Some(reference) => {
                f.override_templates.iter().find(|(r, _)| r == reference).map(|(_, t)| t).ok_or_else(|| {
                    fail(format!(
                        "the launch template {} that the override for {} names was not described",
                        reference.id.as_deref().or(reference.name.as_deref()).unwrap_or("(unnamed)"),
                        f.instance.instance_type
                    ))
                })
            }
            None => default,
        },
        None => {
            let launched_from = f.instance.tags.get("aws:ec2launchtemplate:id");
            let overrides = f.override_templates.iter().map(|(_, t)| t);
            match overrides.into_iter().find(|t| Some(&t.template_id) == launched_from) {
                Some(t) if f.template.as_ref().is_none_or(|d| Some(&d.template_id) != launched_from) => Ok(t),
                _ => default,
            }
        }
    }
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
    // An override may carry its own AMI; it wins over the template's.
    let (want, whose) = match matching_override(f).and_then(|o| o.image_id.as_deref()) {
        Some(image) => (Some(image), "the mixed-instances override"),
        None => (t.image_id.as_deref(), "the launch template"),
    };
    let got = f.instance.image_id.as_str();
    match want {
        Some(alias) if alias.starts_with("resolve:ssm:") => fail(format!(
            "{whose} names its AMI through {alias}, which the gate could not resolve (the parameter must exist \
             and the gate's role needs ssm:GetParameters on it)"
        )),
        Some(want) if want == got => pass(format!("AMI {want}")),
        Some(want) => fail(format!("AMI {got} differs from {whose}'s {want}")),
        None => pass("launch template names no AMI"),
    }
}

fn instance_type(f: &LaunchFacts, r: &GateRules) -> Outcome {
    let t = match template(f, r) {
        Ok(t) => t,
        Err(o) => return o,
    };
    let got = f.instance.instance_type.as_str();
    let overrides = &f.group.overrides;
    if overrides.is_empty() {
        return match t.instance_type.as_deref() {
            Some(want) if want == got => pass(format!("instance type {got}")),
            Some(want) => fail(format!("instance type {got} differs from the launch template's {want}")),
            None => pass("launch template names no instance type"),
        };
    }
    // A mixed-instances policy decides the type: its listed types, or any type meeting its requirements.
    let listed: Vec<&str> = overrides.iter().filter_map(|o| o.instance_type.as_deref()).collect();
    if listed.contains(&got) {
        return pass(format!("instance type {got} is one the mixed instances policy lists"));
    }
    let requirements: Vec<&InstanceRequirements> = overrides.iter().filter_map(|o| o.requirements.as_ref()).collect();
    let listed_text = if listed.is_empty() { String::new() } else { format!(" (listed: {})", listed.join(", ")) };
    if requirements.is_empty() {
        return fail(format!("instance type {got} is not one the group launches{listed_text}"));
    }
    let Some(info) = f.instance_type_info.as_ref() else {
        return fail(format!(
            "instance type {got} is not listed{listed_text} and was not described, so the group's instance \
             requirements cannot be checked"
        ));
    };
    let mut failures = Vec::new();
    for requirement in requirements {
        match requirement.check(info) {
            Ok(checked) => {
                return pass(format!("instance type {got} meets the group's instance requirements: {}", {
                    checked.join("; ")
                }))
            }
            Err(why) => failures.push(why),
        }
    }
    fail(format!("instance type {got} does not meet the group's instance requirements: {}{listed_text}", {
        failures.join("; ")
    }))
}

fn security_groups(f: &LaunchFacts, r: &GateRules) -> Outcome {
    let t = match template(f, r) {
        Ok(t) => t,
        Err(o) => return o,
    };
    let got: BTreeSet<&str> = f.instance.security_group_ids.iter().map(String::as_str).collect();
    if t.security_group_ids.is_empty() && t.security_group_names.is_empty() {
        let instance = got.iter().copied().collect::<Vec<_>>().join(", ");
        return match r.drift.template_without_groups {
            TemplateWithoutGroups::Pass => {
                pass(format!("launch template names no security groups; the instance has [{instance}]"))
            }
            TemplateWithoutGroups::Fail => fail(format!(
                "launch template names no security groups, so the instance's [{instance}] cannot be checked against \
                 it (name them in the template, or set drift.template_without_groups = \"pass\")"
            )),
        };
    }
    // Names resolve through the instance's own groups: a name is unique within a VPC, and every group on the
    // instance is in the instance's VPC. A name none of them carries is a group the instance lacks.
    let mut want: BTreeSet<&str> = t.security_group_ids.iter().map(String::as_str).collect();
    let mut unresolved = Vec::new();
    for name in &t.security_group_names {
        match f.security_groups.iter().find(|g| &g.name == name && got.contains(g.id.as_str())) {
            Some(g) => {
                want.insert(g.id.as_str());
            }
            None => unresolved.push(format!("name {name}")),
        }
    }
    let extra: Vec<&str> = got.difference(&want).copied().collect();
    let mut absent: Vec<String> = want.difference(&got).map(|s| s.to_string()).collect();
    absent.extend(unresolved);
    if extra.is_empty() && absent.is_empty() {
        pass(format!(
            "security groups match the launch template: [{}]",
            want.into_iter().collect::<Vec<_>>().join(", ")
        ))
    } else {
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
