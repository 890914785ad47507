"""mesh-restricted-retention (spec-v1 default policy): baseline, violations, thresholds in config."""

from __future__ import annotations

from typing import Any

import pytest
from policy_helpers import DELETE, check, mutate, product_component

RULE_ID = "mesh-restricted-retention"


def test_compliant_baseline() -> None:
    """A restricted product kept exactly 730 days: the limit is inclusive."""
    assert check(RULE_ID, product_component()) == []


@pytest.mark.parametrize("classification", ["public", "internal", "confidential"])
def test_other_classifications_are_not_limited_by_default(classification: str) -> None:
    resource = mutate(mutate(product_component(), ["classification"], classification), ["retentionDays"], 3650)
    assert check(RULE_ID, resource) == []


@pytest.mark.parametrize(("path", "value", "expected"), [
    (["retentionDays"], 731, ["retention.days is 731, a restricted product keeps data at most 730 days"]),
    (["retentionDays"], 731.0, ["retention.days is 731, a restricted product keeps data at most 730 days"]),
    (["retentionDays"], DELETE,
     ["retentionDays is absent: a restricted product needs a retention of at most 730 days"]),
    (["classification"], DELETE,
     ["classification is absent: the retention limit cannot be decided"]),
])
def test_violation(path: list[str], value: Any, expected: list[str]) -> None:
    assert check(RULE_ID, mutate(product_component(), path, value)) == expected


def test_thresholds_per_classification_from_config() -> None:
    config = {"maxRetentionDays": {"restricted": 365, "confidential": 1095}}
    assert check(RULE_ID, product_component(), config=config) == [
        "retention.days is 730, a restricted product keeps data at most 365 days"]
    confidential = mutate(mutate(product_component(), ["classification"], "confidential"),
                          ["retentionDays"], 1096)
    assert check(RULE_ID, confidential, config=config) == [
        "retention.days is 1096, a confidential product keeps data at most 1095 days"]
