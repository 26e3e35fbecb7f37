# A group named with name_prefix (the terraform-aws-modules default), defined beside scalegate: its name is known
# only after apply, so the module gets it by a static key. `make test` plans and applies this against the emulator.

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

resource "aws_launch_template" "web" {
  name_prefix   = "web-"
  image_id      = "ami-12c6146b"
  instance_type = "t3.micro"
  metadata_options {
    http_tokens = "required"
  }
}

resource "aws_autoscaling_group" "web" {
  name_prefix        = "web-"
  availability_zones = ["us-east-1a"]
  min_size           = 0
  max_size           = 2
  desired_capacity   = 0
  launch_template {
    id      = aws_launch_template.web.id
    version = "$Latest"
  }
}

module "scalegate" {
  source     = "../.."
  name       = "scalegate-launch-gate-np"
  drain_name = "scalegate-drain-np"
  package    = var.package
  # The emulator speaks plain HTTP; a real deployment keeps the TLS-only bucket policy.
  config_deny_insecure_transport = false
  config_force_destroy           = true
  config_versions_kept           = null
  drain_package                  = var.package
  auto_scaling_groups_by_key     = { web = aws_autoscaling_group.web.name }
  create_hooks                   = true
  create_dashboard               = false
}
