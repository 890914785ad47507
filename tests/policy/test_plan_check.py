"""The rules over real plans: the example mesh passes; a mesh that validates can still break them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from policy_helpers import EXAMPLE_DOMAINS, TODAY, domain_yaml, product_yaml

from datamesh.mesh import ResolvedMesh
from datamesh.plan import build_plan
from datamesh.policy import PackConfig, evaluate
from datamesh.policy.facts import mesh_facts
from datamesh.policy.plan_views import views_of_plan
from datamesh.resolve import load_mesh


def resolved(root: Path | str) -> ResolvedMesh:
    resolution = load_mesh(str(root), TODAY)
    assert resolution.mesh is not None, [d.format() for d in resolution.report.errors]
    return resolution.mesh


def violations(mesh: ResolvedMesh, env: str = "dev") -> list[tuple[str, str | None, str, str]]:
    plan = build_plan(mesh, env)
    evaluation = evaluate(views_of_plan(plan.resources), PackConfig().with_facts(mesh_facts(mesh, env)), TODAY)
    return [(v.rule, v.resource, v.scope, v.message) for v in evaluation.violations]


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_example_mesh_passes_every_rule(env: str) -> None:
    assert violations(resolved(EXAMPLE_DOMAINS), env) == []


def test_example_mesh_exercises_every_resource_rule() -> None:
    """Each resource rule meets at least one resource of the example plan (no vacuous pass)."""
    from datamesh.policy import RULES, ResourceRule

    mesh = resolved(EXAMPLE_DOMAINS)
    types = {r.type for r in build_plan(mesh, "dev").resources}
    idle = [r.id for r in RULES if isinstance(r, ResourceRule) and not any(r.applies_to(t) for t in types)]
    assert idle == []


def test_mesh_facts_of_the_example() -> None:
    facts = mesh_facts(resolved(EXAMPLE_DOMAINS), "dev")
    assert facts["externalAccounts"] == ["444455556666"]
    assert "900000000001" in facts["meshAccounts"] and len(facts["meshAccounts"]) == 7


def test_plan_views_carry_options_parent_and_account() -> None:
    mesh = resolved(EXAMPLE_DOMAINS)
    views = {v.name: v for v in views_of_plan(build_plan(mesh, "dev").resources)}
    bucket = next(v for v in views.values() if v.type == "aws:s3/bucket:Bucket")
    assert (bucket.protect, bucket.retain_on_delete) == (True, True)
    assert bucket.parent_type == "datamesh:mesh:DataProduct"
    assert bucket.account == mesh.account(bucket.domain or "", "dev")
    assert bucket.product is not None and bucket.scope == bucket.product


RESTRICTED = {
    "beta/domain.yaml": domain_yaml("beta", "consumes:\n  - product: alpha/events\n"),
}


def approved(until: str) -> str:
    return f"sharing:\n  approved:\n    - domain: beta\n      until: {until}\n"


def test_validates_but_breaks_restricted_retention(make_mesh: Callable[..., Path]) -> None:
    root = make_mesh({"alpha/products/events.yaml": product_yaml("events", classification="restricted", days=731),
                      **RESTRICTED})
    mesh = resolved(root)
    assert [(rule, scope, message) for rule, _, scope, message in violations(mesh)] == [
        ("mesh-restricted-retention", "alpha/events",
         "retention.days is 731, a restricted product keeps data at most 730 days")]


def test_validates_but_breaks_restricted_grant_duration(make_mesh: Callable[..., Path]) -> None:
    root = make_mesh({"alpha/products/events.yaml": product_yaml("events", approved("2027-11-26"),
                                                                 classification="restricted"),
                      **RESTRICTED})
    found = violations(resolved(root))
    assert [(rule, scope, message) for rule, _, scope, message in found] == [
        ("mesh-restricted-grant-duration", "alpha/events",
         "the grant to beta ends 2027-11-26, 366 days after 2026-11-25; a restricted grant must end "
         "within 365 days (by 2027-11-25)")]


def test_grant_within_365_days_passes(make_mesh: Callable[..., Path]) -> None:
    root = make_mesh({"alpha/products/events.yaml": product_yaml("events", approved("2027-11-25"),
                                                                 classification="restricted"),
                      **RESTRICTED})
    assert violations(resolved(root)) == []


@pytest.mark.parametrize("processes", [2, 3])
def test_judging_slices_in_forked_children_finds_the_same_violations_in_the_same_order(
        processes: int, monkeypatch: pytest.MonkeyPatch) -> None:
    import dataclasses

    from datamesh.policy import engine

    mesh = resolved(EXAMPLE_DOMAINS)
    views = views_of_plan(build_plan(mesh, "dev").resources)
    # Break every bucket's tags and every other access point's policy: violations all along the
    # plan, so each slice has some, of resource rules and stack rules alike.
    broken = []
    for i, view in enumerate(views):
        inputs = dict(view.inputs)
        if "tags" in inputs:
            inputs["tags"] = {}
        if view.type.endswith("AccessPoint") and i % 2:
            inputs["policy"] = '{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*"}]}'
        broken.append(dataclasses.replace(view, inputs=inputs))
    config = PackConfig().with_facts(mesh_facts(mesh, "dev"))
    alone = evaluate(broken, config, TODAY)
    monkeypatch.setattr(engine, "FORK_FROM", 0)
    forked = evaluate(broken, config, TODAY, processes=processes)
    assert len(alone.violations) > 50
    assert len({v.rule for v in alone.violations}) > 3
    assert forked.violations == alone.violations
    assert (forked.passed, forked.resources) == (alone.passed, alone.resources)
