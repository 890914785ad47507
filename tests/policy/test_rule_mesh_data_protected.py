"""mesh-data-protected: compliant baseline, then one violation per changed field or option."""

from __future__ import annotations

from dataclasses import replace

from policy_helpers import bucket, check, key, mutate

RULE_ID = "mesh-data-protected"
UNPROTECTED = "the protect option is off: `pulumi up` may delete it"
NOT_RETAINED = "the retainOnDelete option is off: removing it from the program deletes it"


def test_compliant_baseline() -> None:
    assert check(RULE_ID, bucket()) == []
    assert check(RULE_ID, key()) == []


def test_violation_bucket_unprotected() -> None:
    assert check(RULE_ID, replace(bucket(), protect=False)) == [UNPROTECTED]


def test_violation_bucket_not_retained() -> None:
    assert check(RULE_ID, replace(bucket(), retain_on_delete=False)) == [NOT_RETAINED]


def test_violation_bucket_force_destroy() -> None:
    assert check(RULE_ID, mutate(bucket(), ["forceDestroy"], True)) == [
        "forceDestroy is true: deleting the bucket would delete every object"]


def test_violation_key_unprotected() -> None:
    assert check(RULE_ID, replace(key(), protect=False)) == [UNPROTECTED]


def test_violation_key_not_retained() -> None:
    assert check(RULE_ID, replace(key(), retain_on_delete=False)) == [NOT_RETAINED]


def test_unknown_retain_on_delete_is_not_judged() -> None:
    """At deploy time the analyzer protocol does not carry retainOnDelete (None): protect only."""
    assert check(RULE_ID, replace(bucket(), retain_on_delete=None)) == []
