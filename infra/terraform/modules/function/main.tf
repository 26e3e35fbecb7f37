# One scalegate function: role (policy from policies/roles/), log group, the Rust bootstrap on provided.al2023,
# EventBridge rules that invoke it, and an alarm on its errors. The launch gate, sod-audit, backlog-metric, the
# protection reaper and the drain differ only in these inputs.

variable "name" {
  type = string
}

variable "role_name" {
  description = "The execution role's name. IAM names are global to the account, so the root module adds the region: the same deployment in two regions does not collide."
  type        = string
}

variable "policy" {
  description = "The role's identity policy (JSON)."
  type        = string
}

variable "trust_policy" {
  description = "The role's trust policy (JSON): policies/roles/<role>.trust.json."
  type        = string
}

variable "package" {
  type = string
}

variable "architecture" {
  type = string
}

variable "memory_mb" {
  type = number
}

variable "timeout_seconds" {
  type = number
}

variable "environment" {
  type    = map(string)
  default = {}
}

variable "log_retention_days" {
  type = number
}

variable "tags" {
  description = "Tags for every resource that takes them."
  type        = map(string)
  default     = {}
}

variable "role_path" {
  description = "The execution role's path."
  type        = string
  default     = "/"
}

variable "permissions_boundary" {
  description = "The ARN of a policy to set as the execution role's permissions boundary; null for none."
  type        = string
  default     = null
}

variable "config_document" {
  description = "The function's configuration document, read while it runs: the variable that names it (SCALEGATE_*_S3), its s3:// location, and its short name for messages. Null: none."
  type = object({
    setting    = string
    location   = string
    name       = string
    object_arn = string
  })
  default = null
}

variable "rules" {
  description = "EventBridge rules that invoke the function, by name suffix: a schedule_expression or an event_pattern (JSON)."
  type = map(object({
    description         = string
    schedule_expression = optional(string)
    event_pattern       = optional(string)
  }))
  default = {}
}

variable "errors_alarm" {
  description = "What the errors alarm says, and over how many seconds it counts."
  type = object({
    description = string
    period      = number
  })
}

variable "finding_alarms" {
  description = "Alarms on what the function finds, by name suffix: the scalegate metric it writes (with no dimension, every run) above 0, over the period, by the statistic. The alarm is <name>-<key>."
  type = map(object({
    description = string
    metric_name = string
    statistic   = string
    period      = number
  }))
  default = {}
}

variable "alarm_actions" {
  type = list(string)
}

variable "ok_actions" {
  description = "Notified when an alarm returns to OK."
  type        = list(string)
  default     = []
}

variable "failure_queue" {
  description = "For a function EventBridge invokes asynchronously: after Lambda's retries, a failed event goes to the queue <name>-failures with the error (an on-failure destination), and an alarm watches the queue. The role's policy must allow sqs:SendMessage on it."
  type        = bool
  default     = false
}

variable "silence_alarm" {
  description = "For a scheduled function: alarm when it has not run for this many seconds (a stopped schedule, a deleted rule, a function that cannot start). Null: event-driven, no such alarm."
  type = object({
    description = string
    period      = number
  })
  default = null
}

locals {
  # The role's ReadConfigDocument and ListConfigVersions statements, scoped from the policy file's patterns to this
  # document and its bucket exactly.
  policy_doc = jsondecode(var.policy)
  policy = var.config_document == null ? var.policy : jsonencode(merge(local.policy_doc, {
    Statement = [for s in local.policy_doc.Statement : jsondecode(
      try(s.Sid, "") == "ReadConfigDocument" ? jsonencode(merge(s, { Resource = var.config_document.object_arn })) : (
        try(s.Sid, "") == "ListConfigVersions" ? jsonencode(merge(s, { Resource = split("/", var.config_document.object_arn)[0] })) : jsonencode(s)
      )
    )]
  }))
  environment = merge(var.environment, var.config_document == null ? {} : { (var.config_document.setting) = var.config_document.location })
}

resource "aws_iam_role" "this" {
  name                 = var.role_name
  path                 = var.role_path
  permissions_boundary = var.permissions_boundary
  assume_role_policy   = var.trust_policy
  tags                 = var.tags
}

resource "aws_iam_role_policy" "this" {
  name   = var.name
  role   = aws_iam_role.this.id
  policy = local.policy
}

resource "aws_cloudwatch_log_group" "this" {
  name              = "/aws/lambda/${var.name}"
  retention_in_days = var.log_retention_days
  tags              = var.tags
}

resource "aws_lambda_function" "this" {
  function_name    = var.name
  role             = aws_iam_role.this.arn
  filename         = var.package
  source_code_hash = fileexists(var.package) ? filebase64sha256(var.package) : null
  handler          = "bootstrap"
  runtime          = "provided.al2023"
  # Every apply that changes code or settings publishes a version; the alias below is what everything invokes.
  publish       = true
  architectures = [var.architecture]
  memory_size   = var.memory_mb
  timeout       = var.timeout_seconds
  dynamic "environment" {
    for_each = length(local.environment) > 0 ? [local.environment] : []
    content {
      variables = environment.value
    }
  }
  depends_on = [aws_cloudwatch_log_group.this]
  lifecycle {
    # Lambda refuses a function whose variables (keys and values together) exceed 4 KB: fail the plan, not the apply.
    precondition {
      condition     = sum(concat([0], [for k, v in local.environment : length(k) + length(v)])) <= 4096
      error_message = "The environment of ${var.name} exceeds Lambda's 4 KB for all variables together (${sum(concat([0], [for k, v in local.environment : length(k) + length(v)]))} characters): put documents in the configuration bucket, not in variables."
    }
  }
  tags = var.tags
}

# Event sources invoke the alias, never $LATEST: rolling back is pointing it at the previous version
# (`aws lambda update-alias --function-name NAME --name live --function-version N`), with no deployment.
resource "aws_lambda_alias" "live" {
  name             = "live"
  description      = "The version scalegate's event sources invoke."
  function_name    = aws_lambda_function.this.function_name
  function_version = aws_lambda_function.this.version
}

resource "aws_cloudwatch_event_rule" "this" {
  for_each            = var.rules
  name                = "${var.name}-${each.key}"
  description         = each.value.description
  schedule_expression = each.value.schedule_expression
  event_pattern       = each.value.event_pattern
  tags                = var.tags
}

resource "aws_cloudwatch_event_target" "this" {
  for_each = var.rules
  rule     = aws_cloudwatch_event_rule.this[each.key].name
  arn      = aws_lambda_alias.live.arn
  # An event EventBridge cannot deliver (the function throttled past EventBridge's retries, a permission gone) lands
  # here, where the alarm below sees it, instead of vanishing.
  dead_letter_config {
    arn = aws_sqs_queue.rule_dead_letters[0].arn
  }
}

resource "aws_sqs_queue" "rule_dead_letters" {
  count                     = length(var.rules) > 0 ? 1 : 0
  name                      = "${var.name}-rules-dlq"
  message_retention_seconds = 1209600
  tags                      = var.tags
}

resource "aws_sqs_queue_policy" "rule_dead_letters" {
  count     = length(var.rules) > 0 ? 1 : 0
  queue_url = aws_sqs_queue.rule_dead_letters[0].id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "events.amazonaws.com" }
      Action    = "sqs:SendMessage"
      Resource  = aws_sqs_queue.rule_dead_letters[0].arn
      Condition = { ArnEquals = { "aws:SourceArn" = [for r in aws_cloudwatch_event_rule.this : r.arn] } }
    }]
  })
}

resource "aws_cloudwatch_metric_alarm" "rule_dead_letters" {
  count               = length(var.rules) > 0 ? 1 : 0
  alarm_name          = "${var.name}-rules-dead-letters"
  alarm_description   = "EventBridge could not deliver events to ${var.name} (throttled past its retries, or no permission): see ${var.name}-rules-dlq, each message carries the error."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = aws_sqs_queue.rule_dead_letters[0].name }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  ok_actions          = var.ok_actions
  tags                = var.tags
}

# An event the function failed on, after Lambda's two retries: the record keeps the event and the error together.
resource "aws_sqs_queue" "failures" {
  count                     = var.failure_queue ? 1 : 0
  name                      = "${var.name}-failures"
  message_retention_seconds = 1209600
  sqs_managed_sse_enabled   = true
  tags                      = var.tags
}

resource "aws_lambda_function_event_invoke_config" "failures" {
  count = var.failure_queue ? 1 : 0
  # Lambda checks that the role may send to the destination when the config is made.
  depends_on             = [aws_iam_role_policy.this]
  function_name          = aws_lambda_function.this.function_name
  qualifier              = aws_lambda_alias.live.name
  maximum_retry_attempts = 2
  destination_config {
    on_failure {
      destination = aws_sqs_queue.failures[0].arn
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "failures" {
  count               = var.failure_queue ? 1 : 0
  alarm_name          = "${var.name}-failures"
  alarm_description   = "${var.name} failed on an event after Lambda's retries: see ${var.name}-failures, each message holds the event and the error."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = aws_sqs_queue.failures[0].name }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  ok_actions          = var.ok_actions
  tags                = var.tags
}

resource "aws_lambda_permission" "this" {
  for_each      = var.rules
  statement_id  = "events-${each.key}"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.this.function_name
  qualifier     = aws_lambda_alias.live.name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.this[each.key].arn
}

resource "aws_cloudwatch_metric_alarm" "errors" {
  alarm_name          = "${var.name}-errors"
  alarm_description   = var.errors_alarm.description
  namespace           = "AWS/Lambda"
  metric_name         = "Errors"
  dimensions          = { FunctionName = aws_lambda_function.this.function_name }
  statistic           = "Sum"
  period              = var.errors_alarm.period
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  ok_actions          = var.ok_actions
  tags                = var.tags
}

# What the function finds (drifted instances, guard alerts, unexplained scaling): any at all is the alarm; no run
# writing the metric is the silence alarm's business, not this one's.
resource "aws_cloudwatch_metric_alarm" "finding" {
  for_each            = var.finding_alarms
  alarm_name          = "${var.name}-${each.key}"
  alarm_description   = each.value.description
  namespace           = "scalegate"
  metric_name         = each.value.metric_name
  statistic           = each.value.statistic
  period              = each.value.period
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  ok_actions          = var.ok_actions
  tags                = var.tags
}

# Throttled invocations mean events wait (or, for a schedule, runs are lost): 2 of 3 minutes, not one blip.
resource "aws_cloudwatch_metric_alarm" "throttles" {
  alarm_name          = "${var.name}-throttles"
  alarm_description   = "${var.name} is being throttled: raise its reserved concurrency or the account's Lambda concurrency."
  namespace           = "AWS/Lambda"
  metric_name         = "Throttles"
  dimensions          = { FunctionName = aws_lambda_function.this.function_name }
  statistic           = "Sum"
  period              = 60
  evaluation_periods  = 3
  datapoints_to_alarm = 2
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  ok_actions          = var.ok_actions
  tags                = var.tags
}

# Silence: no invocation in the period is itself the alarm (missing data breaches), so a function that stopped
# running is caught even though it reports no error.
resource "aws_cloudwatch_metric_alarm" "silence" {
  count               = var.silence_alarm == null ? 0 : 1
  alarm_name          = "${var.name}-silent"
  alarm_description   = var.silence_alarm.description
  namespace           = "AWS/Lambda"
  metric_name         = "Invocations"
  dimensions          = { FunctionName = aws_lambda_function.this.function_name }
  statistic           = "Sum"
  period              = var.silence_alarm.period
  evaluation_periods  = 1
  threshold           = 1
  comparison_operator = "LessThanThreshold"
  treat_missing_data  = "breaching"
  alarm_actions       = var.alarm_actions
  ok_actions          = var.ok_actions
  tags                = var.tags
}

# A version of the configuration document that does not parse or validate: the function keeps its last good version
# (and says which in its log), but the change you pushed is not in force.
resource "aws_cloudwatch_metric_alarm" "config_rejected" {
  count               = var.config_document == null ? 0 : 1
  alarm_name          = "${var.name}-config-rejected"
  alarm_description   = "${var.name} rejected the current version of ${var.config_document.location}: it keeps deciding with the last good version. Its log line \"config rejected\" names the version and the error; fix and push again, or `scalegate config rollback`."
  namespace           = "scalegate"
  metric_name         = "ConfigRejected"
  dimensions          = { Document = var.config_document.location }
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

# The document could not be read (a bucket policy, a deleted object, S3 errors) when the function looked: new
# versions do not arrive; the function keeps its last good one. Functions look only when invoked, so one error counts.
resource "aws_cloudwatch_metric_alarm" "config_unreadable" {
  count               = var.config_document == null ? 0 : 1
  alarm_name          = "${var.name}-config-unreadable"
  alarm_description   = "${var.name} cannot read ${var.config_document.location} and keeps its last good version: check the object, the bucket policy and the role's s3:GetObject."
  namespace           = "scalegate"
  metric_name         = "ConfigFetchErrors"
  dimensions          = { Document = var.config_document.location }
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

output "function_arn" {
  description = "The function's unqualified ARN."
  value       = aws_lambda_function.this.arn
}

output "alias_arn" {
  description = "The live alias's ARN: what event sources invoke."
  value       = aws_lambda_alias.live.arn
}

output "version" {
  description = "The version the live alias points at."
  value       = aws_lambda_alias.live.function_version
}

output "function_name" {
  description = "The function's name."
  value       = aws_lambda_function.this.function_name
}

output "role_arn" {
  description = "The function's execution role."
  value       = aws_iam_role.this.arn
}
