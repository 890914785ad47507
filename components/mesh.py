"""``materialise(plan)``: the whole Plan as Pulumi resources, and the stack's outputs.

The Plan is the single source of truth; this walks it and hands each component its slice:

1. the platform's ``aws`` provider and the discovery endpoint (top-level resources);
2. every domain (provider, key, roles, role policies) — all domains before any product, so a
   grant's ``depends_on`` on another domain's consumer role always finds the role;
3. every product (bucket and settings) with its grants, parented to its domain.

A resource type or input the components do not know raises ``PlanMismatch``: nothing the
plan says is dropped silently (the conformance test proves the converse: nothing is added).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from components._context import PlanMismatch, StackContext, expect
from components.access_grant import AccessGrant
from components.data_product import TYPE as PRODUCT_TYPE
from components.data_product import DataProduct
from components.discovery import TYPE as DISCOVERY_TYPE
from components.discovery import DiscoveryEndpoint
from components.domain import TYPE as DOMAIN_TYPE
from components.domain import Domain, aws_provider
from datamesh.plan import Plan, PlannedResource
from datamesh.plan.model import PROVIDER_AWS, STACK_REFERENCE, THIS_STACK, Options

DIY_ORGANIZATION = "organization"
"""The organization of every stack of a self-managed (DIY) backend."""


@dataclass(slots=True)
class Materialised:
    """What ``materialise`` made, by logical name."""

    context: StackContext
    providers: dict[str, aws.Provider] = field(default_factory=dict)
    """Top-level providers (the platform's)."""
    domains: dict[str, Domain] = field(default_factory=dict)
    products: dict[str, DataProduct] = field(default_factory=dict)
    discovery: DiscoveryEndpoint | None = None
    previous: pulumi.StackReference | None = None
    """The read of this stack's own outputs of its last deploy (``_stack.previous``)."""

    @property
    def grants(self) -> dict[str, AccessGrant]:
        return {name: g for p in self.products.values() for name, g in p.grants.items()}

    @property
    def resources(self) -> dict[str, pulumi.Resource]:
        return dict(self.context.resources)


def _descendants(name: str, children_of: dict[str | None, list[PlannedResource]]) -> list[PlannedResource]:
    """Every resource below ``name``, depth first, each parent before its children."""
    out: list[PlannedResource] = []
    for child in children_of.get(name, []):
        out.append(child)
        out.extend(_descendants(child.name, children_of))
    return out


def this_stack() -> str:
    """The running stack's fully qualified name, ``<organization>/<project>/<stack>``: what the
    plan's ``${stack}`` stands for."""
    return f"{pulumi.get_organization() or DIY_ORGANIZATION}/{pulumi.get_project()}/{pulumi.get_stack()}"


def previous_deploy(r: PlannedResource) -> pulumi.StackReference:
    """The planned read of this stack's last outputs: a stack reference to the stack itself."""
    expect(r.name, r.inputs, ["name"])
    if r.inputs["name"] != THIS_STACK or r.parent is not None or r.provider is not None or r.options != Options():
        raise PlanMismatch(f"{r.name}: a stack reads only its own outputs, with no options")
    return pulumi.StackReference(r.name, stack_name=this_stack())


def materialise(plan: Plan, guard: Callable[[pulumi.StackReference], None] | None = None) -> Materialised:
    """Register every resource of ``plan`` (its stack: whole mesh, domains or platform).

    The read of the last deploy comes first; ``guard`` is called with it before any other
    resource is registered, so a guard that raises (a change that deletes data, unacknowledged)
    stops the run with nothing else registered — nothing created, changed or deleted.
    """
    ctx = StackContext(plan.resources)
    out = Materialised(ctx)
    children_of: dict[str | None, list[PlannedResource]] = {}
    for r in plan.resources:
        children_of.setdefault(r.parent, []).append(r)
    domains = [r for r in children_of.get(None, []) if r.type == DOMAIN_TYPE]
    for r in children_of.get(None, []):
        if r.type == STACK_REFERENCE:
            out.previous = ctx.add(r.name, previous_deploy(r))
    if guard is not None:
        if out.previous is None:
            raise PlanMismatch("the plan has no read of the last deploy: nothing to guard against")
        guard(out.previous)
    for r in children_of.get(None, []):
        if r.type == STACK_REFERENCE:
            continue
        if r.type == PROVIDER_AWS:
            out.providers[r.name] = ctx.add(r.name, aws_provider(r, ctx, None))
        elif r.type == DISCOVERY_TYPE:
            out.discovery = DiscoveryEndpoint(r, _descendants(r.name, children_of), ctx)
        elif r.type != DOMAIN_TYPE:
            raise PlanMismatch(f"{r.name}: no component materialises a top-level {r.type}")
    for d in domains:
        own = [c for c in children_of.get(d.name, []) if c.type != PRODUCT_TYPE]
        out.domains[d.name] = Domain(d, own, ctx)
    for d in domains:
        for p in children_of.get(d.name, []):
            if p.type == PRODUCT_TYPE:
                out.products[p.name] = DataProduct(p, _descendants(p.name, children_of), ctx,
                                                   pulumi.ResourceOptions(parent=out.domains[d.name]))
    missing = [r.name for r in plan.resources if r.name not in ctx.resources]
    if missing:
        raise PlanMismatch(f"not materialised (under an unknown parent?): {', '.join(missing[:10])}")
    return out


def stack_outputs(plan: Plan, made: Materialised) -> dict[str, Any]:
    """The stack outputs: what a consumer or an operator asks a stack.

    - ``environment``; ``scope`` (None: the whole mesh);
    - ``buckets``: ``<domain>/<product>`` → bucket name (retired products too);
    - ``grants``: product, consumer, until (None: no end), and the ARN and alias of the access
      point through which the consumer reads;
    - ``pending``: requests awaiting approval, with the approver who must act.
    """
    by_name = plan.by_name()
    access_points = {(by_name[name].inputs["product"], by_name[name].inputs["consumer"]): g.access_point
                     for name, g in made.grants.items()}
    return {
        "environment": plan.environment,
        "scope": list(plan.scope) if plan.scope is not None else None,
        "buckets": {name: p.bucket.bucket for name, p in made.products.items()},
        "grants": [
            {
                "product": g.product,
                "consumer": g.consumer,
                "until": g.until.isoformat() if g.until else None,
                "accessPointArn": access_points[(g.product, g.consumer)].arn,
                "accessPointAlias": access_points[(g.product, g.consumer)].alias,
            }
            for g in plan.grants
        ],
        "pending": [{"product": p.product, "consumer": p.consumer, "approver": p.approver}
                    for p in plan.pending],
    }
