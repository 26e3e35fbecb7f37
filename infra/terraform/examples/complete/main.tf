# The recommended setup, applied to the local emulator by `make test`: scalegate's core (which names no group), a
# worker group that opts in through its hooks and depends on the core (no cycle), and the group's alarms.
#
# The group: a launch template with IMDSv2 required, hop limit 1, encrypted volumes and no inbound rule; the gate's
# launch hook (ABANDON) and the drain's terminate hook (CONTINUE) declared inline, so they exist before the first
# launch; a stopped warm pool that takes instances back on scale-in; work leases and the drift sweep opted in by tag;
# target tracking on BacklogPerInstance with an instance warmup. For a real account drop the endpoint settings and the two
# emulator-only inputs of the module (config_deny_insecure_transport, config_force_destroy).

variable "endpoint" {
  description = "The emulator's URL."
  type        = string
}

variable "package" {
  description = "A Lambda zip for every function (make build: dist/lambda/<function>.zip)."
  type        = string
}

variable "ami" {
  description = "The workers' AMI."
  type        = string
  default     = "ami-0abcdef1234567890"
}

provider "aws" {
  region                      = "us-east-1"
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_metadata_api_check     = true
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

# The work the group does: backlog per instance is computed from this queue; a job that fails five times is set
# aside rather than retried forever.
resource "aws_sqs_queue" "jobs" {
  name = "complete-jobs"
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.failed_jobs.arn
    maxReceiveCount     = 5
  })
}

resource "aws_sqs_queue" "failed_jobs" {
  name                      = "complete-jobs-failed"
  message_retention_seconds = 1209600
}

module "scalegate" {
  source = "../.."
  # Names of their own, so this example applies beside the others on one emulator; a real deployment keeps the
  # defaults.
  name            = "scalegate-launch-gate-complete"
  drain_name      = "scalegate-drain-complete"
  backlog_name    = "scalegate-backlog-metric-complete"
  reaper_name     = "scalegate-protection-reaper-complete"
  sweep_name      = "scalegate-drift-sweep-complete"
  dashboard_name  = "scalegate-complete"
  package         = var.package
  backlog_package = var.package
  reaper_package  = var.package
  drain_package   = var.package
  sweep_package   = var.package
  # No group names: groups opt in by naming their hooks after the gate and the drain.
  backlog_config_toml = <<-EOT
    [[pair]]
    queue = "${aws_sqs_queue.jobs.name}"
    group = "${aws_autoscaling_group.workers.name}"
    latency = "30s"
    seconds_per_message = 0.5
  EOT
  tags                = { project = "scalegate-example" }
  # The emulator speaks plain HTTP; a real deployment keeps the TLS-only bucket policy and the bucket's history.
  config_deny_insecure_transport = false
  config_force_destroy           = true
  config_versions_kept           = null
}

resource "aws_vpc" "this" {
  cidr_block = "10.40.0.0/16"
}

resource "aws_subnet" "a" {
  vpc_id            = aws_vpc.this.id
  cidr_block        = "10.40.1.0/24"
  availability_zone = "us-east-1a"
}

# Workers take jobs from the queue: nothing reaches them from outside.
resource "aws_security_group" "workers" {
  name_prefix = "workers-"
  vpc_id      = aws_vpc.this.id
  egress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_iam_role" "workers" {
  name_prefix = "workers-"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = { Service = "ec2.amazonaws.com" }, Action = "sts:AssumeRole" }]
  })
}

# What `scalegate lease acquire|renew|release` needs on a worker.
resource "aws_iam_role_policy" "lease" {
  name   = "scalegate-worker-lease"
  role   = aws_iam_role.workers.id
  policy = file("${path.module}/../../../../policies/worker-lease.json")
}

resource "aws_iam_instance_profile" "workers" {
  name_prefix = "workers-"
  role        = aws_iam_role.workers.name
}

resource "aws_launch_template" "workers" {
  name_prefix            = "workers-"
  image_id               = var.ami
  instance_type          = "t3.micro"
  vpc_security_group_ids = [aws_security_group.workers.id]
  iam_instance_profile {
    arn = aws_iam_instance_profile.workers.arn
  }
  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
  }
  block_device_mappings {
    device_name = "/dev/xvda"
    ebs {
      volume_size = 8
      encrypted   = true
    }
  }
}

resource "aws_autoscaling_group" "workers" {
  name_prefix               = "workers-"
  min_size                  = 0
  max_size                  = 10
  desired_capacity          = 0
  vpc_zone_identifier       = [aws_subnet.a.id]
  default_instance_warmup   = 60
  wait_for_capacity_timeout = "0"
  launch_template {
    id      = aws_launch_template.workers.id
    version = aws_launch_template.workers.latest_version
  }
  # Named through the core's outputs: the group waits for the gate's and the drain's whole path (rule, queue,
  # function, event source), so no launch happens that nobody gates.
  initial_lifecycle_hook {
    name                 = module.scalegate.hook_name
    lifecycle_transition = "autoscaling:EC2_INSTANCE_LAUNCHING"
    default_result       = "ABANDON"
    heartbeat_timeout    = 300
  }
  initial_lifecycle_hook {
    name                 = module.scalegate.drain_hook_name
    lifecycle_transition = "autoscaling:EC2_INSTANCE_TERMINATING"
    default_result       = "CONTINUE"
    heartbeat_timeout    = 300
  }
  warm_pool {
    pool_state = "Stopped"
    min_size   = 1
    instance_reuse_policy {
      reuse_on_scale_in = true
    }
  }
  # Work leases: the reaper and the workers may change scale-in protection only in groups tagged so.
  tag {
    key                 = "scalegate:leases"
    value               = "true"
    propagate_at_launch = false
  }
  # The drift sweep re-checks its members between the hooks and replaces drifted ones, two a run at most.
  tag {
    key                 = "scalegate:drift-sweep"
    value               = "replace:2"
    propagate_at_launch = false
  }
}

# Scale on the backlog each instance has: target = the latency you accept ÷ the seconds a message takes (30 / 0.5).
resource "aws_autoscaling_policy" "backlog" {
  name                   = "backlog-per-instance"
  autoscaling_group_name = aws_autoscaling_group.workers.name
  policy_type            = "TargetTrackingScaling"
  target_tracking_configuration {
    target_value = 60
    customized_metric_specification {
      namespace   = "scalegate"
      metric_name = "BacklogPerInstance"
      statistic   = "Average"
      metric_dimension {
        name  = "AutoScalingGroupName"
        value = aws_autoscaling_group.workers.name
      }
    }
  }
}

# The group's own alarms: abandons, gate latency, drains that ran out of budget.
module "workers" {
  source                  = "../../modules/group"
  auto_scaling_group_name = aws_autoscaling_group.workers.name
  gate_name               = module.scalegate.name
  drain_name              = module.scalegate.drain_hook_name
  # It scales on BacklogPerInstance: a metric that stops arriving must page.
  backlog_metric_missing_alarm = true
  tags                         = { project = "scalegate-example" }
}

output "group" {
  description = "The worker group's name."
  value       = aws_autoscaling_group.workers.name
}

output "config_documents" {
  description = "Where the gate rules, duties and backlog pairs live (for scalegate config push/rollback)."
  value       = module.scalegate.config_documents
}
