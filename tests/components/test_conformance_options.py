"""The conformance check sees every field of the register request, not only the planned options.

Issue 10 §6: adding ``ignore_changes=["policy"], delete_before_replace=True`` to every resource in
``components/_context.py`` left every test green — with that change a revoked grant would never
reach AWS. Here each option a program could add (or flip) is injected into every resource the
components register, and the check must fail naming the request field it changed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pulumi
import pytest
from meshtree import TODAY, domain_yaml, mesh_yaml, product_yaml
from pulumi_harness import (
    PLANNED_FIELDS,
    SDK_FIELDS,
    SOURCE_FIELDS,
    Engine,
    differences,
    wait_for,
)

from components import _context
from components.mesh import materialise
from datamesh.plan import Plan, PlannedResource, build_plan
from datamesh.resolve import load_mesh

PARTNER = "arn:aws:iam::444455556666:role/partner-reader"
PLATFORM = "_platform.aws"
FILES = {
    "mesh.yaml": mesh_yaml(extra="discovery:\n  kubernetes:\n    image: ghcr.io/acme/mesh-discovery:1.0.0\n"
                                 "    host: catalog.acme.example\n"),
    "beta/domain.yaml": domain_yaml("beta", "consumes:\n  - product: alpha/events\n"),
    "alpha/products/events.yaml": product_yaml("events", (
        "sharing:\n  approved:\n    - domain: beta\n      until: 2027-01-31\n"
        f"    - principal: {PARTNER}\n")),
}
"""Every kind of resource the components make: domains, a product, a domain and an external
grant (with its aliases), the platform provider and the discovery endpoint."""

Inject = Callable[[PlannedResource, pulumi.Resource | None, _context.StackContext], pulumi.ResourceOptions]
"""Extra options for one planned resource, given its parent and the stack's resources so far."""


@pytest.fixture(scope="module")
def small_plan(tmp_path_factory: pytest.TempPathFactory) -> Plan:
    from meshtree import write_tree

    root = write_tree(tmp_path_factory.mktemp("options") / "domains", FILES)
    resolution = load_mesh(str(root), TODAY)
    assert resolution.mesh is not None, [d.format() for d in resolution.report.errors]
    return build_plan(resolution.mesh, "dev")


def registered_differences(plan: Plan, engine: Engine) -> list[str]:
    found: list[str] = []

    @pulumi.runtime.test
    def deploy() -> Any:
        made = materialise(plan)
        registered = wait_for(made.resources.values())
        return registered.apply(lambda _: found.extend(differences(plan, engine.registrations())))

    deploy()
    assert len(engine.registrations()) == len(plan.resources)
    return found


def inject(monkeypatch: pytest.MonkeyPatch, extra: Inject) -> None:
    """Every resource of the components (custom and component) also gets ``extra``'s options."""
    options, component_options = _context.StackContext.options, _context.StackContext.component_options

    def with_extra(self: _context.StackContext, planned: PlannedResource,
                   parent: pulumi.Resource | None) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions.merge(options(self, planned, parent), extra(planned, parent, self))

    def component_with_extra(self: _context.StackContext, planned: PlannedResource,
                             opts: pulumi.ResourceOptions | None) -> pulumi.ResourceOptions:
        merged = component_options(self, planned, opts)
        return pulumi.ResourceOptions.merge(merged, extra(planned, merged.parent, self))

    monkeypatch.setattr(_context.StackContext, "options", with_extra)
    monkeypatch.setattr(_context.StackContext, "component_options", component_with_extra)


def test_the_components_register_exactly_the_plan(small_plan: Plan, new_engine: Callable[..., Engine]) -> None:
    assert registered_differences(small_plan, new_engine()) == []


Options = pulumi.ResourceOptions

INJECTIONS: list[tuple[str, Inject, str]] = [
    ("ignore_changes", lambda p, parent, ctx: Options(ignore_changes=["policy"]), "ignoreChanges"),
    ("delete_before_replace", lambda p, parent, ctx: Options(delete_before_replace=True), "deleteBeforeReplace"),
    ("replace_on_changes", lambda p, parent, ctx: Options(replace_on_changes=["tags"]), "replaceOnChanges"),
    ("custom_timeouts", lambda p, parent, ctx: Options(custom_timeouts=pulumi.CustomTimeouts(create="1m")),
     "customTimeouts"),
    ("additional_secret_outputs", lambda p, parent, ctx: Options(additional_secret_outputs=["arn"]),
     "additionalSecretOutputs"),
    # (on custom resources only: a component waiting for its own parent is a cycle)
    ("deleted_with", lambda p, parent, ctx: Options(deleted_with=None if p.is_component else parent), "deletedWith"),
    ("import_", lambda p, parent, ctx: Options(import_="an-existing-id"), "importId"),
    ("retain_on_delete flipped", lambda p, parent, ctx: Options(retain_on_delete=not p.options.retain_on_delete),
     "retainOnDelete"),
    ("protect flipped", lambda p, parent, ctx: Options(protect=not p.options.protect), "protect"),
    ("version", lambda p, parent, ctx: Options(version="9.9.9"), "version"),
    ("plugin_download_url", lambda p, parent, ctx: Options(plugin_download_url="https://plugins.example.invalid"),
     "pluginDownloadURL"),
    ("an alias the plan does not state", lambda p, parent, ctx: Options(aliases=[pulumi.Alias(name="x")]), "aliases"),
    ("an extra dependency", lambda p, parent, ctx: Options(
        depends_on=None if p.is_component or p.name == PLATFORM else [ctx[PLATFORM]]), "dependencies"),
]


@pytest.mark.parametrize(("option", "extra", "field"), INJECTIONS, ids=[i[0] for i in INJECTIONS])
def test_an_option_the_plan_does_not_state_fails_conformance_naming_the_field(
        small_plan: Plan, new_engine: Callable[..., Engine], monkeypatch: pytest.MonkeyPatch,
        option: str, extra: Inject, field: str) -> None:
    inject(monkeypatch, extra)
    found = registered_differences(small_plan, new_engine())
    fields = {line.split(":", 1)[0].rsplit(" ", 1)[1] for line in found}
    assert field in fields, found[:5]
    # Only the injected option (and what it implies) differs: the check names what changed.
    implied = {"deleteBeforeReplace": {"deleteBeforeReplaceDefined"}}.get(field, set())
    assert fields <= {field, *implied}, found[:5]
    # Every custom resource shows it; whether the component resources do depends on the option.
    custom = {r.name for r in small_plan.resources if not r.is_component}
    if field == "deletedWith":
        custom -= {r.name for r in small_plan.resources if r.parent is None}
    if field == "dependencies":
        custom -= {PLATFORM}
    assert custom <= {line.split(" ", 1)[0] for line in found if f" {field}:" in line}


def test_the_classes_of_request_fields_are_disjoint_and_name_real_fields() -> None:
    from pulumi.runtime.proto import resource_pb2

    names = {f.name for f in resource_pb2.RegisterResourceRequest.DESCRIPTOR.fields}
    classes = [set(PLANNED_FIELDS), set(SDK_FIELDS), set(SOURCE_FIELDS)]
    assert all(c <= names for c in classes)
    assert sum(len(c) for c in classes) == len(set().union(*classes))
    # Every other field must be at its default: ignoreChanges, deleteBeforeReplace … among them.
    defaults = names - set().union(*classes)
    assert {"ignoreChanges", "deleteBeforeReplace", "customTimeouts", "importId", "deletedWith",
            "replaceOnChanges", "pluginDownloadURL", "transforms", "remote", "providers"} <= defaults


def test_the_plan_aliases_reach_the_engine(small_plan: Plan, new_engine: Callable[..., Engine]) -> None:
    """§5: the renamed external grant's former names are in its register requests (alias specs)."""
    from google.protobuf import json_format

    from datamesh.plan.naming import h8

    engine = new_engine()
    assert registered_differences(small_plan, engine) == []
    old = f"alpha/events.grant.ext-{h8(PARTNER)}"
    registered = engine.registrations()
    assert {name: [json_format.MessageToDict(a) for a in registered[name].request.aliases]
            for name in registered if name.startswith("alpha/events.grant._ext-")} == {
        f"alpha/events.grant._ext-{h8(PARTNER)}": [{"spec": {"name": old, "parentUrn": ""}}],
        f"alpha/events.grant._ext-{h8(PARTNER)}.access-point": [
            {"spec": {"name": f"{old}.access-point", "parentUrn": ""}}],
        f"alpha/events.grant._ext-{h8(PARTNER)}.key-grant": [{"spec": {"name": f"{old}.key-grant", "parentUrn": ""}}],
    }


def test_the_same_program_without_the_aliases_fails_conformance(
        small_plan: Plan, new_engine: Callable[..., Engine], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_context, "aliases", lambda planned: None)
    found = registered_differences(small_plan, new_engine())
    assert sorted(line.split(" ", 1)[0] for line in found) == sorted(
        r.name for r in small_plan.resources if r.options.aliases)
    assert all(" aliases: plan " in line for line in found)

