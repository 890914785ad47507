"""mesh-key-policy-own-account: baseline, then each principal beside the key's own account."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from policy_helpers import ALPHA_ACCOUNT, BETA_CONSUMER, check, key, mutate, with_policy

RULE_ID = "mesh-key-policy-own-account"
ROOT = f"arn:aws:iam::{ALPHA_ACCOUNT}:root"
ONLY = f"a key policy may allow only its own account ({ROOT})"


def admin(principal: Any = None) -> dict[str, Any]:
    return {"Sid": "AccountAdministersKeyThroughIam", "Effect": "Allow",
            "Principal": principal if principal is not None else {"AWS": ROOT},
            "Action": "kms:*", "Resource": "*"}


def decrypt_for(principal: Any) -> dict[str, Any]:
    return {"Sid": "ExtraDecrypt", "Effect": "Allow", "Principal": principal, "Action": "kms:Decrypt",
            "Resource": "*"}


def test_compliant_baseline() -> None:
    assert check(RULE_ID, key()) == []


def test_the_bare_account_id_is_the_account_too() -> None:
    assert check(RULE_ID, with_policy(key(), admin({"AWS": ALPHA_ACCOUNT}))) == []


def test_deny_statements_are_not_judged() -> None:
    deny = {"Sid": "NoDelete", "Effect": "Deny", "Principal": "*", "Action": "kms:ScheduleKeyDeletion",
            "Resource": "*"}
    assert check(RULE_ID, with_policy(key(), admin(), deny)) == []


def test_violation_decrypt_for_another_domains_role() -> None:
    """Issue 10 §2: a key-policy Decrypt for another role passed all 19 rules."""
    assert check(RULE_ID, with_policy(key(), admin(), decrypt_for({"AWS": BETA_CONSUMER}))) == [
        f'policy statement "ExtraDecrypt" allows {BETA_CONSUMER}; {ONLY}']


def test_violation_a_role_of_the_own_account() -> None:
    role = f"arn:aws:iam::{ALPHA_ACCOUNT}:role/reader"
    assert check(RULE_ID, with_policy(key(), admin(), decrypt_for({"AWS": role}))) == [
        f'policy statement "ExtraDecrypt" allows {role}; {ONLY}']


@pytest.mark.parametrize(("principal", "shown"), [
    ({"Service": "s3.amazonaws.com"}, "the Service principal s3.amazonaws.com"),
    ("*", "*"),
    ({"AWS": "*"}, "*"),
    ({"AWS": "arn:aws:iam::222222222222:root"}, "arn:aws:iam::222222222222:root"),
])
def test_violation_principal(principal: Any, shown: str) -> None:
    assert check(RULE_ID, with_policy(key(), admin(), decrypt_for(principal))) == [
        f'policy statement "ExtraDecrypt" allows {shown}; {ONLY}']


def test_violation_not_principal() -> None:
    st = {k: v for k, v in decrypt_for(None).items() if k != "Principal"} | {"NotPrincipal": {"AWS": ROOT}}
    assert check(RULE_ID, with_policy(key(), admin(), st)) == [
        f'policy statement "ExtraDecrypt" is an Allow with NotPrincipal: it allows everyone not listed; a key '
        f"policy may allow only {ROOT}"]


def test_violation_no_principal() -> None:
    st = {k: v for k, v in decrypt_for(None).items() if k != "Principal"}
    assert check(RULE_ID, with_policy(key(), admin(), st)) == [
        f'policy statement "ExtraDecrypt" names no principal; a key policy may allow only {ROOT}']


def test_violation_unknown_account() -> None:
    assert check(RULE_ID, replace(key(), account=None)) == [
        "the account this resource is deployed into is unknown (its provider pins no single allowedAccountIds "
        "entry), so the key policy's principals cannot be verified"]


def test_violation_policy_absent() -> None:
    assert check(RULE_ID, mutate(key(), ["policy"], "")) == [
        "policy is absent or not a JSON policy document, so who may use the key cannot be verified"]
