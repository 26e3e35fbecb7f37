# The drift sweep: an EventBridge schedule → Lambda, which re-runs the launch gate's checks — the gate's own rules
# document, read from the same S3 object — on every InService, Standby and warm-pool member of the groups tagged
# scalegate:drift-sweep, and in replace mode marks drifted ones unhealthy within each group's limits (its role can
# mark instances of tagged groups only). Enabled when sweep_package is set (and create); needs the launch gate.

locals {
  sweep_count = var.create && var.sweep_package != null ? 1 : 0
  # The role file's ReadConfigDocument and ListConfigVersions patterns, scoped to the gate's rules object exactly.
  sweep_policy_doc = jsondecode(replace(file("${path.module}/files/roles/scalegate-drift-sweep.json"), "arn:aws:", "arn:${local.partition}:"))
  sweep_policy = jsonencode(merge(local.sweep_policy_doc, {
    Statement = [for s in local.sweep_policy_doc.Statement : jsondecode(
      s.Sid == "ReadConfigDocument" ? jsonencode(merge(s, { Resource = local.config_object_arn["gate"] })) : (
        s.Sid == "ListConfigVersions" ? jsonencode(merge(s, { Resource = "arn:${local.partition}:s3:::${local.config_bucket}" })) : jsonencode(s)
      )
    )]
  }))
}

module "sweep" {
  source             = "./modules/function"
  count              = local.sweep_count
  name               = var.sweep_name
  role_name          = "${var.sweep_name}-${local.region}"
  policy             = local.sweep_policy
  trust_policy       = file("${path.module}/files/roles/scalegate-drift-sweep.trust.json")
  package            = var.sweep_package
  architecture       = var.architecture
  memory_mb          = 512
  timeout_seconds    = 300
  log_retention_days = var.log_retention_days
  alarm_actions      = var.alarm_actions
  ok_actions         = var.ok_actions
  # Any member of an opted-in group found drifted, whatever the group's mode.
  finding_alarms = {
    drifted = {
      description = "The drift sweep found instances that no longer pass the gate's checks: its `drift found` lines name each instance, the failed checks and what the sweep did (replaced, or held and why)."
      metric_name = "DriftedInstances"
      statistic   = "Maximum"
      period      = 3600
    }
  }
  # The gate's own rules object: a pushed version reaches both within SCALEGATE_CONFIG_MAX_AGE, and the gate's
  # config-rejected and config-unreadable alarms (by the document's location) cover the sweep's reads too.
  environment = {
    SCALEGATE_GATE_RULES_S3             = local.config_location["gate"]
    SCALEGATE_SWEEP_MIN_HEALTHY_PERCENT = tostring(var.sweep_min_healthy_percent)
    SCALEGATE_SWEEP_DRY_RUN             = tostring(var.sweep_dry_run)
  }
  silence_alarm = {
    description = "The drift sweep has not run for an hour: in-service instances are not being checked between the hooks (check its schedule rule and its start-up log)."
    period      = 3600
  }
  errors_alarm = {
    description = "The drift sweep failed: the rules or the instances could not be read, a group's scalegate:drift-sweep tag is wrong, or a SetInstanceHealth was refused (its `drift sweep` line says which group)."
    period      = 3600
  }
  rules = {
    schedule = { description = "Re-check the members of groups tagged scalegate:drift-sweep", schedule_expression = var.sweep_schedule }
  }
  depends_on           = [aws_s3_object.gate_rules, terraform_data.sweep_needs_gate]
  tags                 = var.tags
  role_path            = var.role_path
  permissions_boundary = var.permissions_boundary
}

# The sweep judges with the gate's rules document: without the gate there is none.
resource "terraform_data" "sweep_needs_gate" {
  count = local.sweep_count
  lifecycle {
    precondition {
      condition     = local.gate_count == 1
      error_message = "sweep_package needs the launch gate (create_launch_gate = true): the sweep judges instances with the gate's rules document."
    }
  }
}
