"""Sets up the launch-template corpus (tests/fixtures/templates) in the emulator, one group per variant.

The fixtures hold launch templates in the EC2 API's own JSON shape (what `aws ec2 create-launch-template
--launch-template-data` takes), so they are created with boto3 as written. For every variant this script creates the
fixture's security groups, prefix lists, SSM parameters, instance profiles and templates under unique names, a group
with a launch hook whose target is a fresh SQS queue, waits for the instance to wait in Pending:Wait, applies the
variant's drift, and prints one JSON manifest: where each variant's notification waits and what the gate must say.
The gate itself runs in Rust (template_corpus.rs), on the real notification, against the real emulator state.

Usage: python template_corpus.py --endpoint URL --fixtures DIR --prefix P [--only NAME]
"""

import argparse
import json
import os
import re
import sys
import time

import boto3

PLACEHOLDER = re.compile(r"\{\{([a-z_]+)(?::([^}]*))?\}\}")


class Context:
    """The real values the placeholders of one variant stand for."""

    def __init__(self, values):
        self.values = values

    def sub(self, value):
        if isinstance(value, dict):
            return {k: self.sub(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.sub(v) for v in value]
        if isinstance(value, str):
            return PLACEHOLDER.sub(self._one, value)
        return value

    def _one(self, match):
        key = match.group(1) if match.group(2) is None else f"{match.group(1)}:{match.group(2)}"
        if key not in self.values:
            raise KeyError(f"unknown placeholder {{{{{key}}}}}")
        return self.values[key]


def clients(endpoint):
    kw = dict(
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )
    return {name: boto3.client(name, **kw) for name in ("ec2", "autoscaling", "sqs", "iam", "ssm")}


def amis(ec2):
    images = [i["ImageId"] for i in ec2.describe_images()["Images"] if i.get("Architecture") == "x86_64"]
    return sorted(images)[:2]


def network(c, uid):
    ec2 = c["ec2"]
    vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    subnets = {}
    for key, cidr, az in (("a", "10.20.1.0/24", "us-east-1a"), ("b", "10.20.2.0/24", "us-east-1b")):
        subnets[key] = ec2.create_subnet(VpcId=vpc, CidrBlock=cidr, AvailabilityZone=az)["Subnet"]["SubnetId"]
    return vpc, subnets


def prepare_variant(c, fixture, variant, uid, vpc, subnets, images):
    ec2, asg, sqs, iam, ssm = c["ec2"], c["autoscaling"], c["sqs"], c["iam"], c["ssm"]
    values = {"ami": images[0], "ami:other": images[1], "vpc": vpc}
    values.update({f"subnet:{k}": v for k, v in subnets.items()})
    for key in fixture.get("instance_profiles", []):
        name = f"{uid}-{key}"
        arn = iam.create_instance_profile(InstanceProfileName=name)["InstanceProfile"]["Arn"]
        values[f"profile:{key}"] = name
        values[f"profile_arn:{key}"] = arn
    for key in fixture.get("security_groups", {}):
        name = f"{uid}-{key}"
        values[f"sg:{key}"] = ec2.create_security_group(GroupName=name, Description=key, VpcId=vpc)["GroupId"]
        values[f"sg_name:{key}"] = name
    cloudfront = ec2.describe_managed_prefix_lists(
        Filters=[{"Name": "prefix-list-name", "Values": ["com.amazonaws.global.cloudfront.origin-facing"]}]
    )["PrefixLists"]
    if cloudfront:
        values["pl:cloudfront"] = cloudfront[0]["PrefixListId"]
    ctx = Context(values)
    for key, spec in fixture.get("prefix_lists", {}).items():
        spec = ctx.sub(spec)
        created = ec2.create_managed_prefix_list(
            PrefixListName=f"{uid}-{key}",
            AddressFamily=spec.get("AddressFamily", "IPv4"),
            MaxEntries=int(spec.get("MaxEntries", max(10, len(spec.get("Entries", []))))),
            Entries=spec.get("Entries", []),
        )
        values[f"pl:{key}"] = created["PrefixList"]["PrefixListId"]
    for name in fixture.get("ssm_parameters", {}):
        values[f"ssm:{name}"] = f"/{uid}{name if name.startswith('/') else '/' + name}"
    for key in fixture.get("extra_templates", {}):
        values[f"template:{key}"] = f"{uid}-{key}"
    ctx = Context(values)
    for key, spec in fixture.get("security_groups", {}).items():
        permissions = ctx.sub(spec.get("ingress", []))
        if permissions:
            ec2.authorize_security_group_ingress(GroupId=values[f"sg:{key}"], IpPermissions=permissions)
    for name, value in fixture.get("ssm_parameters", {}).items():
        ssm.put_parameter(Name=values[f"ssm:{name}"], Value=ctx.sub(value), Type="String", DataType="aws:ec2:image")
    for key, data in fixture.get("extra_templates", {}).items():
        ec2.create_launch_template(LaunchTemplateName=values[f"template:{key}"], LaunchTemplateData=ctx.sub(data))
    template = ec2.create_launch_template(
        LaunchTemplateName=f"{uid}-main", LaunchTemplateData=ctx.sub(fixture["launch_template_data"])
    )["LaunchTemplate"]
    group_spec = fixture.get("group", {})
    reference = (
        {"LaunchTemplateName": template["LaunchTemplateName"]}
        if group_spec.get("reference") == "name"
        else {"LaunchTemplateId": template["LaunchTemplateId"]}
    )
    reference["Version"] = group_spec.get("version", "$Latest")

    queue_url = sqs.create_queue(QueueName=f"{uid}-hook")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    group = f"{uid}-group"
    hook = {
        "LifecycleHookName": f"{uid}-gate",
        "LifecycleTransition": "autoscaling:EC2_INSTANCE_LAUNCHING",
        "HeartbeatTimeout": 3600,
        "DefaultResult": "ABANDON",
        "NotificationTargetARN": queue_arn,
        "RoleARN": "arn:aws:iam::123456789012:role/scalegate-corpus-hook",
    }
    kwargs = dict(
        AutoScalingGroupName=group,
        MinSize=0,
        MaxSize=2,
        DesiredCapacity=1,
        VPCZoneIdentifier=",".join(subnets.values()),
        LifecycleHookSpecificationList=[hook],
    )
    if group_spec.get("mixed_instances_policy"):
        policy = ctx.sub(group_spec["mixed_instances_policy"])
        policy.setdefault("LaunchTemplate", {})["LaunchTemplateSpecification"] = reference
        kwargs["MixedInstancesPolicy"] = policy
    else:
        kwargs["LaunchTemplate"] = reference
    asg.create_auto_scaling_group(**kwargs)
    instance_id = wait_for_instance(asg, group)

    for mutation in variant.get("drift", []):
        drift(c, ctx, values, template["LaunchTemplateId"], instance_id, mutation)
    return {"group": group, "queue_url": queue_url, "instance_id": instance_id}


def wait_for_instance(asg, group):
    for _ in range(100):
        instances = asg.describe_auto_scaling_groups(AutoScalingGroupNames=[group])["AutoScalingGroups"][0]["Instances"]
        waiting = [i for i in instances if i["LifecycleState"] == "Pending:Wait"]
        if waiting:
            return waiting[0]["InstanceId"]
        time.sleep(0.05)
    raise RuntimeError(f"no instance of {group} reached Pending:Wait")


def drift(c, ctx, values, template_id, instance_id, mutation):
    ec2, ssm = c["ec2"], c["ssm"]
    (kind, arg), = mutation.items()
    if kind == "add_security_group":
        instance = ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][0]
        current = [g["GroupId"] for g in instance.get("SecurityGroups", [])]
        primary = [n for n in instance.get("NetworkInterfaces", []) if n.get("Attachment", {}).get("DeviceIndex") == 0]
        for g in (primary[0]["Groups"] if primary else []):
            if g["GroupId"] not in current:
                current.append(g["GroupId"])
        ec2.modify_instance_attribute(InstanceId=instance_id, Groups=current + [values[f"sg:{arg}"]])
    elif kind == "authorize_ingress":
        ec2.authorize_security_group_ingress(GroupId=values[f"sg:{arg['group']}"], IpPermissions=ctx.sub(arg["IpPermissions"]))
    elif kind == "metadata_options":
        ec2.modify_instance_metadata_options(InstanceId=instance_id, **arg)
    elif kind == "replace_instance_profile":
        association = ec2.describe_iam_instance_profile_associations(
            Filters=[{"Name": "instance-id", "Values": [instance_id]}]
        )["IamInstanceProfileAssociations"][0]["AssociationId"]
        ec2.replace_iam_instance_profile_association(
            IamInstanceProfile={"Name": values[f"profile:{arg}"]}, AssociationId=association
        )
    elif kind == "new_template_version":
        params = {"LaunchTemplateId": template_id, "LaunchTemplateData": ctx.sub(arg.get("LaunchTemplateData", {}))}
        if arg.get("SourceVersion"):
            params["SourceVersion"] = str(arg["SourceVersion"])
        version = ec2.create_launch_template_version(**params)["LaunchTemplateVersion"]["VersionNumber"]
        if arg.get("SetDefault"):
            ec2.modify_launch_template(LaunchTemplateId=template_id, DefaultVersion=str(version))
    elif kind == "put_ssm_parameter":
        ssm.put_parameter(
            Name=values[f"ssm:{arg['name']}"], Value=ctx.sub(arg["value"]), Type="String", Overwrite=True
        )
    elif kind == "modify_instance_type":
        ec2.modify_instance_attribute(InstanceId=instance_id, InstanceType={"Value": arg})
    else:
        raise ValueError(f"unknown drift {kind!r}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--fixtures", required=True)
    parser.add_argument("--prefix", required=True)
    parser.add_argument("--only", help="only the fixture with this file name (without .json)")
    args = parser.parse_args(argv)
    c = clients(args.endpoint)
    images = amis(c["ec2"])
    manifest = []
    names = sorted(f for f in os.listdir(args.fixtures) if f.endswith(".json"))
    for n, file_name in enumerate(names):
        name = file_name[: -len(".json")]
        if args.only and name != args.only:
            continue
        with open(os.path.join(args.fixtures, file_name)) as f:
            fixture = json.load(f)
        vpc, subnets = network(c, f"{args.prefix}-{n}")
        for v, variant in enumerate(fixture["variants"]):
            entry = {"fixture": name, "variant": variant["name"], "expect": variant["expect"], "rules": fixture.get("rules")}
            try:
                entry.update(prepare_variant(c, fixture, variant, f"{args.prefix}-{n}-{v}", vpc, subnets, images))
            except Exception as exc:  # noqa: BLE001 - reported per variant, so one bad fixture names itself
                entry["error"] = f"{type(exc).__name__}: {exc}"
            manifest.append(entry)
    json.dump(manifest, sys.stdout)


if __name__ == "__main__":
    main()
