"""mesh-bucket-controls-present (stack): every bucket has each of its guard resources, once.

The resource rules judge a BucketVersioning, an encryption configuration, … when one exists;
this rule makes sure none is missing (or doubled, which makes the last writer win in S3).
"""

from __future__ import annotations

from datamesh.policy import model
from datamesh.policy.model import Finding, RuleContext, StackRule, StackView
from datamesh.policy.rules._buckets import companions, short

CONTROLS = (
    model.BUCKET_VERSIONING,
    model.BUCKET_ENCRYPTION,
    model.BUCKET_PUBLIC_ACCESS,
    model.BUCKET_OWNERSHIP,
    model.BUCKET_POLICY,
)


def check(stack: StackView, ctx: RuleContext) -> list[Finding]:
    findings: list[Finding] = []
    for bucket in stack.of_type(model.BUCKET):
        for control in CONTROLS:
            found = companions(stack, bucket, control)
            if not found:
                findings.append(Finding(bucket, f"the bucket has no {short(control)}"))
            elif len(found) > 1:
                names = ", ".join(r.name for r in found)
                findings.append(Finding(bucket, f"the bucket has {len(found)} {short(control)} "
                                                f"({names}); exactly one is expected"))
    return findings


RULE = StackRule(
    id="mesh-bucket-controls-present",
    description="Every product bucket has exactly one each of BucketVersioning, server-side "
                "encryption, BucketPublicAccessBlock, BucketOwnershipControls and BucketPolicy.",
    severity="high",
    remediation="Create buckets only through the DataProduct component, which adds every control; "
                "remove duplicate controls that target the same bucket.",
    default_level="mandatory",
    reads=frozenset({model.BUCKET, *CONTROLS}),
    check=check,
)
