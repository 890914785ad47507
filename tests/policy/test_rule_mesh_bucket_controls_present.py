"""mesh-bucket-controls-present (stack): baseline, then one missing or doubled control each."""

from __future__ import annotations

from dataclasses import replace

import pytest
from policy_helpers import (
    bucket_policy,
    check_stack,
    compliant_stack,
    encryption,
    mutate,
    ownership,
    public_access,
    versioning,
)

RULE_ID = "mesh-bucket-controls-present"
CONTROLS = [
    ("alpha/events.versioning", "BucketVersioning", versioning),
    ("alpha/events.encryption", "BucketServerSideEncryptionConfiguration", encryption),
    ("alpha/events.public-access", "BucketPublicAccessBlock", public_access),
    ("alpha/events.ownership", "BucketOwnershipControls", ownership),
    ("alpha/events.policy", "BucketPolicy", bucket_policy),
]


def test_compliant_baseline() -> None:
    assert check_stack(RULE_ID, compliant_stack()) == []


@pytest.mark.parametrize(("name", "kind", "make"), CONTROLS)
def test_violation_missing(name: str, kind: str, make: object) -> None:
    stack = [r for r in compliant_stack() if r.name != name]
    assert check_stack(RULE_ID, stack) == [("alpha/events.bucket", f"the bucket has no {kind}")]


@pytest.mark.parametrize(("name", "kind", "make"), CONTROLS)
def test_violation_pointing_at_another_bucket(name: str, kind: str, make: object) -> None:
    stack = [mutate(r, ["bucket"], "elsewhere") if r.name == name else r for r in compliant_stack()]
    assert check_stack(RULE_ID, stack) == [("alpha/events.bucket", f"the bucket has no {kind}")]


def test_violation_doubled() -> None:
    stack = [*compliant_stack(), replace(versioning(), name="alpha/events.versioning-2")]
    assert check_stack(RULE_ID, stack) == [
        ("alpha/events.bucket", "the bucket has 2 BucketVersioning (alpha/events.versioning, "
                                "alpha/events.versioning-2); exactly one is expected")]
