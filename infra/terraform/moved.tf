# Deployments made before the launch gate's function and queue became modules keep their resources: these blocks
# move them to their new addresses instead of destroying and re-creating them.

moved {
  from = aws_iam_role.gate
  to   = module.gate.aws_iam_role.this
}

moved {
  from = aws_iam_role_policy.gate
  to   = module.gate.aws_iam_role_policy.this
}

moved {
  from = aws_cloudwatch_log_group.gate
  to   = module.gate.aws_cloudwatch_log_group.this
}

moved {
  from = aws_lambda_function.gate
  to   = module.gate.aws_lambda_function.this
}

moved {
  from = aws_cloudwatch_metric_alarm.errors
  to   = module.gate.aws_cloudwatch_metric_alarm.errors
}

moved {
  from = aws_sqs_queue.dead_letters
  to   = module.gate_events.aws_sqs_queue.dead_letters
}

moved {
  from = aws_sqs_queue.events
  to   = module.gate_events.aws_sqs_queue.events
}

moved {
  from = aws_cloudwatch_event_rule.launch_actions
  to   = module.gate_events.aws_cloudwatch_event_rule.this
}

moved {
  from = aws_cloudwatch_event_target.queue
  to   = module.gate_events.aws_cloudwatch_event_target.queue
}

moved {
  from = aws_sqs_queue_policy.events
  to   = module.gate_events.aws_sqs_queue_policy.events
}

moved {
  from = aws_lambda_event_source_mapping.events
  to   = module.gate_events.aws_lambda_event_source_mapping.events
}

moved {
  from = aws_autoscaling_lifecycle_hook.launch
  to   = module.gate_events.aws_autoscaling_lifecycle_hook.this
}

moved {
  from = aws_cloudwatch_metric_alarm.dead_letters
  to   = module.gate_events.aws_cloudwatch_metric_alarm.dead_letters
}

# The per-group alarms now live in module.group["<key>"]. Their old addresses are forgotten rather than destroyed:
# the module re-creates the same alarms by name (PutMetricAlarm overwrites), and a destroy running beside that create
# could delete the new alarm.
removed {
  from = aws_cloudwatch_metric_alarm.abandons
  lifecycle {
    destroy = false
  }
}

removed {
  from = aws_cloudwatch_metric_alarm.latency
  lifecycle {
    destroy = false
  }
}

removed {
  from = aws_cloudwatch_metric_alarm.drain_budget_spent
  lifecycle {
    destroy = false
  }
}
