//! Every setting a function reads from its environment, by name. The shell reads them (`scalegate_aws::settings`);
//! the core names them in its errors, so an error says which variable to fix.

/// Gate rules as inline TOML.
pub const GATE_RULES: &str = "SCALEGATE_GATE_RULES";
/// Gate rules as a file path (read when [`GATE_RULES`] is unset).
pub const GATE_RULES_FILE: &str = "SCALEGATE_GATE_RULES_FILE";
/// Duties as inline TOML.
pub const DUTIES: &str = "SCALEGATE_DUTIES";
/// Duties as a file path (read when [`DUTIES`] is unset).
pub const DUTIES_FILE: &str = "SCALEGATE_DUTIES_FILE";
/// Gate rules as a versioned S3 object, `s3://bucket/key`, re-read while the function runs (instead of
/// [`GATE_RULES`]/[`GATE_RULES_FILE`]).
pub const GATE_RULES_S3: &str = "SCALEGATE_GATE_RULES_S3";
/// Duties as a versioned S3 object (instead of [`DUTIES`]/[`DUTIES_FILE`]).
pub const DUTIES_S3: &str = "SCALEGATE_DUTIES_S3";
/// Backlog pairs as a versioned S3 object (instead of [`BACKLOG_CONFIG`]/[`BACKLOG_CONFIG_FILE`]).
pub const BACKLOG_CONFIG_S3: &str = "SCALEGATE_BACKLOG_CONFIG_S3";
/// How old a function's last look at its S3 document may be before it looks again (default 2s): with one read,
/// the bound on how long a pushed version takes to reach it.
pub const CONFIG_MAX_AGE: &str = "SCALEGATE_CONFIG_MAX_AGE";
/// Backlog pairs as inline TOML.
pub const BACKLOG_CONFIG: &str = "SCALEGATE_BACKLOG_CONFIG";
/// Backlog pairs as a file path (read when [`BACKLOG_CONFIG`] is unset).
pub const BACKLOG_CONFIG_FILE: &str = "SCALEGATE_BACKLOG_CONFIG_FILE";
/// The backlog function's tick queue: at 10 s or 30 s resolution it schedules the minute's other computations there.
pub const BACKLOG_TICK_QUEUE_URL: &str = "SCALEGATE_BACKLOG_TICK_QUEUE_URL";
/// The drain's own SQS queue: re-checks are sent there.
pub const DRAIN_QUEUE_URL: &str = "SCALEGATE_DRAIN_QUEUE_URL";
/// The drain's dead-letter queue for records it cannot use.
pub const DRAIN_DLQ_URL: &str = "SCALEGATE_DRAIN_DLQ_URL";
/// How long the drain holds a leased worker at most.
pub const DRAIN_BUDGET: &str = "SCALEGATE_DRAIN_BUDGET";
/// The drain's first re-check delay.
pub const DRAIN_FIRST_DELAY: &str = "SCALEGATE_DRAIN_FIRST_DELAY";
/// The drain's longest re-check delay.
pub const DRAIN_MAX_DELAY: &str = "SCALEGATE_DRAIN_MAX_DELAY";
/// The warm-pool planner's document (which metric is each opted-in group's demand) as inline TOML.
pub const WARM_POOL_PLANNER: &str = "SCALEGATE_WARM_POOL_PLANNER";
/// The warm-pool planner's document as a file path (read when [`WARM_POOL_PLANNER`] is unset).
pub const WARM_POOL_PLANNER_FILE: &str = "SCALEGATE_WARM_POOL_PLANNER_FILE";
/// The scaling guard's document (automation set, watched hooks, groups, templates) as inline TOML.
pub const GUARD: &str = "SCALEGATE_GUARD";
/// The scaling guard's document as a file path (read when [`GUARD`] is unset).
pub const GUARD_FILE: &str = "SCALEGATE_GUARD_FILE";
/// The drift sweep's minimum healthy share of desired capacity, in percent, for groups without an instance
/// maintenance policy (default 90).
pub const SWEEP_MIN_HEALTHY_PERCENT: &str = "SCALEGATE_SWEEP_MIN_HEALTHY_PERCENT";
/// `true`: the drift sweep reports what it would replace and marks nothing, whatever the groups' tags say.
pub const SWEEP_DRY_RUN: &str = "SCALEGATE_SWEEP_DRY_RUN";
