# The drain: EventBridge terminate lifecycle actions → SQS → Lambda. A worker's live lease holds its instance in
# Terminating:Wait: the function heartbeats the hook and re-queues a re-check on the same queue with an SQS delay
# (never a sleeping Lambda), then completes with CONTINUE once the lease is released or expired, or the budget is
# spent. Unreadable records go straight to the dead-letter queue. Enabled when drain_package is set.

locals {
  drain        = var.drain_package == null ? [] : [var.drain_name]
  drain_groups = coalesce(var.drain_auto_scaling_groups, var.auto_scaling_groups)
}

resource "aws_sqs_queue" "drain_dead_letters" {
  for_each                  = toset(local.drain)
  name                      = "${each.value}-dlq"
  message_retention_seconds = 1209600
}

resource "aws_sqs_queue" "drain" {
  for_each = toset(local.drain)
  name     = "${each.value}-events"
  # Six times the function timeout, AWS's guidance for Lambda consumers.
  visibility_timeout_seconds = 180
  # The backstop for what the function itself cannot dead-letter.
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.drain_dead_letters[each.key].arn
    maxReceiveCount     = 5
  })
}

resource "aws_cloudwatch_event_rule" "terminate_actions" {
  for_each    = toset(local.drain)
  name        = each.value
  description = "Terminate lifecycle actions of the groups whose workers hold leases"
  event_pattern = jsonencode({
    source        = ["aws.autoscaling"]
    "detail-type" = ["EC2 Instance-terminate Lifecycle Action"]
    detail        = { AutoScalingGroupName = local.drain_groups }
  })
}

resource "aws_cloudwatch_event_target" "drain_queue" {
  for_each = toset(local.drain)
  rule     = aws_cloudwatch_event_rule.terminate_actions[each.key].name
  arn      = aws_sqs_queue.drain[each.key].arn
}

resource "aws_sqs_queue_policy" "drain" {
  for_each  = toset(local.drain)
  queue_url = aws_sqs_queue.drain[each.key].id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "events.amazonaws.com" }
      Action    = "sqs:SendMessage"
      Resource  = aws_sqs_queue.drain[each.key].arn
      Condition = { ArnEquals = { "aws:SourceArn" = aws_cloudwatch_event_rule.terminate_actions[each.key].arn } }
    }]
  })
}

module "drain" {
  source       = "./modules/function"
  count        = length(local.drain)
  name         = var.drain_name
  policy       = file("${path.module}/../../policies/roles/scalegate-drain.json")
  trust_policy = file("${path.module}/../../policies/roles/scalegate-drain.trust.json")
  package      = var.drain_package
  architecture = var.architecture
  memory_mb    = 256
  # One look is a few AWS calls; the waiting happens in the queue.
  timeout_seconds = 30
  environment = {
    SCALEGATE_DRAIN_QUEUE_URL   = aws_sqs_queue.drain[var.drain_name].id
    SCALEGATE_DRAIN_DLQ_URL     = aws_sqs_queue.drain_dead_letters[var.drain_name].id
    SCALEGATE_DRAIN_BUDGET      = var.drain_budget
    SCALEGATE_DRAIN_FIRST_DELAY = var.drain_first_delay
    SCALEGATE_DRAIN_MAX_DELAY   = var.drain_max_delay
  }
  log_retention_days = var.log_retention_days
  alarm_actions      = var.alarm_actions
  errors_alarm = {
    description = "The drain function is failing: terminating workers may be cut off (the hook's timeout applies) or held until it."
    period      = 300
  }
}

resource "aws_lambda_event_source_mapping" "drain" {
  for_each                = toset(local.drain)
  event_source_arn        = aws_sqs_queue.drain[each.key].arn
  function_name           = module.drain[0].function_arn
  batch_size              = 10
  function_response_types = ["ReportBatchItemFailures"]
}

resource "aws_autoscaling_lifecycle_hook" "terminate" {
  for_each               = var.create_hooks && length(local.drain) > 0 ? toset(local.drain_groups) : toset([])
  name                   = var.drain_name
  autoscaling_group_name = each.value
  lifecycle_transition   = "autoscaling:EC2_INSTANCE_TERMINATING"
  heartbeat_timeout      = var.drain_hook_heartbeat_timeout
  default_result         = "CONTINUE"
}

resource "aws_cloudwatch_metric_alarm" "drain_dead_letters" {
  for_each            = toset(local.drain)
  alarm_name          = "${each.value}-dead-letters"
  alarm_description   = "Records the drain could not read reached its dead-letter queue (each carries a scalegate-error attribute naming the problem)."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = aws_sqs_queue.drain_dead_letters[each.key].name }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
}

resource "aws_cloudwatch_metric_alarm" "drain_budget_spent" {
  for_each            = length(local.drain) > 0 ? toset(local.drain_groups) : toset([])
  alarm_name          = "${var.drain_name}-budget-spent-${each.value}"
  alarm_description   = "Workers of ${each.value} were terminated while still holding a lease: the drain budget ran out (raise drain_budget, or shorten jobs)."
  namespace           = "scalegate"
  metric_name         = "DrainCompletions"
  dimensions          = { AutoScalingGroupName = each.value, Reason = "budget_spent" }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
}
