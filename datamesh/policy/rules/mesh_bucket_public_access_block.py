"""mesh-bucket-public-access-block: all four public-access blocks on (buckets and access points)."""

from __future__ import annotations

from datamesh.policy import model
from datamesh.policy.model import ResourceRule, ResourceView, RuleContext
from datamesh.policy.values import get_path, is_true, mapping, shown

FLAGS = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")


def check(resource: ResourceView, ctx: RuleContext) -> list[str]:
    if resource.type == model.ACCESS_POINT:
        # Omitted, an access point blocks everything; given, every flag must stay on.
        block = mapping(resource.inputs.get("publicAccessBlockConfiguration"))
        if block is None:
            return []
        return [f"publicAccessBlockConfiguration.{flag} is {shown(block.get(flag))}, expected true"
                for flag in FLAGS if flag in block and not is_true(block.get(flag))]
    return [f"{flag} is {shown(get_path(resource.inputs, flag))}, expected true"
            for flag in FLAGS if not is_true(resource.inputs.get(flag))]


RULE = ResourceRule(
    id="mesh-bucket-public-access-block",
    description="Product buckets block public ACLs and policies with all four public-access "
                "blocks; access points never relax them.",
    severity="critical",
    remediation="Set blockPublicAcls, blockPublicPolicy, ignorePublicAcls and "
                "restrictPublicBuckets to true on the bucket's BucketPublicAccessBlock (and leave "
                "an access point's publicAccessBlockConfiguration unset or all true).",
    default_level="mandatory",
    types=frozenset({model.BUCKET_PUBLIC_ACCESS, model.ACCESS_POINT}),
    check=check,
)
