//! Attribute-based instance type selection: does an instance type meet a group's `InstanceRequirements`?
//!
//! A mixed instances policy may name no types at all, only requirements (vCPUs, memory, manufacturers, ...); Auto
//! Scaling then launches any type that meets them. The gate asks the same question of the instance's type, from
//! what `DescribeInstanceTypes` says about it. Defaults follow Auto Scaling's: bare metal and burstable types are
//! excluded unless the requirements include them; local storage is included. Price protection is about prices at
//! launch, not about the type, so it is named as not checked; a requirement whose fact the description lacks fails.

use crate::wildcard::Pattern;

/// An inclusive range; an absent end is no limit.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Bounds {
    /// Lowest allowed.
    pub min: Option<f64>,
    /// Highest allowed.
    pub max: Option<f64>,
}

impl Bounds {
    /// True when neither end is set.
    pub fn is_unbounded(&self) -> bool {
        self.min.is_none() && self.max.is_none()
    }

    fn admits(&self, value: f64) -> bool {
        self.min.is_none_or(|m| value >= m) && self.max.is_none_or(|m| value <= m)
    }

    fn describe(&self) -> String {
        match (self.min, self.max) {
            (Some(a), Some(b)) => format!("{a}–{b}"),
            (Some(a), None) => format!("at least {a}"),
            (None, Some(b)) => format!("at most {b}"),
            (None, None) => "any".to_string(),
        }
    }
}

/// Whether a kind of type is included, excluded, or required.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inclusion {
    /// Types of this kind are allowed.
    Included,
    /// Types of this kind are not allowed.
    Excluded,
    /// Only types of this kind are allowed.
    Required,
}

impl Inclusion {
    fn admits(self, has: bool) -> bool {
        match self {
            Inclusion::Included => true,
            Inclusion::Excluded => !has,
            Inclusion::Required => has,
        }
    }

    fn word(self) -> &'static str {
        match self {
            Inclusion::Included => "included",
            Inclusion::Excluded => "excluded",
            Inclusion::Required => "required",
        }
    }
}

/// A group's instance requirements (one mixed-instances override), as Auto Scaling's API states them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct InstanceRequirements {
    /// vCPUs.
    pub vcpu_count: Bounds,
    /// Memory bounds, in MiB.
    pub memory_mib: Bounds,
    /// `intel`, `amd`, `amazon-web-services`, `apple`; empty means any.
    pub cpu_manufacturers: Vec<String>,
    /// Memory per vCPU, GiB.
    pub memory_gib_per_vcpu: Bounds,
    /// Patterns (`*` wildcards) of types that are never launched.
    pub excluded_instance_types: Vec<String>,
    /// Patterns of the only types launched; empty means any.
    pub allowed_instance_types: Vec<String>,
    /// `current`, `previous`; empty means both.
    pub instance_generations: Vec<String>,
    /// Bare metal types; absent means excluded.
    pub bare_metal: Option<Inclusion>,
    /// Burstable (T) types; absent means excluded.
    pub burstable_performance: Option<Inclusion>,
    /// Only types that support hibernation.
    pub require_hibernate_support: bool,
    /// Network interfaces.
    pub network_interface_count: Bounds,
    /// Instance-store volumes; absent means included.
    pub local_storage: Option<Inclusion>,
    /// `hdd`, `ssd`; empty means both.
    pub local_storage_types: Vec<String>,
    /// Instance storage, GB.
    pub total_local_storage_gb: Bounds,
    /// Baseline EBS bandwidth, Mbps.
    pub baseline_ebs_bandwidth_mbps: Bounds,
    /// `gpu`, `fpga`, `inference`; empty means any.
    pub accelerator_types: Vec<String>,
    /// Accelerators.
    pub accelerator_count: Bounds,
    /// Accelerator manufacturers; empty means any.
    pub accelerator_manufacturers: Vec<String>,
    /// Accelerator names (`a100`, `t4`, ...); empty means any.
    pub accelerator_names: Vec<String>,
    /// Accelerator memory in all, MiB.
    pub accelerator_total_memory_mib: Bounds,
    /// Network bandwidth bounds, in Gbps.
    pub network_bandwidth_gbps: Bounds,
    /// Requirements set that are not properties of a type (price protection, performance factors), by name.
    pub not_type_properties: Vec<String>,
}

/// One accelerator model on an instance type.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Accelerator {
    /// `gpu`, `fpga` or `inference`.
    pub kind: String,
    /// How many.
    pub count: i32,
    /// Manufacturer, as EC2 names it (`NVIDIA`, `AMD`, `Xilinx`, ...).
    pub manufacturer: String,
    /// Model name (`A100`, `T4`, ...).
    pub name: String,
    /// Memory of all of them, MiB.
    pub total_memory_mib: Option<f64>,
}

/// What `DescribeInstanceTypes` says about a type; absent fields were not described.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct InstanceTypeFacts {
    /// `m5.large`.
    pub name: String,
    /// Default vCPUs.
    pub vcpus: Option<f64>,
    /// Memory, in MiB, when EC2 reported it.
    pub memory_mib: Option<f64>,
    /// Processor manufacturer (`Intel`, `AMD`, `AWS`, `Apple`).
    pub cpu_manufacturer: Option<String>,
    /// Whether EC2 lists the type as current generation, when reported.
    pub current_generation: Option<bool>,
    /// Burstable performance (T types).
    pub burstable: Option<bool>,
    /// Whether the type is bare metal, when reported.
    pub bare_metal: Option<bool>,
    /// Supports hibernation.
    pub hibernation_supported: Option<bool>,
    /// Most network interfaces.
    pub max_network_interfaces: Option<f64>,
    /// Baseline network bandwidth, Gbps, over all network cards.
    pub network_bandwidth_gbps: Option<f64>,
    /// Has instance-store volumes.
    pub local_storage: Option<bool>,
    /// Instance storage, GB.
    pub local_storage_gb: Option<f64>,
    /// Instance-store disk types (`hdd`, `ssd`).
    pub local_storage_types: Vec<String>,
    /// Baseline EBS bandwidth, Mbps.
    pub baseline_ebs_bandwidth_mbps: Option<f64>,
    /// Accelerators (GPUs, FPGAs, inference chips).
    pub accelerators: Vec<Accelerator>,
}

/// One spelling for names the two APIs write differently: `amazon-web-services` and `AWS`, `radeon-pro-v520` and
/// `Radeon Pro V520`.
fn same_name(requirement: &str, described: &str) -> bool {
    let norm = |s: &str| match s.to_ascii_lowercase().replace(' ', "-").as_str() {
        "amazon-web-services" => "aws".to_string(),
        other => other.to_string(),
    };
    norm(requirement) == norm(described)
}

impl InstanceRequirements {
    /// Checks a type: `Ok` lists what was checked and how; `Err` names the first requirement it fails.
    pub fn check(&self, t: &InstanceTypeFacts) -> Result<Vec<String>, String> {
        let mut checked = Vec::new();
        let unknown = |what: &str| format!("{what} of {} is not described, so the requirement cannot be met", t.name);
        let mut bounds = |what: &str, unit: &str, b: &Bounds, value: Option<f64>| -> Result<(), String> {
            if b.is_unbounded() {
                return Ok(());
            }
            let v = value.ok_or_else(|| unknown(what))?;
            if b.admits(v) {
                checked.push(format!("{what} {v}{unit} within {}", b.describe()));
                Ok(())
            } else {
                Err(format!("{what} {v}{unit} is outside {}", b.describe()))
            }
        };
        bounds("vCPUs", "", &self.vcpu_count, t.vcpus)?;
        bounds("memory", " MiB", &self.memory_mib, t.memory_mib)?;
        let per_vcpu = match (t.memory_mib, t.vcpus) {
            (Some(m), Some(v)) if v > 0.0 => Some(m / 1024.0 / v),
            _ => None,
        };
        bounds("memory per vCPU", " GiB", &self.memory_gib_per_vcpu, per_vcpu)?;
        bounds("network interfaces", "", &self.network_interface_count, t.max_network_interfaces)?;
        bounds("network bandwidth", " Gbps", &self.network_bandwidth_gbps, t.network_bandwidth_gbps)?;
        bounds("baseline EBS bandwidth", " Mbps", &self.baseline_ebs_bandwidth_mbps, t.baseline_ebs_bandwidth_mbps)?;
        // A type without instance storage has 0 GB of it; one with storage must say how much.
        let storage_gb = if t.local_storage == Some(false) { Some(0.0) } else { t.local_storage_gb };
        bounds("instance storage", " GB", &self.total_local_storage_gb, storage_gb)?;
        let accelerators: f64 = t.accelerators.iter().map(|a| f64::from(a.count)).sum();
        bounds("accelerators", "", &self.accelerator_count, Some(accelerators))?;
        let accelerator_memory = t.accelerators.iter().map(|a| a.total_memory_mib).sum::<Option<f64>>();
        let accelerator_memory = if t.accelerators.is_empty() { Some(0.0) } else { accelerator_memory };
        bounds("accelerator memory", " MiB", &self.accelerator_total_memory_mib, accelerator_memory)?;

        if !self.cpu_manufacturers.is_empty() {
            let got = t.cpu_manufacturer.as_deref().ok_or_else(|| unknown("the CPU manufacturer"))?;
            if !self.cpu_manufacturers.iter().any(|m| same_name(m, got)) {
                return Err(format!("CPU manufacturer {got} is not one of {}", self.cpu_manufacturers.join(", ")));
            }
            checked.push(format!("CPU manufacturer {got}"));
        }
        let name = t.name.as_str();
        if let Some(p) = self.excluded_instance_types.iter().find(|p| Pattern::action(p).matches(name)) {
            return Err(format!("{name} matches the excluded pattern {p}"));
        }
        if !self.allowed_instance_types.is_empty() {
            match self.allowed_instance_types.iter().find(|p| Pattern::action(p).matches(name)) {
                Some(p) => checked.push(format!("{name} matches the allowed pattern {p}")),
                None => {
                    return Err(format!("{name} matches none of the allowed types ({})", {
                        self.allowed_instance_types.join(", ")
                    }))
                }
            }
        }
        if !self.instance_generations.is_empty() {
            let current = t.current_generation.ok_or_else(|| unknown("the generation"))?;
            let generation = if current { "current" } else { "previous" };
            if !self.instance_generations.iter().any(|g| g.eq_ignore_ascii_case(generation)) {
                return Err(format!("{name} is a {generation}-generation type"));
            }
            checked.push(format!("{generation} generation"));
        }
        let mut kind = |what: &str, rule: Inclusion, has: Option<bool>| -> Result<(), String> {
            if rule == Inclusion::Included {
                return Ok(());
            }
            let has = has.ok_or_else(|| unknown(what))?;
            if rule.admits(has) {
                checked.push(format!("{what} {}", rule.word()));
                Ok(())
            } else {
                Err(format!("{name} is{} {what}, which the requirements have {}", if has { "" } else { " not" }, {
                    rule.word()
                }))
            }
        };
        kind("bare metal", self.bare_metal.unwrap_or(Inclusion::Excluded), t.bare_metal)?;
        kind("burstable", self.burstable_performance.unwrap_or(Inclusion::Excluded), t.burstable)?;
        kind("local storage", self.local_storage.unwrap_or(Inclusion::Included), t.local_storage)?;
        if self.require_hibernate_support {
            kind("hibernation-capable", Inclusion::Required, t.hibernation_supported)?;
        }
        if !self.local_storage_types.is_empty() && t.local_storage != Some(false) {
            if t.local_storage_types.is_empty() {
                return Err(unknown("the instance-storage disk type"));
            }
            if let Some(d) = t.local_storage_types.iter().find(|d| !self.local_storage_types.contains(d)) {
                return Err(format!("{name} has {d} instance storage, not {}", self.local_storage_types.join(", ")));
            }
        }
        // Accelerator types, makers and names list what must be on the type: naming any excludes types without one.
        let named = [&self.accelerator_types, &self.accelerator_manufacturers, &self.accelerator_names];
        if named.iter().any(|l| !l.is_empty()) && t.accelerators.is_empty() {
            return Err(format!("{name} has no accelerator, and the requirements name the accelerators it must have"));
        }
        for a in &t.accelerators {
            let list = |what: &str, allowed: &[String], value: &str| -> Result<(), String> {
                if allowed.is_empty() || allowed.iter().any(|x| same_name(x, value)) {
                    Ok(())
                } else {
                    Err(format!("{name} has a {what} {value}, not one of {}", allowed.join(", ")))
                }
            };
            list("accelerator of type", &self.accelerator_types, &a.kind)?;
            list("accelerator made by", &self.accelerator_manufacturers, &a.manufacturer)?;
            list("accelerator named", &self.accelerator_names, &a.name)?;
        }
        for n in &self.not_type_properties {
            checked.push(format!("{n} not checked (not a property of the type)"));
        }
        Ok(checked)
    }
}
