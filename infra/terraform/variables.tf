variable "name" {
  description = "Prefix for every resource. The role policy expects it to start with scalegate-launch-gate."
  type        = string
  default     = "scalegate-launch-gate"
  validation {
    condition     = startswith(var.name, "scalegate-launch-gate")
    error_message = "name must start with scalegate-launch-gate (policies/roles/scalegate-launch-gate.json scopes to it)."
  }
  validation {
    # The execution role is named <name>-<region> (IAM names are global to the account): at most 64 characters.
    condition     = length(var.name) <= 49
    error_message = "name must be at most 49 characters: the execution role adds -<region> within IAM's 64."
  }
}

variable "create" {
  description = "Create anything at all. False: the module creates nothing and reads no data source, as terraform-aws-modules' create does; every output is null or empty."
  type        = bool
  default     = true
}

variable "create_launch_gate" {
  description = "Create the launch gate (its function, queues, rule, hooks and alarms). False deploys the other parts alone, e.g. only the separation-of-duties audit in us-east-1; package may then be null."
  type        = bool
  default     = true
}

variable "package" {
  description = "Path to the launch gate's Lambda zip built by `make build` (dist/lambda/launch-gate.zip). Required when the launch gate is created (create_launch_gate); null otherwise."
  type        = string
  default     = null
}

variable "auto_scaling_groups" {
  description = "Names of the Auto Scaling groups the gate polices. When a name is known only after apply (a group with name_prefix), use auto_scaling_groups_by_key, or name none: then every group whose launch hook is named `name` opts in, and modules/group gives it its alarms (see examples/complete)."
  type        = list(string)
  default     = null
  validation {
    # EventBridge's lifecycle events carry the group's name: an ARN here would match nothing, and every launch would
    # time out to ABANDON.
    condition     = alltrue([for g in coalesce(var.auto_scaling_groups, []) : !startswith(g, "arn:")])
    error_message = "auto_scaling_groups takes group names, not ARNs (aws_autoscaling_group.x.name, not .arn)."
  }
}

variable "auto_scaling_groups_by_key" {
  description = "The groups the gate polices, by a key you choose (static, known at plan) → the group's name, which may be known only after apply: { web = aws_autoscaling_group.web.name }. Per-group hooks and alarms are keyed by it."
  type        = map(string)
  default     = null
  validation {
    condition     = var.auto_scaling_groups_by_key == null || length(coalesce(var.auto_scaling_groups_by_key, {})) > 0
    error_message = "auto_scaling_groups_by_key must name at least one group."
  }
  validation {
    # EventBridge's lifecycle events carry the group's name: an ARN here would match nothing, and every launch would
    # time out to ABANDON.
    condition     = alltrue([for g in values(coalesce(var.auto_scaling_groups_by_key, {})) : !startswith(g, "arn:")])
    error_message = "auto_scaling_groups_by_key takes group names, not ARNs (aws_autoscaling_group.x.name, not .arn)."
  }
}

variable "create_hooks" {
  description = "Create the launch lifecycle hook on each group. Prefer false and declare the hook with the group (initial_lifecycle_hook), so it exists before the first launch."
  type        = bool
  default     = true
}

variable "hook_heartbeat_timeout" {
  description = "Seconds an instance may wait in Pending:Wait without a heartbeat (30-7200)."
  type        = number
  default     = 300
}

variable "ami_parameters" {
  description = "SSM parameters your launch templates name their AMI through (ImageId = \"resolve:ssm:<name>\"): names, /aws/service/... public parameters, or ARNs. The gate's role may read exactly these (ssm:GetParameters) to compare an instance's AMI with what the parameter resolves to; without it, such templates fail drift.ami closed."
  type        = list(string)
  default     = []
}

variable "gate_rules" {
  description = "Gate rules TOML (the form of policies/gate.toml; `mode = \"report-only\"` for a rollout), written to the configuration bucket as gate-rules.toml. Null: policies/gate.toml."
  type        = string
  default     = null
}

variable "architecture" {
  description = "x86_64 (what `make build` produces) or arm64 (if your toolchain builds it)."
  type        = string
  default     = "x86_64"
}

variable "memory_mb" {
  description = "The launch gate's memory in MB (128-10240); it also sets its CPU share."
  type        = number
  default     = 256
  validation {
    condition     = var.memory_mb >= 128 && var.memory_mb <= 10240
    error_message = "memory_mb must be between 128 and 10240 (Lambda's range)."
  }
}

variable "timeout_seconds" {
  description = "Function timeout. Must cover the settle window (20 s by default) plus the retry budget (10 s)."
  type        = number
  default     = 60
}

variable "config_force_destroy" {
  description = "Let `terraform destroy` delete the configuration bucket with every version in it (the rollback history). Off by default."
  type        = bool
  default     = false
}

variable "config_deny_insecure_transport" {
  description = "Deny every request to the configuration bucket that does not use TLS (aws:SecureTransport). Turn off only for an emulator that speaks plain HTTP."
  type        = bool
  default     = true
}

variable "config_versions_kept" {
  description = "Noncurrent versions of each configuration document kept beyond 90 days (the rollback history; 1-100). Null: keep every version forever."
  type        = number
  default     = 20
  validation {
    condition     = var.config_versions_kept == null || (coalesce(var.config_versions_kept, 1) >= 1 && coalesce(var.config_versions_kept, 1) <= 100)
    error_message = "config_versions_kept must be between 1 and 100 (S3's NewerNoncurrentVersions), or null."
  }
}

variable "log_retention_days" {
  description = "Days CloudWatch Logs keeps every function's log (the gate's decision lines among them)."
  type        = number
  default     = 30
  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be one of the values CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, … 3653)."
  }
}

variable "alarm_actions" {
  description = "SNS topic ARNs notified when an alarm fires."
  type        = list(string)
  default     = []
}

variable "ok_actions" {
  description = "SNS topic ARNs notified when an alarm returns to OK."
  type        = list(string)
  default     = []
}

variable "abandon_alarm_threshold" {
  description = "Abandons per group in 5 minutes that raise the alarm."
  type        = number
  default     = 3
}

variable "latency_alarm_p99_ms" {
  description = "Alarm when the gate's p99 decision latency (GateLatency) stays above this many milliseconds for 10 minutes."
  type        = number
  default     = 5000
  validation {
    condition     = var.latency_alarm_p99_ms > 0
    error_message = "latency_alarm_p99_ms must be positive."
  }
}

variable "sod_audit_package" {
  description = "Path to the sod-audit Lambda zip (make build: dist/lambda/sod-audit.zip). Null: no sod-audit function."
  type        = string
  default     = null
}

variable "sod_audit_name" {
  description = "Name of the sod-audit function and its role (policies/roles/scalegate-sod-audit.json scopes its logs to scalegate-sod-audit*)."
  type        = string
  default     = "scalegate-sod-audit"
  validation {
    # The execution role is named <name>-<region> (IAM names are global to the account): at most 64 characters.
    condition     = length(var.sod_audit_name) <= 49
    error_message = "sod_audit_name must be at most 49 characters: the execution role adds -<region> within IAM's 64."
  }
}

variable "sod_audit_schedule" {
  description = "How often the audit runs besides IAM change events."
  type        = string
  default     = "rate(1 hour)"
}

variable "sod_audit_duties" {
  description = "Duty names to alarm on (one SodViolations alarm each); the built-in duties are scaling and deploy."
  type        = list(string)
  default     = ["scaling", "deploy"]
}

variable "sod_audit_duties_toml" {
  description = "Duties file contents (TOML, the form of policies/duties.toml), written to the configuration bucket as duties.toml. Null: policies/duties.toml."
  type        = string
  default     = null
}

variable "backlog_package" {
  description = "Path to the backlog-metric Lambda zip (make build: dist/lambda/backlog-metric.zip). Null: no backlog function."
  type        = string
  default     = null
}

variable "backlog_name" {
  description = "Name of the backlog-metric function and its role (its policy scopes logs to scalegate-backlog-metric*)."
  type        = string
  default     = "scalegate-backlog-metric"
  validation {
    # The execution role is named <name>-<region> (IAM names are global to the account): at most 64 characters.
    condition     = length(var.backlog_name) <= 49
    error_message = "backlog_name must be at most 49 characters: the execution role adds -<region> within IAM's 64."
  }
}

variable "backlog_config_toml" {
  description = "The backlog pairs (TOML: [[pair]] queue, group, latency, seconds_per_message; see the README), written to the configuration bucket as backlog-pairs.toml. Any number of pairs."
  type        = string
  default     = ""
}

variable "reaper_package" {
  description = "Path to the protection-reaper Lambda zip (make build: dist/lambda/protection-reaper.zip). Null: no reaper."
  type        = string
  default     = null
}

variable "reaper_name" {
  description = "Name of the protection-reaper function and its role."
  type        = string
  default     = "scalegate-protection-reaper"
  validation {
    # The execution role is named <name>-<region> (IAM names are global to the account): at most 64 characters.
    condition     = length(var.reaper_name) <= 49
    error_message = "reaper_name must be at most 49 characters: the execution role adds -<region> within IAM's 64."
  }
}

variable "reaper_schedule" {
  description = "How often expired leases are looked for; a lease TTL of a few minutes suits rate(1 minute)."
  type        = string
  default     = "rate(1 minute)"
}

variable "planner_package" {
  description = "Path to the warm-pool-planner Lambda zip (make build: dist/lambda/warm-pool-planner.zip). Null: no planner."
  type        = string
  default     = null
}

variable "planner_name" {
  description = "Name of the warm-pool-planner function and its role."
  type        = string
  default     = "scalegate-warm-pool-planner"
  validation {
    # The execution role is named <name>-<region> (IAM names are global to the account): at most 64 characters.
    condition     = length(var.planner_name) <= 49
    error_message = "planner_name must be at most 49 characters: the execution role adds -<region> within IAM's 64."
  }
}

variable "planner_schedule" {
  description = "How often warm pools are planned. Each run reads the history again; a pool changes only past the deadband."
  type        = string
  default     = "rate(15 minutes)"
}

variable "planner_document" {
  description = "The warm-pool planner's document (TOML: a [[group]] per group tagged scalegate:warm-pool = MIN-MAX, with its demand metric and per-instance load; [defaults] for history, percentile, deadband, dry_run; see the README). Required with planner_package."
  type        = string
  default     = ""
}

variable "guard_package" {
  description = "Path to the scaling-guard Lambda zip (make build: dist/lambda/scaling-guard.zip). Null: no guard. It needs a CloudTrail trail logging management events."
  type        = string
  default     = null
}

variable "guard_name" {
  description = "Name of the scaling-guard function, its role and queues; must start with scalegate-scaling-guard (its policy is scoped to that)."
  type        = string
  default     = "scalegate-scaling-guard"
  validation {
    condition     = startswith(var.guard_name, "scalegate-scaling-guard") && length(var.guard_name) <= 49
    error_message = "guard_name must start with scalegate-scaling-guard and be at most 49 characters."
  }
}

variable "guard_automation" {
  description = "Role ARNs (patterns with * and ?) allowed to change the scaling control plane besides scalegate's own roles: your deploy pipeline, say. A role session is judged by its role."
  type        = list(string)
  default     = []
  validation {
    condition     = alltrue([for a in var.guard_automation : startswith(a, "arn:") && !strcontains(a, ":assumed-role/")])
    error_message = "guard_automation takes role ARNs (arn:aws:iam::ACCOUNT:role/NAME), not sessions."
  }
}

variable "guard_hooks" {
  description = "Lifecycle hook names (patterns) whose deletion or change is an alert. Null: this deployment's gate and drain hooks (name, drain_name)."
  type        = list(string)
  default     = null
}

variable "guard_restore" {
  description = "Restore mode: when someone outside the automation set deletes the gate's launch hook (var.name) or puts it weaker, the guard puts it back — ABANDON, this heartbeat — on groups tagged scalegate:guard-restore (its role may put lifecycle hooks on those groups only). Null: alert only."
  type = object({
    heartbeat_timeout = optional(number, 300)
  })
  default = null
  validation {
    condition     = var.guard_restore == null || try(var.guard_restore.heartbeat_timeout >= 30 && var.guard_restore.heartbeat_timeout <= 7200, false)
    error_message = "guard_restore.heartbeat_timeout must be from 30 to 7200 seconds, as AWS allows."
  }
}

variable "guard_groups" {
  description = "Group names (patterns) the guard watches."
  type        = list(string)
  default     = ["*"]
}

variable "sweep_package" {
  description = "Path to the drift-sweep Lambda zip (make build: dist/lambda/drift-sweep.zip). Null: no sweep. Needs the launch gate (it reads the gate's rules)."
  type        = string
  default     = null
}

variable "sweep_name" {
  description = "Name of the drift-sweep function and its role; must start with scalegate-drift-sweep (its policy is scoped to that)."
  type        = string
  default     = "scalegate-drift-sweep"
  validation {
    condition     = startswith(var.sweep_name, "scalegate-drift-sweep") && length(var.sweep_name) <= 49
    error_message = "sweep_name must start with scalegate-drift-sweep and be at most 49 characters."
  }
}

variable "sweep_schedule" {
  description = "How often the members of groups tagged scalegate:drift-sweep are checked."
  type        = string
  default     = "rate(15 minutes)"
}

variable "sweep_min_healthy_percent" {
  description = "The share of desired capacity (percent) that stays healthy in service while the sweep replaces, for groups without an instance maintenance policy (a group's MinHealthyPercentage wins)."
  type        = number
  default     = 90
  validation {
    condition     = var.sweep_min_healthy_percent >= 0 && var.sweep_min_healthy_percent <= 100 && floor(var.sweep_min_healthy_percent) == var.sweep_min_healthy_percent
    error_message = "sweep_min_healthy_percent must be a whole number from 0 to 100."
  }
}

variable "sweep_dry_run" {
  description = "True: the sweep reports what it would replace and marks nothing, whatever the groups' tags say."
  type        = bool
  default     = false
}

variable "drain_package" {
  description = "Path to the drain Lambda zip (make build: dist/lambda/drain.zip). Null: no drain."
  type        = string
  default     = null
}

variable "drain_name" {
  description = "Name of the drain function, its role and queues; must start with scalegate-drain (its policy is scoped to that)."
  type        = string
  default     = "scalegate-drain"
  validation {
    condition     = startswith(var.drain_name, "scalegate-drain")
    error_message = "drain_name must start with scalegate-drain: policies/roles/scalegate-drain.json scopes its queues and logs to that prefix."
  }
  validation {
    # The execution role is named <name>-<region> (IAM names are global to the account): at most 64 characters.
    condition     = length(var.drain_name) <= 49
    error_message = "drain_name must be at most 49 characters: the execution role adds -<region> within IAM's 64."
  }
}

variable "drain_auto_scaling_groups" {
  description = "Names of the groups whose terminations the drain holds while a worker's lease is live. Null: the same groups as the gate (by the same keys)."
  type        = list(string)
  default     = null
  validation {
    # EventBridge's lifecycle events carry the group's name: an ARN here would match nothing, and every launch would
    # time out to ABANDON.
    condition     = alltrue([for g in coalesce(var.drain_auto_scaling_groups, []) : !startswith(g, "arn:")])
    error_message = "drain_auto_scaling_groups takes group names, not ARNs (aws_autoscaling_group.x.name, not .arn)."
  }
}

variable "drain_budget" {
  description = "Longest a leased instance may hold up its termination (1s to 48h; cut further to end before the hook's global timeout)."
  type        = string
  default     = "1h"
}

variable "drain_first_delay" {
  description = "First re-check delay; each later one doubles up to drain_max_delay (and half the hook's heartbeat timeout)."
  type        = string
  default     = "15s"
}

variable "drain_max_delay" {
  description = "Longest re-check delay (at most 900s, SQS's limit)."
  type        = string
  default     = "5m"
}

variable "drain_hook_heartbeat_timeout" {
  description = "Heartbeat timeout of the terminate hooks created when create_hooks is true (30 to 7200 s). Global timeout = min(48 h, 100 × this)."
  type        = number
  default     = 300
}

variable "tags" {
  description = "Tags for every resource that takes them (roles, functions, log groups, queues, rules, alarms, the configuration bucket and its objects)."
  type        = map(string)
  default     = {}
}

variable "role_path" {
  description = "Path for every execution role (e.g. /scalegate/)."
  type        = string
  default     = "/"
  validation {
    condition     = startswith(var.role_path, "/") && endswith(var.role_path, "/")
    error_message = "role_path must start and end with / (e.g. /scalegate/)."
  }
}

variable "permissions_boundary" {
  description = "ARN of a managed policy set as every execution role's permissions boundary (your organization's guardrail); null for none."
  type        = string
  default     = null
  validation {
    condition     = var.permissions_boundary == null || can(regex("^arn:aws[a-z-]*:iam::(aws|[0-9]{12}):policy/", coalesce(var.permissions_boundary, "x")))
    error_message = "permissions_boundary must be an IAM policy ARN (arn:<partition>:iam::<account>:policy/<name>)."
  }
}

variable "create_trail" {
  description = "Create a CloudTrail trail of management events (multi-region, log file validation, its own bucket): the scaling guard's and the audit's IAM-change rules see only calls a trail logs. False (the default) when the account or organization already has one — one is enough, and every further copy of management events is billed."
  type        = bool
  default     = false
}

variable "trail_name" {
  description = "Name of the trail create_trail makes."
  type        = string
  default     = "scalegate-management-events"
}

variable "trail_force_destroy" {
  description = "Let a destroy delete the trail's bucket with its logs (the emulator's examples); a real trail's logs are the account's audit record."
  type        = bool
  default     = false
}
