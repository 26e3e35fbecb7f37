# The launch gate: EventBridge launch lifecycle actions → SQS (with a dead-letter queue) → Lambda →
# CompleteLifecycleAction. moved.tf carries deployments made before the function and its queue became modules.

data "aws_partition" "current" {}
data "aws_region" "current" {}
data "aws_caller_identity" "current" {}

locals {
  # The groups by a key known at plan: the name itself when names are given as a list, the caller's key otherwise.
  groups = var.auto_scaling_groups_by_key != null ? var.auto_scaling_groups_by_key : { for g in coalesce(var.auto_scaling_groups, []) : g => g }
  # One source of truth for the role: policies/roles/scalegate-launch-gate.json, with the completion statement scoped to the
  # groups this deployment polices.
  # The policy files name the aws partition; a deployment in aws-cn or aws-us-gov gets its own.
  policy_doc = jsondecode(replace(file("${path.module}/../../policies/roles/scalegate-launch-gate.json"), "arn:aws:", "arn:${data.aws_partition.current.partition}:"))
  # Without named groups, groups opt in by naming their launch hook var.name; the role keeps the policy file's scope.
  group_arns = [
    for g in values(local.groups) :
    "arn:${data.aws_partition.current.partition}:autoscaling:${data.aws_region.current.id}:${data.aws_caller_identity.current.account_id}:autoScalingGroup:*:autoScalingGroupName/${g}"
  ]
  # SSM parameters the groups' templates name their AMI through (resolve:ssm:...): names in this account, AWS's
  # public /aws/service/... parameters, or ARNs.
  ami_parameter_arns = [
    for p in var.ami_parameters : startswith(p, "arn:") ? p : (
      startswith(p, "/aws/service/")
      ? "arn:${data.aws_partition.current.partition}:ssm:${data.aws_region.current.id}::parameter${p}"
      : "arn:${data.aws_partition.current.partition}:ssm:${data.aws_region.current.id}:${data.aws_caller_identity.current.account_id}:parameter/${trimprefix(p, "/")}"
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

# The groups come as a list of names, as a map by static keys, or not at all: then every group whose launch hook is
# named var.name opts in (EventBridge matches the hook name), and modules/group gives each its alarms.
resource "terraform_data" "groups_given" {
  lifecycle {
    precondition {
      condition     = var.auto_scaling_groups == null || var.auto_scaling_groups_by_key == null
      error_message = "Name the groups the gate polices in at most one of auto_scaling_groups (names) or auto_scaling_groups_by_key (static key → name)."
    }
  }
}

module "gate" {
  source             = "./modules/function"
  name               = var.name
  policy             = jsonencode(local.policy)
  trust_policy       = file("${path.module}/../../policies/roles/scalegate-launch-gate.trust.json")
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
  # The function reads its rules at start: they exist before it does.
  depends_on           = [aws_s3_object.gate_rules]
  tags                 = var.tags
  role_path            = var.role_path
  permissions_boundary = var.permissions_boundary
}

module "gate_events" {
  source                         = "./modules/lifecycle_actions"
  name                           = var.name
  transition                     = "autoscaling:EC2_INSTANCE_LAUNCHING"
  description                    = "Launch lifecycle actions of the groups scalegate gates"
  auto_scaling_groups            = local.groups
  function_arn                   = module.gate.alias_arn
  visibility_timeout_seconds     = var.timeout_seconds * 6
  create_hooks                   = var.create_hooks
  hook                           = { heartbeat_timeout = var.hook_heartbeat_timeout, default_result = "ABANDON" }
  dead_letters_alarm_description = "Lifecycle notifications the gate could not handle reached the dead-letter queue; their instances fell back to the hook's ABANDON."
  alarm_actions                  = var.alarm_actions
  ok_actions                     = var.ok_actions
  tags                           = var.tags
}
