"""The emulator's launch-template and instance extensions against AWS's documented semantics, through boto3.

Run: PYTHONPATH=infra/local .venv/bin/python -m unittest discover -s infra/local/tests (make test does).
"""

import os
import subprocess
import sys
import unittest
import uuid

import boto3
from botocore.exceptions import ClientError

HERE = os.path.dirname(os.path.abspath(__file__))


class Emulator:
    def __init__(self):
        env = dict(os.environ, PYTHONPATH=os.path.join(HERE, ".."), PYTHONUNBUFFERED="1")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "scalegate_emulator", "--port", "0", "--exit-with-stdin"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
            text=True,
        )
        self.endpoint = self.process.stdout.readline().split()[-1]

    def client(self, service, region="us-east-1", key="test", secret="test", token=None):
        """A boto3 client on the emulator, with the default keys or a principal's own."""
        return boto3.client(
            service,
            endpoint_url=self.endpoint,
            region_name=region,
            aws_access_key_id=key,
            aws_secret_access_key=secret,
            aws_session_token=token,
        )

    def small_template(self):
        """A launch template for a t3.micro on an x86_64 image: the id."""
        ec2 = self.client("ec2")
        ami = sorted(i["ImageId"] for i in ec2.describe_images()["Images"] if i.get("Architecture") == "x86_64")[0]
        return ec2.create_launch_template(
            LaunchTemplateName=f"lt-{uuid.uuid4().hex[:8]}", LaunchTemplateData={"ImageId": ami, "InstanceType": "t3.micro"}
        )["LaunchTemplate"]["LaunchTemplateId"]

    def stop(self):
        self.process.stdin.close()
        self.process.wait(timeout=10)


class GroupCase(unittest.TestCase):
    """One emulator for the class, its EC2 and Auto Scaling clients, a small template, and groups made on it."""

    @classmethod
    def setUpClass(cls):
        cls.emulator = Emulator()
        cls.ec2 = cls.emulator.client("ec2")
        cls.asg = cls.emulator.client("autoscaling")
        cls.template = cls.emulator.small_template()

    @classmethod
    def tearDownClass(cls):
        cls.emulator.stop()

    def group(self, desired=0, **extra):
        """A group of `desired` instances (0 to 10) in us-east-1a: its name."""
        name = f"asg-{uuid.uuid4().hex[:8]}"
        self.asg.create_auto_scaling_group(
            AutoScalingGroupName=name,
            MinSize=0,
            MaxSize=10,
            DesiredCapacity=desired,
            AvailabilityZones=["us-east-1a"],
            LaunchTemplate={"LaunchTemplateId": self.template, "Version": "$Latest"},
            **extra,
        )
        return name


class LaunchTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.emulator = Emulator()
        cls.ec2 = cls.emulator.client("ec2")
        cls.asg = cls.emulator.client("autoscaling")
        cls.ssm = cls.emulator.client("ssm")
        cls.iam = cls.emulator.client("iam")
        images = sorted(i["ImageId"] for i in cls.ec2.describe_images()["Images"] if i.get("Architecture") == "x86_64")
        cls.ami, cls.other_ami = images[0], images[1]
        vpc = cls.ec2.create_vpc(CidrBlock="10.30.0.0/16")["Vpc"]["VpcId"]
        cls.vpc = vpc
        cls.subnet = cls.ec2.create_subnet(VpcId=vpc, CidrBlock="10.30.1.0/24", AvailabilityZone="us-east-1a")[
            "Subnet"
        ]["SubnetId"]

    @classmethod
    def tearDownClass(cls):
        cls.emulator.stop()

    def name(self, what):
        return f"{what}-{uuid.uuid4().hex[:8]}"

    def group_sg(self, what):
        return self.ec2.create_security_group(GroupName=self.name(what), Description=what, VpcId=self.vpc)["GroupId"]

    def template(self, data):
        return self.ec2.create_launch_template(LaunchTemplateName=self.name("lt"), LaunchTemplateData=data)[
            "LaunchTemplate"
        ]["LaunchTemplateId"]

    def version(self, template_id, version="$Latest", resolve=False):
        return self.ec2.describe_launch_template_versions(
            LaunchTemplateId=template_id, Versions=[version], ResolveAlias=resolve
        )["LaunchTemplateVersions"][0]["LaunchTemplateData"]

    def launch(self, **group):
        name = self.name("asg")
        self.asg.create_auto_scaling_group(
            AutoScalingGroupName=name, MinSize=0, MaxSize=2, DesiredCapacity=1, VPCZoneIdentifier=self.subnet, **group
        )
        instance_id = self.asg.describe_auto_scaling_groups(AutoScalingGroupNames=[name])["AutoScalingGroups"][0][
            "Instances"
        ][0]["InstanceId"]
        return self.ec2.describe_instances(InstanceIds=[instance_id])["Reservations"][0]["Instances"][0]

    # ---- CreateLaunchTemplateVersion with SourceVersion -----------------------------------------------------------

    def test_a_new_version_inherits_what_it_does_not_override(self):
        sg = self.group_sg("web")
        lt = self.template(
            {
                "ImageId": self.ami,
                "InstanceType": "t3.micro",
                "SecurityGroupIds": [sg],
                "MetadataOptions": {"HttpTokens": "required"},
                "BlockDeviceMappings": [
                    {"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": 8, "Encrypted": True}},
                    {"DeviceName": "/dev/xvdb", "Ebs": {"VolumeSize": 20, "Encrypted": True}},
                ],
            }
        )
        created = self.ec2.create_launch_template_version(
            LaunchTemplateId=lt,
            SourceVersion="1",
            LaunchTemplateData={
                "InstanceType": "t3.small",
                "BlockDeviceMappings": [
                    {"DeviceName": "/dev/xvdb", "NoDevice": ""},
                    {"DeviceName": "/dev/xvdc", "Ebs": {"VolumeSize": 50, "Encrypted": True}},
                ],
            },
        )["LaunchTemplateVersion"]
        self.assertEqual(created["VersionNumber"], 2)
        data = self.version(lt, "2")
        self.assertEqual(data["InstanceType"], "t3.small")
        self.assertEqual(data["ImageId"], self.ami)
        self.assertEqual(data["SecurityGroupIds"], [sg])
        self.assertEqual(data["MetadataOptions"]["HttpTokens"], "required")
        self.assertEqual(sorted(m["DeviceName"] for m in data["BlockDeviceMappings"]), ["/dev/xvda", "/dev/xvdc"])
        # The source is untouched, and without SourceVersion a version holds only what it is given.
        self.assertEqual(self.version(lt, "1")["InstanceType"], "t3.micro")
        self.ec2.create_launch_template_version(LaunchTemplateId=lt, LaunchTemplateData={"InstanceType": "t3.large"})
        self.assertNotIn("ImageId", self.version(lt, "3"))

    def test_an_unknown_source_version_is_refused(self):
        lt = self.template({"ImageId": self.ami})
        with self.assertRaises(ClientError):
            self.ec2.create_launch_template_version(
                LaunchTemplateId=lt, SourceVersion="9", LaunchTemplateData={"InstanceType": "t3.small"}
            )

    # ---- AMIs named through SSM ---------------------------------------------------------------------------------

    def test_resolve_alias_shows_what_the_parameter_holds_now(self):
        parameter = f"/{self.name('golden')}/ami"
        self.ssm.put_parameter(Name=parameter, Value=self.ami, Type="String", DataType="aws:ec2:image")
        lt = self.template({"ImageId": f"resolve:ssm:{parameter}", "InstanceType": "t3.micro"})
        self.assertEqual(self.version(lt)["ImageId"], f"resolve:ssm:{parameter}")
        self.assertEqual(self.version(lt, resolve=True)["ImageId"], self.ami)
        # The instance launches with the AMI resolved at launch; a later change moves ResolveAlias, not the instance.
        instance = self.launch(LaunchTemplate={"LaunchTemplateId": lt, "Version": "$Latest"})
        self.assertEqual(instance["ImageId"], self.ami)
        self.ssm.put_parameter(Name=parameter, Value=self.other_ami, Type="String", Overwrite=True)
        self.assertEqual(self.version(lt, resolve=True)["ImageId"], self.other_ami)
        # A pinned parameter version resolves to that version.
        pinned = self.template({"ImageId": f"resolve:ssm:{parameter}:1"})
        self.assertEqual(self.version(pinned, resolve=True)["ImageId"], self.ami)

    def test_a_parameter_that_does_not_exist_does_not_resolve(self):
        lt = self.template({"ImageId": "resolve:ssm:/no/such/parameter"})
        with self.assertRaises(ClientError):
            self.version(lt, resolve=True)

    # ---- launches as Auto Scaling makes them --------------------------------------------------------------------

    def test_groups_on_network_interfaces_are_the_instances(self):
        a, b = self.group_sg("a"), self.group_sg("b")
        lt = self.template(
            {
                "ImageId": self.ami,
                "InstanceType": "t3.micro",
                "NetworkInterfaces": [{"DeviceIndex": 0, "AssociatePublicIpAddress": True, "Groups": [a, b]}],
            }
        )
        instance = self.launch(LaunchTemplate={"LaunchTemplateId": lt, "Version": "1"})
        interface = [n for n in instance["NetworkInterfaces"] if n["Attachment"]["DeviceIndex"] == 0][0]
        self.assertEqual(sorted(g["GroupId"] for g in interface["Groups"]), sorted([a, b]))
        self.assertEqual(interface["SubnetId"], self.subnet)

    def test_an_override_with_its_own_template_and_ami_is_used_for_its_type(self):
        x86 = self.template({"ImageId": self.ami, "InstanceType": "t3.micro"})
        arm = self.template({"ImageId": self.other_ami, "InstanceType": "m7g.large"})
        instance = self.launch(
            MixedInstancesPolicy={
                "LaunchTemplate": {
                    "LaunchTemplateSpecification": {"LaunchTemplateId": x86, "Version": "$Latest"},
                    "Overrides": [
                        {"InstanceType": "m7g.large", "LaunchTemplateSpecification": {"LaunchTemplateId": arm}},
                        {"InstanceType": "m6i.large"},
                    ],
                }
            }
        )
        self.assertEqual(instance["InstanceType"], "m7g.large")
        tags = {t["Key"]: t["Value"] for t in instance.get("Tags", [])}
        self.assertEqual(tags["aws:ec2launchtemplate:id"], arm)
        self.assertEqual(instance["ImageId"], self.other_ami)

    def test_attribute_based_selection_launches_a_type_that_meets_the_requirements(self):
        lt = self.template({"ImageId": self.ami})
        instance = self.launch(
            MixedInstancesPolicy={
                "LaunchTemplate": {
                    "LaunchTemplateSpecification": {"LaunchTemplateId": lt, "Version": "$Latest"},
                    "Overrides": [
                        {
                            "InstanceRequirements": {
                                "VCpuCount": {"Min": 4, "Max": 8},
                                "MemoryMiB": {"Min": 16384},
                                "CpuManufacturers": ["amd"],
                            }
                        }
                    ],
                }
            }
        )
        info = self.ec2.describe_instance_types(InstanceTypes=[instance["InstanceType"]])["InstanceTypes"][0]
        self.assertTrue(4 <= info["VCpuInfo"]["DefaultVCpus"] <= 8, info["InstanceType"])
        self.assertGreaterEqual(info["MemoryInfo"]["SizeInMiB"], 16384)
        self.assertEqual(info["ProcessorInfo"]["Manufacturer"], "AMD")
        self.assertFalse(info["BurstablePerformanceSupported"], "burstable types are excluded by default")
        self.assertIn("x86_64", info["ProcessorInfo"]["SupportedArchitectures"], "the AMI's architecture")

    def test_requirements_no_type_meets_launch_nothing(self):
        lt = self.template({"ImageId": self.ami})
        name = self.name("asg")
        self.asg.create_auto_scaling_group(
            AutoScalingGroupName=name,
            MinSize=0,
            MaxSize=1,
            DesiredCapacity=1,
            VPCZoneIdentifier=self.subnet,
            MixedInstancesPolicy={
                "LaunchTemplate": {
                    "LaunchTemplateSpecification": {"LaunchTemplateId": lt},
                    "Overrides": [
                        {"InstanceRequirements": {"VCpuCount": {"Min": 2}, "MemoryMiB": {"Min": 1}, "AcceleratorNames": ["a100"], "CpuManufacturers": ["apple"]}}
                    ],
                }
            },
        )
        group = self.asg.describe_auto_scaling_groups(AutoScalingGroupNames=[name])["AutoScalingGroups"][0]
        self.assertEqual(group["Instances"], [])

    def test_ebs_encryption_by_default_encrypts_what_a_launch_creates(self):
        # Its own region: the setting is account-wide and other tests expect unencrypted volumes.
        ec2 = self.emulator.client("ec2", region="eu-central-1")
        autoscaling = self.emulator.client("autoscaling", region="eu-central-1")
        ec2.enable_ebs_encryption_by_default()
        image = sorted(i["ImageId"] for i in ec2.describe_images()["Images"])[0]
        lt = ec2.create_launch_template(
            LaunchTemplateName=self.name("lt"),
            LaunchTemplateData={
                "ImageId": image,
                "BlockDeviceMappings": [{"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": 8, "Encrypted": False}}],
            },
        )["LaunchTemplate"]["LaunchTemplateId"]
        name = self.name("asg")
        autoscaling.create_auto_scaling_group(
            AutoScalingGroupName=name,
            MinSize=0,
            MaxSize=1,
            DesiredCapacity=1,
            AvailabilityZones=["eu-central-1a"],
            LaunchTemplate={"LaunchTemplateId": lt},
        )
        instance_id = autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[name])["AutoScalingGroups"][0][
            "Instances"
        ][0]["InstanceId"]
        volumes = ec2.describe_volumes(Filters=[{"Name": "attachment.instance-id", "Values": [instance_id]}])["Volumes"]
        self.assertTrue(volumes)
        self.assertTrue(all(v["Encrypted"] for v in volumes))

    # ---- instance changes ---------------------------------------------------------------------------------------

    def test_metadata_options_change_only_what_is_given(self):
        lt = self.template(
            {
                "ImageId": self.ami,
                "MetadataOptions": {"HttpTokens": "required", "HttpPutResponseHopLimit": 1, "HttpEndpoint": "enabled"},
            }
        )
        instance = self.launch(LaunchTemplate={"LaunchTemplateId": lt})
        self.ec2.modify_instance_metadata_options(InstanceId=instance["InstanceId"], HttpPutResponseHopLimit=3)
        options = self.ec2.describe_instances(InstanceIds=[instance["InstanceId"]])["Reservations"][0]["Instances"][0][
            "MetadataOptions"
        ]
        self.assertEqual(options["HttpPutResponseHopLimit"], 3)
        self.assertEqual(options["HttpTokens"], "required")
        self.assertEqual(options["HttpEndpoint"], "enabled")

    def test_a_replaced_profile_is_the_one_the_instance_reports(self):
        web = self.iam.create_instance_profile(InstanceProfileName=self.name("web"))["InstanceProfile"]
        admin = self.iam.create_instance_profile(InstanceProfileName=self.name("admin"))["InstanceProfile"]
        lt = self.template({"ImageId": self.ami, "IamInstanceProfile": {"Name": web["InstanceProfileName"]}})
        instance = self.launch(LaunchTemplate={"LaunchTemplateId": lt})
        self.assertEqual(instance["IamInstanceProfile"]["Arn"], web["Arn"])
        association = self.ec2.describe_iam_instance_profile_associations(
            Filters=[{"Name": "instance-id", "Values": [instance["InstanceId"]]}]
        )["IamInstanceProfileAssociations"][0]["AssociationId"]
        self.ec2.replace_iam_instance_profile_association(
            IamInstanceProfile={"Name": admin["InstanceProfileName"]}, AssociationId=association
        )
        now = self.ec2.describe_instances(InstanceIds=[instance["InstanceId"]])["Reservations"][0]["Instances"][0]
        self.assertEqual(now["IamInstanceProfile"]["Arn"], admin["Arn"])

    def test_prefix_lists_are_security_group_sources(self):
        sg = self.group_sg("pl")
        pl = self.ec2.create_managed_prefix_list(
            PrefixListName=self.name("world"),
            AddressFamily="IPv4",
            MaxEntries=2,
            Entries=[{"Cidr": "0.0.0.0/1"}, {"Cidr": "128.0.0.0/1"}],
        )["PrefixList"]["PrefixListId"]
        self.ec2.authorize_security_group_ingress(
            GroupId=sg,
            IpPermissions=[{"IpProtocol": "tcp", "FromPort": 3389, "ToPort": 3389, "PrefixListIds": [{"PrefixListId": pl}]}],
        )
        rule = self.ec2.describe_security_groups(GroupIds=[sg])["SecurityGroups"][0]["IpPermissions"][0]
        self.assertEqual(rule["PrefixListIds"], [{"PrefixListId": pl}])
        entries = self.ec2.get_managed_prefix_list_entries(PrefixListId=pl)["Entries"]
        self.assertEqual(sorted(e["Cidr"] for e in entries), ["0.0.0.0/1", "128.0.0.0/1"])


if __name__ == "__main__":
    unittest.main()
