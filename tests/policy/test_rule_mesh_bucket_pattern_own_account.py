"""mesh-bucket-pattern-own-account: baseline, then each bucket pattern that leaves the account."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from policy_helpers import ALPHA_ACCOUNT, KEY_ARN, check, consumer_policy, mutate, producer_policy, role, with_policy

RULE_ID = "mesh-bucket-pattern-own-account"
PATTERN = "arn:aws:s3:::acme-dev--alpha--*"
IN_ACCOUNT = {"StringEquals": {"aws:ResourceAccount": ALPHA_ACCOUNT}}


def write(resources: Any, condition: dict[str, Any] | None = None, sid: str = "WriteDomainProducts") -> dict[str, Any]:
    st: dict[str, Any] = {"Sid": sid, "Effect": "Allow", "Action": ["s3:PutObject", "s3:GetObject"],
                          "Resource": resources}
    if condition is not None:
        st["Condition"] = condition
    return st


def use_key() -> dict[str, Any]:
    return {"Sid": "UseDomainKey", "Effect": "Allow", "Action": ["kms:Encrypt", "kms:Decrypt"], "Resource": KEY_ARN}


def missing(sid: str, patterns: str, got: str = "it has none") -> str:
    return (f'policy statement "{sid}" allows S3 actions on {patterns}, which matches buckets of any account, '
            f"without StringEquals aws:ResourceAccount {ALPHA_ACCOUNT} ({got})")


def test_compliant_baseline() -> None:
    assert check(RULE_ID, producer_policy()) == []
    assert check(RULE_ID, consumer_policy()) == []


def test_the_planners_pattern_with_its_account_condition_passes() -> None:
    assert check(RULE_ID, with_policy(producer_policy(), write([f"{PATTERN}/*"], IN_ACCOUNT), use_key())) == []


def test_kms_on_every_resource_is_not_a_bucket_pattern() -> None:
    st = use_key() | {"Resource": "*"}
    assert check(RULE_ID, with_policy(producer_policy(), st)) == []


def test_violation_every_bucket_without_the_account_condition() -> None:
    """Issue 10 §2: a producer policy on arn:aws:s3:::* without its account condition passed all 19 rules."""
    assert check(RULE_ID, with_policy(producer_policy(), write(["arn:aws:s3:::*"]), use_key())) == [
        missing("WriteDomainProducts", "arn:aws:s3:::*")]


def test_violation_the_domain_prefix_without_the_account_condition() -> None:
    assert check(RULE_ID, with_policy(producer_policy(), write([f"{PATTERN}/*"]), use_key())) == [
        missing("WriteDomainProducts", f"{PATTERN}/*")]


def test_violation_account_condition_names_another_account() -> None:
    other = {"StringEquals": {"aws:ResourceAccount": "333333333333"}}
    assert check(RULE_ID, with_policy(producer_policy(), write([f"{PATTERN}/*"], other))) == [
        missing("WriteDomainProducts", f"{PATTERN}/*", "it names 333333333333")]


@pytest.mark.parametrize("resource", ["*", "arn:aws:s3:*:*:*", "arn:*:s3:::*/*", "arn:aws:s3:::acme-dev-?lpha/*",
                                      "arn:*"])
def test_violation_patterns_that_match_any_bucket(resource: str) -> None:
    assert check(RULE_ID, with_policy(producer_policy(), write(resource))) == [
        missing("WriteDomainProducts", resource)]


def test_violation_not_resource() -> None:
    st = {"Sid": "AllButOne", "Effect": "Allow", "Action": "s3:PutObject", "NotResource": "arn:aws:s3:::x/*"}
    assert check(RULE_ID, with_policy(producer_policy(), st)) == [missing("AllButOne", "NotResource")]


def test_violation_in_a_role_inline_policy() -> None:
    inline = mutate(role("producer"), ["inlinePolicies"], [{"name": "extra", "policy": with_policy(
        producer_policy(), write("arn:aws:s3:::*", sid="Inline")).inputs["policy"]}])
    assert check(RULE_ID, inline) == [
        f'inlinePolicies[0].policy statement "Inline" allows S3 actions on arn:aws:s3:::*, which matches buckets '
        f"of any account, without StringEquals aws:ResourceAccount {ALPHA_ACCOUNT} (it has none)"]


def test_violation_unknown_account() -> None:
    stack = replace(with_policy(producer_policy(), write([f"{PATTERN}/*"], IN_ACCOUNT)), account=None)
    assert check(RULE_ID, stack) == [
        "the account this resource is deployed into is unknown (its provider pins no single allowedAccountIds "
        "entry), so the aws:ResourceAccount condition of its bucket patterns cannot be verified"]
