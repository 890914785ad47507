"""mesh-no-service-principal: baseline, then a Service principal on each kind of policy."""

from __future__ import annotations

from typing import Any

from policy_helpers import (
    BUCKET_ARN,
    access_point,
    ap_read,
    bucket_policy,
    check,
    delegation,
    key,
    role,
    tls_deny,
    with_policy,
)

RULE_ID = "mesh-no-service-principal"


def service(principal: Any, resource: str = "*") -> dict[str, Any]:
    return {"Sid": "ServiceReads", "Effect": "Allow", "Principal": principal,
            "Action": ["s3:GetObject", "kms:Decrypt", "sts:AssumeRole"], "Resource": resource}


def message(value: str, field: str = "policy") -> str:
    return (f'{field} statement "ServiceReads" allows the Service principal {value}; the mesh grants no AWS '
            "service direct access")


def test_compliant_baseline() -> None:
    for resource in (bucket_policy(), access_point(), key(), role("producer"), role("consumer")):
        assert check(RULE_ID, resource) == [], resource.name


def test_a_deny_naming_a_service_only_takes_access_away() -> None:
    deny = service({"Service": "logging.s3.amazonaws.com"}) | {"Effect": "Deny"}
    assert check(RULE_ID, with_policy(bucket_policy(), tls_deny(), delegation(), deny)) == []


def test_violation_service_on_a_bucket() -> None:
    """Issue 10 §2: a Service principal on a bucket passed all 19 rules."""
    st = service({"Service": "logging.s3.amazonaws.com"}, f"{BUCKET_ARN}/*")
    assert check(RULE_ID, with_policy(bucket_policy(), tls_deny(), delegation(), st)) == [
        message("logging.s3.amazonaws.com")]


def test_violation_service_on_a_key() -> None:
    """Issue 10 §2: a Service principal on a key passed all 19 rules."""
    st = service({"Service": ["s3.amazonaws.com", "lambda.amazonaws.com"]})
    assert check(RULE_ID, with_policy(key(), st)) == [message("s3.amazonaws.com"), message("lambda.amazonaws.com")]


def test_violation_service_on_an_access_point() -> None:
    assert check(RULE_ID, with_policy(access_point(), ap_read(), service({"Service": "glue.amazonaws.com"}))) == [
        message("glue.amazonaws.com")]


def test_violation_service_in_a_trust_policy() -> None:
    st = service({"Service": "ec2.amazonaws.com"})
    assert check(RULE_ID, with_policy(role("consumer"), st, field="assumeRolePolicy")) == [
        message("ec2.amazonaws.com", "assumeRolePolicy")]
