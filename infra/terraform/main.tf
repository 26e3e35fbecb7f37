# The launch gate: EventBridge launch lifecycle actions → SQS (with a dead-letter queue) → Lambda →
# CompleteLifecycleAction. moved.tf carries deployments made before the function and its queue became modules, and
# before they became optional.

# create = false must read nothing either, so even the data sources are counted.
data "aws_partition" "current" {
  count = var.create ? 1 : 0
}

data "aws_region" "current" {
  count = var.create ? 1 : 0
}

data "aws_caller_identity" "current" {
  count = var.create ? 1 : 0
}

locals {
  # Which parts exist: each is created only under create, the launch gate also under create_launch_gate, the others
  # when their package is given.
  gate_count      = var.create && var.create_launch_gate ? 1 : 0
  sod_audit_count = var.create && var.sod_audit_package != null ? 1 : 0
  backlog_count   = var.create && var.backlog_package != null ? 1 : 0
  reaper_count    = var.create && var.reaper_package != null ? 1 : 0
  drain_count     = var.create && var.drain_package != null ? 1 : 0
  planner_count   = var.create && var.planner_package != null ? 1 : 0
  # With create = false nothing that is created reads these; the fallbacks only keep the expressions that mention
  # them evaluable. The region is the data source's id: `name` is deprecated in AWS provider 6 and `region` exists
  # only from 6 on, while id holds the region's name in both.
  partition  = var.create ? data.aws_partition.current[0].partition : "aws"
  region     = var.create ? data.aws_region.current[0].id : "none"
  account_id = var.create ? data.aws_caller_identity.current[0].account_id : "000000000000"
  # The groups by a key known at plan: the name itself when names are given as a list, the caller's key otherwise.
  groups = var.auto_scaling_groups_by_key != null ? var.auto_scaling_groups_by_key : { for g in coalesce(var.auto_scaling_groups, []) : g => g }
  # One source of truth for the role: policies/roles/scalegate-launch-gate.json, with the completion statement scoped to the
  # groups this deployment polices.
  # The policy files name the aws partition; a deployment in aws-cn or aws-us-gov gets its own.
  policy_doc = jsondecode(replace(file("${path.module}/files/roles/scalegate-launch-gate.json"), "arn:aws:", "arn:${local.partition}:"))
  # Without named groups, groups opt in by naming their launch hook var.name; the role keeps the policy file's scope.
  group_arns = [
    for g in values(local.groups) :
    "arn:${local.partition}:autoscaling:${local.region}:${local.account_id}:autoScalingGroup:*:autoScalingGroupName/${g}"
  ]
  # SSM parameters the groups' templates name their AMI through (resolve:ssm:...): names in this account, AWS's
  # public /aws/service/... parameters, or ARNs.
  ami_parameter_arns = [
    for p in var.ami_parameters : startswith(p, "arn:") ? p : (
      startswith(p, "/aws/service/")
      ? "arn:${local.partition}:ssm:${local.region}::parameter${p}"
      : "arn:${local.partition}:ssm:${local.region}:${local.account_id}:parameter/${trimprefix(p, "/")}"
    )
  ]
  resolve_amis = length(var.ami_parameters) == 0 ? [] : [{
    Sid      = "ResolveAmiParameters"
    Effect   = "Allow"
    Action   = ["ssm:GetParameters"]
    Resource = local.ami_parameter_arns
  }]
  # Statements differ in shape, so each is re-encoded on its own before the list is assembled.
  policy = {
    Version = local.policy_doc.Version
    Statement = concat([
      for s in local.policy_doc.Statement : jsondecode(
        s.Sid == "CompleteLifecycleActions" && length(local.group_arns) > 0 ? jsonencode(merge(s, { Resource = local.group_arns })) : jsonencode(s)
      )
    ], [for s in local.resolve_amis : jsondecode(jsonencode(s))])
  }
}

# Checks across inputs (a variable's own validation cannot name another variable before Terraform 1.9). The groups
# come as a list of names, as a map by static keys, or not at all: then every group whose launch hook is named
# var.name opts in (EventBridge matches the hook name), and modules/group gives each its alarms.
resource "terraform_data" "input_checks" {
  count = var.create ? 1 : 0
  lifecycle {
    precondition {
      condition     = var.auto_scaling_groups == null || var.auto_scaling_groups_by_key == null
      error_message = "Name the groups the gate polices in at most one of auto_scaling_groups (names) or auto_scaling_groups_by_key (static key → name)."
    }
    precondition {
      condition     = !var.create_launch_gate || var.package != null
      error_message = "package (the launch gate's zip, dist/lambda/launch-gate.zip) is required when the launch gate is created; set create_launch_gate = false to deploy the other parts without it."
    }
  }
}

module "gate" {
  source             = "./modules/function"
  count              = local.gate_count
  name               = var.name
  role_name          = "${var.name}-${local.region}"
  policy             = jsonencode(local.policy)
  trust_policy       = file("${path.module}/files/roles/scalegate-launch-gate.trust.json")
  package            = var.package
  architecture       = var.architecture
  memory_mb          = var.memory_mb
  timeout_seconds    = var.timeout_seconds
  config_document    = { setting = "SCALEGATE_GATE_RULES_S3", location = local.config_location["gate"], object_arn = local.config_object_arn["gate"], name = "gate-rules" }
  log_retention_days = var.log_retention_days
  alarm_actions      = var.alarm_actions
  ok_actions         = var.ok_actions
  errors_alarm = {
    description = "The launch-gate function is failing invocations."
    period      = 300
  }
  # The function reads its rules at start: they exist before it does. A failed input check stops the plan here, before
  # a null package reaches the function as a confusing error of its own.
  depends_on           = [aws_s3_object.gate_rules, terraform_data.input_checks]
  tags                 = var.tags
  role_path            = var.role_path
  permissions_boundary = var.permissions_boundary
}

module "gate_events" {
  source                         = "./modules/lifecycle_actions"
  count                          = local.gate_count
  name                           = var.name
  transition                     = "autoscaling:EC2_INSTANCE_LAUNCHING"
  description                    = "Launch lifecycle actions of the groups scalegate gates"
  auto_scaling_groups            = local.groups
  function_arn                   = module.gate[0].alias_arn
  visibility_timeout_seconds     = var.timeout_seconds * 6
  create_hooks                   = var.create_hooks
  hook                           = { heartbeat_timeout = var.hook_heartbeat_timeout, default_result = "ABANDON" }
  dead_letters_alarm_description = "Lifecycle notifications the gate could not handle reached the dead-letter queue; their instances fell back to the hook's ABANDON."
  alarm_actions                  = var.alarm_actions
  ok_actions                     = var.ok_actions
  tags                           = var.tags
}
