"""mesh-kms-key-rotation: compliant baseline, then one violation per changed field."""

from __future__ import annotations

from typing import Any

import pytest
from policy_helpers import DELETE, check, key, mutate

RULE_ID = "mesh-kms-key-rotation"


def test_compliant_baseline() -> None:
    assert check(RULE_ID, key()) == []
    assert check(RULE_ID, mutate(key(), ["rotationPeriodInDays"], 365.0)) == []


@pytest.mark.parametrize(("path", "value", "expected"), [
    (["enableKeyRotation"], False, ["enableKeyRotation is false, expected true"]),
    (["enableKeyRotation"], DELETE, ["enableKeyRotation is absent, expected true"]),
    (["rotationPeriodInDays"], 730, ["rotationPeriodInDays is 730, at most 365 allowed"]),
    (["rotationPeriodInDays"], "yearly", ['rotationPeriodInDays is "yearly", at most 365 allowed']),
])
def test_violation(path: list[str], value: Any, expected: list[str]) -> None:
    assert check(RULE_ID, mutate(key(), path, value)) == expected


def test_threshold_from_config() -> None:
    resource = mutate(key(), ["rotationPeriodInDays"], 180)
    assert check(RULE_ID, resource, config={"maxRotationPeriodDays": 90}) == [
        "rotationPeriodInDays is 180, at most 90 allowed"]
