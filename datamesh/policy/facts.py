"""Mesh facts the rules need, from a resolved mesh: accounts and the grants of one environment.

These are what the deploy-time pack cannot know by itself and must not learn from the program
it judges (whoever edits the program writes its tags and component outputs): ``mesh
policy-config`` writes them into the pack config from the specs, ``mesh check`` computes them
the same way. The names and principals come from the planner's own naming, so the facts and the
plan agree by construction.
"""

from __future__ import annotations

from typing import Any

from datamesh.mesh import ResolvedMesh
from datamesh.plan import naming
from datamesh.plan.context import PlanContext
from datamesh.plan.domain import key_name
from datamesh.plan.model import Plan
from datamesh.plan.platform import PLATFORM_PROVIDER

PLATFORM_OWNER = PLATFORM_PROVIDER.split(".", 1)[0]
"""The first segment of every platform resource's logical name (``_platform``)."""


def mesh_facts(mesh: ResolvedMesh, env: str) -> dict[str, Any]:
    """``meshAccounts`` (the platform's and every domain's account in ``env``),
    ``domainAccounts`` (each domain's account by name, the platform's as ``_platform``),
    ``externalAccounts`` (mesh.yaml ``external_accounts``) and the grants' facts
    (``environment``, ``grants``, ``products``: see ``grant_facts``)."""
    accounts = {mesh.spec.platform.accounts[env]}
    accounts.update(d.aws.accounts[env] for d in mesh.domains.values())
    owners = {PLATFORM_OWNER: mesh.spec.platform.accounts[env]}
    owners.update((name, d.aws.accounts[env]) for name, d in sorted(mesh.domains.items()))
    return {
        "meshAccounts": sorted(accounts),
        "domainAccounts": owners,
        "externalAccounts": sorted({e.id for e in mesh.spec.external_accounts}),
        **grant_facts(mesh, env),
    }


def grant_facts(mesh: ResolvedMesh, env: str) -> dict[str, Any]:
    """The grants the specs decide in ``env``, as ``mesh-grant-matches-spec`` matches them.

    ``grants``: by access point name (the KMS grant has the same name), ``{"product",
    "consumer", "principal", "until"}`` (``until`` ``YYYY-MM-DD`` or null). ``products``: for each
    granted product, ``{"bucket", "account", "key", "classification"}`` (``key`` the logical name
    of the domain's KMS key, as the plan's placeholders name it). Products without grants are
    left out: nothing of theirs is matched, and the config stays proportional to the grants.
    """
    ctx = PlanContext(mesh, env, Plan(mesh=mesh.spec.name, environment=env, today=mesh.today))
    grants: dict[str, dict[str, Any]] = {}
    products: dict[str, dict[str, Any]] = {}
    for grant in mesh.decisions.grants:
        name = naming.access_point_name(ctx.name, env, grant.consumer, grant.product)
        grants[name] = {
            "product": grant.product,
            "consumer": grant.consumer,
            "principal": ctx.consumer_principal(grant.consumer),
            "until": grant.until.isoformat() if grant.until else None,
        }
        if grant.product not in products:
            products[grant.product] = {
                "bucket": ctx.bucket(grant.product),
                "account": ctx.account(grant.producer),
                "key": key_name(grant.producer),
                "classification": mesh.products[grant.product].classification,
            }
    return {"environment": env, "grants": dict(sorted(grants.items())), "products": dict(sorted(products.items()))}
