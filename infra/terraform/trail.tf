# A CloudTrail trail of management events, for accounts that have none: the scaling guard's and the audit's
# EventBridge rules match "AWS API Call via CloudTrail" events, which exist only while a trail logs management events.
# An account (or organization) that already has one needs no second: leave create_trail false (the default) and the
# rules see that trail's events. Multi-region, global service events (IAM's, seen in us-east-1), log file validation.

locals {
  trail_count = var.create && var.create_trail ? 1 : 0
  # Known before the trail exists, so the bucket policy the trail needs at creation can name it without a cycle.
  trail_arn = "arn:${local.partition}:cloudtrail:${local.region}:${local.account_id}:trail/${var.trail_name}"
}

resource "aws_s3_bucket" "trail" {
  count         = local.trail_count
  bucket_prefix = "scalegate-trail-"
  # A trail's logs are the account's audit record: kept on destroy unless told otherwise.
  force_destroy = var.trail_force_destroy
  tags          = var.tags
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
        Resource  = "${aws_s3_bucket.trail[0].arn}/AWSLogs/${local.account_id}/*"
        Condition = { StringEquals = { "s3:x-amz-acl" = "bucket-owner-full-control", "aws:SourceArn" = local.trail_arn } }
      },
    ]
  })
  depends_on = [aws_s3_bucket_public_access_block.trail]
}

resource "aws_cloudtrail" "management_events" {
  count          = local.trail_count
  name           = var.trail_name
  s3_bucket_name = aws_s3_bucket.trail[0].id
  # Every region's calls, and IAM's (global service events) among them.
  is_multi_region_trail         = true
  include_global_service_events = true
  # Digest files let you prove later that no log file was changed or removed.
  enable_log_file_validation = true
  enable_logging             = true
  # Management events, reads and writes: the trail is the account's audit record too (the rules need only the
  # writes). The first copy of management events in each region is free.
  event_selector {
    read_write_type           = "All"
    include_management_events = true
  }
  tags = var.tags
  # CloudTrail checks at creation that it may write to the bucket.
  depends_on = [aws_s3_bucket_policy.trail]
}
