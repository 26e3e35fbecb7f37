# The separation-of-duties audit: an hourly schedule and every IAM change CloudTrail records → Lambda, which audits
# the account's roles and emits SodViolations per duty; an alarm per duty fires on any violation.
# Enabled when sod_audit_package is set (and create). IAM is a global service: CloudTrail delivers its events to
# EventBridge in us-east-1, so deploy this part there (the schedule works in any region); create_launch_gate = false
# deploys it alone (examples/sod_audit_only). The IAM-change rule sees events only while a trail records management
# events (examples/sod_audit_only adds one).

module "sod_audit" {
  source       = "./modules/function"
  count        = local.sod_audit_count
  name         = var.sod_audit_name
  role_name    = "${var.sod_audit_name}-${local.region}"
  policy       = replace(file("${path.module}/files/roles/scalegate-sod-audit.json"), "arn:aws:", "arn:${local.partition}:")
  trust_policy = file("${path.module}/files/roles/scalegate-sod-audit.trust.json")
  package      = var.sod_audit_package
  architecture = var.architecture
  memory_mb    = 512
  # Reading every role and policy of a large account takes a few pages; the audit itself takes about a second.
  timeout_seconds    = 300
  config_document    = { setting = "SCALEGATE_DUTIES_S3", location = local.config_location["duties"], object_arn = local.config_object_arn["duties"], name = "duties" }
  log_retention_days = var.log_retention_days
  alarm_actions      = var.alarm_actions
  ok_actions         = var.ok_actions
  silence_alarm = {
    description = "The sod-audit function has not run for 2 hours: separation of duties is unchecked (check its schedule rule and its start-up log)."
    period      = 7200
  }
  errors_alarm = {
    description = "The sod-audit function failed (it could not read the account's roles): violations would go unseen."
    period      = 3600
  }
  depends_on = [aws_s3_object.duties]
  rules = {
    schedule = { description = "Audit separation of duties on a schedule", schedule_expression = var.sod_audit_schedule }
    iam-changes = {
      description = "Audit separation of duties when a role, user, group or policy changes"
      event_pattern = jsonencode({
        source        = ["aws.iam"]
        "detail-type" = ["AWS API Call via CloudTrail"]
        detail = {
          eventSource = ["iam.amazonaws.com"]
          eventName = [
            "CreateRole", "DeleteRole", "UpdateAssumeRolePolicy", "PutRolePolicy", "DeleteRolePolicy", "AttachRolePolicy",
            "DetachRolePolicy", "PutRolePermissionsBoundary", "DeleteRolePermissionsBoundary", "CreatePolicyVersion",
            "SetDefaultPolicyVersion", "DeletePolicy",
            "CreateUser", "DeleteUser", "PutUserPolicy", "DeleteUserPolicy", "AttachUserPolicy", "DetachUserPolicy",
            "PutUserPermissionsBoundary", "DeleteUserPermissionsBoundary", "CreateGroup", "DeleteGroup", "PutGroupPolicy",
            "DeleteGroupPolicy", "AttachGroupPolicy", "DetachGroupPolicy", "AddUserToGroup", "RemoveUserFromGroup",
          ]
        }
      })
    }
  }
  tags                 = var.tags
  role_path            = var.role_path
  permissions_boundary = var.permissions_boundary
}

resource "aws_cloudwatch_metric_alarm" "sod_violations" {
  for_each            = local.sod_audit_count == 1 ? toset(var.sod_audit_duties) : toset([])
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
  ok_actions          = var.ok_actions
  tags                = var.tags
}
