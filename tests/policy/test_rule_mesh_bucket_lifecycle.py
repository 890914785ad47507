"""mesh-bucket-lifecycle: compliant baseline, then one violation per changed field."""

from __future__ import annotations

from typing import Any

import pytest
from policy_helpers import DELETE, check, lifecycle, mutate

RULE_ID = "mesh-bucket-lifecycle"
RULE = ["rules", 0]
NO_EXPIRY = "no enabled rule for the whole bucket expires current objects (expiration.days >= 1)"
NO_NONCURRENT = ("no enabled rule for the whole bucket expires noncurrent versions "
                 "(noncurrentVersionExpiration.noncurrentDays >= 1)")
NO_ABORT = ("no enabled rule for the whole bucket aborts incomplete multipart uploads "
            "(abortIncompleteMultipartUpload.daysAfterInitiation >= 1)")


def test_compliant_baseline() -> None:
    assert check(RULE_ID, lifecycle()) == []


def test_deploy_time_numbers_are_floats() -> None:
    resource = mutate(lifecycle(), [*RULE, "expiration", "days"], 730.0)
    assert check(RULE_ID, resource) == []


def test_three_rules_for_three_actions_are_compliant() -> None:
    base = {"status": "Enabled", "filter": {"prefix": ""}}
    rules = [base | {"id": "a", "expiration": {"days": 30}},
             base | {"id": "b", "noncurrentVersionExpiration": {"noncurrentDays": 30}},
             base | {"id": "c", "abortIncompleteMultipartUpload": {"daysAfterInitiation": 1}}]
    assert check(RULE_ID, mutate(lifecycle(), ["rules"], rules)) == []


@pytest.mark.parametrize(("path", "value", "expected"), [
    ([*RULE, "expiration"], DELETE, [NO_EXPIRY]),
    ([*RULE, "expiration", "days"], 0, [NO_EXPIRY]),
    ([*RULE, "expiration"], {"expiredObjectDeleteMarker": True}, [NO_EXPIRY]),
    ([*RULE, "noncurrentVersionExpiration"], DELETE, [NO_NONCURRENT]),
    ([*RULE, "noncurrentVersionExpiration", "noncurrentDays"], DELETE, [NO_NONCURRENT]),
    ([*RULE, "abortIncompleteMultipartUpload"], DELETE, [NO_ABORT]),
    ([*RULE, "abortIncompleteMultipartUpload", "daysAfterInitiation"], 30,
     ["abortIncompleteMultipartUpload.daysAfterInitiation is 30, at most 7 allowed"]),
    ([*RULE, "status"], "Disabled", [NO_EXPIRY, NO_NONCURRENT, NO_ABORT]),
    ([*RULE, "filter"], {"prefix": "raw/"}, [NO_EXPIRY, NO_NONCURRENT, NO_ABORT]),
    ([*RULE, "filter"], {"tag": {"key": "keep", "value": "no"}}, [NO_EXPIRY, NO_NONCURRENT, NO_ABORT]),
    ([*RULE, "prefix"], "raw/", [NO_EXPIRY, NO_NONCURRENT, NO_ABORT]),
    (["rules"], [], ["rules is empty: nothing expires"]),
])
def test_violation(path: list[Any], value: Any, expected: list[str]) -> None:
    assert check(RULE_ID, mutate(lifecycle(), path, value)) == expected


def test_abort_threshold_from_config() -> None:
    assert check(RULE_ID, lifecycle(), config={"maxAbortIncompleteUploadDays": 3}) == [
        "abortIncompleteMultipartUpload.daysAfterInitiation is 7, at most 3 allowed"]
