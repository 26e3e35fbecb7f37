# How one scalegate function receives one lifecycle transition of some groups: an EventBridge rule → an SQS queue
# (with a dead-letter queue, alarmed when it holds anything) → the function, which reports partial batch failures;
# and, when asked, the lifecycle hook on each group. The launch gate and the drain differ only in these inputs.

variable "name" {
  description = "The rule's and hook's name; the queues are <name>-events and <name>-dlq."
  type        = string
}

variable "transition" {
  description = "autoscaling:EC2_INSTANCE_LAUNCHING or autoscaling:EC2_INSTANCE_TERMINATING."
  type        = string
  validation {
    condition     = contains(["autoscaling:EC2_INSTANCE_LAUNCHING", "autoscaling:EC2_INSTANCE_TERMINATING"], var.transition)
    error_message = "transition must be autoscaling:EC2_INSTANCE_LAUNCHING or autoscaling:EC2_INSTANCE_TERMINATING."
  }
}

variable "description" {
  description = "What the rule is for."
  type        = string
}

variable "auto_scaling_groups" {
  description = "The groups, by a key known at plan → the name (which may be known only after apply). Empty: every group whose hook is named var.name."
  type        = map(string)
}

variable "function_arn" {
  description = "What the queue's event source mapping invokes: the function's live alias."
  type        = string
}

variable "tags" {
  description = "Tags for every resource that takes them."
  type        = map(string)
  default     = {}
}

variable "visibility_timeout_seconds" {
  description = "At least six times the function's timeout (AWS's guidance), so a retry never overlaps a run."
  type        = number
}

variable "create_hooks" {
  type = bool
}

variable "hook" {
  description = "The hooks' heartbeat timeout (30-7200 s) and default result."
  type = object({
    heartbeat_timeout = number
    default_result    = string
  })
}

variable "dead_letters_alarm_description" {
  type = string
}

variable "ok_actions" {
  description = "Notified when an alarm returns to OK."
  type        = list(string)
  default     = []
}

variable "oldest_message_alarm_seconds" {
  description = "Alarm when a lifecycle action has waited this long in the queue (the function is not keeping up, or not running); keep it under the hook's heartbeat timeout."
  type        = number
  default     = 120
}

variable "alarm_actions" {
  type = list(string)
}

locals {
  detail_type = var.transition == "autoscaling:EC2_INSTANCE_LAUNCHING" ? "EC2 Instance-launch Lifecycle Action" : "EC2 Instance-terminate Lifecycle Action"
}

resource "aws_sqs_queue" "dead_letters" {
  name                      = "${var.name}-dlq"
  message_retention_seconds = 1209600
  tags                      = var.tags
}

resource "aws_sqs_queue" "events" {
  name                       = "${var.name}-events"
  visibility_timeout_seconds = var.visibility_timeout_seconds
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.dead_letters.arn
    maxReceiveCount     = 5
  })
  tags = var.tags
}

resource "aws_cloudwatch_event_rule" "this" {
  name        = var.name
  description = var.description
  event_pattern = jsonencode({
    source        = ["aws.autoscaling"]
    "detail-type" = [local.detail_type]
    # Only this hook's actions (another tool's hook on the same group is not ours to complete), of the named groups
    # or, with none named, of every group whose hook carries this name: the hook is the opt-in.
    detail = jsondecode(length(var.auto_scaling_groups) > 0 ? jsonencode({ AutoScalingGroupName = values(var.auto_scaling_groups), LifecycleHookName = [var.name] }) : jsonencode({ LifecycleHookName = [var.name] }))
  })
  tags = var.tags
}

resource "aws_cloudwatch_event_target" "queue" {
  rule = aws_cloudwatch_event_rule.this.name
  arn  = aws_sqs_queue.events.arn
  # An event EventBridge cannot deliver (the queue's policy broken, the queue gone) lands beside the queue's own
  # dead letters, where the dead-letters alarm sees it, instead of vanishing after EventBridge's retries.
  dead_letter_config {
    arn = aws_sqs_queue.dead_letters.arn
  }
}

resource "aws_sqs_queue_policy" "dead_letters" {
  queue_url = aws_sqs_queue.dead_letters.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "events.amazonaws.com" }
      Action    = "sqs:SendMessage"
      Resource  = aws_sqs_queue.dead_letters.arn
      Condition = { ArnEquals = { "aws:SourceArn" = aws_cloudwatch_event_rule.this.arn } }
    }]
  })
}

resource "aws_sqs_queue_policy" "events" {
  queue_url = aws_sqs_queue.events.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "events.amazonaws.com" }
      Action    = "sqs:SendMessage"
      Resource  = aws_sqs_queue.events.arn
      Condition = { ArnEquals = { "aws:SourceArn" = aws_cloudwatch_event_rule.this.arn } }
    }]
  })
}

resource "aws_lambda_event_source_mapping" "events" {
  event_source_arn        = aws_sqs_queue.events.arn
  function_name           = var.function_arn
  batch_size              = 10
  function_response_types = ["ReportBatchItemFailures"]
}

resource "aws_autoscaling_lifecycle_hook" "this" {
  for_each               = var.create_hooks ? var.auto_scaling_groups : {}
  name                   = var.name
  autoscaling_group_name = each.value
  lifecycle_transition   = var.transition
  heartbeat_timeout      = var.hook.heartbeat_timeout
  default_result         = var.hook.default_result
}

resource "aws_cloudwatch_metric_alarm" "dead_letters" {
  alarm_name          = "${var.name}-dead-letters"
  alarm_description   = var.dead_letters_alarm_description
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = aws_sqs_queue.dead_letters.name }
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

# Actions waiting in the queue while their hooks' heartbeats run out: 2 of 3 minutes.
resource "aws_cloudwatch_metric_alarm" "oldest_message" {
  alarm_name          = "${var.name}-queue-age"
  alarm_description   = "Lifecycle actions have waited over ${var.oldest_message_alarm_seconds} s in ${aws_sqs_queue.events.name}: the function is not keeping up or not running, and hooks will time out to their default result."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateAgeOfOldestMessage"
  dimensions          = { QueueName = aws_sqs_queue.events.name }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 3
  datapoints_to_alarm = 2
  threshold           = var.oldest_message_alarm_seconds
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  ok_actions          = var.ok_actions
  tags                = var.tags
}

output "queue_url" {
  value = aws_sqs_queue.events.id
}

output "dead_letter_queue_url" {
  value = aws_sqs_queue.dead_letters.id
}
