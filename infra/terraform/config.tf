# Configuration documents: gate rules, duties and backlog pairs as objects in one versioned bucket. The functions
# re-read their document when their last look is older than SCALEGATE_CONFIG_MAX_AGE (2 s): a new version is in use
# within that bound plus one read, every decision names the version it used, and `scalegate config rollback`
# restores an older one. A version that does not validate never replaces a good one (ConfigRejected alarms).
# S3 over SSM Parameter Store (8 KB at most; duties reach 50 KB) and AppConfig (its data plane polls no faster than
# every 15 s): any size, native versions, conditional reads (304 when unchanged), strongly consistent.

locals {
  # The deployment's name cut to 20 characters and a hash of all of it (deployments whose names share a prefix stay
  # apart), "-config-", the account and the region: at most 63 characters, known at plan (the roles are scoped to it
  # exactly), and of the form the built-in duties exempt for reading (policies/duties.toml [[exempt]]).
  config_bucket = "${substr(var.name, 0, 20)}-${substr(sha1(var.name), 0, 7)}-config-${local.account_id}-${local.region}"
  # One local per document: a local is one node in Terraform's graph, and the backlog pairs may name a group that
  # waits for the gate.
  gate_rules_content = coalesce(var.gate_rules, file("${path.module}/files/gate.toml"))
  duties_content     = coalesce(var.sod_audit_duties_toml, file("${path.module}/files/duties.toml"))
  # The documents of the parts created; the bucket exists exactly when some part reads one.
  config_parts = concat(local.gate_count == 1 ? ["gate"] : [], local.sod_audit_count == 1 ? ["duties"] : [], local.backlog_count == 1 ? ["backlog"] : [])
  config_count = length(local.config_parts) > 0 ? 1 : 0
  # Locations from the keys alone: nothing the gate needs may depend on the documents' contents.
  config_keys       = { gate = "gate-rules.toml", duties = "duties.toml", backlog = "backlog-pairs.toml" }
  config_location   = { for k, key in local.config_keys : k => "s3://${local.config_bucket}/${key}" }
  config_object_arn = { for k, key in local.config_keys : k => "arn:${local.partition}:s3:::${local.config_bucket}/${key}" }
}

resource "aws_s3_bucket" "config" {
  count  = local.config_count
  bucket = local.config_bucket
  # The documents' history is the rollback path: a destroy must not take it silently.
  force_destroy = var.config_force_destroy
  tags          = var.tags
}

resource "aws_s3_bucket_versioning" "config" {
  count  = local.config_count
  bucket = aws_s3_bucket.config[0].id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_public_access_block" "config" {
  count                   = local.config_count
  bucket                  = aws_s3_bucket.config[0].id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_server_side_encryption_configuration" "config" {
  count  = local.config_count
  bucket = aws_s3_bucket.config[0].id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

# Keep the newest versions to roll back to; older ones expire after 90 days.
resource "aws_s3_bucket_lifecycle_configuration" "config" {
  count  = local.config_count == 1 && var.config_versions_kept != null ? 1 : 0
  bucket = aws_s3_bucket.config[0].id
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
  count  = local.config_count == 1 && var.config_deny_insecure_transport ? 1 : 0
  bucket = aws_s3_bucket.config[0].id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "DenyInsecureTransport"
      Effect    = "Deny"
      Principal = "*"
      Action    = "s3:*"
      Resource  = [aws_s3_bucket.config[0].arn, "${aws_s3_bucket.config[0].arn}/*"]
      Condition = { Bool = { "aws:SecureTransport" = "false" } }
    }]
  })
  depends_on = [aws_s3_bucket_public_access_block.config]
}

# Terraform writes each document from its input; `scalegate config push` and `rollback` write new versions between
# applies (the next apply writes the input again: keep the input and the pushed version in step). One resource per
# document, so each function waits for its own only (the backlog pairs may name a group that waits for the gate).
resource "aws_s3_object" "gate_rules" {
  count        = local.gate_count
  bucket       = aws_s3_bucket.config[0].id
  key          = local.config_keys.gate
  content      = local.gate_rules_content
  content_type = "application/toml"
  # S3's entity tag of an SSE-S3 object is its MD5: a version pushed between applies shows as drift, and the next
  # apply writes the input again.
  etag       = md5(local.gate_rules_content)
  depends_on = [aws_s3_bucket_versioning.config]
  tags       = var.tags
}

resource "aws_s3_object" "duties" {
  count        = local.sod_audit_count
  bucket       = aws_s3_bucket.config[0].id
  key          = local.config_keys.duties
  content      = local.duties_content
  content_type = "application/toml"
  # S3's entity tag of an SSE-S3 object is its MD5: a version pushed between applies shows as drift, and the next
  # apply writes the input again.
  etag       = md5(local.duties_content)
  depends_on = [aws_s3_bucket_versioning.config]
  tags       = var.tags
}

resource "aws_s3_object" "backlog_pairs" {
  count        = local.backlog_count
  bucket       = aws_s3_bucket.config[0].id
  key          = local.config_keys.backlog
  content      = var.backlog_config_toml
  content_type = "application/toml"
  # S3's entity tag of an SSE-S3 object is its MD5: a version pushed between applies shows as drift, and the next
  # apply writes the input again.
  etag       = md5(var.backlog_config_toml)
  depends_on = [aws_s3_bucket_versioning.config]
  tags       = var.tags
}
