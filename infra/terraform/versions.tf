terraform {
  required_version = ">= 1.7" # removed blocks (moved.tf)
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0"
    }
  }
}
