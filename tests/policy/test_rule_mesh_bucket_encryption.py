"""mesh-bucket-encryption: compliant baseline, then one violation per changed field."""

from __future__ import annotations

from typing import Any

import pytest
from policy_helpers import DELETE, KEY_ARN, check, encryption, mutate

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
