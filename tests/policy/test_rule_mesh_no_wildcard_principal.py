"""mesh-no-wildcard-principal: baseline (the one allowed delegation), then violations."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from policy_helpers import (
    ALPHA_ACCOUNT,
    BETA_ACCOUNT,
    access_point,
    ap_read,
    bucket_policy,
    check,
    delegation,
    key,
    mutate,
    role,
    tls_deny,
    with_policy,
)

RULE_ID = "mesh-no-wildcard-principal"
LABEL = 'policy statement "DelegateReadToOwnAccessPoints"'


def test_compliant_baseline() -> None:
    for resource in (bucket_policy(), access_point(), key(), role()):
        assert check(RULE_ID, resource) == [], resource.name


def test_principal_account_condition_is_an_account_condition_too() -> None:
    st = delegation() | {"Condition": {"StringEquals": {"aws:PrincipalAccount": ALPHA_ACCOUNT}}}
    assert check(RULE_ID, with_policy(bucket_policy(), tls_deny(), st)) == []


def test_unknown_own_account_falls_back_to_mesh_accounts() -> None:
    resource = replace(with_policy(bucket_policy(), tls_deny(), delegation(BETA_ACCOUNT)), account=None)
    assert check(RULE_ID, resource) == []
    outsider = replace(with_policy(bucket_policy(), tls_deny(), delegation("333333333333")), account=None)
    assert check(RULE_ID, outsider) == [
        f'{LABEL} allows Principal "*" through account 333333333333, which is not a mesh account']


@pytest.mark.parametrize(("change", "expected"), [
    ({"Condition": {}},
     f'{LABEL} allows Principal "*" without a StringEquals condition on s3:DataAccessPointAccount or '
     "aws:PrincipalAccount"),
    ({"Condition": {"StringEqualsIfExists": {"s3:DataAccessPointAccount": ALPHA_ACCOUNT}}},
     f'{LABEL} allows Principal "*" without a StringEquals condition on s3:DataAccessPointAccount or '
     "aws:PrincipalAccount"),
    ({"Condition": {"StringLike": {"s3:DataAccessPointAccount": "*"}}},
     f'{LABEL} allows Principal "*" without a StringEquals condition on s3:DataAccessPointAccount or '
     "aws:PrincipalAccount"),
    ({"Condition": {"StringEquals": {"s3:DataAccessPointAccount": BETA_ACCOUNT}}},
     f'{LABEL} allows Principal "*" through account {BETA_ACCOUNT}, not the resource\'s own account '
     f"{ALPHA_ACCOUNT}"),
    ({"Condition": {"StringEquals": {"s3:DataAccessPointAccount": "*"}}},
     f'{LABEL} allows Principal "*" on condition account "*", which is not a 12-digit account id'),
    ({"Principal": "*", "Condition": {}},
     f'{LABEL} allows Principal "*" without a StringEquals condition on s3:DataAccessPointAccount or '
     "aws:PrincipalAccount"),
])
def test_violation_bucket_policy(change: dict[str, Any], expected: str) -> None:
    resource = with_policy(bucket_policy(), tls_deny(), delegation() | change)
    assert check(RULE_ID, resource) == [expected]


def test_violation_access_point_to_everyone() -> None:
    assert check(RULE_ID, with_policy(access_point(), ap_read("*"))) == [
        'policy statement "ReadForGrantedConsumer" allows Principal "*" without a StringEquals '
        "condition on s3:DataAccessPointAccount or aws:PrincipalAccount"]


def test_violation_not_principal() -> None:
    st = {k: v for k, v in ap_read().items() if k != "Principal"} | {"NotPrincipal": {"AWS": ALPHA_ACCOUNT}}
    assert check(RULE_ID, with_policy(access_point(), st)) == [
        'policy statement "ReadForGrantedConsumer" is an Allow with NotPrincipal: it allows everyone '
        "not listed"]


def test_violation_trust_policy_wildcard() -> None:
    st = {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}
    assert check(RULE_ID, with_policy(role(), st, field="assumeRolePolicy")) == [
        'assumeRolePolicy statement #0 allows Principal "*" without a StringEquals condition on '
        "s3:DataAccessPointAccount or aws:PrincipalAccount"]


def test_violation_unparseable_document() -> None:
    assert check(RULE_ID, mutate(key(), ["policy"], "not a policy")) == [
        "policy is not a JSON policy document, so its principals cannot be verified"]


def test_deny_to_everyone_is_fine() -> None:
    assert check(RULE_ID, with_policy(bucket_policy(), tls_deny())) == []
