# Backlog per instance: an EventBridge schedule every minute → Lambda, which publishes BacklogPerInstance,
# BacklogTarget and CapableInstances per group for target tracking. Enabled when backlog_package is set.
# The scaling policy itself belongs with your group (see the README): a customized metric specification on
# scalegate/BacklogPerInstance with the group's name as dimension, target value = your BacklogTarget.

module "backlog" {
  source       = "./modules/function"
  count        = var.backlog_package == null ? 0 : 1
  name         = var.backlog_name
  policy       = file("${path.module}/../../policies/roles/scalegate-backlog-metric.json")
  trust_policy = file("${path.module}/../../policies/roles/scalegate-backlog-metric.trust.json")
  package      = var.backlog_package
  architecture = var.architecture
  memory_mb    = 256
  # With 10 s resolution one invocation computes six times, 10 s apart.
  timeout_seconds    = 75
  environment        = { SCALEGATE_BACKLOG_CONFIG = var.backlog_config_toml }
  log_retention_days = var.log_retention_days
  alarm_actions      = var.alarm_actions
  ok_actions         = var.ok_actions
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
}
