"""mesh-restricted-retention (spec-v1 default global policy): restricted data is kept <= 730 days.

Thresholds are per classification in config (``maxRetentionDays``); a classification without a
threshold is not limited. The rule reads the DataProduct component's props (classification,
retentionDays); ``mesh-bucket-lifecycle-present`` proves the bucket's lifecycle expires objects
after exactly retentionDays.
"""

from __future__ import annotations

from datamesh.policy import model
from datamesh.policy.model import ResourceRule, ResourceView, RuleContext
from datamesh.policy.values import mapping, number, shown, text


def check(resource: ResourceView, ctx: RuleContext) -> list[str]:
    classification = text(resource.inputs.get("classification"))
    limits = mapping(ctx.config.get("maxRetentionDays")) or {}
    if classification is None:
        return [f"classification is {shown(resource.inputs.get('classification'))}: the "
                f"retention limit cannot be decided"]
    limit = number(limits.get(classification))
    if limit is None:
        return []
    raw = resource.inputs.get("retentionDays")
    days = number(raw)
    if days is None:
        return [f"retentionDays is {shown(raw)}: a {classification} product needs a retention "
                f"of at most {limit} days"]
    if days > limit:
        return [f"retention.days is {days}, a {classification} product keeps data at most "
                f"{limit} days"]
    return []


RULE = ResourceRule(
    id="mesh-restricted-retention",
    description="A restricted product's retention.days is at most 730 (per-classification "
                "maxima in config).",
    severity="high",
    remediation="Lower retention.days in the product's spec file to the maximum for its "
                "classification, or reclassify the product if it is not restricted.",
    default_level="mandatory",
    config={
        "maxRetentionDays": {
            "type": "object",
            "additionalProperties": {"type": "integer", "minimum": 1},
            "default": {"restricted": 730},
            "description": "Longest retention.days allowed, per classification "
                           "(public, internal, confidential, restricted).",
        },
    },
    types=frozenset({model.COMPONENT_PRODUCT}),
    check=check,
)
