"""mesh-bucket-lifecycle-present (stack): no product bucket without its lifecycle.

Each bucket has exactly one BucketLifecycleConfiguration; when the bucket's DataProduct
component declares ``retentionDays``, the lifecycle expires current objects after exactly that
many days (so ``mesh-restricted-retention``, which reads the component, judges the real expiry).
"""

from __future__ import annotations

from datamesh.policy import model
from datamesh.policy.model import Finding, RuleContext, StackRule, StackView
from datamesh.policy.rules._buckets import companions
from datamesh.policy.rules.mesh_bucket_lifecycle import enabled_days
from datamesh.policy.values import items, number


def check(stack: StackView, ctx: RuleContext) -> list[Finding]:
    findings: list[Finding] = []
    for bucket in stack.of_type(model.BUCKET):
        found = companions(stack, bucket, model.BUCKET_LIFECYCLE)
        if not found:
            findings.append(Finding(bucket, "the bucket has no BucketLifecycleConfiguration: "
                                            "nothing in it ever expires"))
            continue
        if len(found) > 1:
            names = ", ".join(r.name for r in found)
            findings.append(Finding(bucket, f"the bucket has {len(found)} lifecycle "
                                            f"configurations ({names}); S3 keeps only one"))
            continue
        product = stack.parent_of(bucket)
        if product is None or product.type != model.COMPONENT_PRODUCT:
            continue
        retention = number(product.inputs.get("retentionDays"))
        days = enabled_days(items(found[0].inputs.get("rules")), "expiration", "days")
        if retention is not None and days and days != [retention]:
            shown_days = ", ".join(str(d) for d in days)
            findings.append(Finding(found[0], f"expires current objects after {shown_days} days, "
                                              f"but the product's retention.days is {retention}"))
    return findings


RULE = StackRule(
    id="mesh-bucket-lifecycle-present",
    description="Every product bucket has exactly one lifecycle configuration, expiring current "
                "objects after the product's retention.days.",
    severity="high",
    remediation="Create the bucket through the DataProduct component (it adds the lifecycle from "
                "retention in the spec), or add one BucketLifecycleConfiguration for the bucket.",
    default_level="mandatory",
    reads=frozenset({model.BUCKET, model.BUCKET_LIFECYCLE, model.COMPONENT_PRODUCT}),
    check=check,
)
