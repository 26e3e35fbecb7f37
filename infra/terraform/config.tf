# Configuration documents: gate rules, duties and backlog pairs as objects in one versioned bucket. The functions
# re-read their document when their last look is older than SCALEGATE_CONFIG_MAX_AGE (2 s): a new version is in use
# within that bound plus one read, every decision names the version it used, and `scalegate config rollback`
# restores an older one. A version that does not validate never replaces a good one (ConfigRejected alarms).
# S3 over SSM Parameter Store (8 KB at most; duties reach 50 KB) and AppConfig (its data plane polls no faster than
# every 15 s): any size, native versions, conditional reads (304 when unchanged), strongly consistent.

locals {
  # The bucket name starts with the deployment's name and holds "-config-": the built-in duties exempt exactly
  # such buckets' objects from the data class (policies/duties.toml [exempt]).
  config_documents = merge(
    { gate = { key = "gate-rules.toml", content = coalesce(var.gate_rules, file("${path.module}/../../policies/gate.toml")) } },
    var.sod_audit_package == null ? {} : {
      duties = { key = "duties.toml", content = coalesce(var.sod_audit_duties_toml, file("${path.module}/../../policies/duties.toml")) }
    },
    var.backlog_package == null ? {} : { backlog = { key = "backlog-pairs.toml", content = var.backlog_config_toml } },
  )
  config_location = { for k, d in local.config_documents : k => "s3://${aws_s3_bucket.config.bucket}/${d.key}" }
}

resource "aws_s3_bucket" "config" {
  bucket_prefix = "${substr(var.name, 0, 29)}-config-"
  # The documents' history is the rollback path: a destroy must not take it silently.
  force_destroy = var.config_force_destroy
}

resource "aws_s3_bucket_versioning" "config" {
  bucket = aws_s3_bucket.config.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_public_access_block" "config" {
  bucket                  = aws_s3_bucket.config.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_server_side_encryption_configuration" "config" {
  bucket = aws_s3_bucket.config.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

# Keep the newest versions to roll back to; older ones expire after 90 days.
resource "aws_s3_bucket_lifecycle_configuration" "config" {
  count  = var.config_versions_kept == null ? 0 : 1
  bucket = aws_s3_bucket.config.id
  rule {
    id     = "keep-recent-versions"
    status = "Enabled"
    filter {}
    noncurrent_version_expiration {
      noncurrent_days           = 90
      newer_noncurrent_versions = var.config_versions_kept
    }
  }
  depends_on = [aws_s3_bucket_versioning.config]
}

resource "aws_s3_bucket_policy" "config" {
  count  = var.config_deny_insecure_transport ? 1 : 0
  bucket = aws_s3_bucket.config.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "DenyInsecureTransport"
      Effect    = "Deny"
      Principal = "*"
      Action    = "s3:*"
      Resource  = [aws_s3_bucket.config.arn, "${aws_s3_bucket.config.arn}/*"]
      Condition = { Bool = { "aws:SecureTransport" = "false" } }
    }]
  })
  depends_on = [aws_s3_bucket_public_access_block.config]
}

# Terraform writes each document from its input; `scalegate config push` and `rollback` write new versions between
# applies (the next apply writes the input again: keep the input and the pushed version in step).
resource "aws_s3_object" "config" {
  for_each     = local.config_documents
  bucket       = aws_s3_bucket.config.id
  key          = each.value.key
  content      = each.value.content
  content_type = "application/toml"
  depends_on   = [aws_s3_bucket_versioning.config]
}
