"""mesh-no-wildcard-data-action: baseline, then one violation per changed action."""

from __future__ import annotations

import pytest
from policy_helpers import (
    access_point,
    ap_read,
    bucket_policy,
    check,
    compliant_stack,
    consumer_policy,
    key,
    mutate,
    producer_policy,
    role,
    with_policy,
)

from datamesh.policy import RULES_BY_ID

RULE_ID = "mesh-no-wildcard-data-action"


def test_compliant_baseline() -> None:
    """Includes kms:* to the account in the key policy and kms:ReEncrypt* for producers."""
    rule = RULES_BY_ID[RULE_ID]
    checked = [r for r in compliant_stack() if r.type in rule.types]  # type: ignore[attr-defined]
    assert {r.name for r in checked} >= {key().name, producer_policy().name, bucket_policy().name}
    for resource in checked:
        assert check(RULE_ID, resource) == [], resource.name


@pytest.mark.parametrize("action", ["*", "s3:*", "S3:*", "s3:Get*", "s3:*Object", "s3:GetObjec?",
                                    "s3-object-lambda:*"])
def test_violation_access_point(action: str) -> None:
    resource = with_policy(access_point(), ap_read() | {"Action": ["s3:ListBucket", action]})
    assert check(RULE_ID, resource) == [
        f'policy statement "ReadForGrantedConsumer" allows the wildcard action "{action}"']


def test_violation_identity_policy() -> None:
    st = {"Sid": "All", "Effect": "Allow", "Action": "s3:*", "Resource": "*"}
    assert check(RULE_ID, with_policy(producer_policy(), st)) == [
        'policy statement "All" allows the wildcard action "s3:*"']
    assert check(RULE_ID, with_policy(consumer_policy(), st)) == [
        'policy statement "All" allows the wildcard action "s3:*"']


def test_violation_trust_policy_star() -> None:
    st = {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:root"}, "Action": "*"}
    assert check(RULE_ID, with_policy(role(), st, field="assumeRolePolicy")) == [
        'assumeRolePolicy statement #0 allows the wildcard action "*"']


def test_violation_inline_policy_of_a_role() -> None:
    inline = [{"name": "extra", "policy": '{"Statement": [{"Effect": "Allow", "Action": "s3:Put*", '
                                          '"Resource": "*"}]}'}]
    assert check(RULE_ID, mutate(role(), ["inlinePolicies"], inline)) == [
        'inlinePolicies[0].policy statement #0 allows the wildcard action "s3:Put*"']


def test_violation_not_action() -> None:
    st = {"Sid": "AllButDelete", "Effect": "Allow", "NotAction": "s3:DeleteObject", "Resource": "*"}
    assert check(RULE_ID, with_policy(producer_policy(), st)) == [
        'policy statement "AllButDelete" is an Allow with NotAction: it allows every action not listed']


def test_deny_with_wildcards_is_fine() -> None:
    st = {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"}
    assert check(RULE_ID, with_policy(bucket_policy(), st)) == []
