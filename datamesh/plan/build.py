"""Mesh + environment (+ optional domain scope) → Plan."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace

from datamesh.diagnostics import Diagnostic, Report
from datamesh.errors import UsageError
from datamesh.grants import grant_order, pending_order
from datamesh.mesh import ResolvedMesh
from datamesh.plan.awsvalues import check_aws_values
from datamesh.plan.budgets import MESH_FILE_KEY, check_budgets
from datamesh.plan.context import PlanContext
from datamesh.plan.domain import plan_domain
from datamesh.plan.model import PREVIOUS_DEPLOY, STACK_REFERENCE, THIS_STACK, Plan, PlannedResource
from datamesh.plan.platform import plan_platform
from datamesh.plan.product import plan_product
from datamesh.plan.uniqueness import check_unique_logical_names, check_unique_names
from datamesh.sourcemap import MESH_KEY

PLATFORM_SCOPE = "platform"
"""The scope of the mesh-level stack: the platform provider and the discovery endpoint."""


def build_plan(mesh: ResolvedMesh, env: str, scope: Iterable[str] | None = None,
               progress: Callable[[int, int], None] | None = None, discovery: bool = True) -> Plan:
    """The resources ``env`` needs.

    ``scope`` None plans the whole mesh (one stack); otherwise the named domains (a domain
    stack) and/or ``platform`` (the mesh-level stack). A domain stack's cost depends on its
    domain alone: grants and products are looked up, never scanned mesh-wide.

    ``discovery`` False leaves out the discovery endpoint's Kubernetes objects (the catalog
    built from the AWS side, its ConfigMaps): what ``mesh validate`` measures against AWS's
    limits needs only the AWS side, and the catalog costs as much again as the plan.
    """
    if env not in mesh.spec.environments:
        raise UsageError(f"environment {env!r} is not one of {', '.join(mesh.spec.environments)}")
    wanted = None if scope is None else tuple(dict.fromkeys(scope))
    if wanted is not None:
        unknown = [s for s in wanted if s != PLATFORM_SCOPE and s not in mesh.domains]
        if unknown:
            raise UsageError(f"scope names unknown domain(s): {', '.join(unknown)}",
                             f"use domain names or {PLATFORM_SCOPE!r}")
    plan = _plan_aws(mesh, env, wanted, progress)
    files = {name: mesh.sources.file(name) for name in mesh.domains if wanted is None or name in wanted}
    files.update({key: mesh.sources.file(key) for d in files for key in (f"{d}/{p.name}" for p in mesh.products_of(d))})
    files[MESH_FILE_KEY] = mesh.sources.file(MESH_KEY)
    problems = []
    if discovery and mesh.spec.discovery is not None and (wanted is None or PLATFORM_SCOPE in wanted):
        problems += _plan_discovery(mesh, env, plan)
    _drop_taken_aliases(plan)
    budget = [*check_budgets(plan, files), *check_unique_names(plan, files),
              *check_unique_logical_names(plan, files), *check_aws_values(plan, files), *problems]
    plan.errors = [d for d in budget if d.is_error]
    plan.warnings = [d for d in budget if not d.is_error]
    return plan


def _plan_discovery(mesh: ResolvedMesh, env: str, plan: Plan) -> list[Diagnostic]:
    """Phase two: the catalog of the whole mesh's AWS plan, and the endpoint serving it."""
    # Imported here: the catalog (and its shards) is only needed when a plan has an endpoint.
    from datamesh.catalog.build import build_catalog
    from datamesh.plan.discovery import CatalogTooLarge, plan_discovery

    whole = plan if plan.scope is None else _plan_aws(mesh, env, None, None)
    try:
        plan_discovery(PlanContext(mesh, env, plan), build_catalog(mesh, whole))
    except CatalogTooLarge as exc:
        report = Report()
        mesh_file = mesh.sources.of(MESH_KEY)
        report.add(mesh_file.file, mesh_file.key_at("discovery"), "DM650", "discovery", str(exc),
                   "shorten that product's descriptions or schema, or split the product")
        return report.items
    return []


def _plan_aws(mesh: ResolvedMesh, env: str, wanted: tuple[str, ...] | None,
              progress: Callable[[int, int], None] | None) -> Plan:
    """Phase one: the platform's aws provider, the domains and products, the grants."""
    plan = Plan(mesh=mesh.spec.name, environment=env, today=mesh.today, scope=wanted)
    ctx = PlanContext(mesh, env, plan)
    # Every stack first reads what it deployed last: data-destroying changes are refused against it.
    plan.resources.append(PlannedResource(STACK_REFERENCE, PREVIOUS_DEPLOY, {"name": THIS_STACK}))
    if wanted is None or PLATFORM_SCOPE in wanted:
        plan_platform(ctx)
    domains = list(mesh.domains) if wanted is None else [d for d in wanted if d in mesh.domains]
    for i, domain in enumerate(domains):
        plan_domain(ctx, domain)
        for product in ctx.products_of(domain):
            plan_product(ctx, f"{domain}/{product.name}")
        if progress is not None:
            progress(i + 1, len(domains))
    if wanted is None:
        plan.grants = list(mesh.decisions.grants)
        plan.pending = list(mesh.decisions.pending)
    else:
        plan.grants = sorted((g for d in domains for p in mesh.products_of(d)
                              for g in mesh.grants_of_product(f"{d}/{p.name}")), key=grant_order)
        plan.pending = sorted({p for d in domains for p in mesh.pending_of_domain(d)}, key=pending_order)
    return plan


def _drop_taken_aliases(plan: Plan) -> None:
    """An alias naming a resource the plan still has would claim that resource's state: drop it.

    (Only a mesh that could not deploy before the rename has one: a domain ``ext-<h8>`` beside
    the external principal whose old slug it was.)
    """
    names = {r.name for r in plan.resources}
    for i, r in enumerate(plan.resources):
        if r.options.aliases and names.intersection(r.options.aliases):
            kept = tuple(a for a in r.options.aliases if a not in names)
            plan.resources[i] = replace(r, options=replace(r.options, aliases=kept))
