output "function_arn" {
  value = aws_lambda_function.gate.arn
}

output "role_arn" {
  value = aws_iam_role.gate.arn
}

output "queue_url" {
  value = aws_sqs_queue.events.id
}

output "dead_letter_queue_url" {
  value = aws_sqs_queue.dead_letters.id
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
  value       = var.drain_package == null ? null : aws_sqs_queue.drain[var.drain_name].id
}
