# Backlog per instance: an EventBridge schedule every minute → Lambda, which publishes BacklogPerInstance,
# BacklogTarget and CapableInstances per group for target tracking. Enabled when backlog_package is set.
# The scaling policy itself belongs with your group (see the README): a customized metric specification on
# scalegate/BacklogPerInstance with the group's name as dimension, target value = your BacklogTarget.

locals {
  backlog = var.backlog_package == null ? toset([]) : toset(["enabled"])
}

resource "aws_iam_role" "backlog" {
  for_each           = local.backlog
  name               = var.backlog_name
  assume_role_policy = file("${path.module}/../../policies/roles/scalegate-backlog-metric.trust.json")
}

resource "aws_iam_role_policy" "backlog" {
  for_each = local.backlog
  name     = var.backlog_name
  role     = aws_iam_role.backlog[each.key].id
  policy   = file("${path.module}/../../policies/roles/scalegate-backlog-metric.json")
}

resource "aws_cloudwatch_log_group" "backlog" {
  for_each          = local.backlog
  name              = "/aws/lambda/${var.backlog_name}"
  retention_in_days = var.log_retention_days
}

resource "aws_lambda_function" "backlog" {
  for_each         = local.backlog
  function_name    = var.backlog_name
  role             = aws_iam_role.backlog[each.key].arn
  filename         = var.backlog_package
  source_code_hash = fileexists(var.backlog_package) ? filebase64sha256(var.backlog_package) : null
  handler          = "bootstrap"
  runtime          = "provided.al2023"
  architectures    = [var.architecture]
  memory_size      = 256
  # With 10 s resolution one invocation computes six times, 10 s apart.
  timeout = 75
  environment {
    variables = { SCALEGATE_BACKLOG_CONFIG = var.backlog_config_toml }
  }
  depends_on = [aws_cloudwatch_log_group.backlog]
}

resource "aws_cloudwatch_event_rule" "backlog" {
  for_each            = local.backlog
  name                = "${var.backlog_name}-schedule"
  description         = "Publish backlog per instance every minute"
  schedule_expression = "rate(1 minute)"
}

resource "aws_cloudwatch_event_target" "backlog" {
  for_each = local.backlog
  rule     = aws_cloudwatch_event_rule.backlog[each.key].name
  arn      = aws_lambda_function.backlog[each.key].arn
}

resource "aws_lambda_permission" "backlog" {
  for_each      = local.backlog
  statement_id  = "events-schedule"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.backlog[each.key].function_name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.backlog[each.key].arn
}

resource "aws_cloudwatch_metric_alarm" "backlog_errors" {
  for_each            = local.backlog
  alarm_name          = "${var.backlog_name}-errors"
  alarm_description   = "backlog-metric could not publish for some pair (queue or group missing, AWS errors): target tracking is scaling on stale data. See its logs: \"backlog not published\"."
  namespace           = "AWS/Lambda"
  metric_name         = "Errors"
  dimensions          = { FunctionName = aws_lambda_function.backlog[each.key].function_name }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
}
