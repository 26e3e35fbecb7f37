//! Flag definitions: what each command accepts, with the help text users read. Conversion to the domain's types is
//! in `convert.rs`; what each command does is in `commands/`.

use clap::{Parser, Subcommand};
use scalegate_core::settings::{DRAIN_BUDGET, DRAIN_DLQ_URL, DRAIN_FIRST_DELAY, DRAIN_MAX_DELAY, DRAIN_QUEUE_URL};
use std::path::PathBuf;
use std::time::Duration;

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
pub(crate) struct Cli {
    /// What to run.
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub(crate) enum Command {
    /// Parse lifecycle notifications and print one JSON object per notification.
    ///
    /// Accepts every shape Auto Scaling delivers: EventBridge events (also inside SQS bodies), direct SQS
    /// notifications, SNS and SNS→SQS envelopes, Lambda SQS/SNS batches, and autoscaling:TEST_NOTIFICATION.
    /// Each line has exactly the keys kind, token, auto_scaling_group, hook, instance_id, transition, origin,
    /// destination, metadata, delivery (absent values are null).
    /// Exits 2 with a one-line error for malformed JSON, a missing or bad field (named), or input that holds no
    /// lifecycle notification.
    Event(EventArgs),
    /// Run the launch gate on an event, against the AWS endpoint the SDK is configured for.
    ///
    /// Prints the decision log line for each launch action (verdict, each check with its result, reason and
    /// duration, the rules' version). Exit 0 when every record was handled, 1 when one could not be completed,
    /// 2 when the input is rejected.
    Gate(GateArgs),
    /// Judge a CloudTrail event as the scaling guard does: who changed the scaling control plane, and whether it is
    /// an alert.
    ///
    /// Reads an EventBridge "AWS API Call via CloudTrail" event (or a bare CloudTrail record) for Auto Scaling or a
    /// launch template, classifies the call (a gate or drain hook deleted or changed, processes suspended, another
    /// template or version, instances attached, detached or moved through standby, protection removed, an instance
    /// marked healthy, the warm pool deleted or Running, a forced delete, deletion protection lowered, capacity set
    /// directly) and judges it against the automation set: Auto Scaling's own calls and the automation's are
    /// trusted. Prints the guard's log line. Exit 0 when it is no alert, 1 when it is one, 2 when the event is not a
    /// CloudTrail record (the field is named) or the document does not validate. With --restore and a [restore]
    /// section, a deleted or weakened gate hook is put back on a group tagged scalegate:guard-restore, as the
    /// function does.
    #[command(after_help = "Examples:\n  \
        scalegate guard --event tests/fixtures/cloudtrail/DeleteLifecycleHook.json\n  \
        scalegate guard --event event.json --config guard.toml --metrics\n  \
        scalegate guard --event event.json --config guard.toml --restore")]
    Guard(GuardArgs),
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
    Drain(DrainArgs),
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
    Audit(AuditArgs),
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
    Backlog(BacklogArgs),
    /// Work leases: scale-in protection a worker holds while busy, which cannot leak.
    ///
    /// `acquire` tags the instance with a lease expiry and protects it from scale-in; `renew` moves the expiry (call
    /// it well within the TTL); `release` removes the protection and the tag. If the worker dies, the
    /// protection-reaper function removes the protection once the lease expires (in groups tagged
    /// scalegate:leases=true). --instance and --group default to what instance metadata (IMDSv2) reports.
    Lease(LeaseArgs),
    /// List the documented IAM actions a pattern matches, with their access levels (from the vendored catalog).
    ///
    /// Handy when writing a duties file: `scalegate actions 'lambda:Update*'`. The catalog explains; the audit never
    /// relies on it (a wildcard also grants actions AWS adds later).
    Actions(ActionsArgs),
    /// Print the escalation methods the audit models, as a Markdown table (the README's list is this output).
    ///
    /// One row per method: what it does, what it gives (assume a role, pass a role to a service, reuse compute that
    /// runs as a role, act as a user, join a group, a policy edit, a new principal), the actions it needs and the
    /// public catalogues that publish it. The rules behind the rows cover what nobody listed: any write-level action
    /// of a service the table does not list counts as starting compute with a role passed to it.
    Methods,
    /// Let launches through when the gate itself is broken; `--undo` puts it back.
    ///
    /// Sets every launch hook of the group to default to CONTINUE (an action nobody completes then continues when
    /// its heartbeat times out), and completes with CONTINUE every launch action waiting now. Each hook's previous
    /// default is saved in a group tag (scalegate:break-glass:<hook>) that --undo restores and removes. While the
    /// gate still runs, `mode = "report-only"` in its rules is the gentler switch: it keeps deciding and logging.
    /// Needs autoscaling:DescribeLifecycleHooks, PutLifecycleHook, CompleteLifecycleAction,
    /// DescribeAutoScalingGroups, CreateOrUpdateTags and DeleteTags on the group.
    #[command(after_help = "Examples:\n  \
        scalegate break-glass --group web\n  \
        scalegate break-glass --group web --undo")]
    BreakGlass(BreakGlassArgs),
    /// Check, push, list and roll back the configuration documents the functions read from S3.
    ///
    /// Gate rules, duties and backlog pairs live as objects in a versioned S3 bucket (the functions name them in
    /// SCALEGATE_GATE_RULES_S3, SCALEGATE_DUTIES_S3 and SCALEGATE_BACKLOG_CONFIG_S3). A running function looks again
    /// when its last look is older than SCALEGATE_CONFIG_MAX_AGE (2s by default), so a pushed version is in use
    /// within that bound plus one read; every gate decision names the version it used (rules_revision). Nothing
    /// invalid is written: push validates first, rollback validates the version it restores. A version that does
    /// not validate anyway (written some other way) never replaces a good one: the functions keep the last good
    /// version and report ConfigRejected.
    #[command(after_help = "Examples:
          scalegate config check --kind gate-rules policies/gate.toml
          scalegate config push --kind gate-rules --to s3://my-scalegate-config/gate.toml gate.toml
          scalegate config history s3://my-scalegate-config/gate.toml
          scalegate config rollback --kind gate-rules s3://my-scalegate-config/gate.toml
          scalegate config rollback --kind gate-rules s3://my-scalegate-config/gate.toml --to 3HL4kqtJlcpXroDTDmJ")]
    Config(ConfigArgs),
    /// Replay a group's scaling policies on a demand, in one-second steps, before it meets traffic.
    ///
    /// Reads a scenario (TOML: demand, per-instance throughput, launch latency by path — cold, and warm from a
    /// Stopped, Hibernated or Running pool —, the launch hook, instance warmup, min/max/desired, the warm pool,
    /// target tracking policies and scheduled actions; see scenarios/README.md) and prints a JSON summary: seconds
    /// over the latency objective, p50/p99 wait, peak backlog, instance-hours by state, the warm pool's storage cost,
    /// scale-outs, scale-ins and oscillations. --csv writes every second; --explain prints each change of desired
    /// capacity with its cause, as DescribeScalingActivities words it, and every assumption the model makes where AWS
    /// documents nothing; --compare runs a second scenario on the same demand and prints both side by side.
    /// Exit 0 after a run, 2 when a scenario or trace is rejected (the field or line is named).
    #[command(after_help = "Examples:\n  \
        scalegate simulate scenarios/launch-morning.toml --explain --svg launch-morning.svg\n  \
        scalegate simulate scenarios/launch-morning.toml --compare scenarios/launch-morning-warm-pool.toml\n  \
        scalegate simulate my-group.toml --trace arrivals.csv --csv steps.csv\n  \
        scalegate simulate my-group.toml --from-cloudwatch workers --document planner.toml --since 24h")]
    Simulate(SimulateArgs),
    /// Size a warm pool from the loop's dead time: the capacity that must already be warm when demand climbs.
    ///
    /// The dead time is what the scenario's first target tracking policy and plant say it is: the metric's lag, the
    /// high alarm's detection (datapoints × period), the cold launch and the hook. The climb is the rise of the
    /// arrival rate over windows that long, at --percentile of the history (the scenario's demand, or --trace);
    /// warm instances = ceil(climb ÷ per-instance throughput). Prints the pool settings that keep them
    /// (MinSize, and MaxGroupPreparedCapacity = group min + warm instances) and their monthly storage cost; with
    /// --simulate, the scenario run with no pool, with the plan, and with AWS's rule of thumb (a pool of 15 % of the
    /// peak's instances), side by side. A history with holes plans nothing and says why (exit 1).
    #[command(after_help = "Examples:\n  \
        scalegate plan-headroom --scenario scenarios/launch-morning.toml --simulate\n  \
        scalegate plan-headroom --scenario my-group.toml --trace arrivals.csv --percentile 0.95\n  \
        scalegate plan-headroom --scenario my-group.toml --from-cloudwatch workers --document planner.toml --simulate")]
    PlanHeadroom(PlanHeadroomArgs),
    /// Plan the warm pools of every group tagged scalegate:warm-pool, as the warm-pool-planner function does.
    ///
    /// For each group tagged `scalegate:warm-pool = MIN-MAX`, reads its demand from CloudWatch (GetMetricData over
    /// the document's history, every page) and its own cold launches (DescribeScalingActivities: launch →
    /// InService, the 90th percentile of at least three), sizes the pool that covers the dead time's climb, and
    /// decides within the tag's bounds: growth at once, shrinking only past the deadband. A history with holes, a
    /// group the document does not describe or a bad tag changes nothing and says why. Prints the function's log
    /// lines and a table. Nothing is put unless --apply. Exit 0, or 1 when a group failed.
    #[command(after_help = "Examples:\n  \
        scalegate warm-pools --document planner.toml\n  \
        scalegate warm-pools --document planner.toml --apply --metrics")]
    WarmPools(WarmPoolsArgs),
    /// Re-run the launch gate's checks on every member of the groups tagged scalegate:drift-sweep, as the
    /// drift-sweep function does.
    ///
    /// For each group tagged `scalegate:drift-sweep` (`report`, `replace`, `replace:N` or `replace:N%`), describes
    /// every InService, Standby and warm-pool instance in batches (200 ids a call; security groups, templates and
    /// prefix lists once each) and runs the gate's credential, firewall and drift checks on it, comparing it with the
    /// template version it was launched from (an instance attached with AttachInstances, with the group's). In
    /// replace mode drifted instances are marked unhealthy (SetInstanceHealth), so the group replaces them with
    /// fresh, gated ones: the most urgent first (an open port), at most the tag's limit a run, never below the
    /// minimum healthy capacity (the group's instance maintenance policy, else --min-healthy-percent of desired),
    /// never one holding a live work lease, never one in standby. Prints the function's log lines and a table.
    /// Nothing is marked unless --apply. Exit 0, 1 when a group failed (a bad tag, a refused mark).
    #[command(after_help = "Examples:\n  \
        scalegate sweep\n  \
        scalegate sweep --rules policies/gate.toml --apply --metrics")]
    Sweep(SweepArgs),
    /// Watch the launch gate police a scale-out on the local emulator.
    ///
    /// Starts the emulator from the project virtualenv (unless AWS_ENDPOINT_URL names a running one), builds a
    /// fleet with a compliant and a drifted launch template, a launch hook defaulting to ABANDON and a warm pool,
    /// scales out to ten and gates every notification as it arrives. Never touches a real account.
    Demo(DemoArgs),
}

#[derive(clap::Args)]
pub(crate) struct SimulateArgs {
    /// The scenario (TOML).
    pub(crate) scenario: PathBuf,
    /// A second scenario run on the same demand (the first scenario's, trace included), printed beside the first.
    #[arg(long, value_name = "SCENARIO")]
    pub(crate) compare: Option<PathBuf>,
    /// Arrivals from a CSV trace (`time,arrivals`: whole seconds, arrivals from that time until the next row's; or
    /// `time,backlog,deleted`: arrivals are the backlog's change plus what was deleted; or `time,backlog`: its rises
    /// only, a lower bound, with a warning):
    /// replaces the scenario's demand, and its length the scenario's duration.
    #[arg(long, value_name = "CSV")]
    pub(crate) trace: Option<PathBuf>,
    /// Write one row per second (t, arrivals, backlog, desired, in service, warming, launching, pooled, preparing,
    /// wait) to this file.
    #[arg(long, value_name = "FILE")]
    pub(crate) csv: Option<PathBuf>,
    /// Print each scaling decision with its cause, and the model's assumptions, before the summary.
    #[arg(long)]
    pub(crate) explain: bool,
    /// Draw the run as an SVG chart: demand against serving capacity with the seconds over the objective shaded,
    /// and the fleet by state (in service, warming, launching, warm pool) with the desired capacity.
    #[arg(long, value_name = "FILE")]
    pub(crate) svg: Option<PathBuf>,
    /// A live group's demand instead of the scenario's.
    #[command(flatten)]
    pub(crate) cloudwatch: CloudWatchDemandArgs,
    /// With --from-cloudwatch: compare the simulated changes of desired capacity with the ones the group's
    /// DescribeScalingActivities recorded over the same window (count by direction, time and size of each matched
    /// pair, peak), starting the simulation at the group's desired capacity before its first recorded change.
    #[arg(long, requires = "from_cloudwatch", conflicts_with = "compare")]
    pub(crate) calibrate: bool,
}

#[derive(clap::Args)]
pub(crate) struct PlanHeadroomArgs {
    /// The group, its plant and policies, and (unless --trace) its demand.
    #[arg(long, value_name = "TOML")]
    pub(crate) scenario: PathBuf,
    /// Arrivals from a CSV trace (`time,arrivals`, `time,backlog,deleted`, or `time,backlog`: a lower bound)
    /// instead of the scenario's demand.
    #[arg(long, value_name = "CSV")]
    pub(crate) trace: Option<PathBuf>,
    /// Which climb to cover: 0.99 covers all but the steepest 1 % of windows.
    #[arg(long, default_value_t = 0.99)]
    pub(crate) percentile: f64,
    /// Also simulate the scenario with no pool, with the plan, and with the 15 %-of-peak rule of thumb.
    #[arg(long)]
    pub(crate) simulate: bool,
    /// A live group's demand instead of the scenario's.
    #[command(flatten)]
    pub(crate) cloudwatch: CloudWatchDemandArgs,
}

/// Where a live group's demand is read (shared by `simulate` and `plan-headroom`).
#[derive(clap::Args)]
pub(crate) struct CloudWatchDemandArgs {
    /// Demand from CloudWatch instead: GROUP's metric as the warm-pool planner document (--document) names it, read
    /// with GetMetricData (every page) over --since; a period with no datapoint stops the run, unless the document
    /// says `missing = "zero"` for the group. `simulate` also reads the group's target tracking policies and their
    /// alarms, whose values replace the scenario's assumptions; `plan-headroom` measures the launch from the group's
    /// own cold launches when it has at least three.
    #[arg(long, value_name = "GROUP", conflicts_with = "trace", requires = "document")]
    pub(crate) from_cloudwatch: Option<String>,
    /// The warm-pool planner's document naming each group's demand metric (for --from-cloudwatch).
    #[arg(long, value_name = "TOML")]
    pub(crate) document: Option<PathBuf>,
    /// How far back --from-cloudwatch reads, e.g. 24h or 14d (default: the document's history for the group).
    #[arg(long, value_parser = duration_arg, requires = "from_cloudwatch")]
    pub(crate) since: Option<Duration>,
}

#[derive(clap::Args)]
pub(crate) struct WarmPoolsArgs {
    /// The planner's document (TOML: each group's demand metric and per-instance load; the function's
    /// SCALEGATE_WARM_POOL_PLANNER).
    #[arg(long, value_name = "TOML")]
    pub(crate) document: PathBuf,
    /// Put the planned pools (PutWarmPool); without it nothing changes, whatever the document's dry_run says.
    #[arg(long)]
    pub(crate) apply: bool,
    /// Also print the EMF metric lines (PlannedWarmCapacity, WarmPoolChanges) to stderr.
    #[arg(long)]
    pub(crate) metrics: bool,
}

#[derive(clap::Args)]
pub(crate) struct SweepArgs {
    /// Gate rules (TOML). Default: SCALEGATE_GATE_RULES / _FILE, else the built-in rules (policies/gate.toml).
    #[arg(long, value_name = "TOML")]
    pub(crate) rules: Option<PathBuf>,
    /// Mark the instances the groups' tags say to replace (SetInstanceHealth); without it nothing changes.
    #[arg(long)]
    pub(crate) apply: bool,
    /// The share of desired capacity that stays healthy in service, for groups without an instance maintenance
    /// policy of their own.
    #[arg(long, default_value_t = 90, value_parser = clap::value_parser!(u32).range(0..=100))]
    pub(crate) min_healthy_percent: u32,
    /// Also print the EMF metric lines (DriftedInstances by check and in total, DriftReplacements) to stderr.
    #[arg(long)]
    pub(crate) metrics: bool,
}

/// Which configuration document.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum DocumentKindArg {
    /// The launch gate's rules (policies/gate.toml).
    GateRules,
    /// The separation-of-duties audit's duties (policies/duties.toml).
    Duties,
    /// The backlog function's (queue, group) pairs.
    BacklogPairs,
}

#[derive(clap::Args)]
pub(crate) struct ConfigArgs {
    /// What to do.
    #[command(subcommand)]
    pub(crate) action: ConfigAction,
}

/// `scalegate config` subcommands.
#[derive(Subcommand)]
pub(crate) enum ConfigAction {
    /// Validate a document as its function will, without AWS: prints what it holds; exits 2 when it does not
    /// validate.
    Check {
        /// Which document it is.
        #[arg(long, value_enum)]
        kind: DocumentKindArg,
        /// The file (`-` for standard input).
        file: PathBuf,
    },
    /// Validate a document and write it as the new current version; prints the new version id.
    Push {
        /// Which document it is.
        #[arg(long, value_enum)]
        kind: DocumentKindArg,
        /// Where it lives: s3://bucket/key (a bucket with versioning enabled).
        #[arg(long, value_name = "S3_URI")]
        to: String,
        /// The file (`-` for standard input).
        file: PathBuf,
    },
    /// List a document's versions, newest first, marking the current one.
    History {
        /// Where it lives: s3://bucket/key.
        #[arg(value_name = "S3_URI")]
        location: String,
    },
    /// Restore an older version as a new current version, after validating it. Without --to: the newest older
    /// version whose contents differ from the current one.
    Rollback {
        /// Which document it is (to validate the version restored).
        #[arg(long, value_enum)]
        kind: DocumentKindArg,
        /// Where it lives: s3://bucket/key.
        #[arg(value_name = "S3_URI")]
        location: String,
        /// The version to restore (from `scalegate config history`).
        #[arg(long, value_name = "VERSION_ID")]
        to: Option<String>,
    },
}

/// What `scalegate lease` does.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum LeaseAction {
    /// Tag the lease expiry and protect from scale-in.
    Acquire,
    /// Move the expiry (and protect again).
    Renew,
    /// Remove the protection and the tag.
    Release,
}

/// How `scalegate audit` prints its report.
#[derive(Clone, Copy, clap::ValueEnum)]
pub(crate) enum AuditFormat {
    /// One line per check, witnesses spelled out.
    Text,
    /// The report as JSON.
    Json,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
}

#[derive(clap::Args)]
pub(crate) struct EventArgs {
    /// A JSON file, or `-` for standard input.
    pub file: PathBuf,
}

#[derive(clap::Args)]
pub(crate) struct GateArgs {
    /// The event: any shape `scalegate event` accepts; `-` for standard input.
    #[arg(long)]
    pub event: PathBuf,
    /// Decide and print, but do not complete (or heartbeat) the lifecycle action.
    #[arg(long)]
    pub dry_run: bool,
    /// Gate rules (TOML). Default: the built-in rules, identical to policies/gate.toml.
    #[arg(long)]
    pub rules: Option<PathBuf>,
    /// Also print the EMF metric lines the Lambda would emit (to stderr).
    #[arg(long)]
    pub metrics: bool,
}

#[derive(clap::Args)]
pub(crate) struct GuardArgs {
    /// The event: an EventBridge CloudTrail event or a bare record; `-` for standard input.
    #[arg(long)]
    pub event: PathBuf,
    /// The guard's document (TOML: automation, hooks, gate_hooks, groups, templates, [restore]). Default: no
    /// automation, the scalegate-launch-gate* and scalegate-drain* hooks, every group and template, no restore.
    #[arg(long, value_name = "TOML")]
    pub config: Option<PathBuf>,
    /// When the event deleted or weakened the gate hook that the document's [restore] names, put it back on the
    /// group (if it carries the scalegate:guard-restore tag), against the AWS endpoint the SDK is configured for.
    #[arg(long)]
    pub restore: bool,
    /// Also print the EMF metric lines (GuardAlerts by action, GuardRestores) to stderr.
    #[arg(long)]
    pub metrics: bool,
}

#[derive(clap::Args)]
pub(crate) struct DrainArgs {
    /// The event; `-` for standard input.
    #[arg(long)]
    pub event: PathBuf,
    /// Read and decide, but do not heartbeat, complete, re-queue or dead-letter.
    #[arg(long)]
    pub dry_run: bool,
    /// The drain's queue, where re-checks go (required unless --dry-run).
    #[arg(long, env = DRAIN_QUEUE_URL)]
    pub queue_url: Option<String>,
    /// The dead-letter queue for records that cannot be read.
    #[arg(long, env = DRAIN_DLQ_URL)]
    pub dlq_url: Option<String>,
    /// Longest a leased instance may hold up its termination (1s to 48h; the function's default: 1h).
    #[arg(long, env = DRAIN_BUDGET)]
    pub budget: Option<String>,
    /// First re-check delay (default: 15s).
    #[arg(long, env = DRAIN_FIRST_DELAY)]
    pub first_delay: Option<String>,
    /// Longest re-check delay (at most 900s; default: 5m).
    #[arg(long, env = DRAIN_MAX_DELAY)]
    pub max_delay: Option<String>,
    /// Also print the EMF metric lines the Lambda would emit (to stderr).
    #[arg(long)]
    pub metrics: bool,
}

#[derive(clap::Args)]
#[command(group(clap::ArgGroup::new("input").args(["dir", "authorization_details", "terraform_plan", "cfn", "live"])))]
pub(crate) struct AuditArgs {
    /// A policies directory in the project's layout (default: policies).
    pub dir: Option<PathBuf>,
    /// Output of `aws iam get-account-authorization-details` (the whole account; only default policy versions
    /// count).
    #[arg(long, value_name = "FILE")]
    pub authorization_details: Option<PathBuf>,
    /// Output of `terraform show -json PLANFILE`; values unknown until apply count as wildcards.
    #[arg(long, value_name = "FILE")]
    pub terraform_plan: Option<PathBuf>,
    /// A CloudFormation or CDK-synthesized template (JSON); intrinsic functions count as wildcards.
    #[arg(long, value_name = "FILE")]
    pub cfn: Option<PathBuf>,
    /// The account the standard SDK configuration points at (GetAccountAuthorizationDetails, every page).
    #[arg(long)]
    pub live: bool,
    /// Duties file (TOML). Default: the built-in policies/duties.toml.
    #[arg(long)]
    pub duties: Option<PathBuf>,
    /// Output format: text, json, or sarif (SARIF 2.1.0 for code scanning).
    #[arg(long, value_enum, default_value_t = AuditFormat::Text)]
    pub format: AuditFormat,
}

#[derive(clap::Args)]
pub(crate) struct BacklogArgs {
    /// The backlog-metric function's config file (TOML).
    #[arg(long, conflicts_with_all = ["queue", "group", "messages"])]
    pub config: Option<PathBuf>,
    /// Queue name or URL.
    #[arg(long, requires = "group")]
    pub queue: Option<String>,
    /// Auto Scaling group name.
    #[arg(long)]
    pub group: Option<String>,
    /// Acceptable time for a message to wait, e.g. 10s, 2m.
    #[arg(long, value_parser = duration_arg)]
    pub latency: Option<Duration>,
    /// Seconds one instance spends on one message, or `measure` (from the queue's deleted-message rate).
    #[arg(long)]
    pub seconds_per_message: Option<String>,
    /// With `measure`: the value to use when the queue shows no deletions.
    #[arg(long)]
    pub fallback_seconds_per_message: Option<f64>,
    /// Do not count messages in flight (received, not yet deleted).
    #[arg(long)]
    pub no_in_flight: bool,
    /// Count delayed messages too.
    #[arg(long)]
    pub count_delayed: bool,
    /// Warmup when the group sets no DefaultInstanceWarmup, e.g. 90s.
    #[arg(long, value_parser = duration_arg, default_value = "0s")]
    pub instance_warmup: Duration,
    /// Offline arithmetic: messages waiting.
    #[arg(long, requires = "instances", conflicts_with = "queue")]
    pub messages: Option<u64>,
    /// Offline arithmetic: instances that can take work.
    #[arg(long, requires = "messages")]
    pub instances: Option<u32>,
    /// Publish through PutMetricData.
    #[arg(long)]
    pub put_metric_data: bool,
    /// Also print the EMF lines the function would write.
    #[arg(long)]
    pub emf: bool,
}

#[derive(clap::Args)]
pub(crate) struct LeaseArgs {
    /// acquire, renew or release.
    #[arg(value_enum)]
    pub action: LeaseAction,
    /// Instance id (default: this instance, from IMDSv2).
    #[arg(long)]
    pub instance: Option<String>,
    /// Auto Scaling group (default: this instance's, from its metadata tags or DescribeAutoScalingInstances).
    #[arg(long)]
    pub group: Option<String>,
    /// How long the lease lasts without a renewal, e.g. 5m (acquire and renew).
    #[arg(long, value_parser = duration_arg, default_value = "5m")]
    pub ttl: Duration,
}

#[derive(clap::Args)]
pub(crate) struct ActionsArgs {
    /// An action pattern: `service:Action`, `*` and `?` allowed, case-insensitive.
    pub pattern: String,
}

#[derive(clap::Args)]
pub(crate) struct DemoArgs {
    /// Project root (holding .venv and infra/local).
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
    /// Instances to scale out to after the rollback.
    #[arg(long, default_value_t = 10)]
    pub scale_to: i32,
    /// Instances launched from the drifted template first.
    #[arg(long, default_value_t = 2)]
    pub drifted: i32,
    /// Warm pool size.
    #[arg(long, default_value_t = 2)]
    pub warm_pool: i32,
}

/// A duration flag: `90s`, `5m`, `1h`.
pub(crate) fn duration_arg(s: &str) -> Result<Duration, String> {
    scalegate_core::duration::parse_duration(s)
}

#[derive(clap::Args)]
pub(crate) struct BreakGlassArgs {
    /// The Auto Scaling group whose launches the gate holds.
    #[arg(long)]
    pub(crate) group: String,
    /// Restore each hook's saved default result and remove the break-glass tags.
    #[arg(long)]
    pub(crate) undo: bool,
}
