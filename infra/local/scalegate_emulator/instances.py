"""EC2 instance changes as AWS applies them, for moto, patched in-process.

- `ModifyInstanceMetadataOptions` changes only the options given; the others keep their values (moto resets every
  option left out to its launch default, so raising the hop limit alone would silently turn IMDSv2 off).
- `ReplaceIamInstanceProfileAssociation` changes the profile `DescribeInstances` reports, as the association does
  in AWS (moto changes only the association).
"""

from moto.ec2.models.iam_instance_profile import IamInstanceProfileAssociationBackend
from moto.ec2.models.instances import InstanceBackend

_ORIGINAL = {}


def _modify_instance_metadata_options(
    self,
    instance_id,
    http_tokens=None,
    hop_limit=None,
    http_endpoint=None,
    dry_run=False,
    http_protocol=None,
    metadata_tags=None,
):
    current = self.get_instance(instance_id).metadata_options
    return _ORIGINAL["metadata"](
        self,
        instance_id,
        http_tokens=http_tokens or current.http_tokens,
        hop_limit=hop_limit if hop_limit is not None else current.http_put_response_hop_limit,
        http_endpoint=http_endpoint or current.http_endpoint,
        dry_run=dry_run,
        http_protocol=http_protocol or current.http_protocol_ipv6,
        metadata_tags=metadata_tags or current.instance_metadata_tags,
    )


def _replace_iam_instance_profile_association(self, association_id, *args, **kwargs):
    association = _ORIGINAL["replace_profile"](self, association_id, *args, **kwargs)
    self.modify_instance_attribute(
        association.instance_id,
        "iam_instance_profile",
        {"Arn": association.iam_instance_profile.arn, "Id": association.association_id},
    )
    return association


def install():
    """Patches moto's EC2 instance backend. Idempotent."""
    if _ORIGINAL:
        return
    _ORIGINAL["metadata"] = InstanceBackend.modify_instance_metadata_options
    _ORIGINAL["replace_profile"] = IamInstanceProfileAssociationBackend.replace_iam_instance_profile_association
    InstanceBackend.modify_instance_metadata_options = _modify_instance_metadata_options
    IamInstanceProfileAssociationBackend.replace_iam_instance_profile_association = (
        _replace_iam_instance_profile_association
    )
