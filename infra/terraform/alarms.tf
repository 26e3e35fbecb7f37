resource "aws_cloudwatch_metric_alarm" "abandons" {
  for_each            = local.groups
  alarm_name          = "${var.name}-abandons-${each.value}"
  alarm_description   = "The launch gate abandoned instances of ${each.value}: a template or fleet policy is out of line (see the gate decision logs for the failed checks)."
  namespace           = "scalegate"
  metric_name         = "GateDecisions"
  dimensions          = { AutoScalingGroupName = each.value, Result = "ABANDON" }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = var.abandon_alarm_threshold
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  ok_actions          = var.ok_actions
}

resource "aws_cloudwatch_metric_alarm" "latency" {
  for_each            = local.groups
  alarm_name          = "${var.name}-latency-${each.value}"
  alarm_description   = "Gate decisions for ${each.value} are slow: instances wait longer in Pending:Wait."
  namespace           = "scalegate"
  metric_name         = "GateLatency"
  dimensions          = { AutoScalingGroupName = each.value }
  extended_statistic  = "p99"
  period              = 300
  evaluation_periods  = 2
  threshold           = var.latency_alarm_p99_ms
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  ok_actions          = var.ok_actions
}
