"""Launch templates as AWS reads them, for moto, patched in-process.

What moto lacks and this adds, with AWS's documented semantics:
- `CreateLaunchTemplateVersion` with `SourceVersion`: the new version starts as a copy of the source version and the
  parameters given replace the source's, parameter by parameter; block device mappings merge by device name, and a
  mapping with `NoDevice` removes the source's (EC2 User Guide, "Modify a launch template (manage launch template
  versions)"). Without `SourceVersion` the new version holds only what is given, as in AWS.
- `DescribeLaunchTemplateVersions` with `ResolveAlias`: an AMI named `resolve:ssm:<parameter>[:version|:label]` is
  shown as the AMI id the parameter holds now.
- launches (used by autoscaling.launching) as Auto Scaling makes them:
  - the AMI named through SSM is resolved at launch;
  - security groups named on the template's network interfaces (`NetworkInterfaces[].Groups`) are the instance's,
    interface by interface, with the public-IP setting of each interface;
  - with a mixed instances policy, each launch uses an override: the first that lists an instance type (priority
    order) or, for attribute-based selection, the smallest type that meets the override's `InstanceRequirements`
    and the AMI's architecture (AWS picks the lowest price; the emulator has no prices, so it picks by size, then
    name); an override's own `LaunchTemplateSpecification` and `ImageId` replace the group's; when no override can
    launch, the launch fails and no instance is made, as in AWS;
  - EBS encryption by default (`EnableEbsEncryptionByDefault`) encrypts every volume a launch creates.
"""

import copy
import re

from moto.ec2.exceptions import InvalidParameterValue
from moto.ec2.models.instance_types import INSTANCE_TYPES
from moto.ec2.responses.launch_templates import LaunchTemplates
from moto.core.responses import ActionResult

SSM_PREFIX = "resolve:ssm:"

_ORIGINAL = {}


# ---- SSM-named AMIs ------------------------------------------------------------------------------------------------


def resolve_image(account_id, region, image_id):
    """The AMI id a `resolve:ssm:` value names; other values unchanged. Raises when the parameter does not exist."""
    if not isinstance(image_id, str) or not image_id.startswith(SSM_PREFIX):
        return image_id
    from moto.ssm.models import ssm_backends

    name = image_id[len(SSM_PREFIX):]
    try:
        parameter = ssm_backends[account_id][region].get_parameter(name)
    except Exception:  # noqa: BLE001 - a version or label that does not exist
        parameter = None
    if parameter is None:
        raise InvalidParameterValue(f"The SSM parameter {name} in {image_id} could not be resolved to an AMI")
    return parameter.value


# ---- template versions ---------------------------------------------------------------------------------------------


def merge_from_source(source, given):
    """A new version's data: the source's, with every parameter given replacing its own."""
    merged = copy.deepcopy(source)
    for key, value in given.items():
        if key == "BlockDeviceMappings":
            by_device = {m.get("DeviceName"): m for m in merged.get(key, []) or []}
            for mapping in value or []:
                if "NoDevice" in mapping:
                    by_device.pop(mapping.get("DeviceName"), None)
                else:
                    by_device[mapping.get("DeviceName")] = mapping
            merged[key] = list(by_device.values())
        else:
            merged[key] = value
    return merged


def _create_launch_template_version(self):
    name = self._get_param("LaunchTemplateName")
    template_id = self._get_param("LaunchTemplateId")
    template = (
        self.ec2_backend.get_launch_template(template_id)
        if template_id
        else self.ec2_backend.get_launch_template_by_name(name)
    )
    given = self._get_param("LaunchTemplateData", {}) or {}
    if "UserData" in given:
        from moto.ec2.utils import parse_user_data

        given["UserData"] = parse_user_data(self._get_param("LaunchTemplateData.UserData"))
    source_version = self._get_param("SourceVersion")
    data = merge_from_source(template.get_version(source_version).data, given) if source_version else given
    self.error_on_dryrun()
    version = template.create_version(data, self._get_param("VersionDescription"))
    return ActionResult(
        {
            "LaunchTemplateVersion": {
                "CreateTime": version.create_time,
                "CreatedBy": f"arn:{self.partition}:iam::{self.current_account}:root",
                "DefaultVersion": template.is_default(version),
                "LaunchTemplateData": version.data,
                "LaunchTemplateId": template.id,
                "LaunchTemplateName": template.name,
                "VersionDescription": version.description,
                "VersionNumber": version.number,
            }
        }
    )


def _describe_launch_template_versions(self):
    result = _ORIGINAL["describe_versions"](self)
    if str(self._get_param("ResolveAlias", "false")).lower() != "true":
        return result
    versions = result.result.get("LaunchTemplateVersions", [])
    for v in versions:
        data = v.get("LaunchTemplateData") or {}
        image = data.get("ImageId")
        if isinstance(image, str) and image.startswith(SSM_PREFIX):
            # A copy: the stored version keeps its alias.
            data = dict(data)
            data["ImageId"] = resolve_image(self.current_account, self.region, image)
            v["LaunchTemplateData"] = data
    return result


# ---- what a launch uses ----------------------------------------------------------------------------------------


def _number(value):
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _within(bounds, value):
    if not bounds:
        return True
    low, high = _number(bounds.get("Min")), _number(bounds.get("Max"))
    if value is None:
        return low is None and high is None
    return (low is None or value >= low) and (high is None or value <= high)


def _inclusion(requirements, key, default, has):
    rule = str(requirements.get(key) or default).lower()
    return rule == "included" or (rule == "excluded" and not has) or (rule == "required" and has)


def _accelerators(info):
    # Inferentia chips are listed both as inference accelerators and as Neuron devices: counted once.
    inference = (info.get("InferenceAcceleratorInfo") or {}).get("Accelerators", [])
    if not inference:
        inference = [dict(d, Manufacturer="AWS") for d in (info.get("NeuronInfo") or {}).get("NeuronDevices", [])]
    out = []
    for kind, devices in (
        ("gpu", (info.get("GpuInfo") or {}).get("Gpus", [])),
        ("fpga", (info.get("FpgaInfo") or {}).get("Fpgas", [])),
        ("inference", inference),
        ("media", (info.get("MediaAcceleratorInfo") or {}).get("Accelerators", [])),
    ):
        for d in devices:
            count = int(d.get("Count") or 0)
            memory = (d.get("MemoryInfo") or {}).get("SizeInMiB")
            out.append((kind, count, d.get("Manufacturer", ""), d.get("Name", ""), (memory or 0) * count))
    return out


def _star(pattern, name):
    """AWS's instance-type patterns: `*` matches any run; every other character is itself."""
    return re.fullmatch(".*".join(re.escape(part) for part in str(pattern).split("*")), name) is not None


def _norm(text):
    text = str(text).lower().replace(" ", "-")
    return "aws" if text == "amazon-web-services" else text


def meets(requirements, info):
    """Does an instance type (moto's description) meet an override's InstanceRequirements?"""
    r = requirements
    name = info.get("InstanceType", "")
    vcpus = _number((info.get("VCpuInfo") or {}).get("DefaultVCpus"))
    memory = _number((info.get("MemoryInfo") or {}).get("SizeInMiB"))
    network = info.get("NetworkInfo") or {}
    storage = info.get("InstanceStorageInfo") or {}
    accelerators = _accelerators(info)
    cards = [c.get("BaselineBandwidthInGbps") for c in network.get("NetworkCards", []) if c.get("BaselineBandwidthInGbps")]
    checks = [
        _within(r.get("VCpuCount"), vcpus),
        _within(r.get("MemoryMiB"), memory),
        _within(r.get("MemoryGiBPerVCpu"), memory / 1024 / vcpus if memory and vcpus else None),
        _within(r.get("NetworkInterfaceCount"), _number(network.get("MaximumNetworkInterfaces"))),
        _within(r.get("NetworkBandwidthGbps"), sum(cards) if cards else None),
        _within(r.get("BaselineEbsBandwidthMbps"), _number(((info.get("EbsInfo") or {}).get("EbsOptimizedInfo") or {}).get("BaselineBandwidthInMbps"))),
        _within(r.get("TotalLocalStorageGB"), _number(storage.get("TotalSizeInGB")) or 0.0),
        _within(r.get("AcceleratorCount"), float(sum(a[1] for a in accelerators))),
        _within(r.get("AcceleratorTotalMemoryMiB"), float(sum(a[4] for a in accelerators))),
        not r.get("CpuManufacturers")
        or any(_norm(m) == _norm((info.get("ProcessorInfo") or {}).get("Manufacturer", "")) for m in r["CpuManufacturers"]),
        not any(_star(p, name) for p in r.get("ExcludedInstanceTypes") or []),
        not r.get("AllowedInstanceTypes") or any(_star(p, name) for p in r["AllowedInstanceTypes"]),
        not r.get("InstanceGenerations")
        or ("current" if info.get("CurrentGeneration") else "previous") in [str(g).lower() for g in r["InstanceGenerations"]],
        _inclusion(r, "BareMetal", "excluded", bool(info.get("BareMetal"))),
        _inclusion(r, "BurstablePerformance", "excluded", bool(info.get("BurstablePerformanceSupported"))),
        _inclusion(r, "LocalStorage", "included", bool(info.get("InstanceStorageSupported"))),
        str(r.get("RequireHibernateSupport", "false")).lower() != "true" or bool(info.get("HibernationSupported")),
        not r.get("LocalStorageTypes")
        or not info.get("InstanceStorageSupported")
        or all(str(d.get("Type", "")).lower() in [str(t).lower() for t in r["LocalStorageTypes"]] for d in storage.get("Disks", [])),
        # Accelerator types, makers and names list what must be on the type: naming any excludes types without one.
        not (r.get("AcceleratorTypes") or r.get("AcceleratorManufacturers") or r.get("AcceleratorNames"))
        or bool(accelerators),
        all(not r.get("AcceleratorTypes") or a[0] in [str(t).lower() for t in r["AcceleratorTypes"]] for a in accelerators),
        all(not r.get("AcceleratorManufacturers") or any(_norm(m) == _norm(a[2]) for m in r["AcceleratorManufacturers"]) for a in accelerators),
        all(not r.get("AcceleratorNames") or any(_norm(n) == _norm(a[3]) for n in r["AcceleratorNames"]) for a in accelerators),
    ]
    return all(checks)


def _smallest_meeting(requirements, architecture):
    candidates = [
        info
        for info in INSTANCE_TYPES.values()
        if architecture in (info.get("ProcessorInfo") or {}).get("SupportedArchitectures", [])
        and meets(requirements, info)
    ]
    candidates.sort(
        key=lambda i: ((i.get("VCpuInfo") or {}).get("DefaultVCpus", 0), (i.get("MemoryInfo") or {}).get("SizeInMiB", 0), i["InstanceType"])
    )
    return candidates[0]["InstanceType"] if candidates else None


def _override_version(ec2, spec, fallback):
    if not spec:
        return fallback
    if spec.get("LaunchTemplateId"):
        template = ec2.get_launch_template(spec["LaunchTemplateId"])
    else:
        template = ec2.get_launch_template_by_name(spec["LaunchTemplateName"])
    return template.get_version(spec.get("Version") or "$Default")


def launch_choice(group, version):
    """(template version, instance type, AMI) for one launch of `group`, whose own template version is `version`;
    None when a mixed instances policy has no override that can launch (AWS fails such a launch)."""
    ec2 = group.ec2_backend
    policy = getattr(group, "mixed_instances_policy", None) or {}
    overrides = (policy.get("LaunchTemplate") or {}).get("Overrides") or []
    for override in overrides:
        chosen = _override_version(ec2, override.get("LaunchTemplateSpecification"), version)
        image_id = override.get("ImageId") or chosen.image_id
        if override.get("InstanceType"):
            return chosen, override["InstanceType"], resolve_image(ec2.account_id, ec2.region_name, image_id)
        if override.get("InstanceRequirements"):
            image = resolve_image(ec2.account_id, ec2.region_name, image_id)
            amis = ec2.describe_images(filters={"image-id": image}) if image else []
            architecture = (amis[0].architecture if amis else None) or "x86_64"
            instance_type = _smallest_meeting(override["InstanceRequirements"], architecture)
            if instance_type:
                return chosen, instance_type, image
    if overrides:
        return None
    image = resolve_image(ec2.account_id, ec2.region_name, version.image_id)
    return version, version.data.get("InstanceType") or "t3.micro", image


def interfaces(data, subnet):
    """moto's `nics` for the template's network interfaces, in the group's subnet."""
    nics = []
    for spec in data.get("NetworkInterfaces") or []:
        nic = {"DeviceIndex": int(spec.get("DeviceIndex") or 0)}
        if subnet:
            nic["SubnetId"] = subnet
        if spec.get("Groups"):
            nic["Groups"] = list(spec["Groups"])
        if "AssociatePublicIpAddress" in spec:
            nic["AssociatePublicIpAddress"] = str(spec["AssociatePublicIpAddress"]).lower() == "true"
        if "DeleteOnTermination" in spec:
            nic["DeleteOnTermination"] = str(spec["DeleteOnTermination"]).lower() == "true"
        nics.append(nic)
    return nics


def encrypt_by_default(ec2, instance):
    """With EBS encryption by default on, every volume the launch created is encrypted, whatever it asked."""
    if not getattr(ec2, "ebs_encryption_by_default", False):
        return
    for _, device in instance.get_block_device_mapping:
        for volume in ec2.describe_volumes(volume_ids=[device.volume_id]):
            volume.encrypted = True


def install():
    """Patches moto's EC2 launch-template API. Idempotent."""
    if _ORIGINAL:
        return
    _ORIGINAL["describe_versions"] = LaunchTemplates.describe_launch_template_versions
    LaunchTemplates.describe_launch_template_versions = _describe_launch_template_versions
    LaunchTemplates.create_launch_template_version = _create_launch_template_version
