output "function_arn" {
  value = module.gate.function_arn
}

output "role_arn" {
  value = module.gate.role_arn
}

output "queue_url" {
  value = module.gate_events.queue_url
}

output "dead_letter_queue_url" {
  value = module.gate_events.dead_letter_queue_url
}

output "hook_name" {
  description = "The lifecycle hook name to use in initial_lifecycle_hook when create_hooks = false."
  value       = var.name
}

output "sod_audit_function_arn" {
  value = var.sod_audit_package == null ? null : module.sod_audit[0].function_arn
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
  value       = local.config_location
}
