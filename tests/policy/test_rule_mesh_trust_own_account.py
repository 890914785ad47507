"""mesh-trust-own-account: baseline, then each principal a trust policy must not name."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from policy_helpers import ALPHA_ACCOUNT, check, mutate, role, with_policy

RULE_ID = "mesh-trust-own-account"
ROOT = f"arn:aws:iam::{ALPHA_ACCOUNT}:root"
ONLY = f"only account {ALPHA_ACCOUNT} (its root or its roles) may"


def trust(principal: Any, sid: str = "DomainAccountAssumes") -> dict[str, Any]:
    return {"Sid": sid, "Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}


def trusting(kind: str, *statements: dict[str, Any]) -> Any:
    return with_policy(role(kind), *statements, field="assumeRolePolicy")


def test_compliant_baseline() -> None:
    assert check(RULE_ID, role("producer")) == []
    assert check(RULE_ID, role("consumer")) == []


@pytest.mark.parametrize("principal", [
    ALPHA_ACCOUNT,
    f"arn:aws:iam::{ALPHA_ACCOUNT}:role/acme-deployer",
    f"arn:aws:iam::{ALPHA_ACCOUNT}:role/datamesh/acme-alpha-etl",
])
def test_the_own_account_its_roles_and_the_deployer_may_assume(principal: str) -> None:
    assert check(RULE_ID, trusting("producer", trust({"AWS": [ROOT, principal]}))) == []


@pytest.mark.parametrize("kind", ["producer", "consumer"])
def test_violation_trusting_another_account(kind: str) -> None:
    """Issue 10 §2: a producer or consumer role trusting another account passed all 19 rules."""
    other = "arn:aws:iam::333333333333:root"
    assert check(RULE_ID, trusting(kind, trust({"AWS": [ROOT, other]}))) == [
        f'assumeRolePolicy statement "DomainAccountAssumes" lets {other} of account 333333333333 assume the '
        f"role; only the role's own account {ALPHA_ACCOUNT} (its root or its roles) may"]


def test_violation_another_mesh_accounts_role() -> None:
    beta = "arn:aws:iam::222222222222:role/datamesh/acme-beta-consumer"
    assert check(RULE_ID, trusting("consumer", trust({"AWS": beta}))) == [
        f'assumeRolePolicy statement "DomainAccountAssumes" lets {beta} of account 222222222222 assume the '
        f"role; only the role's own account {ALPHA_ACCOUNT} (its root or its roles) may"]


@pytest.mark.parametrize(("principal", "shown"), [
    ("*", '"*"'),
    ({"AWS": "*"}, '"*"'),
    ({"Service": "ec2.amazonaws.com"}, "the Service principal ec2.amazonaws.com"),
    ({"Federated": "arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com"},
     "the Federated principal arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com"),
])
def test_violation_not_an_account_principal(principal: Any, shown: str) -> None:
    assert check(RULE_ID, trusting("producer", trust(principal))) == [
        f'assumeRolePolicy statement "DomainAccountAssumes" lets {shown} assume the role; {ONLY}']


@pytest.mark.parametrize("principal", [
    f"arn:aws:iam::{ALPHA_ACCOUNT}:user/alice",
    f"arn:aws:sts::{ALPHA_ACCOUNT}:assumed-role/admin/session",
    f"arn:aws:iam::{ALPHA_ACCOUNT}:role/*",
    "not-an-arn",
])
def test_violation_own_account_but_not_its_root_or_a_named_role(principal: str) -> None:
    assert check(RULE_ID, trusting("producer", trust({"AWS": principal}))) == [
        f'assumeRolePolicy statement "DomainAccountAssumes" lets {principal} assume the role; only the root '
        f"or a named role of account {ALPHA_ACCOUNT} may"]


def test_violation_not_principal() -> None:
    st = {"Sid": "Everyone", "Effect": "Allow", "NotPrincipal": {"AWS": ROOT}, "Action": "sts:AssumeRole"}
    assert check(RULE_ID, trusting("producer", st)) == [
        'assumeRolePolicy statement "Everyone" is an Allow with NotPrincipal: everyone not listed may assume '
        "the role"]


def test_violation_unknown_account() -> None:
    assert check(RULE_ID, replace(role("producer"), account=None)) == [
        "the account this resource is deployed into is unknown (its provider pins no single allowedAccountIds "
        "entry), so who may assume the role cannot be verified"]


def test_violation_trust_policy_absent() -> None:
    assert check(RULE_ID, mutate(role("producer"), ["assumeRolePolicy"], "{")) == [
        "assumeRolePolicy is absent or not a JSON policy document, so who may assume the role cannot be verified"]
