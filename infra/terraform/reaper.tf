# The protection reaper: an EventBridge schedule → Lambda, which removes scale-in protection whose work lease expired
# in groups tagged scalegate:leases=true (its role can unprotect nothing else). Enabled when reaper_package is set.

locals {
  reaper = var.reaper_package == null ? toset([]) : toset(["enabled"])
}

resource "aws_iam_role" "reaper" {
  for_each           = local.reaper
  name               = var.reaper_name
  assume_role_policy = file("${path.module}/../../policies/roles/scalegate-protection-reaper.trust.json")
}

resource "aws_iam_role_policy" "reaper" {
  for_each = local.reaper
  name     = var.reaper_name
  role     = aws_iam_role.reaper[each.key].id
  policy   = file("${path.module}/../../policies/roles/scalegate-protection-reaper.json")
}

resource "aws_cloudwatch_log_group" "reaper" {
  for_each          = local.reaper
  name              = "/aws/lambda/${var.reaper_name}"
  retention_in_days = var.log_retention_days
}

resource "aws_lambda_function" "reaper" {
  for_each         = local.reaper
  function_name    = var.reaper_name
  role             = aws_iam_role.reaper[each.key].arn
  filename         = var.reaper_package
  source_code_hash = fileexists(var.reaper_package) ? filebase64sha256(var.reaper_package) : null
  handler          = "bootstrap"
  runtime          = "provided.al2023"
  architectures    = [var.architecture]
  memory_size      = 256
  timeout          = 120
  depends_on       = [aws_cloudwatch_log_group.reaper]
}

resource "aws_cloudwatch_event_rule" "reaper" {
  for_each            = local.reaper
  name                = "${var.reaper_name}-schedule"
  description         = "Remove scale-in protection whose work lease expired"
  schedule_expression = var.reaper_schedule
}

resource "aws_cloudwatch_event_target" "reaper" {
  for_each = local.reaper
  rule     = aws_cloudwatch_event_rule.reaper[each.key].name
  arn      = aws_lambda_function.reaper[each.key].arn
}

resource "aws_lambda_permission" "reaper" {
  for_each      = local.reaper
  statement_id  = "events-schedule"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.reaper[each.key].function_name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.reaper[each.key].arn
}

resource "aws_cloudwatch_metric_alarm" "reaper_errors" {
  for_each            = local.reaper
  alarm_name          = "${var.reaper_name}-errors"
  alarm_description   = "The protection reaper failed: expired leases may be pinning groups against scale-in."
  namespace           = "AWS/Lambda"
  metric_name         = "Errors"
  dimensions          = { FunctionName = aws_lambda_function.reaper[each.key].function_name }
  statistic           = "Sum"
  period              = 900
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
}
