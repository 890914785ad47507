"""Every IAM-language document the example plans is linted by parliament (Duo Labs).

parliament 1.6.4 checks actions, resource ARN formats, condition keys and operators against
AWS's published IAM definitions, with its community auditors on. Its ``analyze_policy_string``
has no resource-policy switch in this version: Principal elements are always checked when
present, so bucket, access point and key policies are linted as they are.

Two adjustments, both of the input, never of the findings:

- Placeholders: a value known only after deployment (``${alpha.key.arn}``) is replaced by an ARN
  of the right shape before linting, as Pulumi will replace it at deploy time.
- Trust policies: IAM's grammar gives trust policies no ``Resource`` (the resource is the role
  itself) and parliament, which expects one, reports them MALFORMED. They are linted with the
  role's own ARN as ``Resource``; the test also pins that this is the only reason.

No finding may have an error severity (CRITICAL or HIGH). The medium and low findings are pinned
exactly below, each with the reason it is accepted, so a new one fails the test.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import parliament
import pytest
from parliament import analyze_policy_string, enhance_finding

from datamesh.plan import Plan
from grants.support import EXAMPLE_DOMAINS, TODAY, concrete, plan_of

parliament.override_config(str(Path(parliament.__file__).parent / "community_auditors" / "config_override.yaml"))

ERROR_SEVERITIES = {"CRITICAL", "HIGH"}

ACCEPTED: dict[tuple[str, str], tuple[str, str]] = {
    # (document kind, finding): (severity, why it is accepted)
    ("access point policy", "RESOURCE_MISMATCH"): (
        "MEDIUM",
        "parliament's IAM definitions list only bucket/object ARNs for s3:GetObject, "
        "s3:GetObjectVersion and s3:ListBucket; AWS's access point policies name the access point "
        "ARN and <access point ARN>/object/* (S3 user guide, access point policy examples)"),
    ("consumer policy", "RESOURCE_MISMATCH"): (
        "MEDIUM",
        "the same gap for s3:ListBucket on an access point ARN, which is how a caller lists "
        "through an access point"),
    ("trust policy", "CREDENTIALS_EXPOSURE"): (
        "MEDIUM",
        "sts:AssumeRole returns credentials: that is what a trust policy allows, and only to the "
        "domain's own account root (its administrators pick the workloads)"),
    ("key policy", "RESOURCE_STAR"): (
        "LOW",
        "a key policy's Resource is always \"*\" (the key itself): AWS's default key policy"),
    ("key policy", "PERMISSIONS_MANAGEMENT_ACTIONS"): (
        "MEDIUM",
        "AWS's default key policy: the key's own account administers it through IAM "
        "(kms:* for the account root); consumers never appear in it"),
}


def kind_of(type_token: str, name: str) -> str:
    if type_token == "aws:iam/rolePolicy:RolePolicy":
        return "consumer policy" if name.endswith(".consumer-access") else "producer policy"
    return {
        "aws:s3/bucketPolicy:BucketPolicy": "bucket policy",
        "aws:s3/accessPoint:AccessPoint": "access point policy",
        "aws:kms/key:Key": "key policy",
        "aws:iam/role:Role": "trust policy",
    }[type_token]


def lintable(plan: Plan) -> list[tuple[str, str, str]]:
    """(kind, logical name, document text ready for parliament) of every document of the plan."""
    out = []
    for r in plan.resources:
        for prop in ("policy", "assumeRolePolicy"):
            text = r.inputs.get(prop)
            if not (r.type.startswith("aws:") and isinstance(text, str)):
                continue
            doc: dict[str, Any] = json.loads(concrete(plan, text))
            if prop == "assumeRolePolicy":
                account = plan.by_name()[r.provider or ""].inputs["allowedAccountIds"][0]
                role_arn = f"arn:aws:iam::{account}:role{r.inputs['path']}{r.inputs['name']}"
                doc = {**doc, "Statement": [{**s, "Resource": role_arn} for s in doc["Statement"]]}
            out.append((kind_of(r.type, r.name), r.name, json.dumps(doc, indent=2)))
    return out


def findings(text: str) -> list[tuple[str, str]]:
    policy = analyze_policy_string(text, include_community_auditors=True)
    return [(f.issue, f.severity) for f in (enhance_finding(f) for f in policy.findings)]


@pytest.fixture(scope="module", params=["dev", "prod"])
def linted(request: pytest.FixtureRequest) -> list[tuple[str, str, list[tuple[str, str]]]]:
    plan = plan_of(EXAMPLE_DOMAINS, request.param, TODAY)
    return [(kind, name, findings(text)) for kind, name, text in lintable(plan)]


def test_every_kind_of_document_is_linted(linted: list[tuple[str, str, list[tuple[str, str]]]]) -> None:
    assert Counter(kind for kind, _, _ in linted) == {
        "bucket policy": 12, "access point policy": 16, "key policy": 6, "trust policy": 12,
        "producer policy": 6, "consumer policy": 5}


def test_no_document_has_an_error_finding(linted: list[tuple[str, str, list[tuple[str, str]]]]) -> None:
    errors = [(name, issue, severity) for _, name, found in linted for issue, severity in found
              if severity in ERROR_SEVERITIES]
    assert errors == []


def test_medium_and_low_findings_are_exactly_the_accepted_ones(
        linted: list[tuple[str, str, list[tuple[str, str]]]]) -> None:
    seen = {(kind, issue): severity for kind, _, found in linted for issue, severity in found}
    assert seen == {key: severity for key, (severity, _) in ACCEPTED.items()}
    clean = {kind for kind, _, found in linted if not found}
    assert clean == {"bucket policy", "producer policy"}


def test_trust_policies_are_only_malformed_for_lacking_a_resource() -> None:
    """Why trust policies get their role ARN as Resource before linting."""
    raw = plan_of(EXAMPLE_DOMAINS, "dev", TODAY).by_name()["player.consumer"].inputs["assumeRolePolicy"]
    policy = analyze_policy_string(raw)
    assert [(f.issue, f.detail) for f in policy.findings] == [
        ("MALFORMED", "Statement contains neither Resource nor NotResource")]


def test_parliament_does_find_errors_in_a_bad_policy() -> None:
    """The linter is live: an unknown action and a malformed ARN are reported."""
    bad = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObjekt", "Resource": "arn:aws:s3:::b/*"},
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "not-an-arn"}]})
    assert {issue for issue, _ in findings(bad)} >= {"UNKNOWN_ACTION", "INVALID_ARN"}
