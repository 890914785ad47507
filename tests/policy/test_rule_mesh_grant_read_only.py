"""mesh-grant-read-only: baseline, then one violation per changed action or operation."""

from __future__ import annotations

import pytest
from policy_helpers import (
    DELETE,
    access_point,
    ap_read,
    bucket_policy,
    check,
    consumer_policy,
    delegation,
    key_grant,
    mutate,
    producer_policy,
    tls_deny,
    with_policy,
)

RULE_ID = "mesh-grant-read-only"


def test_compliant_baseline() -> None:
    for resource in (access_point(), bucket_policy(), key_grant(), consumer_policy()):
        assert check(RULE_ID, resource) == [], resource.name


def test_producer_role_policies_may_write() -> None:
    assert check(RULE_ID, producer_policy()) == []


def test_actions_compare_case_insensitively() -> None:
    resource = with_policy(access_point(), ap_read() | {"Action": ["S3:GETOBJECT"]})
    assert check(RULE_ID, resource) == []


@pytest.mark.parametrize("action", ["s3:PutObject", "s3:DeleteObject", "s3:PutBucketPolicy", "s3:*"])
def test_violation_access_point(action: str) -> None:
    resource = with_policy(access_point(), ap_read() | {"Action": ["s3:GetObject", action]})
    assert check(RULE_ID, resource) == [
        f'policy statement "ReadForGrantedConsumer" allows "{action}", which is not a read action']


def test_violation_bucket_policy_delegation_writes() -> None:
    st = delegation() | {"Action": ["s3:GetObject", "s3:PutObject"]}
    assert check(RULE_ID, with_policy(bucket_policy(), tls_deny(), st)) == [
        'policy statement "DelegateReadToOwnAccessPoints" allows "s3:PutObject", which is not a read '
        "action"]


def test_violation_consumer_role_policy() -> None:
    st = {"Sid": "Write", "Effect": "Allow", "Action": "s3:PutObject", "Resource": "*"}
    assert check(RULE_ID, with_policy(consumer_policy(), st)) == [
        'policy statement "Write" allows "s3:PutObject", which is not a read action']


def test_violation_not_action() -> None:
    st = {k: v for k, v in ap_read().items() if k != "Action"} | {"NotAction": "s3:DeleteObject"}
    assert check(RULE_ID, with_policy(access_point(), st)) == [
        'policy statement "ReadForGrantedConsumer" is an Allow with NotAction, which is not read-only']


@pytest.mark.parametrize("operation", ["Encrypt", "GenerateDataKey", "CreateGrant", "ReEncryptFrom"])
def test_violation_kms_grant_operation(operation: str) -> None:
    assert check(RULE_ID, mutate(key_grant(), ["operations"], ["Decrypt", operation])) == [
        f'operations include "{operation}", which is not read-only (allowed: Decrypt, DescribeKey)']


def test_violation_kms_grant_without_operations() -> None:
    assert check(RULE_ID, mutate(key_grant(), ["operations"], DELETE)) == [
        "operations is absent, expected Decrypt, DescribeKey"]


def test_read_actions_from_config() -> None:
    resource = with_policy(access_point(), ap_read() | {"Action": ["s3:GetObject", "s3:GetObjectTagging"]})
    assert check(RULE_ID, resource) == [
        'policy statement "ReadForGrantedConsumer" allows "s3:GetObjectTagging", which is not a read action']
    assert check(RULE_ID, resource, config={"readActions": ["s3:GetObject", "s3:GetObjectTagging"]}) == []
