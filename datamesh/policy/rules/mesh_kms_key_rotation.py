"""mesh-kms-key-rotation: domain keys rotate their key material."""

from __future__ import annotations

from datamesh.policy import model
from datamesh.policy.model import ResourceRule, ResourceView, RuleContext
from datamesh.policy.values import is_true, number, shown


def check(resource: ResourceView, ctx: RuleContext) -> list[str]:
    enabled = resource.inputs.get("enableKeyRotation")
    if not is_true(enabled):
        return [f"enableKeyRotation is {shown(enabled)}, expected true"]
    period = resource.inputs.get("rotationPeriodInDays")
    limit = number(ctx.config.get("maxRotationPeriodDays"))
    days = number(period)
    if period is not None and limit is not None and (days is None or days > limit):
        return [f"rotationPeriodInDays is {shown(period)}, at most {limit} allowed"]
    return []


RULE = ResourceRule(
    id="mesh-kms-key-rotation",
    description="KMS keys rotate their key material automatically, at least yearly.",
    severity="medium",
    remediation="Set enableKeyRotation to true on the aws:kms/key:Key (and rotationPeriodInDays, "
                "if set, to at most the configured maximum).",
    default_level="mandatory",
    config={
        "maxRotationPeriodDays": {
            "type": "integer", "minimum": 90, "maximum": 2560, "default": 365,
            "description": "Longest rotation period allowed when rotationPeriodInDays is set.",
        },
    },
    types=frozenset({model.KMS_KEY}),
    check=check,
)
