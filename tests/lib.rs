//! Shared harness for the cross-crate tests: one emulator per test binary, clients pointing at it, unique names.

use scalegate::emulator::{sdk_config_for, Emulator};
use scalegate_aws::sdk::Clients;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;

/// Figures for the benchmark binaries (`make bench`): percentiles, one summary line, process CPU time.
pub mod figures {
    use std::time::Duration;

    /// The `p` quantile (0 to 1) of sorted values, nearest rank.
    pub fn percentile(sorted: &[f64], p: f64) -> f64 {
        let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
        sorted[i.min(sorted.len() - 1)]
    }

    /// Prints `name  p50 … p99 … max … (n=…)`.
    pub fn summary(name: &str, unit: &str, mut xs: Vec<f64>) {
        xs.sort_by(|a, b| a.total_cmp(b));
        println!(
            "{name:<44} p50 {:>9.3} {unit}   p99 {:>9.3} {unit}   max {:>9.3} {unit}   (n={})",
            percentile(&xs, 0.5),
            percentile(&xs, 0.99),
            xs[xs.len() - 1],
            xs.len()
        );
    }

    /// User + system CPU time of this process so far, from /proc/self/stat (clock ticks of 10 ms).
    pub fn cpu_time() -> Duration {
        let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
        let fields: Vec<&str> = stat.rsplit(')').next().unwrap_or("").split_whitespace().collect();
        let ticks: u64 = fields.get(11).and_then(|u| u.parse().ok()).unwrap_or(0)
            + fields.get(12).and_then(|s| s.parse().ok()).unwrap_or(0);
        Duration::from_millis(ticks * 10)
    }
}

/// The project root.
pub fn project_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The emulator's endpoint, started on first use. It lives as long as the test process (it exits when our end of
/// its stdin closes).
pub fn endpoint() -> &'static str {
    static EMULATOR: OnceLock<Emulator> = OnceLock::new();
    EMULATOR
        .get_or_init(|| {
            Emulator::start(&project_root()).unwrap_or_else(|e| {
                panic!("the end-to-end tests need the local emulator: {e} (run `make setup` first)")
            })
        })
        .endpoint()
}

/// SDK configuration for the emulator.
pub async fn sdk_config() -> aws_config::SdkConfig {
    sdk_config_for(endpoint()).await
}

/// Demo clients for the emulator.
pub async fn clients() -> Clients {
    Clients::new(&sdk_config().await)
}

/// A name no other test in this process uses.
pub fn unique(prefix: &str) -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    format!("{prefix}-{}-{}", std::process::id(), N.fetch_add(1, Ordering::SeqCst))
}

/// A queue-worker group: a launch template and a group of `desired` instances (no hooks, so they go InService at
/// once), in us-east-1a. Returns the group's name.
pub async fn worker_group(c: &Clients, prefix: &str, desired: i32) -> String {
    use aws_sdk_autoscaling::types::LaunchTemplateSpecification;
    use aws_sdk_ec2::types::{InstanceType, RequestLaunchTemplateData};
    let name = unique(prefix);
    let template = c
        .ec2
        .create_launch_template()
        .launch_template_name(&name)
        .launch_template_data(
            RequestLaunchTemplateData::builder()
                .image_id(scalegate::demo::DEMO_AMI)
                .instance_type(InstanceType::T3Micro)
                .build(),
        )
        .send()
        .await
        .expect("CreateLaunchTemplate");
    let template_id = template.launch_template().and_then(|t| t.launch_template_id()).unwrap().to_string();
    c.autoscaling
        .create_auto_scaling_group()
        .auto_scaling_group_name(&name)
        .min_size(0)
        .max_size(50)
        .desired_capacity(desired)
        .availability_zones("us-east-1a")
        .launch_template(
            LaunchTemplateSpecification::builder().launch_template_id(template_id).version("$Latest").build(),
        )
        .send()
        .await
        .expect("CreateAutoScalingGroup");
    name
}

/// Tags a group (`CreateOrUpdateTags`, not propagated to its instances): how a group opts in to a scalegate function.
pub async fn tag_group(c: &Clients, group: &str, key: &str, value: &str) {
    let tag = aws_sdk_autoscaling::types::Tag::builder()
        .resource_id(group)
        .resource_type("auto-scaling-group")
        .key(key)
        .value(value)
        .propagate_at_launch(false)
        .build();
    c.autoscaling.create_or_update_tags().tags(tag).send().await.expect("CreateOrUpdateTags");
}

/// A queue holding `messages` messages (sent ten at a time). Returns its URL.
pub async fn loaded_queue(c: &Clients, prefix: &str, messages: usize) -> String {
    use aws_sdk_sqs::types::SendMessageBatchRequestEntry;
    let url = c.sqs.create_queue().queue_name(unique(prefix)).send().await.expect("CreateQueue");
    let url = url.queue_url().unwrap().to_string();
    use futures::StreamExt;
    let batches = (0..messages).collect::<Vec<_>>();
    let sends: Vec<_> = batches
        .chunks(10)
        .map(|chunk| {
            let entries: Vec<_> = chunk
                .iter()
                .map(|i| {
                    SendMessageBatchRequestEntry::builder()
                        .id(format!("m{i}"))
                        .message_body(format!("job {i}"))
                        .build()
                        .unwrap()
                })
                .collect();
            c.sqs.send_message_batch().queue_url(&url).set_entries(Some(entries)).send()
        })
        .collect();
    // A few at a time: the emulator serves other tests meanwhile.
    let results: Vec<_> = futures::stream::iter(sends).buffer_unordered(8).collect().await;
    for result in results {
        result.expect("SendMessageBatch");
    }
    url
}
