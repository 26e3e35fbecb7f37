output "function_arn" {
  description = "The launch gate function's unqualified ARN."
  value       = module.gate.function_arn
}

output "alias_arn" {
  description = "The launch gate's live alias: what its queue invokes. Roll back by pointing it at an earlier version."
  value       = module.gate.alias_arn
}

output "version" {
  description = "The launch gate version the live alias points at."
  value       = module.gate.version
}

output "role_arn" {
  description = "The launch gate's execution role."
  value       = module.gate.role_arn
}

output "queue_url" {
  description = "The queue EventBridge delivers launch lifecycle actions to."
  value       = module.gate_events.queue_url
}

output "dead_letter_queue_url" {
  description = "The launch gate's dead-letter queue (records it failed five times, events EventBridge could not deliver)."
  value       = module.gate_events.dead_letter_queue_url
}

output "hook_name" {
  description = "The launch hook name to use in initial_lifecycle_hook. Ready only once the gate's rule, queue, function and event source exist, so a group that names its hook through this output launches nothing the gate would miss."
  value       = var.name
  depends_on  = [module.gate_events, module.gate]
}

output "name" {
  description = "The launch gate's name (for modules/group's gate_name)."
  value       = var.name
}

output "sod_audit_function_arn" {
  description = "The separation-of-duties audit function, when created."
  value       = var.sod_audit_package == null ? null : module.sod_audit[0].function_arn
}

output "backlog_function_arn" {
  description = "The backlog-metric function, when created."
  value       = var.backlog_package == null ? null : module.backlog[0].function_arn
}

output "reaper_function_arn" {
  description = "The protection reaper function, when created."
  value       = var.reaper_package == null ? null : module.reaper[0].function_arn
}

output "drain_function_arn" {
  description = "The drain function, when created."
  value       = var.drain_package == null ? null : module.drain[0].function_arn
}

output "drain_hook_name" {
  description = "The terminate hook name to use in initial_lifecycle_hook (and modules/group's drain_name); null without a drain. Ready only once the drain's rule, queue, function and event source exist."
  value       = var.drain_package == null ? null : var.drain_name
  depends_on  = [module.drain_events, module.drain]
}

output "alias_arns" {
  description = "Every created function's live alias, by part (gate, sod_audit, backlog, reaper, drain)."
  value = { for k, m in {
    gate      = [module.gate]
    sod_audit = module.sod_audit
    backlog   = module.backlog
    reaper    = module.reaper
    drain     = module.drain
  } : k => m[0].alias_arn if length(m) > 0 }
}

output "drain_queue_url" {
  description = "The drain's queue (terminate actions and its own re-checks)."
  value       = var.drain_package == null ? null : module.drain_events[0].queue_url
}

output "config_bucket" {
  description = "The versioned bucket holding the configuration documents (gate-rules.toml, duties.toml, backlog-pairs.toml)."
  value       = aws_s3_bucket.config.bucket
}

output "config_documents" {
  description = "Each document's s3:// location, by part (gate, duties, backlog): what `scalegate config push/history/rollback` take."
  value       = { for k, v in local.config_location : k => v if contains(local.config_parts, k) }
}
