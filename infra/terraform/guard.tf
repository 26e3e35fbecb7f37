# The scaling guard: an EventBridge rule on CloudTrail's Auto Scaling and launch-template calls → Lambda, which
# alerts (GuardAlerts) when a principal outside the automation set changes the scaling control plane; with
# guard_restore, it puts the gate's launch hook back on groups tagged scalegate:guard-restore. CloudTrail
# events reach EventBridge only while a trail logs management events (examples/sod_audit_only makes one). Enabled
# when guard_package is set (and create).

locals {
  guard_count = var.create && var.guard_package != null ? 1 : 0
  # scalegate's own functions change protection, pools and hooks by design: their roles, exactly, are automation,
  # with the caller's (a name pattern would trust any role someone names scalegate-…).
  own_roles = [for m in concat(module.gate, module.drain, module.reaper, module.planner, module.backlog, module.sod_audit, module.sweep) : m.role_arn]
  guard_document = join("\n", concat([
    "automation = ${jsonencode(concat(local.own_roles, var.guard_automation))}",
    "hooks = ${jsonencode(coalesce(var.guard_hooks, [var.name, var.drain_name]))}",
    "gate_hooks = ${jsonencode([var.name])}",
    "groups = ${jsonencode(var.guard_groups)}",
    ], var.guard_restore == null ? [] : [
    "[restore]",
    "hook = ${jsonencode(var.name)}",
    "heartbeat_timeout = ${var.guard_restore.heartbeat_timeout}",
  ]))
  # The role file's restore statements stay only in restore mode: without it the guard reads and writes nothing else.
  guard_policy_doc = jsondecode(replace(file("${path.module}/files/roles/scalegate-scaling-guard.json"), "arn:aws:", "arn:${local.partition}:"))
  guard_policy = jsonencode(merge(local.guard_policy_doc, {
    Statement = [for s in local.guard_policy_doc.Statement : s if var.guard_restore != null || !startswith(s.Sid, "Restore")]
  }))
}

module "guard" {
  source             = "./modules/function"
  count              = local.guard_count
  name               = var.guard_name
  role_name          = "${var.guard_name}-${local.region}"
  policy             = local.guard_policy
  trust_policy       = file("${path.module}/files/roles/scalegate-scaling-guard.trust.json")
  package            = var.guard_package
  architecture       = var.architecture
  memory_mb          = 128
  timeout_seconds    = 10
  log_retention_days = var.log_retention_days
  alarm_actions      = var.alarm_actions
  ok_actions         = var.ok_actions
  # Any watched change by someone outside the automation set.
  finding_alarms = {
    alerts = {
      description = "Someone outside the automation set changed the scaling control plane: the guard's `guard alert` line names who, what and which group."
      metric_name = "GuardAlerts"
      statistic   = "Sum"
      period      = 60
    }
  }
  failure_queue = true
  environment = {
    SCALEGATE_GUARD = local.guard_document
  }
  errors_alarm = {
    description = "The scaling guard failed on an event (its log's `guard rejected` line says why; after retries the event is in the -failures queue)."
    period      = 300
  }
  rules = {
    cloudtrail = {
      description = "Auto Scaling and launch-template calls, as CloudTrail records them"
      event_pattern = jsonencode({
        source        = ["aws.autoscaling", "aws.ec2"]
        "detail-type" = ["AWS API Call via CloudTrail"]
        detail = {
          eventSource = ["autoscaling.amazonaws.com", "ec2.amazonaws.com"]
          # The calls the guard classifies: tests/fixtures/cloudtrail/expected.json `calls` (test.sh checks they match).
          eventName = [
            "AttachInstances", "BatchPutScheduledUpdateGroupAction", "CompleteLifecycleAction",
            "CreateLaunchTemplateVersion", "CreateOrUpdateTags", "DeleteAutoScalingGroup", "DeleteLifecycleHook",
            "DeleteTags", "DeleteWarmPool", "DetachInstances", "EnterStandby", "ExecutePolicy", "ExitStandby",
            "ModifyLaunchTemplate", "PutLifecycleHook", "PutScheduledUpdateGroupAction", "PutWarmPool",
            "SetDesiredCapacity", "SetInstanceHealth", "SetInstanceProtection", "StartInstanceRefresh",
            "SuspendProcesses", "UpdateAutoScalingGroup",
          ]
        }
      })
    }
  }
  tags                 = var.tags
  role_path            = var.role_path
  permissions_boundary = var.permissions_boundary
}
