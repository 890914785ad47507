"""Conformance: what the Pulumi program registers under mocks is exactly the Plan.

For every environment of the example mesh (tests/fixtures/streaming, evaluated on 2026-11-25),
and for scoped stacks (one domain, several domains, the mesh-level ``platform`` stack): the same
set of (type, name), and for each resource the whole RegisterResource request — every field the
plan states equal to the plan (parent, provider, inputs, protect, retainOnDelete, dependencies,
aliases …), the SDK's own fields at their exact values, every other field of the protobuf
message at its default. The field classes and normalisations are documented in
pulumi_harness.py; test_conformance_options.py proves the check sees injected options.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pulumi
import pytest
from pulumi.runtime.settings import get_root_resource
from pulumi_harness import Engine, assert_conforms, wait_for

from datamesh.plan import Plan, build_plan
from datamesh.plan.naming import h8
from datamesh.resolve import load_mesh

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "tests" / "fixtures" / "streaming" / "domains"
TODAY = date(2026, 11, 25)


def example_plan(env: str, scope: list[str] | None = None) -> Plan:
    resolution = load_mesh(str(EXAMPLE), TODAY)
    assert resolution.mesh is not None, [d.format() for d in resolution.report.errors]
    return build_plan(resolution.mesh, env, scope)


def run_program(program: dict[str, Any], engine: Engine, plan: Plan) -> Any:
    """Run the program's ``main``; once registered, compare with ``plan`` and return outputs."""
    made = program["deploy"](EXAMPLE, TODAY)
    outputs = get_root_resource().outputs

    def check(_: Any) -> None:
        assert_conforms(plan, engine.registrations())

    return wait_for(made.resources.values(), pulumi.Output.from_input(outputs)).apply(check)


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_every_environment_registers_exactly_its_plan(program, new_engine, env):
    plan = example_plan(env)
    assert len(plan.resources) > 150

    engine = new_engine(stack=f"example-{env}", config={"datamesh:environment": env})

    @pulumi.runtime.test
    def deploy():
        return run_program(program, engine, plan)

    deploy()
    assert len(engine.registrations()) == len(plan.resources)


def test_the_environment_defaults_to_the_stack_name(program, new_engine):
    engine = new_engine(stack="prod")

    @pulumi.runtime.test
    def deploy():
        return run_program(program, engine, example_plan("prod"))

    deploy()
    assert engine.registrations()["playlist.aws"].inputs["allowedAccountIds"] == '["210000000003"]'


@pytest.mark.parametrize(("raw", "scope"), [
    ('["playlist"]', ["playlist"]),
    ("player, artists", ["player", "artists"]),
    ('["platform"]', ["platform"]),
    ("platform,listeners", ["platform", "listeners"]),
])
def test_a_scoped_stack_registers_exactly_its_scoped_plan(program, new_engine, raw, scope):
    plan = example_plan("prod", scope)
    engine = new_engine(stack="prod-scoped", config={"datamesh:environment": "prod", "datamesh:scope": raw})

    @pulumi.runtime.test
    def deploy():
        return run_program(program, engine, plan)

    deploy()
    names = set(engine.registrations())
    assert names == {r.name for r in plan.resources}
    domains = {r.domain for r in plan.resources} - {None}
    assert domains == set(scope) - {"platform"}
    assert ("_platform.aws" in names) == ("platform" in scope)


def test_a_domain_stack_waits_only_for_consumer_roles_it_deploys(program, new_engine):
    """Scoped to artists: its grant to playlist cannot wait for playlist's role (another
    stack); scoped to artists and playlist, it does."""
    grant_ap = "artists/artist-catalog.grant.playlist.access-point"
    alone = example_plan("dev", ["artists"]).by_name()[grant_ap]
    together = example_plan("dev", ["artists", "playlist"]).by_name()[grant_ap]
    assert alone.options.depends_on == ()
    assert together.options.depends_on == ("playlist.consumer",)

    engine = new_engine(config={"datamesh:scope": "artists,playlist"})

    @pulumi.runtime.test
    def deploy():
        return run_program(program, engine, example_plan("dev", ["artists", "playlist"]))

    deploy()
    assert engine.registrations()[grant_ap].dependencies == {
        "playlist.consumer", "artists/artist-catalog.bucket"}


def test_stack_outputs_are_the_grants_pending_and_buckets(program, new_engine):
    plan = example_plan("dev")
    engine = new_engine(config={"datamesh:environment": "dev"})
    seen: dict[str, Any] = {}

    @pulumi.runtime.test
    def deploy():
        made = program["deploy"](EXAMPLE, TODAY)
        outputs = pulumi.Output.from_input(get_root_resource().outputs)
        return wait_for(made.resources.values(), outputs).apply(lambda v: seen.update(v[-1]))

    deploy()
    assert engine.registrations()
    assert sorted(seen) == ["buckets", "environment", "grants", "pending", "scope"]
    assert seen["environment"] == "dev"
    assert seen["scope"] is None
    assert seen["buckets"] == {r.product: r.inputs["bucket"] for r in plan.of_type("datamesh:mesh:DataProduct")}
    assert seen["buckets"]["playlist/listening-sessions"] == "daff-dev--playlist--listening-sessions"
    assert len(seen["grants"]) == 16
    assert {"product": "partners/partner-reports",
            "consumer": "arn:aws:iam::444455556666:role/yogaflow-reports",
            "until": "2028-06-30",
            # the mock's ARN of the grant's access point: the real Output, not a copy of the plan
            "accessPointArn": "${partners/partner-reports.grant._ext-"
                              f"{h8('arn:aws:iam::444455556666:role/yogaflow-reports')}.access-point.arn}}",
            "accessPointAlias": None} in seen["grants"]
    assert seen["pending"] == [
        {"product": "artist-payments/royalty-statements", "consumer": "partners",
         "approver": "@daff/artist-payments"},
        {"product": "partners/partner-reports", "consumer": "artists",
         "approver": "partners-data@daff.example"},
    ]
    assert json.loads(json.dumps(seen))  # plain data: what `pulumi stack output --json` prints

