output "function_arn" {
  description = "The launch gate function's unqualified ARN; null when the gate is not created (create_launch_gate or create false)."
  value       = one(module.gate[*].function_arn)
}

output "alias_arn" {
  description = "The launch gate's live alias: what its queue invokes. Roll back by pointing it at an earlier version. Null without the gate."
  value       = one(module.gate[*].alias_arn)
}

output "version" {
  description = "The launch gate version the live alias points at; null without the gate."
  value       = one(module.gate[*].version)
}

output "role_arn" {
  description = "The launch gate's execution role; null without the gate."
  value       = one(module.gate[*].role_arn)
}

output "queue_url" {
  description = "The queue EventBridge delivers launch lifecycle actions to; null without the gate."
  value       = one(module.gate_events[*].queue_url)
}

output "dead_letter_queue_url" {
  description = "The launch gate's dead-letter queue (records it failed five times, events EventBridge could not deliver); null without the gate."
  value       = one(module.gate_events[*].dead_letter_queue_url)
}

output "hook_name" {
  description = "The launch hook name to use in initial_lifecycle_hook; null without the gate. Ready only once the gate's rule, queue, function and event source exist, so a group that names its hook through this output launches nothing the gate would miss."
  value       = local.gate_count == 1 ? var.name : null
  depends_on  = [module.gate_events, module.gate]
}

output "name" {
  description = "The launch gate's name (for modules/group's gate_name); null without the gate, which modules/group reads as a group not gated."
  value       = local.gate_count == 1 ? var.name : null
}

output "sod_audit_function_arn" {
  description = "The separation-of-duties audit function; null when not created (no sod_audit_package, or create false)."
  value       = one(module.sod_audit[*].function_arn)
}

output "backlog_function_arn" {
  description = "The backlog-metric function; null when not created (no backlog_package, or create false)."
  value       = one(module.backlog[*].function_arn)
}

output "reaper_function_arn" {
  description = "The protection reaper function; null when not created (no reaper_package, or create false)."
  value       = one(module.reaper[*].function_arn)
}

output "planner_function_arn" {
  description = "The warm-pool planner function; null when not created (no planner_package, or create false)."
  value       = one(module.planner[*].function_arn)
}

output "guard_function_arn" {
  description = "The scaling guard function; null when not created (no guard_package, or create false)."
  value       = one(module.guard[*].function_arn)
}

output "sweep_function_arn" {
  description = "The drift sweep function; null when not created (no sweep_package, or create false)."
  value       = one(module.sweep[*].function_arn)
}

output "drain_function_arn" {
  description = "The drain function; null when not created (no drain_package, or create false)."
  value       = one(module.drain[*].function_arn)
}

output "drain_hook_name" {
  description = "The terminate hook name to use in initial_lifecycle_hook (and modules/group's drain_name); null without a drain. Ready only once the drain's rule, queue, function and event source exist."
  value       = local.drain_count == 1 ? var.drain_name : null
  depends_on  = [module.drain_events, module.drain]
}

output "alias_arns" {
  description = "Every created function's live alias, by part (gate, sod_audit, backlog, reaper, drain, planner, guard, sweep); parts not created are absent."
  value = { for k, m in {
    gate      = module.gate
    sod_audit = module.sod_audit
    backlog   = module.backlog
    reaper    = module.reaper
    drain     = module.drain
    planner   = module.planner
    guard     = module.guard
    sweep     = module.sweep
  } : k => m[0].alias_arn if length(m) > 0 }
}

output "drain_queue_url" {
  description = "The drain's queue (terminate actions and its own re-checks); null without a drain."
  value       = one(module.drain_events[*].queue_url)
}

output "config_bucket" {
  description = "The versioned bucket holding the configuration documents (gate-rules.toml, duties.toml, backlog-pairs.toml); null when no part that reads one (gate, sod-audit, backlog) is created."
  value       = one(aws_s3_bucket.config[*].bucket)
}

output "config_documents" {
  description = "Each created part's document as an s3:// location, by part (gate, duties, backlog): what `scalegate config push/history/rollback` take. Empty when none is created."
  value       = { for k, v in local.config_location : k => v if contains(local.config_parts, k) }
}

output "trail_arn" {
  description = "The trail create_trail made; null without it (the account's own trail feeds the rules then)."
  value       = one(aws_cloudtrail.management_events[*].arn)
}
