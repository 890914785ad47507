"""DM402: two resources of a plan would get the same physical name where AWS requires it unique.

Bucket names are global (every account and region); access point names are unique per account
and region. The naming scheme makes a collision impossible short of a hash collision, so these
plans are crafted by hand; one test forces a collision through the real planner.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from datamesh.diagnostics import Diagnostic
from datamesh.plan import Plan, PlannedResource, build_plan, naming
from datamesh.plan.uniqueness import check_unique_names
from datamesh.resolve import load_mesh

REPO = Path(__file__).resolve().parents[2]
EXAMPLE_ROOT = REPO / "tests" / "fixtures" / "streaming"
EXAMPLE_DOMAINS = EXAMPLE_ROOT / "domains"
TODAY = date(2026, 11, 25)
BUCKET = "aws:s3/bucket:Bucket"
ACCESS_POINT = "aws:s3/accessPoint:AccessPoint"
FILES = {
    "alpha": "domains/alpha/domain.yaml",
    "beta": "domains/beta/domain.yaml",
    "alpha/events": "domains/alpha/products/events.yaml",
    "alpha/logs": "domains/alpha/products/logs.yaml",
    "beta/events": "domains/beta/products/events.yaml",
}
HINT = "rename one of the two products or domains named in the message"


def provider(domain: str, account: str, region: str = "eu-west-1") -> PlannedResource:
    return PlannedResource(type="pulumi:providers:aws", name=f"{domain}.aws", domain=domain,
                           inputs={"region": region, "allowedAccountIds": [account]})


def bucket(product: str, name: str) -> PlannedResource:
    domain = product.partition("/")[0]
    return PlannedResource(type=BUCKET, name=f"{product}.bucket", parent=product, provider=f"{domain}.aws",
                           domain=domain, product=product, inputs={"bucket": name})


def access_point(product: str, consumer: str, name: str) -> PlannedResource:
    domain = product.partition("/")[0]
    grant = f"{product}.grant.{consumer}"
    return PlannedResource(type=ACCESS_POINT, name=f"{grant}.access-point", parent=grant,
                           provider=f"{domain}.aws", domain=domain, product=product,
                           inputs={"bucket": "b", "name": name})


def plan_of(*resources: PlannedResource) -> Plan:
    return Plan(mesh="acme", environment="dev", today=TODAY, resources=list(resources))


def dm402(file: str, name: str, message: str) -> Diagnostic:
    return Diagnostic(file=file, line=1, col=1, severity="error", code="DM402", field=name, message=message,
                      hint=HINT)


def test_distinct_names_are_fine() -> None:
    plan = plan_of(provider("alpha", "100000000001"), provider("beta", "100000000002"),
                   bucket("alpha/events", "acme-dev--alpha--events"),
                   bucket("beta/events", "acme-dev--beta--events"),
                   access_point("alpha/events", "beta", "acme-f44e64e7-af590bf5"),
                   access_point("alpha/events", "gamma", "acme-11111111-af590bf5"))
    assert check_unique_names(plan, FILES) == []


def test_two_buckets_of_the_same_name_are_an_error_naming_both() -> None:
    plan = plan_of(provider("alpha", "100000000001"),
                   bucket("alpha/events", "acme-dev--alpha--events"),
                   bucket("alpha/logs", "acme-dev--alpha--events"))
    assert check_unique_names(plan, FILES) == [dm402(
        "domains/alpha/products/logs.yaml", "alpha/logs.bucket",
        "bucket name 'acme-dev--alpha--events' of alpha/logs.bucket is also the name of alpha/events.bucket")]


def test_bucket_names_are_global_so_other_accounts_and_regions_collide_too() -> None:
    plan = plan_of(provider("alpha", "100000000001", "eu-west-1"), provider("beta", "100000000002", "us-east-1"),
                   bucket("alpha/events", "acme-dev--shared"),
                   bucket("beta/events", "acme-dev--shared"))
    assert check_unique_names(plan, FILES) == [dm402(
        "domains/beta/products/events.yaml", "beta/events.bucket",
        "bucket name 'acme-dev--shared' of beta/events.bucket is also the name of alpha/events.bucket")]


def test_access_points_of_the_same_name_in_different_accounts_are_fine() -> None:
    plan = plan_of(provider("alpha", "100000000001"), provider("beta", "100000000002"),
                   access_point("alpha/events", "gamma", "acme-11111111-22222222"),
                   access_point("beta/events", "gamma", "acme-11111111-22222222"))
    assert check_unique_names(plan, FILES) == []


def test_access_points_of_the_same_name_in_one_account_but_different_regions_are_fine() -> None:
    plan = plan_of(provider("alpha", "100000000001", "eu-west-1"), provider("beta", "100000000001", "us-east-1"),
                   access_point("alpha/events", "gamma", "acme-11111111-22222222"),
                   access_point("beta/events", "gamma", "acme-11111111-22222222"))
    assert check_unique_names(plan, FILES) == []


def test_access_points_of_the_same_name_in_one_account_and_region_are_an_error() -> None:
    # two domains sharing an account (allowed, DM205) in the same region
    plan = plan_of(provider("alpha", "100000000001"), provider("beta", "100000000001"),
                   access_point("alpha/events", "gamma", "acme-11111111-22222222"),
                   access_point("beta/events", "gamma", "acme-11111111-22222222"))
    assert check_unique_names(plan, FILES) == [dm402(
        "domains/beta/products/events.yaml", "beta/events.grant.gamma.access-point",
        "access point name 'acme-11111111-22222222' of beta/events.grant.gamma.access-point is also the name "
        "of alpha/events.grant.gamma.access-point")]


def test_every_duplicate_after_the_first_is_reported() -> None:
    plan = plan_of(provider("alpha", "100000000001"), provider("beta", "100000000002"),
                   bucket("alpha/events", "same"), bucket("alpha/logs", "same"), bucket("beta/events", "same"))
    assert [(d.field, d.message) for d in check_unique_names(plan, FILES)] == [
        ("alpha/logs.bucket", "bucket name 'same' of alpha/logs.bucket is also the name of alpha/events.bucket"),
        ("beta/events.bucket", "bucket name 'same' of beta/events.bucket is also the name of alpha/events.bucket"),
    ]


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_the_example_plan_has_unique_names(env: str) -> None:
    resolution = load_mesh(str(EXAMPLE_DOMAINS), TODAY)
    assert resolution.mesh is not None, [d.format() for d in resolution.report.errors]
    plan = build_plan(resolution.mesh, env)
    assert check_unique_names(plan, {}) == []
    assert not [d for d in plan.errors if d.code == "DM402"]


def test_build_plan_reports_a_collision_as_a_plan_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """Wired into build_plan: with a (forced) bucket-name collision the plan is not applicable."""
    resolution = load_mesh(str(EXAMPLE_DOMAINS), TODAY)
    assert resolution.mesh is not None, [d.format() for d in resolution.report.errors]
    mesh = resolution.mesh

    def colliding(mesh_name: str, env: str, domain: str, product: str) -> str:
        return f"{mesh_name}-{env}--{domain}--same"  # every product of a domain gets one name

    monkeypatch.setattr(naming, "bucket_name", colliding)
    plan = build_plan(mesh, "dev", ["listeners"])
    products = sorted(p for p in mesh.products if p.startswith("listeners/"))
    assert len(products) == 2
    assert [(d.code, d.severity, d.file, d.field, d.message) for d in plan.errors] == [(
        "DM402", "error", mesh.sources.file(products[1]), f"{products[1]}.bucket",
        f"bucket name 'daff-dev--listeners--same' of {products[1]}.bucket is also the name of "
        f"{products[0]}.bucket")]
