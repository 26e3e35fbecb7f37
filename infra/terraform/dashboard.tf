# One dashboard for every group and function, from infra/dashboard/dashboard.json — the same definition the CDK
# Dashboard construct deploys. Its widgets use metric SEARCH, so new groups and duties appear without a change here.

variable "create_dashboard" {
  description = "Create the scalegate CloudWatch dashboard."
  type        = bool
  default     = true
}

variable "dashboard_name" {
  description = "The dashboard's name."
  type        = string
  default     = "scalegate"
}

resource "aws_cloudwatch_dashboard" "this" {
  count          = var.create_dashboard ? 1 : 0
  dashboard_name = var.dashboard_name
  dashboard_body = templatefile("${path.module}/../dashboard/dashboard.json", { region = data.aws_region.current.id, prefix = "scalegate" })
}

output "dashboard_name" {
  description = "The CloudWatch dashboard, when created."
  value       = var.create_dashboard ? aws_cloudwatch_dashboard.this[0].dashboard_name : null
}
