"""mesh-data-protected: a spec change never deletes data (buckets and KMS keys)."""

from __future__ import annotations

from datamesh.policy import model
from datamesh.policy.model import ResourceRule, ResourceView, RuleContext
from datamesh.policy.values import is_true


def check(resource: ResourceView, ctx: RuleContext) -> list[str]:
    problems: list[str] = []
    if not resource.protect:
        problems.append("the protect option is off: `pulumi up` may delete it")
    if resource.retain_on_delete is False:
        problems.append("the retainOnDelete option is off: removing it from the program deletes it")
    if resource.type == model.BUCKET and is_true(resource.inputs.get("forceDestroy")):
        problems.append("forceDestroy is true: deleting the bucket would delete every object")
    return problems


RULE = ResourceRule(
    id="mesh-data-protected",
    description="Product buckets and domain KMS keys are protected and retained on delete, and "
                "a bucket is never force-destroyed.",
    severity="high",
    remediation="Create buckets and keys with the resource options protect=True and "
                "retain_on_delete=True, and forceDestroy false (the mesh components do); to "
                "really delete data, a human unprotects the resource first.",
    default_level="mandatory",
    types=frozenset({model.BUCKET, model.KMS_KEY}),
    check=check,
)
