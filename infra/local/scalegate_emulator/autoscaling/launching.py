"""Launches as Auto Scaling makes them, from the launch template version the group names."""

from moto.autoscaling import models as asg_models

from .. import launch_templates
from .state import ORIGINAL, truthy


def _template_version(group):
    lt = group.ec2_launch_template
    if lt is None:
        return None
    return lt.get_version(getattr(group, "launch_template_version", None) or "$Default")


def run_instances(group, count):
    """Launches `count` instances from the group's launch template version, honouring what moto ignores."""
    version = _template_version(group)
    if version is None:
        before = {s.instance.id for s in group.instance_states}
        ORIGINAL["replace"](group, count, group.get_propagated_tags())
        added = [s for s in group.instance_states if s.instance.id not in before]
        group.instance_states = [s for s in group.instance_states if s.instance.id in before]
        return [s.instance for s in added]

    ec2 = group.ec2_backend
    tags = group.get_propagated_tags()
    tags[asg_models.ASG_NAME_TAG] = group.name
    tags.update(group.instance_tags)
    subnets = group.vpc_zone_identifier.split(",") if group.vpc_zone_identifier else [None]
    instances = []
    for _ in range(count):
        choice = launch_templates.launch_choice(group, version)
        if choice is None:
            print(f"scalegate-emulator: no override of {group.name} can launch; launch failed", flush=True)
            continue
        chosen, instance_type, image_id = choice
        data = chosen.data
        block_devices = []
        for mapping in data.get("BlockDeviceMappings", []) or []:
            mapping = dict(mapping)
            if "Ebs" not in mapping:
                continue  # instance-store and NoDevice mappings create no EBS volume
            ebs = dict(mapping["Ebs"])
            ebs["Encrypted"] = truthy(ebs.get("Encrypted", False))
            mapping["Ebs"] = ebs
            block_devices.append(mapping)
        group._sg_subnet_cursor = getattr(group, "_sg_subnet_cursor", -1) + 1
        subnet = subnets[group._sg_subnet_cursor % len(subnets)]
        kwargs = {
            "instance_type": instance_type,
            "is_instance_type_default": False,
            "tags": {"instance": dict(tags)},
            "launch_template": {"LaunchTemplateId": chosen.template.id, "Version": str(chosen.number)},
            "subnet_id": subnet,
            "metadata_options": data.get("MetadataOptions") or {},
        }
        nics = launch_templates.interfaces(data, subnet)
        if nics:
            kwargs["nics"] = nics
        if not subnet:
            kwargs["placement"] = group.availability_zones[0] if group.availability_zones else None
        if block_devices:
            kwargs["block_device_mappings"] = block_devices
        if data.get("KeyName"):
            kwargs["key_name"] = data["KeyName"]
        reservation = ec2.run_instances(image_id, 1, chosen.user_data, [], **kwargs)
        instance = reservation.instances[0]
        instance.autoscaling_group = group
        launch_templates.encrypt_by_default(ec2, instance)
        profile = data.get("IamInstanceProfile") or {}
        if profile:
            try:
                ec2.associate_iam_instance_profile(
                    instance_id=instance.id,
                    iam_instance_profile_name=profile.get("Name"),
                    iam_instance_profile_arn=profile.get("Arn"),
                )
            except Exception as exc:  # noqa: BLE001 - like AWS, a missing profile leaves the instance without one
                print(f"scalegate-emulator: instance profile {profile}: {exc}", flush=True)
        instances.append(instance)
    return instances
