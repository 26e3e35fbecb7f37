# The drain: EventBridge terminate lifecycle actions → SQS → Lambda. A worker's live lease holds its instance in
# Terminating:Wait: the function heartbeats the hook and re-queues a re-check on the same queue with an SQS delay
# (never a sleeping Lambda), then completes with CONTINUE once the lease is released or expired, or the budget is
# spent. Unreadable records go straight to the dead-letter queue. Enabled when drain_package is set (and create).

locals {
  drain_groups = var.drain_auto_scaling_groups != null ? { for g in var.drain_auto_scaling_groups : g => g } : local.groups
}

module "drain" {
  source       = "./modules/function"
  count        = local.drain_count
  name         = var.drain_name
  role_name    = "${var.drain_name}-${local.region}"
  policy       = replace(file("${path.module}/files/roles/scalegate-drain.json"), "arn:aws:", "arn:${local.partition}:")
  trust_policy = file("${path.module}/files/roles/scalegate-drain.trust.json")
  package      = var.drain_package
  architecture = var.architecture
  memory_mb    = 256
  # One look is a few AWS calls; the waiting happens in the queue.
  timeout_seconds = 30
  environment = {
    SCALEGATE_DRAIN_QUEUE_URL   = module.drain_events[0].queue_url
    SCALEGATE_DRAIN_DLQ_URL     = module.drain_events[0].dead_letter_queue_url
    SCALEGATE_DRAIN_BUDGET      = var.drain_budget
    SCALEGATE_DRAIN_FIRST_DELAY = var.drain_first_delay
    SCALEGATE_DRAIN_MAX_DELAY   = var.drain_max_delay
  }
  log_retention_days = var.log_retention_days
  alarm_actions      = var.alarm_actions
  ok_actions         = var.ok_actions
  errors_alarm = {
    description = "The drain function is failing: terminating workers may be cut off when the hook times out."
    period      = 300
  }
  tags                 = var.tags
  role_path            = var.role_path
  permissions_boundary = var.permissions_boundary
}

module "drain_events" {
  source                     = "./modules/lifecycle_actions"
  count                      = local.drain_count
  name                       = var.drain_name
  transition                 = "autoscaling:EC2_INSTANCE_TERMINATING"
  description                = "Terminate lifecycle actions of the groups whose workers hold leases"
  auto_scaling_groups        = local.drain_groups
  function_arn               = module.drain[0].alias_arn
  visibility_timeout_seconds = 180
  create_hooks               = var.create_hooks
  # Terminating goes ahead either way; CONTINUE says so plainly.
  hook                           = { heartbeat_timeout = var.drain_hook_heartbeat_timeout, default_result = "CONTINUE" }
  dead_letters_alarm_description = "Records the drain could not read reached its dead-letter queue (each carries a scalegate-error attribute naming the problem)."
  alarm_actions                  = var.alarm_actions
  ok_actions                     = var.ok_actions
  tags                           = var.tags
}
