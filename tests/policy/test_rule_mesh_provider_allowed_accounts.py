"""mesh-provider-allowed-accounts: baseline (both input forms), then one violation per field."""

from __future__ import annotations

import json
from typing import Any

import pytest
from policy_helpers import DELETE, check, mutate, provider

RULE_ID = "mesh-provider-allowed-accounts"


def test_compliant_baseline() -> None:
    assert check(RULE_ID, provider()) == []


def test_deploy_time_json_encoded_inputs_are_compliant() -> None:
    """The Pulumi SDK sends an aws provider's lists JSON-encoded."""
    encoded = mutate(provider(), ["allowedAccountIds"], json.dumps(["111111111111"]))
    encoded = mutate(encoded, ["assumeRoles"], json.dumps(provider().inputs["assumeRoles"]))
    assert check(RULE_ID, encoded) == []


@pytest.mark.parametrize(("path", "value", "expected"), [
    (["allowedAccountIds"], DELETE,
     ["allowedAccountIds is absent: the provider would deploy into whatever account its credentials reach"]),
    (["allowedAccountIds"], [],
     ["allowedAccountIds is absent: the provider would deploy into whatever account its credentials reach"]),
    (["allowedAccountIds"], ["111111111111", "222222222222"],
     ["allowedAccountIds lists 2 accounts, expected exactly one"]),
    (["allowedAccountIds"], ["11111111111"],
     ['allowedAccountIds entry "11111111111" is not a 12-digit account id',
      "assumeRoles[0].roleArn arn:aws:iam::111111111111:role/acme-deployer is in account 111111111111, "
      "not in allowedAccountIds"]),
    (["allowedAccountIds"], ["333333333333"],
     ["allowedAccountIds names 333333333333, which is not a mesh account",
      "assumeRoles[0].roleArn arn:aws:iam::111111111111:role/acme-deployer is in account 111111111111, "
      "not in allowedAccountIds"]),
    (["assumeRoles", 0, "roleArn"], "arn:aws:iam::222222222222:role/acme-deployer",
     ["assumeRoles[0].roleArn arn:aws:iam::222222222222:role/acme-deployer is in account 222222222222, "
      "not in allowedAccountIds"]),
])
def test_violation(path: list[Any], value: Any, expected: list[str]) -> None:
    assert check(RULE_ID, mutate(provider(), path, value)) == expected


def test_without_mesh_accounts_pinning_is_still_required() -> None:
    assert check(RULE_ID, mutate(provider(), ["allowedAccountIds"], ["333333333333"]), facts=False) == [
        "assumeRoles[0].roleArn arn:aws:iam::111111111111:role/acme-deployer is in account 111111111111, "
        "not in allowedAccountIds"]
    assert check(RULE_ID, mutate(provider(), ["allowedAccountIds"], DELETE), facts=False) == [
        "allowedAccountIds is absent: the provider would deploy into whatever account its credentials reach"]
