"""The catalog value: what it holds for every product of the streaming mesh, and how access is
evaluated by date (a prebuilt catalog never shows an expired grant as current)."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from catalogs import catalog_of, example_catalog
from meshtree import EXAMPLE_DOMAINS, TODAY, domain_yaml, product_yaml

from datamesh.catalog import (
    AccessPoint,
    CatalogBuildError,
    Column,
    Grant,
    Pending,
    UnknownProductError,
    build_catalog,
)
from datamesh.loader import load_file
from datamesh.plan import build_plan
from datamesh.resolve import load_mesh
from datamesh.spec.models import DataProduct


def spec_of(key: str) -> DataProduct:
    domain, _, name = key.partition("/")
    loaded = load_file(str(EXAMPLE_DOMAINS / domain / "products" / f"{name}.yaml"), DataProduct, _report())
    assert loaded is not None
    return loaded.model


def _report() -> Any:
    from datamesh.diagnostics import Report

    return Report()


def test_every_product_of_the_mesh_is_listed_whatever_its_status() -> None:
    catalog = example_catalog()
    assert [(p.key, p.status) for p in catalog.products] == [
        ("artist-payments/royalty-statements", "active"), ("artists/artist-catalog", "active"),
        ("artists/artist-popularity", "active"), ("listeners/listener-profiles", "active"),
        ("listeners/signups", "active"), ("partners/partner-reports", "active"),
        ("player/device-stats", "retired"), ("player/play-events", "active"), ("player/skip-events", "active"),
        ("playlist/listening-sessions", "deprecated"), ("playlist/listening-sessions-v2", "active"),
        ("playlist/mood-mixes", "draft")]
    assert [d.name for d in catalog.domains] == ["artist-payments", "artists", "listeners", "partners", "player",
                                                 "playlist"]
    assert catalog.domain("player") is not None
    assert catalog.domain("player").products == (  # type: ignore[union-attr]
        "player/device-stats", "player/play-events", "player/skip-events")


@pytest.mark.parametrize("key", [p.key for p in example_catalog().products])
def test_each_product_carries_its_spec_exactly(key: str) -> None:
    """Description, version, owner, classification, tags, retention, guarantees as written, schema."""
    product = example_catalog().product(key)
    spec = spec_of(key)
    assert (product.name, product.version, product.description, product.status, product.type,
            product.classification, product.tags) == (spec.name, spec.version, spec.description, spec.status,
                                                      spec.type, spec.classification, tuple(spec.tags))
    assert (product.retention.days, product.retention.archive_after_days, product.retention.noncurrent_days) == (
        spec.retention.days, spec.retention.archive_after_days, spec.retention.noncurrent_days)
    written = spec.guarantees.model_dump(exclude_none=True) if spec.guarantees else None
    assert (product.guarantees.written() if product.guarantees else None) == written
    assert spec.schema_ is not None and product.schema is not None
    assert product.schema.format == spec.schema_.format
    assert product.schema.fields == tuple(Column(f.name, f.type, f.required, f.pii, f.description)
                                          for f in spec.schema_.fields)


def test_a_product_in_full() -> None:
    p = example_catalog().product("playlist/listening-sessions")
    assert (p.owner.team, p.owner.email, p.owner.github, p.owner.approver) == (
        "Playlist", "playlist-data@daff.example", "@daff/playlist", "@daff/playlist")
    assert p.deprecation is not None
    assert (p.deprecation.sunset, p.deprecation.replaced_by) == (date(2028, 1, 31), "playlist/listening-sessions-v2")
    assert (p.location.bucket, p.location.bucket_arn, p.location.s3_uri, p.location.region, p.location.account) == (
        "daff-dev--playlist--listening-sessions", "arn:aws:s3:::daff-dev--playlist--listening-sessions",
        "s3://daff-dev--playlist--listening-sessions/", "eu-west-1", "110000000003")
    assert (p.sharing.mode, p.sharing.approver, p.sharing.requestable, p.sharing.reason) == (
        "approval", "@daff/playlist", True, None)
    assert p.grants == (Grant(
        consumer="artists", kind="domain", name="artists", account="110000000004",
        principal="arn:aws:iam::110000000004:role/datamesh/daff-artists-consumer", until=date(2028, 1, 31),
        purpose="popularity, until artists move to v2",
        access_point=AccessPoint("daff-40cc7fbd-f654dc11",
                                 "arn:aws:s3:eu-west-1:110000000003:accesspoint/daff-40cc7fbd-f654dc11",
                                 "${playlist/listening-sessions.grant.artists.access-point.alias}",
                                 "playlist/listening-sessions.grant.artists.access-point")),)
    assert p.pending == ()


def test_access_points_and_principals_are_the_plans() -> None:
    """Every grant's access point name, ARN and principal are what the plan creates."""
    resolution = load_mesh(str(EXAMPLE_DOMAINS), TODAY)
    assert resolution.mesh is not None
    plan = build_plan(resolution.mesh, "prod")
    catalog = build_catalog(resolution.mesh, plan)
    planned = {(r.product, r.inputs["consumer"]): r for r in plan.of_type("datamesh:mesh:AccessGrant")}
    aps = {r.parent: r for r in plan.of_type("aws:s3/accessPoint:AccessPoint")}
    seen = 0
    for product in catalog.products:
        for grant in product.grants:
            component = planned[(product.key, grant.consumer)]
            assert grant.principal == component.inputs["principal"]
            assert grant.access_point.name == aps[component.name].inputs["name"]
            assert grant.access_point.arn.endswith(f":{product.location.account}:accesspoint/{grant.access_point.name}")
            assert grant.access_point.arn.startswith(f"arn:aws:s3:{product.location.region}:")
            seen += 1
    assert seen == len(plan.grants) == 16
    assert catalog.product("player/play-events").location.account == "210000000002"


def test_external_grants_name_the_partner_from_mesh_yaml() -> None:
    grants = example_catalog().product("partners/partner-reports").grants
    assert [(g.consumer, g.kind, g.name, g.account, g.principal, g.until) for g in grants] == [
        ("arn:aws:iam::444455556666:role/yogaflow-reports", "external", "yogaflow", "444455556666",
         "arn:aws:iam::444455556666:role/yogaflow-reports", date(2028, 6, 30))]


def test_pending_requests_name_consumer_approver_and_expiry() -> None:
    catalog = example_catalog()
    assert catalog.product("artist-payments/royalty-statements").pending == (
        Pending("partners", "@daff/artist-payments", date(2025, 9, 30), "revenue-share reports for partners"),)
    # partners has no owner.github: its email approves.
    assert catalog.product("partners/partner-reports").pending == (
        Pending("artists", "partners-data@daff.example", None, "see how partner campaigns feature our artists"),)


@pytest.mark.parametrize(("key", "reason"), [
    ("player/device-stats", "it is retired: its access was removed (its data is kept until its retention ends)"),
    ("playlist/mood-mixes", "its status is draft: it grants nothing until its owners set it active"),
])
def test_products_that_cannot_be_requested_say_why(key: str, reason: str) -> None:
    sharing = example_catalog().product(key).sharing
    assert (sharing.requestable, sharing.reason) == (False, reason)


def test_a_private_active_product_cannot_be_requested(make_mesh: Any) -> None:
    root = make_mesh({"alpha/products/events.yaml": product_yaml("events", "sharing:\n  mode: private\n")})
    sharing = catalog_of(root).product("alpha/events").sharing
    assert (sharing.requestable, sharing.reason) == (
        False, "it is private (sharing.mode: private): nobody outside domain alpha reads it")


def test_domains_hold_owner_account_region_and_roles() -> None:
    d = example_catalog("prod").domain("partners")
    assert d is not None
    assert (d.owner.team, d.owner.approver, d.account, d.region, d.producer_role, d.consumer_role, d.products) == (
        "Partnerships", "partners-data@daff.example", "210000000006", "eu-west-1",
        "arn:aws:iam::210000000006:role/datamesh/daff-partners-producer",
        "arn:aws:iam::210000000006:role/datamesh/daff-partners-consumer", ("partners/partner-reports",))


def test_catalog_info() -> None:
    info = example_catalog().info
    assert (info.mesh, info.environment, info.environments, info.built_at, info.tool_version,
            info.platform_account, info.platform_region, info.discovery_url) == (
        "daff", "dev", ("dev", "prod"), TODAY, "0.1.0", "900000000001", "eu-west-1", "https://catalog.daff.example")
    assert [(a.id, a.name, a.contact) for a in info.external_accounts] == [
        ("444455556666", "yogaflow", "data@yogaflow.example")]
    assert info.content_hash.startswith("sha256:") and len(info.content_hash) == 71


def test_no_discovery_host_no_url(make_mesh: Any) -> None:
    assert catalog_of(make_mesh()).info.discovery_url is None


def test_lineage_edges_and_their_states() -> None:
    catalog = example_catalog()
    states = {(e.product, e.target, e.via): catalog.edge_state(e) for e in catalog.lineage}
    assert len(states) == 18
    assert states[("artist-payments/royalty-statements", "partners", "consumes")] == "pending"
    assert states[("partners/partner-reports", "artists", "consumes")] == "pending"
    assert states[("player/skip-events", "playlist/mood-mixes", "inputs")] == "granted"
    assert [e.product for e in catalog.inputs_of("playlist/listening-sessions-v2")] == [
        "listeners/listener-profiles", "player/play-events"]
    assert [(e.consumer, e.consumer_product) for e in catalog.consumers_of("artists/artist-catalog")] == [
        ("artist-payments", "artist-payments/royalty-statements"), ("partners", "partners/partner-reports"),
        ("playlist", None)]
    assert [e.product for e in catalog.consumes_of("artists")] == [
        "artist-payments/royalty-statements", "partners/partner-reports"]


def test_a_request_to_a_product_that_grants_nothing_is_not_granted(make_mesh: Any) -> None:
    root = make_mesh({"alpha/products/events.yaml": product_yaml("events", "status: draft\n"),
                      "beta/domain.yaml": domain_yaml("beta", "consumes:\n  - product: alpha/events\n")})
    catalog = catalog_of(root)
    (edge,) = catalog.lineage
    assert catalog.edge_state(edge) == "not-granted"


# --- evaluation by date --------------------------------------------------------------------------


def test_as_of_a_later_day_expires_grants_without_rebuilding() -> None:
    built = example_catalog()
    later = built.as_of(date(2027, 11, 25))  # the day after the artists' approval of royalty-statements ends
    assert later.products is built.products and later.evaluated_on == date(2027, 11, 25)
    access = later.access("artist-payments/royalty-statements")
    assert [g.consumer for g in access.current] == []
    assert [g.consumer for g in access.expired] == ["artists"]
    # A mesh domain whose approval expired asks again: a pending request naming the approver.
    assert access.pending == (
        Pending("artists", "@daff/artist-payments", date(2027, 11, 24),
                "artist support answers questions about statements"),
        Pending("partners", "@daff/artist-payments", date(2025, 9, 30), "revenue-share reports for partners"))
    edge = next(e for e in later.lineage
                if e.product == "artist-payments/royalty-statements" and e.consumer == "artists")
    assert (built.edge_state(edge), later.edge_state(edge)) == ("granted", "pending")


def test_until_is_inclusive() -> None:
    access = example_catalog().as_of(date(2027, 11, 24)).access("artist-payments/royalty-statements")
    assert [g.consumer for g in access.current] == ["artists"]


def test_an_expired_external_grant_is_gone_not_pending() -> None:
    access = example_catalog().as_of(date(2028, 7, 1)).access("partners/partner-reports")
    assert (access.current, [g.name for g in access.expired]) == ((), ["yogaflow"])
    assert [p.consumer for p in access.pending] == ["artists"]


def test_as_of_an_earlier_day_never_grants_what_the_plan_did_not_create() -> None:
    """partners' approval ended 2025-09-30: on 2025-09-01 it was valid, but no access point exists."""
    access = example_catalog().as_of(date(2025, 9, 1)).access("artist-payments/royalty-statements")
    assert [g.consumer for g in access.current] == ["artists"]
    assert [p.consumer for p in access.pending] == ["partners"]


def test_evaluation_period_and_revision() -> None:
    catalog = example_catalog()
    digest = catalog.info.content_hash[7:23]
    assert (catalog.evaluation_period(), catalog.revision) == ((None, date(2027, 11, 24)), f"{digest}.0")
    later = catalog.as_of(date(2027, 12, 1))
    assert (later.evaluation_period(), later.revision) == (
        (date(2027, 11, 25), date(2028, 1, 31)), f"{digest}.20271125")
    assert catalog.as_of(date(2030, 1, 1)).evaluation_period() == (date(2028, 7, 1), None)


def test_past_sunset_is_evaluated() -> None:
    deprecation = example_catalog().product("playlist/listening-sessions").deprecation
    assert deprecation is not None
    assert (deprecation.past_sunset(date(2028, 1, 31)), deprecation.past_sunset(date(2028, 2, 1))) == (False, True)


def test_the_same_mesh_built_on_another_day_has_the_same_content_hash() -> None:
    a, b = example_catalog(today=TODAY), example_catalog(today=date(2026, 12, 1))
    assert a.info.built_at != b.info.built_at
    assert a.info.content_hash == b.info.content_hash
    assert a.info.content_hash != example_catalog("prod").info.content_hash


def test_a_changed_fact_changes_the_content_hash(make_mesh: Any, tmp_path: Path) -> None:
    before = catalog_of(make_mesh()).info.content_hash
    root = make_mesh({"alpha/products/events.yaml": product_yaml("events").replace("A test product.", "Changed.")})
    assert catalog_of(root).info.content_hash != before


def test_unknown_product() -> None:
    with pytest.raises(UnknownProductError) as caught:
        example_catalog().product("player/nope")
    assert str(caught.value) == "no product 'player/nope' in the catalog"
    assert example_catalog().find("player/nope") is None


def test_the_catalog_is_frozen() -> None:
    catalog = example_catalog()
    with pytest.raises(dataclasses.FrozenInstanceError):
        catalog.evaluated_on = date(2030, 1, 1)  # type: ignore[misc]


def test_a_scoped_plan_is_refused() -> None:
    resolution = load_mesh(str(EXAMPLE_DOMAINS), TODAY)
    assert resolution.mesh is not None
    with pytest.raises(CatalogBuildError, match="the catalog needs the whole-mesh plan, got one scoped to playlist"):
        build_catalog(resolution.mesh, build_plan(resolution.mesh, "dev", ["playlist"]))
