# The launch gate: EventBridge lifecycle events → SQS (with a dead-letter queue) → Lambda → CompleteLifecycleAction.

data "aws_partition" "current" {}
data "aws_region" "current" {}
data "aws_caller_identity" "current" {}

locals {
  rules = coalesce(var.gate_rules, file("${path.module}/../../policies/gate.toml"))
  # One source of truth for the role: policies/roles/scalegate-launch-gate.json, with the completion statement scoped to the
  # groups this deployment polices.
  policy_doc = jsondecode(file("${path.module}/../../policies/roles/scalegate-launch-gate.json"))
  group_arns = [
    for g in var.auto_scaling_groups :
    "arn:${data.aws_partition.current.partition}:autoscaling:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:autoScalingGroup:*:autoScalingGroupName/${g}"
  ]
  # Statements differ in shape, so each is re-encoded on its own before the list is assembled.
  policy = {
    Version = local.policy_doc.Version
    Statement = [
      for s in local.policy_doc.Statement : jsondecode(
        s.Sid == "CompleteLifecycleActions" ? jsonencode(merge(s, { Resource = local.group_arns })) : jsonencode(s)
      )
    ]
  }
}

resource "aws_iam_role" "gate" {
  name = var.name
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "lambda.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_iam_role_policy" "gate" {
  name   = var.name
  role   = aws_iam_role.gate.id
  policy = jsonencode(local.policy)
}

resource "aws_cloudwatch_log_group" "gate" {
  name              = "/aws/lambda/${var.name}"
  retention_in_days = var.log_retention_days
}

resource "aws_lambda_function" "gate" {
  function_name    = var.name
  role             = aws_iam_role.gate.arn
  filename         = var.package
  source_code_hash = fileexists(var.package) ? filebase64sha256(var.package) : null
  handler          = "bootstrap"
  runtime          = "provided.al2023"
  architectures    = [var.architecture]
  memory_size      = var.memory_mb
  timeout          = var.timeout_seconds
  environment {
    variables = {
      SCALEGATE_GATE_RULES = local.rules
    }
  }
  depends_on = [aws_cloudwatch_log_group.gate]
}

resource "aws_sqs_queue" "dead_letters" {
  name                      = "${var.name}-dlq"
  message_retention_seconds = 1209600
}

resource "aws_sqs_queue" "events" {
  name = "${var.name}-events"
  # AWS's guidance: at least six times the function timeout, so a retry never overlaps a running invocation.
  visibility_timeout_seconds = var.timeout_seconds * 6
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.dead_letters.arn
    maxReceiveCount     = 5
  })
}

resource "aws_cloudwatch_event_rule" "launch_actions" {
  name        = var.name
  description = "Launch lifecycle actions of the groups scalegate gates"
  event_pattern = jsonencode({
    source        = ["aws.autoscaling"]
    "detail-type" = ["EC2 Instance-launch Lifecycle Action"]
    detail        = { AutoScalingGroupName = var.auto_scaling_groups }
  })
}

resource "aws_cloudwatch_event_target" "queue" {
  rule = aws_cloudwatch_event_rule.launch_actions.name
  arn  = aws_sqs_queue.events.arn
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
      Condition = { ArnEquals = { "aws:SourceArn" = aws_cloudwatch_event_rule.launch_actions.arn } }
    }]
  })
}

resource "aws_lambda_event_source_mapping" "events" {
  event_source_arn        = aws_sqs_queue.events.arn
  function_name           = aws_lambda_function.gate.arn
  batch_size              = 10
  function_response_types = ["ReportBatchItemFailures"]
}

resource "aws_autoscaling_lifecycle_hook" "launch" {
  for_each               = var.create_hooks ? toset(var.auto_scaling_groups) : toset([])
  name                   = var.name
  autoscaling_group_name = each.value
  lifecycle_transition   = "autoscaling:EC2_INSTANCE_LAUNCHING"
  heartbeat_timeout      = var.hook_heartbeat_timeout
  default_result         = "ABANDON"
}
