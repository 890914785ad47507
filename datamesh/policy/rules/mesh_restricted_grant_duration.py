"""mesh-restricted-grant-duration (spec-v1 default global policy): restricted grants are short.

Every grant on a restricted product ends (``until``) within 365 days of the evaluation date
(``--today`` offline, the current UTC date at deploy time). The rule reads the grant's access
point tags ``mesh:classification`` and ``mesh:grant-until`` (``YYYY-MM-DD`` or ``none``), the
facts the AccessGrant component writes; thresholds per classification in config.
"""

from __future__ import annotations

from datetime import timedelta

from datamesh.policy import model
from datamesh.policy.model import ResourceRule, ResourceView, RuleContext
from datamesh.policy.values import mapping, number, parse_date, shown, tags_of, text


def check(resource: ResourceView, ctx: RuleContext) -> list[str]:
    tags = tags_of(resource.inputs)
    classification = text(tags.get("mesh:classification"))
    if classification is None:
        return [f"tag mesh:classification is {shown(tags.get('mesh:classification'))}: the grant "
                f"duration limit cannot be decided"]
    limit = number((mapping(ctx.config.get("maxGrantDays")) or {}).get(classification))
    if limit is None:
        return []
    raw = tags.get("mesh:grant-until")
    consumer = text(tags.get("mesh:consumer")) or "the consumer"
    latest = ctx.today + timedelta(days=limit)
    if raw is None or raw == "none":
        return [f"the grant to {consumer} has no end date (mesh:grant-until is {shown(raw)}); a "
                f"{classification} grant must end by {latest.isoformat()} ({limit} days)"]
    until = parse_date(raw)
    if until is None:
        return [f"tag mesh:grant-until is {shown(raw)}, expected YYYY-MM-DD or \"none\""]
    if until > latest:
        return [f"the grant to {consumer} ends {until.isoformat()}, {(until - ctx.today).days} "
                f"days after {ctx.today.isoformat()}; a {classification} grant must end within "
                f"{limit} days (by {latest.isoformat()})"]
    return []


RULE = ResourceRule(
    id="mesh-restricted-grant-duration",
    description="Every grant on a restricted product ends (until) within 365 days of the "
                "evaluation date (per-classification maxima in config).",
    severity="high",
    remediation="In the producing product's sharing.approved entry for this consumer, set "
                "`until` to a date within the allowed number of days; renew the approval "
                "before it expires.",
    default_level="mandatory",
    config={
        "maxGrantDays": {
            "type": "object",
            "additionalProperties": {"type": "integer", "minimum": 0},
            "default": {"restricted": 365},
            "description": "Longest grant allowed, in days after the evaluation date, per "
                           "classification.",
        },
    },
    types=frozenset({model.ACCESS_POINT}),
    check=check,
)
