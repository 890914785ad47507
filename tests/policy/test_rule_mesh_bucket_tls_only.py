"""mesh-bucket-tls-only: compliant baseline, then one violation per changed field."""

from __future__ import annotations

from typing import Any

import pytest
from policy_helpers import BUCKET_ARN, bucket_policy, check, delegation, mutate, tls_deny, with_policy

RULE_ID = "mesh-bucket-tls-only"
MISSING = ['no statement denies "s3:*" to Principal "*" on arn:aws:s3:::acme-dev-alpha-events and '
           'its objects when aws:SecureTransport is "false", on no other condition']


def test_compliant_baseline() -> None:
    assert check(RULE_ID, bucket_policy()) == []


def test_a_policy_given_as_an_object_is_read_too() -> None:
    resource = mutate(bucket_policy(), ["policy"], {"Version": "2012-10-17", "Statement": [tls_deny()]})
    assert check(RULE_ID, resource) == []


def test_boolean_false_condition_and_aws_wildcard_principal_are_accepted() -> None:
    st = tls_deny() | {"Principal": {"AWS": "*"}, "Condition": {"Bool": {"aws:SecureTransport": False}}}
    assert check(RULE_ID, with_policy(bucket_policy(), st)) == []


@pytest.mark.parametrize(("key", "value"), [
    ("Effect", "Allow"),
    ("Principal", {"AWS": "arn:aws:iam::111111111111:root"}),
    ("Action", "s3:GetObject"),
    ("Resource", [BUCKET_ARN]),
    ("Resource", [f"{BUCKET_ARN}/*"]),
    ("Resource", ["arn:aws:s3:::another-bucket", "arn:aws:s3:::another-bucket/*"]),
    ("Condition", {"Bool": {"aws:SecureTransport": "true"}}),
    ("Condition", {"BoolIfExists": {"aws:SecureTransport": "false"}}),
    ("Condition", {}),
    # issue 10 §3: AWS ANDs conditions, so any other one makes the Deny miss plain HTTP requests
    ("Condition", {"Bool": {"aws:SecureTransport": "false", "aws:ViaAWSService": "true"}}),
    ("Condition", {"Bool": {"aws:SecureTransport": "false"},
                   "StringEquals": {"aws:PrincipalAccount": "111111111111"}}),
    ("Condition", {"Bool": {"aws:SecureTransport": ["false", "true"]}}),
    ("Principal", {"AWS": "arn:aws:iam::222222222222:root"}),
    ("Action", ["s3:GetObject", "s3:PutObject"]),
    ("Resource", ["arn:aws:s3:::acme-dev-alpha-events-other", f"{BUCKET_ARN}/*"]),
])
def test_violation(key: str, value: Any) -> None:
    assert check(RULE_ID, with_policy(bucket_policy(), tls_deny() | {key: value}, delegation())) == MISSING


def test_violation_statement_removed() -> None:
    assert check(RULE_ID, with_policy(bucket_policy(), delegation())) == MISSING


def test_violation_not_json() -> None:
    assert check(RULE_ID, mutate(bucket_policy(), ["policy"], "{not json")) == [
        "policy is not a JSON policy document, so it cannot deny insecure transport"]


def test_violation_via_aws_service_added_to_the_tls_deny() -> None:
    """Issue 10 §3, exactly as found: passed before the fix, though plain HTTP was then allowed."""
    deny = tls_deny()
    deny["Condition"]["Bool"]["aws:ViaAWSService"] = "true"
    assert check(RULE_ID, with_policy(bucket_policy(), deny, delegation())) == MISSING


@pytest.mark.parametrize("key", ["NotPrincipal", "NotAction", "NotResource"])
def test_violation_negated_element(key: str) -> None:
    """A Deny with NotPrincipal/NotAction/NotResource leaves someone, some action or some object out."""
    base = {k: v for k, v in tls_deny().items() if k != {"NotPrincipal": "Principal", "NotAction": "Action",
                                                         "NotResource": "Resource"}[key]}
    value = {"NotPrincipal": {"AWS": "arn:aws:iam::111111111111:root"}, "NotAction": "s3:GetObject",
             "NotResource": "arn:aws:s3:::another-bucket"}[key]
    assert check(RULE_ID, with_policy(bucket_policy(), base | {key: value}, delegation())) == MISSING


def test_a_deny_on_every_resource_covers_the_bucket_and_its_objects() -> None:
    assert check(RULE_ID, with_policy(bucket_policy(), tls_deny() | {"Resource": "*"}, delegation())) == []
