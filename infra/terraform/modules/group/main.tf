# What scalegate attaches to one Auto Scaling group: the alarms that name it (gate abandons and latency, the drain's
# spent budget). The core (the root module) never needs the group's name when groups opt in by hook name, so a group
# can depend on the core and this module on the group, without a cycle:
#
#   module "scalegate" { source = ".../infra/terraform" ... }                  # no group names
#   resource "aws_autoscaling_group" "web" { name_prefix = "web-" ... initial_lifecycle_hook { name = module.scalegate.hook_name ... } }
#   module "web" { source = ".../infra/terraform/modules/group" auto_scaling_group_name = aws_autoscaling_group.web.name ... }

variable "auto_scaling_group_name" {
  description = "The group's name (may be known only after apply)."
  type        = string
}

variable "gate_name" {
  description = "The launch gate's name (the root module's name output); null when the group is not gated."
  type        = string
  default     = "scalegate-launch-gate"
}

variable "drain_name" {
  description = "The drain's name (the root module's drain_name); null when the group's terminations are not drained."
  type        = string
  default     = null
}

variable "abandon_alarm_threshold" {
  description = "Abandons in 5 minutes that raise the alarm."
  type        = number
  default     = 3
  validation {
    condition     = var.abandon_alarm_threshold >= 1
    error_message = "abandon_alarm_threshold must be at least 1."
  }
}

variable "latency_alarm_p99_ms" {
  description = "Alarm when the gate's p99 decision latency for the group stays above this many milliseconds for 10 minutes."
  type        = number
  default     = 5000
  validation {
    condition     = var.latency_alarm_p99_ms > 0
    error_message = "latency_alarm_p99_ms must be positive."
  }
}

variable "backlog_metric_missing_alarm" {
  description = "Alarm when no BacklogPerInstance arrives for the group for 5 minutes (missing data breaches): target tracking then holds the group where it is. Set it for groups that scale on the backlog."
  type        = bool
  default     = false
}

variable "alarm_actions" {
  description = "Notified when an alarm fires (SNS topic ARNs)."
  type        = list(string)
  default     = []
}

variable "ok_actions" {
  description = "Notified when an alarm returns to OK."
  type        = list(string)
  default     = []
}

variable "tags" {
  description = "Tags for the alarms."
  type        = map(string)
  default     = {}
}

resource "aws_cloudwatch_metric_alarm" "abandons" {
  count               = var.gate_name == null ? 0 : 1
  alarm_name          = "${var.gate_name}-abandons-${var.auto_scaling_group_name}"
  alarm_description   = "The launch gate abandoned instances of ${var.auto_scaling_group_name}: a template or fleet policy is out of line (see the gate decision logs for the failed checks)."
  namespace           = "scalegate"
  metric_name         = "GateDecisions"
  dimensions          = { AutoScalingGroupName = var.auto_scaling_group_name, Result = "ABANDON" }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = var.abandon_alarm_threshold
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  ok_actions          = var.ok_actions
  tags                = var.tags
}

resource "aws_cloudwatch_metric_alarm" "latency" {
  count               = var.gate_name == null ? 0 : 1
  alarm_name          = "${var.gate_name}-latency-${var.auto_scaling_group_name}"
  alarm_description   = "Gate decisions for ${var.auto_scaling_group_name} are slow: instances wait longer in Pending:Wait."
  namespace           = "scalegate"
  metric_name         = "GateLatency"
  dimensions          = { AutoScalingGroupName = var.auto_scaling_group_name }
  extended_statistic  = "p99"
  period              = 300
  evaluation_periods  = 2
  threshold           = var.latency_alarm_p99_ms
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  ok_actions          = var.ok_actions
  tags                = var.tags
}

resource "aws_cloudwatch_metric_alarm" "drain_budget_spent" {
  count               = var.drain_name == null ? 0 : 1
  alarm_name          = "${var.drain_name}-budget-spent-${var.auto_scaling_group_name}"
  alarm_description   = "Workers of ${var.auto_scaling_group_name} were terminated while still holding a lease: the drain budget ran out (raise drain_budget, or shorten jobs)."
  namespace           = "scalegate"
  metric_name         = "DrainCompletions"
  dimensions          = { AutoScalingGroupName = var.auto_scaling_group_name, Reason = "budget_spent" }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  ok_actions          = var.ok_actions
  tags                = var.tags
}

# Target tracking on a metric that stopped arriving does nothing: the group neither scales out under load nor in.
resource "aws_cloudwatch_metric_alarm" "backlog_metric_missing" {
  count               = var.backlog_metric_missing_alarm ? 1 : 0
  alarm_name          = "scalegate-backlog-missing-${var.auto_scaling_group_name}"
  alarm_description   = "No BacklogPerInstance for ${var.auto_scaling_group_name} in 5 minutes: target tracking holds the group where it is. Check that a backlog pair names the group and the backlog-metric function's log (\"backlog not published\")."
  namespace           = "scalegate"
  metric_name         = "BacklogPerInstance"
  dimensions          = { AutoScalingGroupName = var.auto_scaling_group_name }
  statistic           = "SampleCount"
  period              = 300
  evaluation_periods  = 1
  threshold           = 1
  comparison_operator = "LessThanThreshold"
  treat_missing_data  = "breaching"
  alarm_actions       = var.alarm_actions
  ok_actions          = var.ok_actions
  tags                = var.tags
}

output "alarm_names" {
  description = "The alarms created for the group."
  value = concat(
    aws_cloudwatch_metric_alarm.abandons[*].alarm_name,
    aws_cloudwatch_metric_alarm.latency[*].alarm_name,
    aws_cloudwatch_metric_alarm.drain_budget_spent[*].alarm_name,
    aws_cloudwatch_metric_alarm.backlog_metric_missing[*].alarm_name,
  )
}
