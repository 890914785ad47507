"""mesh-bucket-ownership-enforced: ACLs disabled; the bucket owner owns every object."""

from __future__ import annotations

from datamesh.policy import model
from datamesh.policy.model import ResourceRule, ResourceView, RuleContext
from datamesh.policy.values import get_path, shown


def check(resource: ResourceView, ctx: RuleContext) -> list[str]:
    ownership = get_path(resource.inputs, "rule", "objectOwnership")
    if ownership != "BucketOwnerEnforced":
        return [f'rule.objectOwnership is {shown(ownership)}, expected "BucketOwnerEnforced"']
    return []


RULE = ResourceRule(
    id="mesh-bucket-ownership-enforced",
    description="Product buckets disable ACLs: the owning domain owns every object "
                "(BucketOwnerEnforced), so access is decided by policies alone.",
    severity="high",
    remediation="Set rule.objectOwnership to \"BucketOwnerEnforced\" on the bucket's "
                "aws:s3/bucketOwnershipControls:BucketOwnershipControls.",
    default_level="mandatory",
    types=frozenset({model.BUCKET_OWNERSHIP}),
    check=check,
)
