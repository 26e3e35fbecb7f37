//! `scalegate`: run scalegate's logic locally.

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};
use scalegate::audit::Source as AuditSource;
use scalegate::demo::{self, DemoClients, Fleet, FleetSpec};
use scalegate::emulator::{sdk_config_for, Emulator};
use scalegate_aws::gate_handler::{self, RecordOutcome};
use scalegate_aws::sdk::Clients;
use scalegate_aws::sqs_batch::Redelivery;
use scalegate_aws::{launch_gate, telemetry};
use scalegate_core::gate::GateRules;
use scalegate_core::lifecycle;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

/// Exit code for input scalegate rejects.
const EXIT_REJECTED: u8 = 2;

#[derive(Parser)]
#[command(
    name = "scalegate",
    version,
    about = "Fast, safe EC2 Auto Scaling: gate launches, drain leased workers, audit duties, replay events, run the demo.",
    long_about = "scalegate runs the same logic as its Lambda functions, locally.\n\n\
        AWS calls go wherever the standard SDK configuration points: set AWS_ENDPOINT_URL to use the local \
        emulator (`make emulator` starts it on http://127.0.0.1:4599), or leave it unset to use your account.",
    after_help = "Examples:\n  \
        scalegate event tests/fixtures/events/sqs-batch-mixed.json\n  \
        AWS_ENDPOINT_URL=http://127.0.0.1:4599 scalegate gate --event event.json --dry-run\n  \
        scalegate drain --event terminate.json --dry-run\n  \
        scalegate demo"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Parse lifecycle notifications and print one JSON object per notification.
    ///
    /// Accepts every shape Auto Scaling delivers: EventBridge events (also inside SQS bodies), direct SQS
    /// notifications, SNS and SNS→SQS envelopes, Lambda SQS/SNS batches, and autoscaling:TEST_NOTIFICATION.
    /// Each line has exactly the keys kind, token, auto_scaling_group, hook, instance_id, transition, origin,
    /// destination, metadata, delivery (absent values are null).
    /// Exits 2 with a one-line error for malformed JSON, a missing or bad field (named), or input that holds no
    /// lifecycle notification.
    Event {
        /// A JSON file, or `-` for standard input.
        file: PathBuf,
    },
    /// Run the launch gate on an event, against the AWS endpoint the SDK is configured for.
    ///
    /// Prints the decision log line for each launch action (verdict, each check with its result, reason and
    /// duration, the rules' version). Exit 0 when every record was handled, 1 when one could not be completed,
    /// 2 when the input is rejected.
    Gate {
        /// The event: any shape `scalegate event` accepts; `-` for standard input.
        #[arg(long)]
        event: PathBuf,
        /// Decide and print, but do not complete (or heartbeat) the lifecycle action.
        #[arg(long)]
        dry_run: bool,
        /// Gate rules (TOML). Default: the built-in rules, identical to policies/gate.toml.
        #[arg(long)]
        rules: Option<PathBuf>,
        /// Also print the EMF metric lines the Lambda would emit (to stderr).
        #[arg(long)]
        metrics: bool,
    },
    /// Run the drain function on an event: a terminate lifecycle action (any shape `scalegate event` accepts), or
    /// one of the drain's own re-check messages (an SQS batch holding it).
    ///
    /// Reads the instance's work lease (its `scalegate:lease-expires` tag) and the hook's timeouts, then completes
    /// the action with CONTINUE (no live lease, an instance from the warm pool, or the budget spent) or heartbeats the
    /// hook and sends a re-check to --queue-url with the delay it chose (doubling from --first-delay up to
    /// --max-delay, inside half the hook's heartbeat timeout). Prints the function's log line per record.
    /// Exit 0 when every record was handled, 1 when one must be delivered again, 2 when the input is rejected.
    #[command(after_help = "Examples:\n  \
        scalegate drain --event terminate.json --dry-run\n  \
        scalegate drain --event terminate.json --queue-url https://sqs.us-east-1.amazonaws.com/123456789012/scalegate-drain-events")]
    Drain {
        /// The event; `-` for standard input.
        #[arg(long)]
        event: PathBuf,
        /// Read and decide, but do not heartbeat, complete, re-queue or dead-letter.
        #[arg(long)]
        dry_run: bool,
        /// The drain's queue, where re-checks go (required unless --dry-run).
        #[arg(long, env = "SCALEGATE_DRAIN_QUEUE_URL")]
        queue_url: Option<String>,
        /// The dead-letter queue for records that cannot be read.
        #[arg(long, env = "SCALEGATE_DRAIN_DLQ_URL")]
        dlq_url: Option<String>,
        /// Longest a leased instance may hold up its termination (1s to 48h; the function's default: 1h).
        #[arg(long, env = "SCALEGATE_DRAIN_BUDGET")]
        budget: Option<String>,
        /// First re-check delay (default: 15s).
        #[arg(long, env = "SCALEGATE_DRAIN_FIRST_DELAY")]
        first_delay: Option<String>,
        /// Longest re-check delay (at most 900s; default: 5m).
        #[arg(long, env = "SCALEGATE_DRAIN_MAX_DELAY")]
        max_delay: Option<String>,
        /// Also print the EMF metric lines the Lambda would emit (to stderr).
        #[arg(long)]
        metrics: bool,
    },
    /// Prove that scaling roles cannot deploy code or touch data, and that deploy roles cannot drive scaling.
    ///
    /// Reads roles, users and groups from one input: a policies directory (default `policies`: DIR/roles/<role>.json is the role's
    /// identity policy, DIR/roles/<role>.trust.json its trust policy when present), or one of --authorization-details,
    /// --terraform-plan, --cfn, --live. Every (role or user, duty, forbidden class) is reported: `cannot` only when
    /// proven, otherwise `may` with a witness: a direct grant, or an escalation path hop by hop (assuming or passing a
    /// role, reusing compute that runs as one, a user's credentials or groups, policy edits, creating a principal;
    /// `scalegate methods` lists them), ending in the grant.
    /// What the input leaves unknown is widened (an unknown policy counts as Allow *) and said on stderr.
    /// Exit 0 when every check is `cannot`, 1 when any is `may`, 2 on unreadable input.
    #[command(group(clap::ArgGroup::new("input").args(["dir", "authorization_details", "terraform_plan", "cfn", "live"])))]
    Audit {
        /// A policies directory in the project's layout (default: policies).
        dir: Option<PathBuf>,
        /// Output of `aws iam get-account-authorization-details` (the whole account; only default policy versions
        /// count).
        #[arg(long, value_name = "FILE")]
        authorization_details: Option<PathBuf>,
        /// Output of `terraform show -json PLANFILE`; values unknown until apply count as wildcards.
        #[arg(long, value_name = "FILE")]
        terraform_plan: Option<PathBuf>,
        /// A CloudFormation or CDK-synthesized template (JSON); intrinsic functions count as wildcards.
        #[arg(long, value_name = "FILE")]
        cfn: Option<PathBuf>,
        /// The account the standard SDK configuration points at (GetAccountAuthorizationDetails, every page).
        #[arg(long)]
        live: bool,
        /// Duties file (TOML). Default: the built-in policies/duties.toml.
        #[arg(long)]
        duties: Option<PathBuf>,
        /// Output format: text, json, or sarif (SARIF 2.1.0 for code scanning).
        #[arg(long, value_enum, default_value_t = AuditFormat::Text)]
        format: AuditFormat,
    },
    /// Backlog per instance: the queue-worker signal target tracking scales on, as the backlog-metric function computes it.
    ///
    /// One pair from flags (--queue, --group, --latency, --seconds-per-message) or every pair of a config file
    /// (--config, the function's TOML). Prints messages, capable instances (InService, past warmup, not draining,
    /// not in standby or the warm pool), backlog per instance, the target (latency ÷ seconds per message) and the
    /// capacity target tracking would ask for. With --messages and --instances it only does the arithmetic, offline.
    /// Publishes nothing unless --put-metric-data (or --emf, which prints the EMF lines the function would write).
    #[command(after_help = "Examples:\n  \
        scalegate backlog --messages 1500 --instances 10 --latency 10s --seconds-per-message 0.1\n  \
        scalegate backlog --queue jobs --group workers --latency 10s --seconds-per-message 0.1\n  \
        scalegate backlog --config backlog.toml --put-metric-data")]
    Backlog {
        /// The backlog-metric function's config file (TOML).
        #[arg(long, conflicts_with_all = ["queue", "group", "messages"])]
        config: Option<PathBuf>,
        /// Queue name or URL.
        #[arg(long, requires = "group")]
        queue: Option<String>,
        /// Auto Scaling group name.
        #[arg(long)]
        group: Option<String>,
        /// Acceptable time for a message to wait, e.g. 10s, 2m.
        #[arg(long, value_parser = duration_arg)]
        latency: Option<Duration>,
        /// Seconds one instance spends on one message, or `measure` (from the queue's deleted-message rate).
        #[arg(long)]
        seconds_per_message: Option<String>,
        /// With `measure`: the value to use when the queue shows no deletions.
        #[arg(long)]
        fallback_seconds_per_message: Option<f64>,
        /// Do not count messages in flight (received, not yet deleted).
        #[arg(long)]
        no_in_flight: bool,
        /// Count delayed messages too.
        #[arg(long)]
        count_delayed: bool,
        /// Warmup when the group sets no DefaultInstanceWarmup, e.g. 90s.
        #[arg(long, value_parser = duration_arg, default_value = "0s")]
        instance_warmup: Duration,
        /// Offline arithmetic: messages waiting.
        #[arg(long, requires = "instances", conflicts_with = "queue")]
        messages: Option<u64>,
        /// Offline arithmetic: instances that can take work.
        #[arg(long, requires = "messages")]
        instances: Option<u32>,
        /// Publish through PutMetricData.
        #[arg(long)]
        put_metric_data: bool,
        /// Also print the EMF lines the function would write.
        #[arg(long)]
        emf: bool,
    },
    /// Work leases: scale-in protection a worker holds while busy, which cannot leak.
    ///
    /// `acquire` tags the instance with a lease expiry and protects it from scale-in; `renew` moves the expiry (call
    /// it well within the TTL); `release` removes the protection and the tag. If the worker dies, the
    /// protection-reaper function removes the protection once the lease expires (in groups tagged
    /// scalegate:leases=true). --instance and --group default to what instance metadata (IMDSv2) reports.
    Lease {
        /// acquire, renew or release.
        #[arg(value_enum)]
        action: LeaseAction,
        /// Instance id (default: this instance, from IMDSv2).
        #[arg(long)]
        instance: Option<String>,
        /// Auto Scaling group (default: this instance's, from its metadata tags or DescribeAutoScalingInstances).
        #[arg(long)]
        group: Option<String>,
        /// How long the lease lasts without a renewal, e.g. 5m (acquire and renew).
        #[arg(long, value_parser = duration_arg, default_value = "5m")]
        ttl: Duration,
    },
    /// List the documented IAM actions a pattern matches, with their access levels (from the vendored catalog).
    ///
    /// Handy when writing a duties file: `scalegate actions 'lambda:Update*'`. The catalog explains; the audit never
    /// relies on it (a wildcard also grants actions AWS adds later).
    Actions {
        /// An action pattern: `service:Action`, `*` and `?` allowed, case-insensitive.
        pattern: String,
    },
    /// Print the escalation methods the audit models, as a Markdown table (the README's list is this output).
    ///
    /// One row per method: what it does, what it gives (assume a role, pass a role to a service, reuse compute that
    /// runs as a role, act as a user, join a group, a policy edit, a new principal), the actions it needs and the
    /// public catalogues that publish it. The rules behind the rows cover what nobody listed: any write-level action
    /// of a service the table does not list counts as starting compute with a role passed to it.
    Methods,
    /// Watch the launch gate police a scale-out on the local emulator.
    ///
    /// Starts the emulator from the project virtualenv (unless AWS_ENDPOINT_URL names a running one), builds a
    /// fleet with a compliant and a drifted launch template, a launch hook defaulting to ABANDON and a warm pool,
    /// scales out to ten and gates every notification as it arrives. Never touches a real account.
    Demo {
        /// Project root (holding .venv and infra/local).
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Instances to scale out to after the rollback.
        #[arg(long, default_value_t = 10)]
        scale_to: i32,
        /// Instances launched from the drifted template first.
        #[arg(long, default_value_t = 2)]
        drifted: i32,
        /// Warm pool size.
        #[arg(long, default_value_t = 2)]
        warm_pool: i32,
    },
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum LeaseAction {
    Acquire,
    Renew,
    Release,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum AuditFormat {
    Text,
    Json,
    Sarif,
}

fn read_input(path: &Path) -> Result<String> {
    if path == Path::new("-") {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s).context("reading standard input")?;
        Ok(s)
    } else {
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    telemetry::init_json_logs(true);
    let result = match cli.command {
        Command::Event { file } => event(&file),
        Command::Gate { event, dry_run, rules, metrics } => gate(&event, dry_run, rules.as_deref(), metrics).await,
        Command::Drain { event, dry_run, queue_url, dlq_url, budget, first_delay, max_delay, metrics } => {
            let settings = [
                ("SCALEGATE_DRAIN_BUDGET", budget),
                ("SCALEGATE_DRAIN_FIRST_DELAY", first_delay),
                ("SCALEGATE_DRAIN_MAX_DELAY", max_delay),
            ];
            // Unset flags keep the function's own defaults.
            match scalegate_core::drain::DrainConfig::from_settings(|k| {
                settings.iter().find(|(name, _)| *name == k).and_then(|(_, v)| v.clone())
            }) {
                Ok(config) => drain(&event, dry_run, queue_url, dlq_url, config, metrics).await,
                Err(e) => Err(e.into()),
            }
        }
        Command::Demo { root, scale_to, drifted, warm_pool } => run_demo(&root, scale_to, drifted, warm_pool).await,
        Command::Actions { pattern } => actions(&pattern),
        Command::Methods => {
            print!("{}", scalegate_core::iam::methods::markdown());
            eprintln!("{} methods", scalegate_core::iam::methods::METHODS.len());
            Ok(ExitCode::SUCCESS)
        }
        Command::Lease { action, instance, group, ttl } => lease(action, instance, group, ttl).await,
        Command::Backlog {
            config,
            queue,
            group,
            latency,
            seconds_per_message,
            fallback_seconds_per_message,
            no_in_flight,
            count_delayed,
            instance_warmup,
            messages,
            instances,
            put_metric_data,
            emf,
        } => {
            let pair = |queue: String, group: String| -> Result<scalegate_core::backlog::Pair> {
                use scalegate_core::backlog::PerMessage;
                let latency = latency.context("--latency is required (e.g. --latency 10s)")?;
                let per = match seconds_per_message.as_deref() {
                    None => bail!("--seconds-per-message is required (a number, or `measure`)"),
                    Some("measure") => PerMessage::Measure {
                        fallback: fallback_seconds_per_message
                            .context("--seconds-per-message measure needs --fallback-seconds-per-message")?,
                    },
                    Some(n) => PerMessage::Fixed(
                        n.parse()
                            .with_context(|| format!("--seconds-per-message: `{n}` is not a number or `measure`"))?,
                    ),
                };
                Ok(scalegate_core::backlog::Pair {
                    queue,
                    group,
                    latency,
                    seconds_per_message: per,
                    count_in_flight: !no_in_flight,
                    count_delayed,
                    namespace: scalegate_core::emf::NAMESPACE.to_string(),
                    resolution: 60,
                    instance_warmup,
                })
            };
            let request = match (config, queue, group, messages, instances) {
                (Some(path), ..) => Ok(BacklogRequest::Config(path)),
                (None, _, _, Some(m), Some(i)) => Ok(BacklogRequest::Offline(pair("-".into(), "-".into()), m, i)),
                (None, Some(q), Some(g), ..) => Ok(BacklogRequest::Pair(pair(q, g))),
                _ => Err(anyhow::anyhow!("give --config FILE, or --queue and --group, or --messages and --instances")),
            };
            match request {
                Ok(r) => backlog(r, put_metric_data, emf).await,
                Err(e) => Err(e),
            }
        }
        Command::Audit { dir, authorization_details, terraform_plan, cfn, live, duties, format } => {
            let source = match (dir, authorization_details, terraform_plan, cfn, live) {
                (_, Some(p), _, _, _) => AuditSource::AuthorizationDetails(p),
                (_, _, Some(p), _, _) => AuditSource::TerraformPlan(p),
                (_, _, _, Some(p), _) => AuditSource::CloudFormation(p),
                (_, _, _, _, true) => AuditSource::Live,
                (dir, ..) => AuditSource::Directory(dir.unwrap_or_else(|| PathBuf::from("policies"))),
            };
            audit(source, duties.as_deref(), format).await
        }
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("scalegate: {e:#}");
            ExitCode::from(EXIT_REJECTED)
        }
    }
}

fn event(file: &Path) -> Result<ExitCode> {
    let input = read_input(file)?;
    let notifications = lifecycle::parse_all(&input)?;
    for n in notifications {
        println!("{}", n.to_json());
    }
    Ok(ExitCode::SUCCESS)
}

async fn audit(source: AuditSource, duties: Option<&Path>, format: AuditFormat) -> Result<ExitCode> {
    use scalegate_core::iam::{self, Duties};
    let duties = match duties {
        Some(p) => Duties::from_toml(
            &std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?,
            &p.display().to_string(),
        )?,
        None => Duties::builtin()?,
    };
    let client = match source {
        AuditSource::Live => {
            let shared = aws_config::defaults(aws_config::BehaviorVersion::latest()).load().await;
            Some(scalegate_aws::iam_inventory::iam_client(&shared))
        }
        _ => None,
    };
    let audited = scalegate::audit::load(&source, client.as_ref()).await?;
    for w in &audited.loaded.warnings {
        eprintln!("scalegate: warning: {w}");
    }
    let report = iam::audit(&audited.loaded.inventory, &duties);
    match format {
        AuditFormat::Json => println!("{}", scalegate::audit::json(&report)),
        AuditFormat::Sarif => println!("{}", scalegate::audit::sarif(&report, &audited)),
        AuditFormat::Text => print!("{}", scalegate::audit::text(&report)),
    }
    Ok(if report.clean() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

async fn lease(
    action: LeaseAction,
    instance: Option<String>,
    group: Option<String>,
    ttl: Duration,
) -> Result<ExitCode> {
    use scalegate_aws::leases::{imds_group, imds_instance_id, SdkLeases};
    use scalegate_core::lease::{acquire, release, renew};
    let shared = aws_config::defaults(aws_config::BehaviorVersion::latest()).load().await;
    let clients = Clients::from_shared(&shared, None);
    let leases = SdkLeases::new(clients.autoscaling, clients.ec2);
    let instance = match instance {
        Some(i) => i,
        None => imds_instance_id().await.map_err(anyhow::Error::msg)?,
    };
    let group = match group {
        Some(g) => g,
        None => match imds_group().await {
            Some(g) => g,
            None => leases.group_of(&instance).await.context("finding the instance's group (or pass --group)")?,
        },
    };
    let now = chrono::Utc::now();
    match action {
        LeaseAction::Acquire | LeaseAction::Renew => {
            let expires = if action == LeaseAction::Acquire {
                acquire(&leases, &group, &instance, ttl, now).await?
            } else {
                renew(&leases, &group, &instance, ttl, now).await?
            };
            println!("{instance} in {group}: protected from scale-in, lease expires {expires}");
        }
        LeaseAction::Release => {
            release(&leases, &group, &instance).await?;
            println!("{instance} in {group}: lease released, no longer protected");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// What `scalegate backlog` was asked to compute.
enum BacklogRequest {
    Config(PathBuf),
    Pair(Result<scalegate_core::backlog::Pair>),
    Offline(Result<scalegate_core::backlog::Pair>, u64, u32),
}

fn duration_arg(s: &str) -> Result<Duration, String> {
    scalegate_core::duration::parse_duration(s)
}

async fn backlog(request: BacklogRequest, put_metric_data: bool, emf: bool) -> Result<ExitCode> {
    use scalegate_core::backlog::{figures, BacklogConfig, Publish};
    let publish = if put_metric_data { Publish::PutMetricData } else { Publish::Emf };
    let config = match request {
        BacklogRequest::Offline(pair, messages, instances) => {
            let pair = pair?;
            let f = figures(messages, instances, pair.latency, pair.seconds_per_message.configured());
            println!(
                "{messages} messages, {instances} instance(s): backlog per instance {:.1}, target {:.1} \
                 ({}s ÷ {}s per message); target tracking asks for {} instance(s)",
                f.backlog_per_instance,
                f.target,
                pair.latency.as_secs_f64(),
                pair.seconds_per_message.configured(),
                f.capacity_wanted
            );
            return Ok(ExitCode::SUCCESS);
        }
        BacklogRequest::Pair(pair) => BacklogConfig::single(pair?, publish)?,
        BacklogRequest::Config(path) => {
            let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
            let mut c = BacklogConfig::from_toml(&text, &path.display().to_string())?;
            c.publish = publish;
            c
        }
    };
    let shared = aws_config::defaults(aws_config::BehaviorVersion::latest()).load().await;
    let clients = Clients::from_shared(&shared, None);
    let reader = scalegate_aws::backlog_reader::SdkBacklog::new(
        clients.sqs,
        clients.autoscaling,
        clients.ec2,
        clients.cloudwatch,
    );
    let sink = put_metric_data.then_some(&reader);
    let run = scalegate_core::backlog::run(&config, &reader, sink, chrono::Utc::now()).await;
    println!(
        "{:<24} {:<24} {:>9} {:>8} {:>17} {:>8} {:>8}  TARGET TRACKING WANTS",
        "QUEUE", "GROUP", "MESSAGES", "CAPABLE", "BACKLOG/INSTANCE", "TARGET", "SEC/MSG"
    );
    for p in &run.pairs {
        let queue = p.queue.rsplit('/').next().unwrap_or(&p.queue);
        match &p.outcome {
            Ok(f) => println!(
                "{:<24} {:<24} {:>9} {:>8} {:>17.1} {:>8.1} {:>8.3}  {} instance(s){}",
                queue,
                p.group,
                f.figures.messages,
                f.figures.capable,
                f.figures.backlog_per_instance,
                f.figures.target,
                f.seconds_per_message,
                f.figures.capacity_wanted,
                match f.measured_seconds_per_message {
                    Some(m) => format!(" (measured {m:.3} s/msg)"),
                    None => String::new(),
                }
            ),
            Err(e) => println!("{:<24} {:<24} NOT PUBLISHED: {e}", queue, p.group),
        }
    }
    if emf {
        for line in run.lines.iter().filter(|l| l.contains("\"_aws\"")) {
            eprintln!("{line}");
        }
    }
    if put_metric_data && run.publish_error.is_none() {
        let published = run.pairs.iter().filter(|p| p.outcome.is_ok()).count();
        eprintln!("published {published} pair(s) through PutMetricData");
    }
    let failures = run.failures();
    for f in &failures {
        eprintln!("scalegate: {f}");
    }
    Ok(if failures.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

fn actions(pattern: &str) -> Result<ExitCode> {
    use scalegate_core::iam::{Catalog, Pattern};
    let catalog = Catalog::builtin();
    let pattern = Pattern::action(pattern);
    let found: Vec<_> = catalog.matching(&pattern).collect();
    for a in &found {
        println!("{:<64} {}", a.name, a.level.as_str());
    }
    eprintln!("{} of {} documented actions match ({})", found.len(), catalog.len(), catalog.source);
    Ok(if found.is_empty() { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

fn load_rules(path: Option<&Path>) -> Result<GateRules> {
    match path {
        Some(p) => Ok(GateRules::load(p)?),
        None => Ok(gate_handler::rules_from_env()?),
    }
}

async fn gate(event: &Path, dry_run: bool, rules: Option<&Path>, metrics: bool) -> Result<ExitCode> {
    let input = read_input(event)?;
    let rules = load_rules(rules)?;
    let clients = Clients::load(None).await;
    let gate = launch_gate(&clients.ec2, &clients.autoscaling, rules, dry_run);
    let report = gate_handler::handle(&gate, &input, chrono::Utc::now).await?;
    let mut failed = false;
    print_lines(&report.log_lines, metrics);
    for record in &report.records {
        failed |= record.outcome.redelivery().is_some();
        let line = match &record.outcome {
            RecordOutcome::Decided(_) => continue,
            RecordOutcome::AlreadyDecided { instance_id, lifecycle_state } => serde_json::json!({
                "message": "already decided", "instance_id": instance_id, "lifecycle_state": lifecycle_state}),
            RecordOutcome::TestDropped { auto_scaling_group } => serde_json::json!({
                "message": "test notification dropped", "auto_scaling_group": auto_scaling_group}),
            RecordOutcome::NotALaunch { instance_id } => serde_json::json!({
                "message": "not a launch action; left alone", "instance_id": instance_id}),
            RecordOutcome::Rejected(e) => serde_json::json!({"message": "rejected", "error": e}),
        };
        println!("{line}");
    }
    Ok(if failed { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

async fn drain(
    event: &Path,
    dry_run: bool,
    queue_url: Option<String>,
    dlq_url: Option<String>,
    config: scalegate_core::drain::DrainConfig,
    metrics: bool,
) -> Result<ExitCode> {
    use scalegate_aws::drain_handler::{aws_drain, handle_value, SqsRecheckQueue};
    let input = read_input(event)?;
    let payload: serde_json::Value =
        serde_json::from_str(&input).map_err(|e| lifecycle::ParseError::MalformedJson(e.to_string()))?;
    let queue_url = match (queue_url, dry_run) {
        (Some(url), _) => url,
        (None, true) => String::new(),
        (None, false) => {
            bail!("--queue-url (or SCALEGATE_DRAIN_QUEUE_URL) is required unless --dry-run: re-checks are sent there")
        }
    };
    let clients = Clients::load(None).await;
    let queue = SqsRecheckQueue::new(clients.sqs.clone(), queue_url, dlq_url);
    let drain = aws_drain(&clients.ec2, &clients.autoscaling, queue, config, dry_run);
    let report = handle_value(&drain, &payload).await?;
    print_lines(&report.lines, metrics);
    let failed = report.records.iter().any(|(_, o)| o.should_redeliver());
    Ok(if failed { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

/// Log lines to stdout; EMF lines to stderr when asked for, else nowhere.
fn print_lines(lines: &[String], metrics: bool) {
    for line in lines {
        if line.contains("\"_aws\"") {
            if metrics {
                eprintln!("{line}");
            }
        } else {
            println!("{line}");
        }
    }
}

async fn run_demo(root: &Path, scale_to: i32, drifted: i32, warm_pool: i32) -> Result<ExitCode> {
    if drifted < 0 || warm_pool < 0 || scale_to < drifted {
        bail!("--scale-to must be at least --drifted, and sizes must not be negative");
    }
    let (emulator, endpoint) = match std::env::var("AWS_ENDPOINT_URL") {
        Ok(url) if !url.is_empty() => (None, url),
        _ => {
            println!("starting the local AWS emulator ...");
            let e = Emulator::start(root)?;
            let url = e.endpoint().to_string();
            (Some(e), url)
        }
    };
    println!("scalegate demo — local AWS emulator at {endpoint}\n");
    let config = sdk_config_for(&endpoint).await;
    let c = DemoClients::new(&config);
    let spec = FleetSpec::default();
    let fleet = Fleet::create(&c, &spec).await?;
    println!(
        "1. fleet: group {} (launch hook {}, default ABANDON), subnets {}",
        fleet.group,
        fleet.hook,
        fleet.subnets.join(", ")
    );
    println!(
        "   launch templates: compliant {} · drifted {} (SSH open to the world, IMDSv1, unencrypted volume)",
        fleet.compliant_template, fleet.drifted_template
    );
    fleet.set_desired(&c, drifted).await?;
    println!("2. the drifted template is live: the group launches {drifted} instance(s) from it");
    fleet.roll_back(&c).await?;
    fleet.add_warm_pool(&c, warm_pool).await?;
    fleet.set_desired(&c, scale_to).await?;
    println!("3. rolled back to the compliant template, added a warm pool of {warm_pool}, scaling out to {scale_to}");
    println!("4. gating every lifecycle notification as it arrives:\n");
    println!("{:<21} {:<27} {:<9} {:>8}  FAILED CHECKS", "INSTANCE", "ORIGIN→DESTINATION", "VERDICT", "LATENCY");
    let (run, state) = demo::gate_until_settled(&c, &fleet, GateRules::default(), Duration::from_secs(180), |row| {
        println!(
            "{:<21} {:<27} {:<9} {:>6.1}ms  {}",
            row.instance_id,
            row.route,
            row.verdict,
            row.latency_ms,
            if row.failed_checks.is_empty() { "-".to_string() } else { row.failed_checks.join(", ") }
        );
    })
    .await?;
    let abandoned: Vec<_> = run.rows.iter().filter(|r| r.verdict == "ABANDON").collect();
    println!(
        "\ngroup {}: {} InService of {} desired; warm pool: {}; {} abandoned and replaced",
        fleet.group,
        state.count("InService"),
        state.desired,
        summarize(&state.warm_pool),
        abandoned.len()
    );
    for r in &abandoned {
        println!("  {} abandoned because:", r.instance_id);
        for reason in &r.reasons {
            println!("    - {reason}");
        }
    }
    println!(
        "duplicate deliveries ignored: {}; test notifications dropped: {}; rejected records: {}",
        run.duplicates,
        run.tests_dropped,
        run.rejected.len()
    );
    println!("\n5. a worker takes a work lease; its instance is terminated anyway (as an instance refresh would):\n");
    let act = demo::drain_a_busy_worker(&c, &fleet, &spec.prefix, |event| match event {
        demo::DrainEvent::Terminated { group, instance_id, lifecycle_state } => {
            println!("   {instance_id} in {group}: {lifecycle_state}");
            println!("   {:<5} {:>7}  {:>10}  DRAIN", "LOOK", "AT", "INVOCATION");
        }
        demo::DrainEvent::Look { look, at, outcome, invocation } => println!(
            "   {:<5} {:>6.1}s  {:>8.1}ms  {outcome}",
            look,
            at.as_secs_f64(),
            invocation.as_secs_f64() * 1000.0
        ),
        demo::DrainEvent::Released => println!("   -- the worker finishes its job and releases the lease --"),
    })
    .await?;
    println!(
        "\n   {}: held {:.1} s by {} look(s), the longest invocation {:.0} ms (the waiting happened in the queue); now {}",
        act.instance_id,
        act.drained.as_secs_f64(),
        act.looks,
        act.longest_invocation.as_secs_f64() * 1000.0,
        act.final_state.as_deref().unwrap_or("terminated")
    );
    if let Some(e) = emulator {
        println!("\nstopping the emulator (its log: {})", e.log_path().display());
        drop(e);
    }
    Ok(ExitCode::SUCCESS)
}

fn summarize(pool: &[(String, String)]) -> String {
    if pool.is_empty() {
        return "empty".into();
    }
    let mut counts = std::collections::BTreeMap::new();
    for (_, s) in pool {
        *counts.entry(s.as_str()).or_insert(0) += 1;
    }
    counts.iter().map(|(s, n)| format!("{n} {s}")).collect::<Vec<_>>().join(", ")
}
