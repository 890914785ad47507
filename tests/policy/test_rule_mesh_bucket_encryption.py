"""mesh-bucket-encryption: compliant baseline, then one violation per changed field."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from policy_helpers import ALPHA_ACCOUNT, DELETE, KEY_ARN, check, encryption, mutate

RULE_ID = "mesh-bucket-encryption"
DEFAULT = ["rules", 0, "applyServerSideEncryptionByDefault"]


def test_compliant_baseline() -> None:
    assert check(RULE_ID, encryption()) == []


def test_dsse_kms_is_compliant() -> None:
    assert check(RULE_ID, mutate(encryption(), [*DEFAULT, "sseAlgorithm"], "aws:kms:dsse")) == []


@pytest.mark.parametrize(("path", "value", "expected"), [
    ([*DEFAULT, "sseAlgorithm"], "AES256",
     ['rules[0].applyServerSideEncryptionByDefault.sseAlgorithm is "AES256", expected "aws:kms"']),
    ([*DEFAULT, "sseAlgorithm"], DELETE,
     ['rules[0].applyServerSideEncryptionByDefault.sseAlgorithm is absent, expected "aws:kms"']),
    ([*DEFAULT, "kmsMasterKeyId"], DELETE,
     ["rules[0].applyServerSideEncryptionByDefault.kmsMasterKeyId is absent, expected the "
      "domain's KMS key"]),
    ([*DEFAULT, "kmsMasterKeyId"], "",
     ['rules[0].applyServerSideEncryptionByDefault.kmsMasterKeyId is "", expected the '
      "domain's KMS key"]),
    ([*DEFAULT, "kmsMasterKeyId"], "alias/aws/s3",
     ["rules[0].applyServerSideEncryptionByDefault.kmsMasterKeyId is the AWS-managed key "
      "alias/aws/s3, which other accounts cannot use"]),
    (["rules", 0, "bucketKeyEnabled"], False, ["rules[0].bucketKeyEnabled is false, expected true"]),
    (["rules", 0, "bucketKeyEnabled"], DELETE, ["rules[0].bucketKeyEnabled is absent, expected true"]),
    (["rules"], [], ["no server-side encryption rule: rules is empty"]),
    (["rules"], DELETE, ["no server-side encryption rule: rules is empty"]),
])
def test_violation(path: list[Any], value: Any, expected: list[str]) -> None:
    assert check(RULE_ID, mutate(encryption(), path, value)) == expected


def test_every_rule_is_checked() -> None:
    weak = {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256", "kmsMasterKeyId": KEY_ARN},
            "bucketKeyEnabled": True}
    resource = mutate(encryption(), ["rules"], [encryption().inputs["rules"][0], weak])
    assert check(RULE_ID, resource) == [
        'rules[1].applyServerSideEncryptionByDefault.sseAlgorithm is "AES256", expected "aws:kms"']


KEY_ID = "rules[0].applyServerSideEncryptionByDefault.kmsMasterKeyId"


@pytest.mark.parametrize("key", ["1234abcd-12ab-34cd-56ef-1234567890ab", "alias/acme/alpha",
                                 f"arn:aws:kms:eu-west-1:{ALPHA_ACCOUNT}:alias/acme/alpha"])
def test_a_key_of_the_own_account_is_compliant(key: str) -> None:
    """A bare key id or alias resolves in the bucket owner's account; an ARN names its account."""
    assert check(RULE_ID, mutate(encryption(), [*DEFAULT, "kmsMasterKeyId"], key)) == []


def test_violation_key_in_another_account() -> None:
    """Issue 10 §2: kmsMasterKeyId naming a key in another account passed all 19 rules."""
    other = "arn:aws:kms:eu-west-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    assert check(RULE_ID, mutate(encryption(), [*DEFAULT, "kmsMasterKeyId"], other)) == [
        f"{KEY_ID} {other} is a key of account 222222222222, not of the bucket's own account {ALPHA_ACCOUNT}"]


def planned(key: str, accounts: dict[str, str | None]) -> Any:
    """The encryption configuration as a plan gives it: a placeholder, with every resource's account."""
    return replace(mutate(encryption(), [*DEFAULT, "kmsMasterKeyId"], key), account_by_name=accounts)


def test_a_placeholder_of_the_own_accounts_key_is_compliant() -> None:
    assert check(RULE_ID, planned("${alpha.key.arn}", {"alpha.key": ALPHA_ACCOUNT})) == []


def test_violation_placeholder_of_another_accounts_key() -> None:
    assert check(RULE_ID, planned("${beta.key.arn}", {"alpha.key": ALPHA_ACCOUNT, "beta.key": "222222222222"})) == [
        f"{KEY_ID} ${{beta.key.arn}} is a key of account 222222222222, not of the bucket's own account "
        f"{ALPHA_ACCOUNT}"]


def test_violation_placeholder_of_no_planned_resource() -> None:
    assert check(RULE_ID, planned("${gamma.key.arn}", {"alpha.key": ALPHA_ACCOUNT})) == [
        f"{KEY_ID} ${{gamma.key.arn}} names no resource of the plan"]


def test_violation_placeholder_of_a_resource_in_an_unknown_account() -> None:
    assert check(RULE_ID, planned("${stray.key.arn}", {"stray.key": None})) == [
        f"{KEY_ID} is ${{stray.key.arn}}, whose account is unknown: the key must be in the bucket's own account "
        f"{ALPHA_ACCOUNT}"]


def test_violation_bucket_account_unknown() -> None:
    assert check(RULE_ID, replace(encryption(), account=None)) == [
        "the account this resource is deployed into is unknown (its provider pins no single allowedAccountIds "
        f"entry), so the account of {KEY_ID} {KEY_ARN} cannot be verified"]
