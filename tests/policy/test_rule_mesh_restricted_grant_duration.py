"""mesh-restricted-grant-duration (spec-v1 default policy): baseline, violations, thresholds."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from policy_helpers import DELETE, TODAY, access_point, check, mutate

RULE_ID = "mesh-restricted-grant-duration"
UNTIL = ["tags", "mesh:grant-until"]


def test_compliant_baseline() -> None:
    assert check(RULE_ID, access_point()) == []


def test_exactly_365_days_is_compliant() -> None:
    assert check(RULE_ID, mutate(access_point(), UNTIL, "2027-11-25")) == []


def test_the_evaluation_date_decides() -> None:
    assert check(RULE_ID, access_point(), today=date(2026, 6, 29)) == [
        "the grant to beta ends 2027-06-30, 366 days after 2026-06-29; a restricted grant must "
        "end within 365 days (by 2027-06-29)"]


@pytest.mark.parametrize("classification", ["public", "internal", "confidential"])
def test_other_classifications_are_not_limited_by_default(classification: str) -> None:
    resource = mutate(mutate(access_point(), ["tags", "mesh:classification"], classification), UNTIL, "none")
    assert check(RULE_ID, resource) == []


@pytest.mark.parametrize(("path", "value", "expected"), [
    (UNTIL, "2027-11-26",
     ["the grant to beta ends 2027-11-26, 366 days after 2026-11-25; a restricted grant must end "
      "within 365 days (by 2027-11-25)"]),
    (UNTIL, "none",
     ['the grant to beta has no end date (mesh:grant-until is "none"); a restricted grant must '
      "end by 2027-11-25 (365 days)"]),
    (UNTIL, DELETE,
     ["the grant to beta has no end date (mesh:grant-until is absent); a restricted grant must "
      "end by 2027-11-25 (365 days)"]),
    (UNTIL, "30/06/2027", ['tag mesh:grant-until is "30/06/2027", expected YYYY-MM-DD or "none"']),
    (["tags", "mesh:classification"], DELETE,
     ["tag mesh:classification is absent: the grant duration limit cannot be decided"]),
])
def test_violation(path: list[str], value: Any, expected: list[str]) -> None:
    assert check(RULE_ID, mutate(access_point(), path, value)) == expected


def test_thresholds_per_classification_from_config() -> None:
    config = {"maxGrantDays": {"restricted": 90, "confidential": 730}}
    assert check(RULE_ID, access_point(), config=config) == [
        "the grant to beta ends 2027-06-30, 217 days after 2026-11-25; a restricted grant must end "
        "within 90 days (by 2027-02-23)"]
    confidential = mutate(mutate(access_point(), ["tags", "mesh:classification"], "confidential"),
                          UNTIL, "none")
    assert check(RULE_ID, confidential, config=config, today=TODAY) == [
        'the grant to beta has no end date (mesh:grant-until is "none"); a confidential grant must '
        "end by 2028-11-24 (730 days)"]
