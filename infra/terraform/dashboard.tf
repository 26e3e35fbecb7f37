# One dashboard for every group and function, from infra/dashboard/dashboard.json — the same definition the CDK
# Dashboard construct deploys. Its widgets use metric SEARCH, so new groups and duties appear without a change here.

variable "create_dashboard" {
  description = "Create the scalegate CloudWatch dashboard (only under create)."
  type        = bool
  default     = true
}

variable "dashboard_name" {
  description = "The dashboard's name."
  type        = string
  default     = "scalegate"
}

resource "aws_cloudwatch_dashboard" "this" {
  count          = var.create && var.create_dashboard ? 1 : 0
  dashboard_name = var.dashboard_name
  dashboard_body = templatefile("${path.module}/files/dashboard.json", { region = local.region, prefix = "scalegate" })
}

output "dashboard_name" {
  description = "The CloudWatch dashboard; null when not created (create_dashboard or create false)."
  value       = one(aws_cloudwatch_dashboard.this[*].dashboard_name)
}
