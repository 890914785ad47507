"""Every physical name and tag value the planner writes is one AWS accepts, by construction.

Property tests over the naming scheme (any valid slugs a spec can hold), the rules of
``datamesh.awsrules`` themselves (against AWS's documented examples), and the plan's safety
nets DM410 (two resources of one logical name) and DM411 (a value AWS would reject).
"""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from datamesh.awsrules import (
    bucket_name_problem,
    kms_alias_problem,
    reserved_bucket_prefix,
    role_arn_problem,
    role_name_problem,
    tag_value_problem,
)
from datamesh.diagnostics import Diagnostic
from datamesh.plan import Plan, PlannedResource, naming
from datamesh.plan.awsvalues import check_aws_values
from datamesh.plan.uniqueness import check_unique_logical_names

_WORD = st.from_regex(r"[a-z][a-z0-9]{0,7}", fullmatch=True)


def slugs(max_len: int) -> st.SearchStrategy[str]:
    """Spec slugs ``[a-z][a-z0-9]*(-[a-z0-9]+)*`` of at most ``max_len`` characters."""
    parts = st.lists(st.from_regex(r"[a-z0-9]{1,8}", fullmatch=True), max_size=6)
    return st.builds(lambda w, rest: "-".join([w, *rest]), _WORD, parts).filter(lambda s: len(s) <= max_len)


MESHES = slugs(20).filter(lambda m: reserved_bucket_prefix(f"{m}-") is None and m != "aws")
"""Mesh names validate accepts (DM122 rejects the reserved ones)."""


@settings(max_examples=150, deadline=None)
@given(mesh=MESHES, env=slugs(20), domain=slugs(30), product=slugs(40))
def test_bucket_names_are_valid_s3_names(mesh: str, env: str, domain: str, product: str) -> None:
    if reserved_bucket_prefix(f"{mesh}-{env}--") is not None:
        return  # DM122 rejects this mesh/environment pair at validate
    assert bucket_name_problem(naming.bucket_name(mesh, env, domain, product)) is None


@settings(max_examples=150, deadline=None)
@given(mesh=MESHES, env=slugs(20), domain=slugs(30), product=slugs(40), arn_name=slugs(64))
def test_access_point_role_alias_and_grant_names_are_valid(mesh: str, env: str, domain: str, product: str,
                                                           arn_name: str) -> None:
    for consumer in (domain, f"arn:aws:iam::444455556666:role/{arn_name}"):
        ap = naming.access_point_name(mesh, env, consumer, f"{domain}/{product}")
        assert 3 <= len(ap) <= 50 and ap[0].isalnum() and ap[-1].isalnum(), ap
        assert not ap.startswith("xn--") and not ap.endswith("-s3alias")
    for kind in ("producer", "consumer"):
        assert role_name_problem(naming.role_name(mesh, domain, kind)) is None
        assert role_arn_problem(naming.role_arn("111111111111", mesh, domain, kind)) is None
    assert role_arn_problem(naming.deployer_role_arn("111111111111", mesh)) is None
    assert kms_alias_problem(f"alias/{mesh}/{domain}") is None
    for tag in (domain, f"{domain}/{product}", env, mesh):
        assert tag_value_problem(tag) is None


@pytest.mark.parametrize(("mesh", "env", "domain", "product"), [
    ("acme", "dev", "alpha", "events-s3alias"),
    ("acme", "dev", "alpha", "s3alias"),
    ("acme", "dev", "alpha", "x-111122223333-us-west-2-an"),
])
def test_reserved_suffixes_are_cut_and_hashed(mesh: str, env: str, domain: str, product: str) -> None:
    name = naming.bucket_name(mesh, env, domain, product)
    assert bucket_name_problem(name) is None, name


def test_a_product_ending_like_an_account_regional_bucket_is_hashed() -> None:
    """S3 account regional namespaces (2026): a global name ending -<account>-<region>-an is refused."""
    full = "acme-dev--alpha--x-111122223333-us-west-2-an"
    assert bucket_name_problem(full) == ("ends like -<account>-<region>-an, the suffix of S3 account regional "
                                         "namespaces")
    assert naming.bucket_name("acme", "dev", "alpha", "x-111122223333-us-west-2-an") == \
        f"{full[:54].rstrip('-')}-{naming.h8(full)}"


@pytest.mark.parametrize(("name", "problem"), [
    ("ab", "is 2 characters; S3 bucket names have 3-63"),
    ("a" * 64, "is 64 characters; S3 bucket names have 3-63"),
    ("My-bucket", "holds characters other than a-z 0-9 . -"),
    ("-bucket", "must begin and end with a letter or a digit"),
    ("my..bucket", "holds two adjacent periods"),
    ("192.168.5.4", "is formatted as an IP address"),
    ("xn--bucket", "starts with xn--, a prefix S3 reserves"),
    ("sthree-bucket", "starts with sthree-, a prefix S3 reserves"),
    ("amzn-s3-demo-bucket", "starts with amzn-s3-demo-, a prefix S3 reserves"),
    ("bucket-s3alias", "ends with -s3alias, a suffix S3 reserves"),
    ("bucket--ol-s3", "ends with --ol-s3, a suffix S3 reserves"),
    ("bucket.mrap", "ends with .mrap, a suffix S3 reserves"),
    ("bucket--x-s3", "ends with --x-s3, a suffix S3 reserves"),
    ("bucket--table-s3", "ends with --table-s3, a suffix S3 reserves"),
    ("docexamplebucket1", None), ("log-delivery-march-2020", None), ("my-hosted-content", None),
])
def test_bucket_rules_match_the_s3_user_guide(name: str, problem: str | None) -> None:
    assert bucket_name_problem(name) == problem


@pytest.mark.parametrize(("value", "problem"), [
    ("Team Ωmega_1 .:/=+-@", None), ("ops@example.com", None), ("", None), ("x" * 256, None),
    ("x" * 257, "is 257 characters, more than the 256 of an AWS tag value"),
    ("a,b", "holds ',', which an AWS tag value does not allow"),
    ("o'brien!", "holds '!' \"'\", which an AWS tag value does not allow"),
    ("AWS:internal", "starts with aws:, a prefix AWS reserves in tags"),
])
def test_tag_value_rule(value: str, problem: str | None) -> None:
    assert tag_value_problem(value) == problem


# --- the safety nets -------------------------------------------------------------------------

def _plan(*resources: PlannedResource) -> Plan:
    return Plan(mesh="acme", environment="dev", today=date(2026, 11, 25), resources=list(resources))


def test_two_resources_of_one_logical_name_are_dm410() -> None:
    plan = _plan(PlannedResource(type="datamesh:mesh:AccessGrant", name="alpha/events.grant.x", inputs={},
                                 domain="alpha", product="alpha/events"),
                 PlannedResource(type="datamesh:mesh:AccessGrant", name="alpha/events.grant.x", inputs={},
                                 domain="alpha", product="alpha/events"))
    assert check_unique_logical_names(plan, {"alpha/events": "events.yaml"}) == [Diagnostic(
        file="events.yaml", line=1, col=1, severity="error", code="DM410", field="alpha/events.grant.x",
        message="logical name 'alpha/events.grant.x' (datamesh:mesh:AccessGrant) is also the name of an earlier "
                "datamesh:mesh:AccessGrant",
        hint="a bug of the naming scheme (docs/resources.md): report it; meanwhile rename one of the two")]


def test_values_aws_would_reject_in_a_plan_are_dm411() -> None:
    plan = _plan(
        PlannedResource(type="aws:s3/bucket:Bucket", name="alpha/events.bucket", domain="alpha",
                        product="alpha/events", inputs={"bucket": "sthree-x", "tags": {"mesh:owner": "a!b"}}),
        PlannedResource(type="aws:iam/role:Role", name="alpha.consumer", domain="alpha",
                        inputs={"name": "r" * 65, "path": "/a//b/", "tags": {}}),
        PlannedResource(type="pulumi:providers:aws", name="alpha.aws", domain="alpha",
                        inputs={"defaultTags": {"tags": {"mesh:domain": "a,b"}}}),
    )
    files = {"alpha": "alpha/domain.yaml", "alpha/events": "alpha/products/events.yaml"}
    assert [(d.file, d.field, d.message) for d in check_aws_values(plan, files)] == [
        ("alpha/products/events.yaml", "alpha/events.bucket",
         "aws:s3/bucket:Bucket alpha/events.bucket: tag mesh:owner 'a!b' holds '!', which an AWS tag value "
         "does not allow"),
        ("alpha/products/events.yaml", "alpha/events.bucket",
         "aws:s3/bucket:Bucket alpha/events.bucket: bucket 'sthree-x' starts with sthree-, a prefix S3 reserves"),
        ("alpha/domain.yaml", "alpha.consumer",
         f"aws:iam/role:Role alpha.consumer: name '{'r' * 65}' is 65 characters, at most 64 allowed"),
        ("alpha/domain.yaml", "alpha.consumer", "aws:iam/role:Role alpha.consumer: path '/a//b/' is not an IAM "
                                                "path /…/"),
        ("alpha/domain.yaml", "alpha.aws",
         "pulumi:providers:aws alpha.aws: tag mesh:domain 'a,b' holds ',', which an AWS tag value does not allow"),
    ]
