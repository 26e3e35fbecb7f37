# The protection reaper: an EventBridge schedule → Lambda, which removes scale-in protection whose work lease expired
# in groups tagged scalegate:leases=true (its role can unprotect nothing else). Enabled when reaper_package is set
# (and create).

module "reaper" {
  source             = "./modules/function"
  count              = local.reaper_count
  name               = var.reaper_name
  role_name          = "${var.reaper_name}-${local.region}"
  policy             = replace(file("${path.module}/files/roles/scalegate-protection-reaper.json"), "arn:aws:", "arn:${local.partition}:")
  trust_policy       = file("${path.module}/files/roles/scalegate-protection-reaper.trust.json")
  package            = var.reaper_package
  architecture       = var.architecture
  memory_mb          = 256
  timeout_seconds    = 120
  log_retention_days = var.log_retention_days
  alarm_actions      = var.alarm_actions
  ok_actions         = var.ok_actions
  silence_alarm = {
    description = "The protection reaper has not run for 5 minutes: expired leases may be pinning groups (check its schedule rule and its start-up log)."
    period      = 300
  }
  errors_alarm = {
    description = "The protection reaper failed: expired leases may be pinning groups against scale-in."
    period      = 900
  }
  rules = {
    schedule = { description = "Remove scale-in protection whose work lease expired", schedule_expression = var.reaper_schedule }
  }
  tags                 = var.tags
  role_path            = var.role_path
  permissions_boundary = var.permissions_boundary
}
