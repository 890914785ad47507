"""mesh-bucket-ownership-enforced: compliant baseline, then one violation per changed field."""

from __future__ import annotations

from typing import Any

import pytest
from policy_helpers import DELETE, check, mutate, ownership

RULE_ID = "mesh-bucket-ownership-enforced"


def test_compliant_baseline() -> None:
    assert check(RULE_ID, ownership()) == []


@pytest.mark.parametrize(("path", "value", "shown"), [
    (["rule", "objectOwnership"], "BucketOwnerPreferred", '"BucketOwnerPreferred"'),
    (["rule", "objectOwnership"], "ObjectWriter", '"ObjectWriter"'),
    (["rule", "objectOwnership"], DELETE, "absent"),
    (["rule"], DELETE, "absent"),
])
def test_violation(path: list[str], value: Any, shown: str) -> None:
    assert check(RULE_ID, mutate(ownership(), path, value)) == [
        f'rule.objectOwnership is {shown}, expected "BucketOwnerEnforced"']
