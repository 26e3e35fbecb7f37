# The alarms that name a group (gate abandons and latency, the drain's spent budget), one modules/group per group
# named here. Groups that opt in by hook name instead use modules/group themselves, beside their group.

locals {
  alarmed_groups = merge(local.gate_count == 1 ? local.groups : {}, local.drain_count == 1 ? local.drain_groups : {})
}

module "group" {
  source                  = "./modules/group"
  for_each                = local.alarmed_groups
  auto_scaling_group_name = each.value
  gate_name               = local.gate_count == 1 && contains(keys(local.groups), each.key) ? var.name : null
  drain_name              = local.drain_count == 1 && contains(keys(local.drain_groups), each.key) ? var.drain_name : null
  abandon_alarm_threshold = var.abandon_alarm_threshold
  latency_alarm_p99_ms    = var.latency_alarm_p99_ms
  alarm_actions           = var.alarm_actions
  ok_actions              = var.ok_actions
  tags                    = var.tags
}
