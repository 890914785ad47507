"""mesh-bucket-public-access-block: compliant baseline, then one violation per changed field."""

from __future__ import annotations

from typing import Any

import pytest
from policy_helpers import DELETE, access_point, check, mutate, public_access

RULE_ID = "mesh-bucket-public-access-block"
FLAGS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"]


def test_compliant_baseline() -> None:
    assert check(RULE_ID, public_access()) == []
    assert check(RULE_ID, access_point()) == []


@pytest.mark.parametrize("flag", FLAGS)
@pytest.mark.parametrize(("value", "shown"), [(False, "false"), (DELETE, "absent"), ("yes", '"yes"')])
def test_violation(flag: str, value: Any, shown: str) -> None:
    assert check(RULE_ID, mutate(public_access(), [flag], value)) == [f"{flag} is {shown}, expected true"]


@pytest.mark.parametrize("flag", FLAGS)
def test_access_point_may_not_relax_a_block(flag: str) -> None:
    resource = mutate(access_point(), ["publicAccessBlockConfiguration", flag], False)
    assert check(RULE_ID, resource) == [f"publicAccessBlockConfiguration.{flag} is false, expected true"]


def test_access_point_without_block_configuration_blocks_everything() -> None:
    assert check(RULE_ID, mutate(access_point(), ["publicAccessBlockConfiguration"], DELETE)) == []
