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

# The launch gate and the configuration bucket became optional (create, create_launch_gate): their resources gained
# a count, and a deployment made before keeps them at index 0 instead of destroying and re-creating them (a gate
# re-created would miss launches meanwhile; a bucket re-created would lose the documents' version history). The
# blocks above still lead to module.gate, and Terraform follows the chain on to module.gate[0]. make test puts an
# applied state back at these old addresses and checks that the plan destroys nothing.
moved {
  from = module.gate
  to   = module.gate[0]
}

moved {
  from = module.gate_events
  to   = module.gate_events[0]
}

moved {
  from = aws_s3_bucket.config
  to   = aws_s3_bucket.config[0]
}

moved {
  from = aws_s3_bucket_versioning.config
  to   = aws_s3_bucket_versioning.config[0]
}

moved {
  from = aws_s3_bucket_public_access_block.config
  to   = aws_s3_bucket_public_access_block.config[0]
}

moved {
  from = aws_s3_bucket_server_side_encryption_configuration.config
  to   = aws_s3_bucket_server_side_encryption_configuration.config[0]
}

moved {
  from = aws_s3_object.gate_rules
  to   = aws_s3_object.gate_rules[0]
}

moved {
  from = terraform_data.groups_given
  to   = terraform_data.input_checks[0]
}

# The finding alarms moved into the function module (finding_alarms).
moved {
  from = aws_cloudwatch_metric_alarm.drifted_instances[0]
  to   = module.sweep[0].aws_cloudwatch_metric_alarm.finding["drifted"]
}

moved {
  from = aws_cloudwatch_metric_alarm.guard_alerts[0]
  to   = module.guard[0].aws_cloudwatch_metric_alarm.finding["alerts"]
}

moved {
  from = aws_cloudwatch_metric_alarm.unexplained_scaling[0]
  to   = module.backlog[0].aws_cloudwatch_metric_alarm.finding["unexplained-scaling"]
}
