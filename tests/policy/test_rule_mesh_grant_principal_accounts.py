"""mesh-grant-principal-accounts: baseline, then one violation per changed principal."""

from __future__ import annotations

import pytest
from policy_helpers import (
    EXTERNAL_ACCOUNT,
    access_point,
    ap_read,
    bucket_policy,
    check,
    compliant_stack,
    key,
    key_grant,
    mutate,
    role,
    with_policy,
)

from datamesh.policy import RULES_BY_ID

RULE_ID = "mesh-grant-principal-accounts"
OUTSIDER = "arn:aws:iam::333333333333:role/reader"


def test_compliant_baseline() -> None:
    rule = RULES_BY_ID[RULE_ID]
    for resource in compliant_stack():
        if resource.type in rule.types:  # type: ignore[attr-defined]
            assert check(RULE_ID, resource) == [], resource.name


def test_registered_external_account_may_be_granted() -> None:
    external = f"arn:aws:iam::{EXTERNAL_ACCOUNT}:role/yogaflow-reader"
    assert check(RULE_ID, with_policy(access_point(), ap_read(external))) == []
    assert check(RULE_ID, mutate(key_grant(), ["granteePrincipal"], external)) == []


def test_service_principals_are_not_accounts() -> None:
    st = ap_read() | {"Principal": {"Service": "logging.s3.amazonaws.com"}}
    assert check(RULE_ID, with_policy(access_point(), st)) == []


@pytest.mark.parametrize(("principal", "expected"), [
    (OUTSIDER, f'policy statement "ReadForGrantedConsumer" names {OUTSIDER}: account 333333333333 is '
               "neither a mesh account nor a registered external account"),
    ("333333333333", 'policy statement "ReadForGrantedConsumer" names 333333333333: account '
                     "333333333333 is neither a mesh account nor a registered external account"),
    ("AROAEXAMPLEID", 'policy statement "ReadForGrantedConsumer" names AROAEXAMPLEID, which is not '
                      "an account id or an IAM ARN"),
])
def test_violation_access_point_principal(principal: str, expected: str) -> None:
    assert check(RULE_ID, with_policy(access_point(), ap_read(principal))) == [expected]


def test_violation_one_of_several_principals() -> None:
    st = ap_read() | {"Principal": {"AWS": [ap_read()["Principal"]["AWS"], OUTSIDER]}}
    assert check(RULE_ID, with_policy(access_point(), st)) == [
        f'policy statement "ReadForGrantedConsumer" names {OUTSIDER}: account 333333333333 is '
        "neither a mesh account nor a registered external account"]


def test_violation_federated_principal() -> None:
    st = ap_read() | {"Principal": {"Federated": "cognito-identity.amazonaws.com"}}
    assert check(RULE_ID, with_policy(access_point(), st)) == [
        'policy statement "ReadForGrantedConsumer" names a Federated principal '
        "cognito-identity.amazonaws.com; only accounts and IAM roles may be granted"]


def test_violation_kms_grantee() -> None:
    assert check(RULE_ID, mutate(key_grant(), ["granteePrincipal"], OUTSIDER)) == [
        f"granteePrincipal names {OUTSIDER}: account 333333333333 is neither a mesh account nor a "
        "registered external account"]


def test_violation_kms_retiring_principal() -> None:
    assert check(RULE_ID, mutate(key_grant(), ["retiringPrincipal"], OUTSIDER)) == [
        f"retiringPrincipal names {OUTSIDER}: account 333333333333 is neither a mesh account nor a "
        "registered external account"]


def test_violation_trust_policy() -> None:
    st = {"Sid": "Partner", "Effect": "Allow", "Principal": {"AWS": OUTSIDER}, "Action": "sts:AssumeRole"}
    assert check(RULE_ID, with_policy(role(), st, field="assumeRolePolicy")) == [
        f'assumeRolePolicy statement "Partner" names {OUTSIDER}: account 333333333333 is neither a '
        "mesh account nor a registered external account"]


def test_violation_key_policy_and_bucket_policy() -> None:
    st = {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::333333333333:root"}, "Action": "kms:Decrypt",
          "Resource": "*"}
    expected = ["policy statement #0 names arn:aws:iam::333333333333:root: account 333333333333 is "
                "neither a mesh account nor a registered external account"]
    assert check(RULE_ID, with_policy(key(), st)) == expected
    assert check(RULE_ID, with_policy(bucket_policy(), st)) == expected


def test_deny_statements_grant_nothing() -> None:
    st = ap_read(OUTSIDER) | {"Effect": "Deny"}
    assert check(RULE_ID, with_policy(access_point(), ap_read(), st)) == []


def test_fails_closed_without_mesh_accounts() -> None:
    """At deploy time without `mesh policy-config` nothing can be verified: say how to fix it."""
    assert check(RULE_ID, access_point(), facts=False) == [
        "the pack config gives no meshAccounts for this rule, so no principal can be verified; "
        "generate the config with `mesh policy-config --env ENV` and pass it with --policy-pack-config"]
