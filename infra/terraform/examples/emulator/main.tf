# The module against the local emulator: `make test` plans it (and applies it) offline.
variable "endpoint" {
  type = string
}

variable "package" {
  type = string
}

provider "aws" {
  region                      = "us-east-1"
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_requesting_account_id  = false
  endpoints {
    autoscaling = var.endpoint
    cloudwatch  = var.endpoint
    ec2         = var.endpoint
    events      = var.endpoint
    iam         = var.endpoint
    lambda      = var.endpoint
    logs        = var.endpoint
    sqs         = var.endpoint
    sts         = var.endpoint
    s3          = var.endpoint
  }
  s3_use_path_style = true
}

variable "gate_rules" {
  description = "Gate rules TOML; null: the built-in rules."
  type        = string
  default     = null
}

variable "planner_document" {
  description = "The warm-pool planner's document."
  type        = string
  default     = <<-EOT
    [[group]]
    name = "workers"
    per_instance = 10
    metric = { namespace = "AWS/SQS", name = "NumberOfMessagesSent", dimensions = { QueueName = "jobs" } }
  EOT
}

variable "backlog_pairs" {
  description = "Backlog pairs TOML."
  type        = string
  default     = <<-EOT
    [[pair]]
    queue = "jobs"
    group = "workers"
    latency = "10s"
    seconds_per_message = 0.1
  EOT
}

variable "create" {
  description = "False: the module creates nothing (make test plans that and expects no resource at all)."
  type        = bool
  default     = true
}

module "launch_gate" {
  source  = "../.."
  create  = var.create
  package = var.package
  # The emulator speaks plain HTTP; a real deployment keeps the TLS-only bucket policy.
  config_deny_insecure_transport = false
  config_force_destroy           = true
  gate_rules                     = var.gate_rules
  auto_scaling_groups            = ["web", "workers"]
  create_hooks                   = false
  sod_audit_package              = var.package
  backlog_package                = var.package
  reaper_package                 = var.package
  drain_package                  = var.package
  drain_budget                   = "2h"
  backlog_config_toml            = var.backlog_pairs
  planner_package                = var.package
  planner_document               = var.planner_document
  guard_package                  = var.package
  guard_restore                  = { heartbeat_timeout = 300 }
  sweep_package                  = var.package
}

output "policy" {
  value = module.launch_gate.role_arn
}
