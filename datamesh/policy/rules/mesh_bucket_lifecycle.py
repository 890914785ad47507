"""mesh-bucket-lifecycle: retention is enforced by S3 itself, for the whole bucket."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from datamesh.policy import model
from datamesh.policy.model import ResourceRule, ResourceView, RuleContext
from datamesh.policy.values import get_path, items, mapping, number, text

ACTIONS = (
    ("expiration", "days", "expires current objects"),
    ("noncurrentVersionExpiration", "noncurrentDays", "expires noncurrent versions"),
    ("abortIncompleteMultipartUpload", "daysAfterInitiation", "aborts incomplete multipart uploads"),
)


def whole_bucket(rule: Any) -> bool:
    """An enabled rule without a prefix, tag or size filter applies to every object."""
    if get_path(rule, "status") != "Enabled" or text(get_path(rule, "prefix")) is not None:
        return False
    flt = get_path(rule, "filter")
    if flt is None:
        return True
    f: Mapping[str, Any] | None = mapping(flt)
    if f is None:
        return False
    return all(v is None or v == "" or (k == "prefix" and v == "") for k, v in f.items())


def enabled_days(rules: list[Any], block: str, key: str) -> list[int]:
    """The day counts of ``block.key`` over the enabled whole-bucket rules."""
    found: list[int] = []
    for rule in rules:
        if whole_bucket(rule):
            days = number(get_path(rule, block, key))
            if days is not None:
                found.append(days)
    return found


def check(resource: ResourceView, ctx: RuleContext) -> list[str]:
    rules = items(resource.inputs.get("rules"))
    if not rules:
        return ["rules is empty: nothing expires"]
    problems: list[str] = []
    for block, key, what in ACTIONS:
        days = enabled_days(rules, block, key)
        if not any(d >= 1 for d in days):
            problems.append(f"no enabled rule for the whole bucket {what} ({block}.{key} >= 1)")
    limit = number(ctx.config.get("maxAbortIncompleteUploadDays"))
    aborts = [d for d in enabled_days(rules, "abortIncompleteMultipartUpload", "daysAfterInitiation")
              if d >= 1]
    if limit is not None and aborts and min(aborts) > limit:
        problems.append(f"abortIncompleteMultipartUpload.daysAfterInitiation is {min(aborts)}, "
                        f"at most {limit} allowed")
    return problems


RULE = ResourceRule(
    id="mesh-bucket-lifecycle",
    description="Every product bucket's lifecycle configuration expires current objects, expires "
                "noncurrent versions and aborts incomplete multipart uploads, for the whole bucket.",
    severity="high",
    remediation="Give the BucketLifecycleConfiguration one Enabled rule with an empty filter and "
                "expiration.days = retention.days, noncurrentVersionExpiration.noncurrentDays = "
                "retention.noncurrent_days and abortIncompleteMultipartUpload.daysAfterInitiation "
                "(the DataProduct component writes exactly this from the product spec).",
    default_level="mandatory",
    config={
        "maxAbortIncompleteUploadDays": {
            "type": "integer", "minimum": 1, "default": 7,
            "description": "Incomplete multipart uploads must be aborted within this many days.",
        },
    },
    types=frozenset({model.BUCKET_LIFECYCLE}),
    check=check,
)
