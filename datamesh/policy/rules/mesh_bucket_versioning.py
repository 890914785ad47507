"""mesh-bucket-versioning: every product bucket keeps versions (spec-v1 invariant)."""

from __future__ import annotations

from datamesh.policy import model
from datamesh.policy.model import ResourceRule, ResourceView, RuleContext
from datamesh.policy.values import get_path, shown


def check(resource: ResourceView, ctx: RuleContext) -> list[str]:
    status = get_path(resource.inputs, "versioningConfiguration", "status")
    if status != "Enabled":
        return [f'versioningConfiguration.status is {shown(status)}, expected "Enabled"']
    return []


RULE = ResourceRule(
    id="mesh-bucket-versioning",
    description="Product buckets keep every version of every object (versioning Enabled).",
    severity="high",
    remediation="Set versioningConfiguration.status to \"Enabled\" on the bucket's "
                "aws:s3/bucketVersioning:BucketVersioning; the mesh components do this for "
                "every product, so re-run `pulumi up` from the generated program.",
    default_level="mandatory",
    types=frozenset({model.BUCKET_VERSIONING}),
    check=check,
)
