"""Resolved mesh + one environment's plan → the catalog.

Physical facts (bucket names, regions, accounts, access point names, principals, role ARNs) are
read from the plan, the single source of truth, so the catalog shows what ``pulumi up`` creates;
the spec supplies everything people write (descriptions, owners, guarantees, schemas, purposes).
"""

from __future__ import annotations

from collections.abc import Mapping

from datamesh import __version__
from datamesh.catalog.model import (
    AccessPoint,
    Catalog,
    CatalogInfo,
    Column,
    Deprecation,
    Domain,
    ExternalAccount,
    Grant,
    Guarantees,
    LineageEdge,
    Location,
    Owner,
    Pending,
    Product,
    Retention,
    Schema,
    Sharing,
    StandingApproval,
)
from datamesh.grants import Grant as PlannedGrant
from datamesh.mesh import ResolvedMesh
from datamesh.plan import naming
from datamesh.plan.documents import access_point_arn, bucket_arn
from datamesh.plan.domain import provider_name
from datamesh.plan.model import Plan, PlannedResource, placeholder
from datamesh.spec import models as spec
from datamesh.spec.types import role_arn_account


class CatalogBuildError(ValueError):
    """The plan does not describe the mesh it is given with (a bug in the caller)."""


def build_catalog(mesh: ResolvedMesh, plan: Plan) -> Catalog:
    """The catalog of ``plan.environment``, evaluated on the plan's date.

    ``plan`` must be the whole-mesh plan of ``mesh`` (``build_plan(mesh, env)`` without scope):
    a domain-scoped plan lacks the other domains' buckets and grants.
    """
    if plan.scope is not None:
        raise CatalogBuildError(f"the catalog needs the whole-mesh plan, got one scoped to {', '.join(plan.scope)}")
    if plan.mesh != mesh.spec.name or plan.environment not in mesh.spec.environments:
        raise CatalogBuildError(f"plan of {plan.mesh}/{plan.environment} does not belong to mesh {mesh.spec.name}")
    resources = plan.by_name()
    lineage = _lineage(mesh)
    purposes = {(e.product, e.consumer): e.purpose for e in reversed(lineage)}
    """The first request's purpose per (product, consumer) (reversed: the first one wins)."""
    grants_by_product: dict[str, list[PlannedGrant]] = {}
    for g in plan.grants:
        grants_by_product.setdefault(g.product, []).append(g)
    pending_by_product: dict[str, list[Pending]] = {}
    for p in plan.pending:
        pending_by_product.setdefault(p.product, []).append(
            Pending(p.consumer, p.approver, p.expired_on, purposes.get((p.product, p.consumer))))

    products = tuple(
        _product(mesh, resources, plan.environment, key, grants_by_product.get(key, []),
                 pending_by_product.get(key, []), purposes)
        for key in sorted(mesh.products))
    domains = tuple(_domain(mesh, resources, name) for name in sorted(mesh.domains))
    m = mesh.spec
    host = m.discovery.kubernetes.host if m.discovery is not None else None
    info = CatalogInfo(
        mesh=m.name, environment=plan.environment, environments=tuple(m.environments), built_at=plan.today,
        tool_version=__version__, content_hash="", platform_account=m.platform.accounts[plan.environment],
        platform_region=m.platform.region, discovery_url=f"https://{host}" if host else None,
        external_accounts=tuple(ExternalAccount(a.id, a.name, a.contact)
                                for a in sorted(m.external_accounts, key=lambda a: a.id)))
    draft = Catalog(info, domains, products, lineage, plan.today)
    from datamesh.catalog.serialize import content_hash  # serialize imports this module's model

    return Catalog(_with_hash(info, content_hash(draft)), domains, products, lineage, plan.today)


def _with_hash(info: CatalogInfo, digest: str) -> CatalogInfo:
    return CatalogInfo(info.mesh, info.environment, info.environments, info.built_at, info.tool_version, digest,
                       info.platform_account, info.platform_region, info.discovery_url, info.external_accounts)


def _owner(domain: spec.Domain) -> Owner:
    return Owner(domain.owner.team, domain.owner.email, domain.owner.github)


def _lineage(mesh: ResolvedMesh) -> tuple[LineageEdge, ...]:
    edges: set[LineageEdge] = set()
    for key, product in mesh.products.items():
        consumer = key.partition("/")[0]
        for entry in product.inputs:
            edges.add(LineageEdge(entry.product, consumer, key, "inputs", entry.purpose))
    for name, domain in mesh.domains.items():
        for entry in domain.consumes:
            edges.add(LineageEdge(entry.product, name, None, "consumes", entry.purpose))
    return tuple(sorted(edges, key=lambda e: (e.product, e.consumer, e.consumer_product or "", e.via)))


def _provider_facts(resources: Mapping[str, PlannedResource], domain: str) -> tuple[str, str]:
    """(region, account) of the domain's aws provider, as planned."""
    inputs = resources[provider_name(domain)].inputs
    return str(inputs["region"]), str(inputs["allowedAccountIds"][0])


def _sharing(product: spec.DataProduct, domain: str, approver: str) -> Sharing:
    if product.status == "draft":
        reason = "its status is draft: it grants nothing until its owners set it active"
    elif product.status == "retired":
        reason = "it is retired: its access was removed (its data is kept until its retention ends)"
    elif product.sharing.mode == "private":
        reason = f"it is private (sharing.mode: private): nobody outside domain {domain} reads it"
    else:
        reason = None
    return Sharing(product.sharing.mode, approver, reason is None, reason)


def _product(mesh: ResolvedMesh, resources: Mapping[str, PlannedResource], env: str, key: str,
             planned: list[PlannedGrant], pending: list[Pending],
             purposes: Mapping[tuple[str, str], str | None]) -> Product:
    p = mesh.products[key]
    domain = key.partition("/")[0]
    owner = _owner(mesh.domains[domain])
    region, account = _provider_facts(resources, domain)
    bucket = str(resources[naming.child(key, "bucket")].inputs["bucket"])
    approvals = {a.grantee: a for a in p.sharing.approved}
    external_names = {a.id: a.name for a in mesh.spec.external_accounts}
    grants = []
    for g in planned:
        component = resources[naming.child(key, f"grant.{naming.grant_slug(g.consumer)}")]
        ap_resource = naming.child(component.name, "access-point")
        ap_name = str(resources[ap_resource].inputs["name"])
        approval = approvals.get(g.consumer)
        if g.consumer_kind == "domain":
            consumer_account = mesh.account(g.consumer, env)
            display = g.consumer
        else:
            consumer_account = role_arn_account(g.consumer)
            display = external_names[consumer_account]
        purpose = approval.purpose if approval is not None and approval.purpose else purposes.get((key, g.consumer))
        grants.append(Grant(
            consumer=g.consumer, kind=g.consumer_kind, name=display, account=consumer_account,
            principal=str(component.inputs["principal"]), until=g.until, purpose=purpose,
            access_point=AccessPoint(ap_name, access_point_arn(region, account, ap_name),
                                     placeholder(ap_resource, "alias"), ap_resource)))
    guarantees = None
    if p.guarantees is not None:
        g_spec = p.guarantees
        guarantees = Guarantees(g_spec.freshness, g_spec.update_frequency, g_spec.completeness, g_spec.availability)
    schema = None
    if p.schema_ is not None:
        schema = Schema(p.schema_.format, tuple(Column(f.name, f.type, f.required, f.pii, f.description)
                                                for f in p.schema_.fields))
    deprecation = Deprecation(p.deprecation.sunset, p.deprecation.replaced_by) if p.deprecation else None
    return Product(
        key=key, domain=domain, name=p.name, version=p.version, description=p.description, status=p.status,
        type=p.type, classification=p.classification, tags=tuple(p.tags), owner=owner,
        retention=Retention(p.retention.days, p.retention.archive_after_days, p.retention.noncurrent_days),
        guarantees=guarantees, schema=schema, deprecation=deprecation,
        location=Location(bucket, bucket_arn(bucket), region, account),
        sharing=_sharing(p, domain, owner.approver), grants=tuple(sorted(grants)), pending=tuple(sorted(pending)),
        standing_approvals=_standing(p, key, purposes))


def _standing(p: spec.DataProduct, key: str,
              purposes: Mapping[tuple[str, str], str | None]) -> tuple[StandingApproval, ...]:
    """Domain approvals nobody requested; none for a product that grants nothing."""
    if not p.grants_access or p.sharing.mode == "private":
        return ()
    return tuple(sorted(StandingApproval(a.domain, a.until, a.purpose) for a in p.sharing.approved
                        if a.domain is not None and (key, a.domain) not in purposes))


def _domain(mesh: ResolvedMesh, resources: Mapping[str, PlannedResource], name: str) -> Domain:
    d = mesh.domains[name]
    region, account = _provider_facts(resources, name)

    def role(kind: str) -> str:
        inputs = resources[naming.domain_child(name, kind)].inputs
        return f"arn:aws:iam::{account}:role{inputs['path']}{inputs['name']}"

    return Domain(name=name, description=d.description, owner=_owner(d), account=account, region=region,
                  producer_role=role("producer"), consumer_role=role("consumer"),
                  products=tuple(f"{name}/{p.name}" for p in mesh.products_of(name)))
