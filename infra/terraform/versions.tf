terraform {
  required_version = ">= 1.7" # removed blocks (moved.tf)
  required_providers {
    aws = {
      source = "hashicorp/aws"
      # 5 and 6 alike: nothing here is deprecated in 5.x (make test, on 5.100, fails on any deprecation warning) or
      # removed or renamed by 6.0, and where 6 deprecates an attribute the one used here exists in every 5.x too: the
      # region is aws_region's id (its name is deprecated in 6, its region attribute exists only from 6 on), the
      # partition is aws_partition's partition (its id is deprecated in later 6.x). So no 5.x release is excluded.
      version = ">= 5.0"
    }
  }
}
