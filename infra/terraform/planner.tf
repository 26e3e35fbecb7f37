# The warm-pool planner: an EventBridge schedule → Lambda, which sizes the warm pool of every group tagged
# scalegate:warm-pool = MIN-MAX from its demand (planner_document) and its own dead time, within those bounds and past
# a deadband (its role can put warm pools on tagged groups only). Enabled when planner_package is set (and create).

module "planner" {
  source             = "./modules/function"
  count              = local.planner_count
  name               = var.planner_name
  role_name          = "${var.planner_name}-${local.region}"
  policy             = replace(file("${path.module}/files/roles/scalegate-warm-pool-planner.json"), "arn:aws:", "arn:${local.partition}:")
  trust_policy       = file("${path.module}/files/roles/scalegate-warm-pool-planner.trust.json")
  package            = var.planner_package
  architecture       = var.architecture
  memory_mb          = 256
  timeout_seconds    = 300
  log_retention_days = var.log_retention_days
  alarm_actions      = var.alarm_actions
  ok_actions         = var.ok_actions
  environment = {
    SCALEGATE_WARM_POOL_PLANNER = var.planner_document
  }
  silence_alarm = {
    description = "The warm-pool planner has not run for an hour: warm pools keep their last size while demand changes (check its schedule rule and its start-up log)."
    period      = 3600
  }
  errors_alarm = {
    description = "The warm-pool planner failed: a group's tag or document is wrong, or an AWS call failed; that group's warm pool was left as it was (its log line says which)."
    period      = 3600
  }
  rules = {
    schedule = { description = "Size the warm pools of groups tagged scalegate:warm-pool", schedule_expression = var.planner_schedule }
  }
  tags                 = var.tags
  role_path            = var.role_path
  permissions_boundary = var.permissions_boundary
}

# The function cannot start without its document (each group's demand metric): say so at plan, not in its first log.
resource "terraform_data" "planner_document" {
  count = local.planner_count
  lifecycle {
    precondition {
      condition     = trimspace(var.planner_document) != ""
      error_message = "planner_document must be set when planner_package is: a TOML document with a [[group]] per group tagged scalegate:warm-pool, naming its demand metric and per-instance load (see the README)."
    }
  }
}
