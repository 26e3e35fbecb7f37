# Backlog per instance: an EventBridge schedule every minute → Lambda, which publishes BacklogPerInstance,
# BacklogTarget and CapableInstances per group for target tracking. Enabled when backlog_package is set (and create).
# The scaling policy itself belongs with your group (see the README): a customized metric specification on
# scalegate/BacklogPerInstance with the group's name as dimension, target value = your BacklogTarget.

module "backlog" {
  source          = "./modules/function"
  count           = local.backlog_count
  name            = var.backlog_name
  role_name       = "${var.backlog_name}-${local.region}"
  policy          = replace(file("${path.module}/files/roles/scalegate-backlog-metric.json"), "arn:aws:", "arn:${local.partition}:")
  trust_policy    = file("${path.module}/files/roles/scalegate-backlog-metric.trust.json")
  package         = var.backlog_package
  architecture    = var.architecture
  memory_mb       = 256
  timeout_seconds = 30
  environment = {
    SCALEGATE_BACKLOG_TICK_QUEUE_URL = aws_sqs_queue.backlog_ticks[0].id
  }
  config_document    = { setting = "SCALEGATE_BACKLOG_CONFIG_S3", location = local.config_location["backlog"], object_arn = local.config_object_arn["backlog"], name = "backlog-pairs" }
  depends_on         = [aws_s3_object.backlog_pairs]
  log_retention_days = var.log_retention_days
  alarm_actions      = var.alarm_actions
  ok_actions         = var.ok_actions
  # Capacity standing above what the backlog asks for, raised by something other than the groups' own scaling (a
  # manual SetDesiredCapacity, say) and kept past the dead time: the function's `unexplained scaling` line says which.
  finding_alarms = {
    "unexplained-scaling" = {
      description = "A group's capacity stands above what its backlog asks for, raised by a user request or something other than its own scaling: the backlog function's `unexplained scaling` line names the group, the change, its cause and who made it (from CloudTrail)."
      metric_name = "UnexplainedScaling"
      statistic   = "Maximum"
      period      = 300
    }
  }
  silence_alarm = {
    description = "The backlog-metric function has not run for 5 minutes: BacklogPerInstance is not being published and target tracking holds the group where it is (check its schedule rule and its start-up log)."
    period      = 300
  }
  errors_alarm = {
    description = "backlog-metric could not publish for some pair (queue or group missing, AWS errors): target tracking is scaling on stale data. See its logs: \"backlog not published\"."
    period      = 300
  }
  rules = {
    schedule = { description = "Publish backlog per instance every minute", schedule_expression = "rate(1 minute)" }
  }
  tags                 = var.tags
  role_path            = var.role_path
  permissions_boundary = var.permissions_boundary
}

# At 10 s or 30 s resolution the minute's scheduled run sends the minute's other computations here as delayed
# messages; each invokes the function once. It bills for the work, never for waiting inside an invocation.
resource "aws_sqs_queue" "backlog_ticks" {
  count                      = local.backlog_count
  name                       = "${var.backlog_name}-ticks"
  visibility_timeout_seconds = 60
  # A tick older than its minute is worthless: the next schedule brings fresh ones.
  message_retention_seconds = 120
  tags                      = var.tags
}

resource "aws_lambda_event_source_mapping" "backlog_ticks" {
  count            = local.backlog_count
  event_source_arn = aws_sqs_queue.backlog_ticks[0].arn
  function_name    = module.backlog[0].alias_arn
  batch_size       = 10
}
