# The separation-of-duties audit deployed alone, in us-east-1, beside launch gates in other regions: IAM is global,
# and CloudTrail records its API calls (and EventBridge sees them) in us-east-1 only. The audit's IAM-change rule
# matches "AWS API Call via CloudTrail" events, which exist only while a trail is logging management events: the
# module's create_trail makes one (multi-region, management events, log file validation). `make test` plans and
# applies this example to the local emulator. For a real account drop the endpoint settings and the emulator-only
# inputs (config_deny_insecure_transport, config_force_destroy, config_versions_kept, trail_force_destroy).

variable "endpoint" {
  description = "The emulator's URL."
  type        = string
}

variable "package" {
  description = "The sod-audit Lambda zip (make build: dist/lambda/sod-audit.zip)."
  type        = string
}

variable "create" {
  description = "False: neither the module nor the trail creates anything (make test plans that and expects no resource)."
  type        = bool
  default     = true
}

variable "create_trail" {
  description = "Create the trail. False when the account already has one logging management events in us-east-1 (an organization trail, say): one is enough, and every further copy of management events is billed."
  type        = bool
  default     = true
}

provider "aws" {
  # IAM's events reach EventBridge here only.
  region                      = "us-east-1"
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_requesting_account_id  = false
  endpoints {
    cloudtrail = var.endpoint
    cloudwatch = var.endpoint
    events     = var.endpoint
    iam        = var.endpoint
    lambda     = var.endpoint
    logs       = var.endpoint
    s3         = var.endpoint
    sqs        = var.endpoint
    sts        = var.endpoint
  }
  s3_use_path_style = true
}

module "scalegate" {
  source             = "../.."
  create             = var.create
  create_launch_gate = false
  sod_audit_package  = var.package
  # Without the gate, name only names the configuration bucket; its own names let this example apply beside the
  # others on one emulator.
  name           = "scalegate-launch-gate-sod-only"
  sod_audit_name = "scalegate-sod-audit-only"
  # The dashboard belongs with the gates, in their regions.
  create_dashboard = false
  # The emulator speaks plain HTTP; a real deployment keeps the TLS-only bucket policy and the bucket's history.
  config_deny_insecure_transport = false
  config_force_destroy           = true
  # Against the emulator the provider waits about a minute for a lifecycle rule to read back; examples/emulator has one.
  config_versions_kept = null
  # The trail the IAM-change rule needs (skip it when the account has one); the emulator's run leaves nothing behind.
  create_trail        = var.create_trail
  trail_force_destroy = true
}

# The trail moved into the module (create_trail): a state from before keeps it.
moved {
  from = aws_s3_bucket.trail
  to   = module.scalegate.aws_s3_bucket.trail
}

moved {
  from = aws_s3_bucket_public_access_block.trail
  to   = module.scalegate.aws_s3_bucket_public_access_block.trail
}

moved {
  from = aws_s3_bucket_policy.trail
  to   = module.scalegate.aws_s3_bucket_policy.trail
}

moved {
  from = aws_cloudtrail.management_events
  to   = module.scalegate.aws_cloudtrail.management_events
}

output "sod_audit_function_arn" {
  description = "The audit function."
  value       = module.scalegate.sod_audit_function_arn
}

output "config_documents" {
  description = "Where its duties live (for scalegate config push/rollback): duties.toml only."
  value       = module.scalegate.config_documents
}

output "trail_arn" {
  description = "The trail whose management events feed the IAM-change rule; null without it."
  value       = module.scalegate.trail_arn
}
