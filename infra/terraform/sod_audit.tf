# The separation-of-duties audit: an hourly schedule and every IAM change CloudTrail records → Lambda, which audits
# the account's roles and emits SodViolations per duty; an alarm per duty fires on any violation.
# Enabled when sod_audit_package is set. IAM is a global service: CloudTrail delivers its events to EventBridge in
# us-east-1, so deploy this part there (the schedule works in any region).

locals {
  sod_audit = var.sod_audit_package == null ? toset([]) : toset(["enabled"])
}

resource "aws_iam_role" "sod_audit" {
  for_each           = local.sod_audit
  name               = var.sod_audit_name
  assume_role_policy = file("${path.module}/../../policies/roles/scalegate-sod-audit.trust.json")
}

resource "aws_iam_role_policy" "sod_audit" {
  for_each = local.sod_audit
  name     = var.sod_audit_name
  role     = aws_iam_role.sod_audit[each.key].id
  policy   = file("${path.module}/../../policies/roles/scalegate-sod-audit.json")
}

resource "aws_cloudwatch_log_group" "sod_audit" {
  for_each          = local.sod_audit
  name              = "/aws/lambda/${var.sod_audit_name}"
  retention_in_days = var.log_retention_days
}

resource "aws_lambda_function" "sod_audit" {
  for_each         = local.sod_audit
  function_name    = var.sod_audit_name
  role             = aws_iam_role.sod_audit[each.key].arn
  filename         = var.sod_audit_package
  source_code_hash = fileexists(var.sod_audit_package) ? filebase64sha256(var.sod_audit_package) : null
  handler          = "bootstrap"
  runtime          = "provided.al2023"
  architectures    = [var.architecture]
  memory_size      = 512
  # Reading every role and policy of a large account takes a few pages; the audit itself takes about a second.
  timeout = 300
  environment {
    variables = var.sod_audit_duties_toml == null ? {} : { SCALEGATE_DUTIES = var.sod_audit_duties_toml }
  }
  depends_on = [aws_cloudwatch_log_group.sod_audit]
}

resource "aws_cloudwatch_event_rule" "sod_schedule" {
  for_each            = local.sod_audit
  name                = "${var.sod_audit_name}-schedule"
  description         = "Audit separation of duties on a schedule"
  schedule_expression = var.sod_audit_schedule
}

resource "aws_cloudwatch_event_rule" "iam_changes" {
  for_each    = local.sod_audit
  name        = "${var.sod_audit_name}-iam-changes"
  description = "Audit separation of duties when a role or policy changes"
  event_pattern = jsonencode({
    source        = ["aws.iam"]
    "detail-type" = ["AWS API Call via CloudTrail"]
    detail = {
      eventSource = ["iam.amazonaws.com"]
      eventName = [
        "CreateRole", "DeleteRole", "UpdateAssumeRolePolicy", "PutRolePolicy", "DeleteRolePolicy", "AttachRolePolicy",
        "DetachRolePolicy", "PutRolePermissionsBoundary", "DeleteRolePermissionsBoundary", "CreatePolicyVersion",
        "SetDefaultPolicyVersion", "DeletePolicy",
      ]
    }
  })
}

resource "aws_cloudwatch_event_target" "sod_audit" {
  for_each = { for k in ["sod_schedule", "iam_changes"] : k => k if var.sod_audit_package != null }
  rule     = each.key == "sod_schedule" ? aws_cloudwatch_event_rule.sod_schedule["enabled"].name : aws_cloudwatch_event_rule.iam_changes["enabled"].name
  arn      = aws_lambda_function.sod_audit["enabled"].arn
}

resource "aws_lambda_permission" "sod_audit" {
  for_each      = { for k in ["sod_schedule", "iam_changes"] : k => k if var.sod_audit_package != null }
  statement_id  = "events-${each.key}"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.sod_audit["enabled"].function_name
  principal     = "events.amazonaws.com"
  source_arn    = each.key == "sod_schedule" ? aws_cloudwatch_event_rule.sod_schedule["enabled"].arn : aws_cloudwatch_event_rule.iam_changes["enabled"].arn
}

resource "aws_cloudwatch_metric_alarm" "sod_violations" {
  for_each            = var.sod_audit_package == null ? toset([]) : toset(var.sod_audit_duties)
  alarm_name          = "${var.sod_audit_name}-violations-${each.value}"
  alarm_description   = "A role under duty ${each.value} may reach a class it must not (see the sod-audit findings in its logs: principal, class and the witness path)."
  namespace           = "scalegate"
  metric_name         = "SodViolations"
  dimensions          = { Duty = each.value }
  statistic           = "Maximum"
  period              = 3600
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
}

resource "aws_cloudwatch_metric_alarm" "sod_audit_errors" {
  for_each            = local.sod_audit
  alarm_name          = "${var.sod_audit_name}-errors"
  alarm_description   = "The sod-audit function failed (it could not read the account's roles): violations would go unseen."
  namespace           = "AWS/Lambda"
  metric_name         = "Errors"
  dimensions          = { FunctionName = aws_lambda_function.sod_audit[each.key].function_name }
  statistic           = "Sum"
  period              = 3600
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
}
