"""mesh-bucket-policy-delegation-only: baseline, then each Allow beside the access-point delegation."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from policy_helpers import (
    ALPHA_ACCOUNT,
    BETA_CONSUMER,
    BUCKET_ARN,
    bucket_policy,
    check,
    delegation,
    mutate,
    tls_deny,
    with_policy,
)

RULE_ID = "mesh-bucket-policy-delegation-only"
ONLY = ('a bucket policy may allow only the delegation to the owner\'s access points (Principal "*" on '
        f"s3:DataAccessPointAccount {ALPHA_ACCOUNT}); consumers read through their grant's access point")


def read_for(principal: str) -> dict[str, Any]:
    return {"Sid": "ExtraRead", "Effect": "Allow", "Principal": {"AWS": principal},
            "Action": "s3:GetObject", "Resource": f"{BUCKET_ARN}/*"}


def test_compliant_baseline() -> None:
    assert check(RULE_ID, bucket_policy()) == []


def test_deny_statements_are_not_judged() -> None:
    retired = {"Sid": "DenyDataAccessRetired", "Effect": "Deny", "Principal": "*", "Action": "s3:GetObject",
               "Resource": [BUCKET_ARN, f"{BUCKET_ARN}/*"]}
    assert check(RULE_ID, with_policy(bucket_policy(), tls_deny(), delegation(), retired)) == []


def test_an_extra_condition_only_narrows_the_delegation() -> None:
    narrowed = delegation() | {"Condition": {"StringEquals": {"s3:DataAccessPointAccount": ALPHA_ACCOUNT},
                                             "Bool": {"aws:SecureTransport": "true"}}}
    assert check(RULE_ID, with_policy(bucket_policy(), tls_deny(), narrowed)) == []


def test_violation_get_object_for_another_domains_role() -> None:
    """Issue 10 §2: an extra Allow of GetObject to another domain's role passed all 19 rules."""
    assert check(RULE_ID, with_policy(bucket_policy(), tls_deny(), delegation(), read_for(BETA_CONSUMER))) == [
        f'policy statement "ExtraRead" allows {BETA_CONSUMER}: {ONLY}']


def test_violation_read_for_the_own_account() -> None:
    root = f"arn:aws:iam::{ALPHA_ACCOUNT}:root"
    assert check(RULE_ID, with_policy(bucket_policy(), tls_deny(), delegation(), read_for(root))) == [
        f'policy statement "ExtraRead" allows {root}: {ONLY}']


def test_violation_wildcard_and_a_named_principal() -> None:
    st = delegation() | {"Principal": {"AWS": ["*", BETA_CONSUMER]}}
    assert check(RULE_ID, with_policy(bucket_policy(), tls_deny(), st)) == [
        f'policy statement "DelegateReadToOwnAccessPoints" allows {BETA_CONSUMER}: {ONLY}']


@pytest.mark.parametrize(("condition", "got"), [
    ({"StringEquals": {"s3:DataAccessPointAccount": "222222222222"}}, "222222222222"),
    ({"StringEquals": {"s3:DataAccessPointAccount": [ALPHA_ACCOUNT, "222222222222"]}},
     f"{ALPHA_ACCOUNT}, 222222222222"),
    ({"StringEquals": {"aws:PrincipalAccount": ALPHA_ACCOUNT}}, "absent"),
    ({"StringLike": {"s3:DataAccessPointAccount": "*"}}, "absent"),
])
def test_violation_delegation_condition(condition: dict[str, Any], got: str) -> None:
    st = delegation() | {"Condition": condition}
    assert check(RULE_ID, with_policy(bucket_policy(), tls_deny(), st)) == [
        f'policy statement "DelegateReadToOwnAccessPoints" allows Principal "*" with StringEquals '
        f"s3:DataAccessPointAccount {got}: only the bucket owner's own account {ALPHA_ACCOUNT} may be delegated to"]


def test_violation_delegation_resources() -> None:
    st = delegation() | {"Resource": [BUCKET_ARN, "arn:aws:s3:::acme-dev-beta-other/*"]}
    assert check(RULE_ID, with_policy(bucket_policy(), tls_deny(), st)) == [
        'policy statement "DelegateReadToOwnAccessPoints" allows resources arn:aws:s3:::acme-dev-beta-other/*: the '
        "delegation covers only arn:aws:s3:::acme-dev-alpha-events and its objects"]


@pytest.mark.parametrize(("key", "value"), [("NotPrincipal", {"AWS": BETA_CONSUMER}),
                                            ("NotAction", "s3:PutObject"), ("NotResource", "arn:aws:s3:::x")])
def test_violation_negated_allow(key: str, value: Any) -> None:
    replaced_key = {"NotPrincipal": "Principal", "NotAction": "Action", "NotResource": "Resource"}[key]
    st = {k: v for k, v in delegation().items() if k != replaced_key} | {key: value}
    assert check(RULE_ID, with_policy(bucket_policy(), tls_deny(), st)) == [
        f'policy statement "DelegateReadToOwnAccessPoints" is an Allow with {key}: only the access-point '
        "delegation may be allowed"]


def test_violation_unknown_account() -> None:
    assert check(RULE_ID, replace(bucket_policy(), account=None)) == [
        "the account this resource is deployed into is unknown (its provider pins no single allowedAccountIds "
        "entry), so the delegation's account cannot be verified"]


def test_violation_not_json() -> None:
    assert check(RULE_ID, mutate(bucket_policy(), ["policy"], "{not json")) == [
        "policy is not a JSON policy document, so what it allows cannot be verified"]
