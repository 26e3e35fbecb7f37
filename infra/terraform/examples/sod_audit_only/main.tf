# The separation-of-duties audit deployed alone, in us-east-1, beside launch gates in other regions: IAM is global,
# and CloudTrail records its API calls (and EventBridge sees them) in us-east-1 only. The audit's IAM-change rule
# matches "AWS API Call via CloudTrail" events, which exist only while a trail is logging management events: the
# trail below is one (multi-region, management events, log file validation). `make test` plans and applies this
# example to the local emulator. For a real account drop the endpoint settings and the emulator-only inputs
# (config_deny_insecure_transport, config_force_destroy, config_versions_kept, the trail bucket's force_destroy).

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
}

data "aws_partition" "current" {
  count = local.trail_count
}

data "aws_caller_identity" "current" {
  count = local.trail_count
}

locals {
  trail_count = var.create && var.create_trail ? 1 : 0
  trail_name  = "scalegate-management-events"
  # Known before the trail exists, so the bucket policy the trail needs at creation can name it without a cycle.
  trail_arn = local.trail_count == 1 ? "arn:${data.aws_partition.current[0].partition}:cloudtrail:us-east-1:${data.aws_caller_identity.current[0].account_id}:trail/${local.trail_name}" : null
}

resource "aws_s3_bucket" "trail" {
  count         = local.trail_count
  bucket_prefix = "scalegate-trail-"
  # The emulator's run leaves nothing behind; a real trail's logs are the account's audit record: keep them.
  force_destroy = true
}

resource "aws_s3_bucket_public_access_block" "trail" {
  count                   = local.trail_count
  bucket                  = aws_s3_bucket.trail[0].id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

# What CloudTrail requires of its bucket: reading the bucket's ACL and writing under AWSLogs/<account>/, each only for
# this trail (aws:SourceArn), the objects owned by the bucket owner.
resource "aws_s3_bucket_policy" "trail" {
  count  = local.trail_count
  bucket = aws_s3_bucket.trail[0].id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "AWSCloudTrailAclCheck"
        Effect    = "Allow"
        Principal = { Service = "cloudtrail.amazonaws.com" }
        Action    = "s3:GetBucketAcl"
        Resource  = aws_s3_bucket.trail[0].arn
        Condition = { StringEquals = { "aws:SourceArn" = local.trail_arn } }
      },
      {
        Sid       = "AWSCloudTrailWrite"
        Effect    = "Allow"
        Principal = { Service = "cloudtrail.amazonaws.com" }
        Action    = "s3:PutObject"
        Resource  = "${aws_s3_bucket.trail[0].arn}/AWSLogs/${data.aws_caller_identity.current[0].account_id}/*"
        Condition = { StringEquals = { "s3:x-amz-acl" = "bucket-owner-full-control", "aws:SourceArn" = local.trail_arn } }
      },
    ]
  })
  depends_on = [aws_s3_bucket_public_access_block.trail]
}

resource "aws_cloudtrail" "management_events" {
  count          = local.trail_count
  name           = local.trail_name
  s3_bucket_name = aws_s3_bucket.trail[0].id
  # Every region's calls, and IAM's (global service events) among them.
  is_multi_region_trail         = true
  include_global_service_events = true
  # Digest files let you prove later that no log file was changed or removed.
  enable_log_file_validation = true
  enable_logging             = true
  # Management events, reads and writes: the trail is the account's audit record too (the audit's rule needs only
  # the writes). The first copy of management events in each region is free.
  event_selector {
    read_write_type           = "All"
    include_management_events = true
  }
  # CloudTrail checks at creation that it may write to the bucket.
  depends_on = [aws_s3_bucket_policy.trail]
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
  value       = one(aws_cloudtrail.management_events[*].arn)
}
