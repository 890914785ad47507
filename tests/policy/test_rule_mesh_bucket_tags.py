"""mesh-bucket-tags: compliant baseline, then one violation per changed field."""

from __future__ import annotations

from typing import Any

import pytest
from policy_helpers import DELETE, bucket, check, mutate

RULE_ID = "mesh-bucket-tags"


def test_compliant_baseline() -> None:
    assert check(RULE_ID, bucket()) == []


@pytest.mark.parametrize("tag", ["mesh:domain", "mesh:product", "mesh:classification", "mesh:owner"])
@pytest.mark.parametrize(("value", "shown"), [(DELETE, "absent"), ("", '""')])
def test_violation_missing_tag(tag: str, value: Any, shown: str) -> None:
    assert check(RULE_ID, mutate(bucket(), ["tags", tag], value)) == [
        f"tag {tag} is {shown}, expected a non-empty string"]


def test_violation_product_outside_its_domain() -> None:
    assert check(RULE_ID, mutate(bucket(), ["tags", "mesh:product"], "beta/events")) == [
        'tag mesh:product is "beta/events", expected "alpha/<product>" (mesh:domain is "alpha")']


def test_violation_unknown_classification() -> None:
    assert check(RULE_ID, mutate(bucket(), ["tags", "mesh:classification"], "secret")) == [
        'tag mesh:classification is "secret", expected one of public, internal, confidential, restricted']


def test_violation_no_tags() -> None:
    assert check(RULE_ID, mutate(bucket(), ["tags"], DELETE)) == [
        f"tag {t} is absent, expected a non-empty string"
        for t in ("mesh:domain", "mesh:product", "mesh:classification", "mesh:owner")]
