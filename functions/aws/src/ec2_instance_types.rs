//! Auto Scaling's `InstanceRequirements` and EC2's `InstanceTypeInfo` → the core's plain data.

use aws_sdk_autoscaling::types as asg;
use aws_sdk_ec2::types::InstanceTypeInfo;
use scalegate_core::gate::{Accelerator, Bounds, Inclusion, InstanceRequirements, InstanceTypeFacts};

fn bounds_i(min: Option<i32>, max: Option<i32>) -> Bounds {
    Bounds { min: min.map(f64::from), max: max.map(f64::from) }
}

fn bounds_f(min: Option<f64>, max: Option<f64>) -> Bounds {
    Bounds { min, max }
}

fn inclusion(text: &str) -> Inclusion {
    match text {
        "included" => Inclusion::Included,
        "excluded" => Inclusion::Excluded,
        // "required", and any value this build does not know: the strictest reading.
        _ => Inclusion::Required,
    }
}

fn words<T: AsRef<str>>(values: &[T]) -> Vec<String> {
    values.iter().map(|v| v.as_ref().to_string()).collect()
}

/// A group override's requirements.
pub fn instance_requirements(r: &asg::InstanceRequirements) -> InstanceRequirements {
    let mut not_type_properties = Vec::new();
    for (name, set) in [
        ("SpotMaxPricePercentageOverLowestPrice", r.spot_max_price_percentage_over_lowest_price().is_some()),
        (
            "MaxSpotPriceAsPercentageOfOptimalOnDemandPrice",
            r.max_spot_price_as_percentage_of_optimal_on_demand_price().is_some(),
        ),
        ("OnDemandMaxPricePercentageOverLowestPrice", r.on_demand_max_price_percentage_over_lowest_price().is_some()),
        ("BaselinePerformanceFactors", r.baseline_performance_factors().is_some()),
    ] {
        if set {
            not_type_properties.push(name.to_string());
        }
    }
    InstanceRequirements {
        vcpu_count: r.v_cpu_count().map(|b| bounds_i(b.min(), b.max())).unwrap_or_default(),
        memory_mib: r.memory_mib().map(|b| bounds_i(b.min(), b.max())).unwrap_or_default(),
        cpu_manufacturers: r.cpu_manufacturers().iter().map(|m| m.as_str().to_string()).collect(),
        memory_gib_per_vcpu: r.memory_gib_per_v_cpu().map(|b| bounds_f(b.min(), b.max())).unwrap_or_default(),
        excluded_instance_types: words(r.excluded_instance_types()),
        allowed_instance_types: words(r.allowed_instance_types()),
        instance_generations: r.instance_generations().iter().map(|g| g.as_str().to_string()).collect(),
        bare_metal: r.bare_metal().map(|b| inclusion(b.as_str())),
        burstable_performance: r.burstable_performance().map(|b| inclusion(b.as_str())),
        require_hibernate_support: r.require_hibernate_support().unwrap_or(false),
        network_interface_count: r.network_interface_count().map(|b| bounds_i(b.min(), b.max())).unwrap_or_default(),
        local_storage: r.local_storage().map(|l| inclusion(l.as_str())),
        local_storage_types: r.local_storage_types().iter().map(|t| t.as_str().to_string()).collect(),
        total_local_storage_gb: r.total_local_storage_gb().map(|b| bounds_f(b.min(), b.max())).unwrap_or_default(),
        baseline_ebs_bandwidth_mbps: r
            .baseline_ebs_bandwidth_mbps()
            .map(|b| bounds_i(b.min(), b.max()))
            .unwrap_or_default(),
        accelerator_types: r.accelerator_types().iter().map(|t| t.as_str().to_string()).collect(),
        accelerator_count: r.accelerator_count().map(|b| bounds_i(b.min(), b.max())).unwrap_or_default(),
        accelerator_manufacturers: r.accelerator_manufacturers().iter().map(|m| m.as_str().to_string()).collect(),
        accelerator_names: r.accelerator_names().iter().map(|n| n.as_str().to_string()).collect(),
        accelerator_total_memory_mib: r
            .accelerator_total_memory_mib()
            .map(|b| bounds_i(b.min(), b.max()))
            .unwrap_or_default(),
        network_bandwidth_gbps: r.network_bandwidth_gbps().map(|b| bounds_f(b.min(), b.max())).unwrap_or_default(),
        not_type_properties,
    }
}

/// What the gate needs of a type's description.
pub fn instance_type_facts(t: &InstanceTypeInfo) -> InstanceTypeFacts {
    let network = t.network_info();
    let cards: Vec<f64> = network
        .map(|n| n.network_cards().iter().filter_map(|c| c.baseline_bandwidth_in_gbps()).collect())
        .unwrap_or_default();
    let storage = t.instance_storage_info();
    let mut accelerators = Vec::new();
    let mut add =
        |kind: &str, count: Option<i32>, manufacturer: Option<&str>, name: Option<&str>, each_mib: Option<i32>| {
            let count = count.unwrap_or(0);
            accelerators.push(Accelerator {
                kind: kind.to_string(),
                count,
                manufacturer: manufacturer.unwrap_or_default().to_string(),
                name: name.unwrap_or_default().to_string(),
                total_memory_mib: each_mib.map(|m| f64::from(m) * f64::from(count)),
            });
        };
    for d in t.gpu_info().map(|g| g.gpus()).unwrap_or_default() {
        add("gpu", d.count(), d.manufacturer(), d.name(), d.memory_info().and_then(|m| m.size_in_mib()));
    }
    for d in t.fpga_info().map(|f| f.fpgas()).unwrap_or_default() {
        add("fpga", d.count(), d.manufacturer(), d.name(), d.memory_info().and_then(|m| m.size_in_mib()));
    }
    // Inferentia chips appear both as inference accelerators and as Neuron devices: count them once.
    let inference = t.inference_accelerator_info().map(|i| i.accelerators()).unwrap_or_default();
    for d in inference {
        add("inference", d.count(), d.manufacturer(), d.name(), d.memory_info().and_then(|m| m.size_in_mib()));
    }
    if inference.is_empty() {
        for d in t.neuron_info().map(|n| n.neuron_devices()).unwrap_or_default() {
            add("inference", d.count(), Some("AWS"), d.name(), d.memory_info().and_then(|m| m.size_in_mib()));
        }
    }
    // Media accelerators (vt1's Xilinx U30) are accelerators too; no accelerator type names them.
    for d in t.media_accelerator_info().map(|m| m.accelerators()).unwrap_or_default() {
        add("media", d.count(), d.manufacturer(), d.name(), d.memory_info().and_then(|m| m.size_in_mib()));
    }
    InstanceTypeFacts {
        name: t.instance_type().map(|i| i.as_str().to_string()).unwrap_or_default(),
        vcpus: t.v_cpu_info().and_then(|v| v.default_v_cpus()).map(f64::from),
        memory_mib: t.memory_info().and_then(|m| m.size_in_mib()).map(|m| m as f64),
        cpu_manufacturer: t.processor_info().and_then(|p| p.manufacturer()).map(str::to_owned),
        current_generation: t.current_generation(),
        burstable: t.burstable_performance_supported(),
        bare_metal: t.bare_metal(),
        hibernation_supported: t.hibernation_supported(),
        max_network_interfaces: network.and_then(|n| n.maximum_network_interfaces()).map(f64::from),
        network_bandwidth_gbps: if cards.is_empty() { None } else { Some(cards.iter().sum()) },
        local_storage: t.instance_storage_supported(),
        local_storage_gb: storage.and_then(|s| s.total_size_in_gb()).map(|g| g as f64),
        local_storage_types: storage
            .map(|s| s.disks().iter().filter_map(|d| d.r#type()).map(|t| t.as_str().to_string()).collect())
            .unwrap_or_default(),
        baseline_ebs_bandwidth_mbps: t
            .ebs_info()
            .and_then(|e| e.ebs_optimized_info())
            .and_then(|o| o.baseline_bandwidth_in_mbps())
            .map(f64::from),
        accelerators,
    }
}
