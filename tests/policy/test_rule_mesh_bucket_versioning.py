"""mesh-bucket-versioning: compliant baseline, then one violation per changed field."""

from __future__ import annotations

from typing import Any

import pytest
from policy_helpers import DELETE, check, mutate, versioning

RULE_ID = "mesh-bucket-versioning"


def test_compliant_baseline() -> None:
    assert check(RULE_ID, versioning()) == []


@pytest.mark.parametrize(("path", "value", "expected"), [
    (["versioningConfiguration", "status"], "Suspended",
     ['versioningConfiguration.status is "Suspended", expected "Enabled"']),
    (["versioningConfiguration", "status"], "enabled",
     ['versioningConfiguration.status is "enabled", expected "Enabled"']),
    (["versioningConfiguration", "status"], DELETE,
     ['versioningConfiguration.status is absent, expected "Enabled"']),
    (["versioningConfiguration"], DELETE,
     ['versioningConfiguration.status is absent, expected "Enabled"']),
])
def test_violation(path: list[str], value: Any, expected: list[str]) -> None:
    assert check(RULE_ID, mutate(versioning(), path, value)) == expected
