"""The catalog as JSON: the evaluated view people and the API read, the stored facts, and back.

Two renderings of one value:

- ``catalog_json`` (what ``mesh catalog`` prints, and the server's bodies through
  ``product_json`` / ``domain_json`` / ``lineage_json``): everything, with the date-dependent
  parts — grant ``state``, pending requests, lineage ``state``, ``past_sunset``, ``revision`` —
  evaluated on ``catalog.evaluated_on``, plus the derived how-to-get-access instructions.
- ``facts_json``: only the stored facts (no evaluated or derived key); what the shards hold and
  what the content hash covers.

``catalog_from_json`` reads either (evaluated and derived keys are ignored and recomputed), so a
catalog written on one day and served on another shows the access of the day it is served.
Every list is sorted and every mapping built in a fixed order: equal catalogs give equal bytes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any, TypeVar

from datamesh.catalog.access import HowToGetAccess, Snippet, how_to_get_access
from datamesh.catalog.errors import CatalogReadError
from datamesh.catalog.model import (
    FORMAT,
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

Json = dict[str, Any]
T = TypeVar("T")

_UNHASHED = ("built_at", "evaluated_on", "content_hash")
"""Catalog keys the content hash leaves out: equal meshes hash equal whatever day they were built."""


def dumps(data: Any) -> bytes:
    """Canonical compact JSON bytes (UTF-8, keys in the order built)."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def content_hash(catalog: Catalog) -> str:
    facts = facts_json(catalog)
    facts["catalog"] = {k: v for k, v in facts["catalog"].items() if k not in _UNHASHED}
    return "sha256:" + hashlib.sha256(dumps(facts)).hexdigest()


# --- writing -------------------------------------------------------------------------------------


def _day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _owner(owner: Owner) -> Json:
    return {"team": owner.team, "email": owner.email, "github": owner.github}


def info_json(catalog: Catalog, evaluated: bool = True) -> Json:
    i = catalog.info
    out: Json = {
        "mesh": i.mesh, "environment": i.environment, "environments": list(i.environments),
        "built_at": i.built_at.isoformat(), "evaluated_on": catalog.evaluated_on.isoformat(),
        "tool_version": i.tool_version, "content_hash": i.content_hash,
    }
    if evaluated:
        out["revision"] = catalog.revision
        out["valid_through"] = _day(catalog.evaluation_period()[1])
    return out


def _grant(grant: Grant, day: date | None) -> Json:
    ap = grant.access_point
    out: Json = {
        "consumer": grant.consumer, "kind": grant.kind, "name": grant.name, "account": grant.account,
        "principal": grant.principal, "until": _day(grant.until), "purpose": grant.purpose,
        "access_point": {"name": ap.name, "arn": ap.arn, "alias": ap.alias, "resource": ap.resource},
    }
    if day is not None:
        out["state"] = "active" if grant.active_on(day) else "expired"
        out["access_point"]["known_after_deploy"] = list(AccessPoint.KNOWN_AFTER_DEPLOY)
    return out


def _pending(p: Pending) -> Json:
    return {"consumer": p.consumer, "approver": p.approver, "expired_on": _day(p.expired_on), "purpose": p.purpose}


def _snippet(s: Snippet | None) -> Json | None:
    if s is None:
        return None
    return {"file": s.file, "add_under": s.add_under, "yaml": s.yaml, "written_by": s.written_by}


def _how(how: HowToGetAccess) -> Json:
    return {"summary": how.summary, "from_product": _snippet(how.from_product),
            "from_domain": _snippet(how.from_domain), "approval": _snippet(how.approval),
            "external": _snippet(how.external)}


def product_json(catalog: Catalog, key: str, evaluated: bool = True) -> Json:
    """One product's descriptor (``GET /products/{domain}/{product}``), evaluated on
    ``catalog.evaluated_on``; ``UnknownProductError`` for an unknown key."""
    p = catalog.product(key)
    day = catalog.evaluated_on if evaluated else None
    deprecation: Json | None = None
    if p.deprecation is not None:
        deprecation = {"sunset": p.deprecation.sunset.isoformat(), "replaced_by": p.deprecation.replaced_by}
        if day is not None:
            deprecation["past_sunset"] = p.deprecation.past_sunset(day)
    schema = None
    if p.schema is not None:
        schema = {"format": p.schema.format, "fields": [
            {"name": c.name, "type": c.type, "required": c.required, "pii": c.pii, "description": c.description}
            for c in p.schema.fields]}
    loc = p.location
    location: Json = {"bucket": loc.bucket, "bucket_arn": loc.bucket_arn, "region": loc.region, "account": loc.account}
    if day is not None:
        location["s3_uri"] = loc.s3_uri
    access: Json = {"mode": p.sharing.mode, "approver": p.sharing.approver, "requestable": p.sharing.requestable,
                    "reason": p.sharing.reason}
    if day is not None:
        how = how_to_get_access(p)
        access["how"] = _how(how) if how.requestable else None
    access["grants"] = [_grant(g, day) for g in p.grants]
    pending = p.access_on(day).pending if day is not None else p.pending
    access["pending"] = [_pending(x) for x in pending]
    access["approved_not_requested"] = [{"domain": a.domain, "until": _day(a.until), "purpose": a.purpose}
                                        for a in p.standing_approvals]
    out: Json = {
        "id": p.key, "domain": p.domain, "name": p.name, "version": p.version, "description": p.description,
        "status": p.status, "type": p.type, "classification": p.classification, "tags": list(p.tags),
        "owner": _owner(p.owner), "deprecation": deprecation,
        "retention": {"days": p.retention.days, "archive_after_days": p.retention.archive_after_days,
                      "noncurrent_days": p.retention.noncurrent_days},
        "guarantees": p.guarantees.written() if p.guarantees is not None else None,
        "schema": schema, "location": location, "access": access,
    }
    if day is not None:
        out["lineage"] = {
            "inputs": [{"product": e.product, "purpose": e.purpose, "state": catalog.edge_state(e)}
                       for e in catalog.inputs_of(key)],
            "consumers": [{"consumer": e.consumer, "consumer_product": e.consumer_product, "via": e.via,
                           "purpose": e.purpose, "state": catalog.edge_state(e)} for e in catalog.consumers_of(key)],
        }
    return out


def product_summary_json(catalog: Catalog, key: str) -> Json:
    """A product in a list (``GET /products``): identity, status and how it is shared."""
    p = catalog.product(key)
    return {"id": p.key, "domain": p.domain, "name": p.name, "version": p.version, "description": p.description,
            "status": p.status, "type": p.type, "classification": p.classification, "tags": list(p.tags),
            "owner": _owner(p.owner), "mode": p.sharing.mode}


def domain_json(catalog: Catalog, name: str, evaluated: bool = True) -> Json:
    """One domain (``GET /domains`` lists these); ``KeyError`` for an unknown name."""
    d = catalog.domain(name)
    if d is None:
        raise KeyError(name)
    out: Json = {"name": d.name, "description": d.description, "owner": _owner(d.owner)}
    if evaluated:
        out["approver"] = d.owner.approver
    out.update({"account": d.account, "region": d.region,
                "roles": {"producer": d.producer_role, "consumer": d.consumer_role}})
    if evaluated:
        out["products"] = list(d.products)
        out["consumes"] = [{"product": e.product, "purpose": e.purpose, "state": catalog.edge_state(e)}
                           for e in catalog.consumes_of(name)]
    return out


def _edge(catalog: Catalog, e: LineageEdge, evaluated: bool) -> Json:
    out: Json = {"from": e.product, "to": e.target, "to_kind": "product" if e.consumer_product else "domain",
                 "consumer": e.consumer, "via": e.via, "purpose": e.purpose}
    if evaluated:
        out["state"] = catalog.edge_state(e)
    return out


def lineage_json(catalog: Catalog, evaluated: bool = True) -> Json:
    """The mesh's lineage graph (``GET /lineage``): nodes are products (and the domains that read
    through ``consumes``), edges the requests with their grant state."""
    edges = [_edge(catalog, e, evaluated) for e in catalog.lineage]
    if not evaluated:
        return {"edges": edges}
    nodes: list[Json] = [{"id": p.key, "kind": "product", "domain": p.domain, "status": p.status,
                          "classification": p.classification} for p in catalog.products]
    readers = sorted({e.consumer for e in catalog.lineage if e.consumer_product is None})
    nodes += [{"id": name, "kind": "domain", "domain": name} for name in readers]
    return {"nodes": nodes, "edges": edges}


def catalog_json(catalog: Catalog, evaluated: bool = True) -> Json:
    """The whole catalog; ``evaluated=False`` gives ``facts_json``."""
    i = catalog.info
    return {
        "format": FORMAT,
        "catalog": info_json(catalog, evaluated),
        "platform": {"account": i.platform_account, "region": i.platform_region, "discovery_url": i.discovery_url},
        "external_accounts": [{"id": a.id, "name": a.name, "contact": a.contact} for a in i.external_accounts],
        "domains": [domain_json(catalog, d.name, evaluated) for d in catalog.domains],
        "products": [product_json(catalog, p.key, evaluated) for p in catalog.products],
        "lineage": lineage_json(catalog, evaluated),
    }


def facts_json(catalog: Catalog) -> Json:
    return catalog_json(catalog, evaluated=False)


# --- reading -------------------------------------------------------------------------------------


_ABSENT = object()


class _Reader:
    """Typed access to parsed JSON; a wrong shape is a ``CatalogReadError`` naming the path."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, path: str, message: str) -> CatalogReadError:
        return CatalogReadError("DM601", self.source, f"{path}: {message}",
                                "rebuild it with `mesh catalog --output FILE` (or `--shards DIR`)")

    def opt(self, obj: Mapping[str, Any], key: str, path: str, kind: type[T]) -> T | None:
        """The value at ``key``, which may be null (but not missing)."""
        if isinstance(obj, dict) and key in obj and obj[key] is None:
            return None
        return self.get(obj, key, path, kind)

    def get(self, obj: Mapping[str, Any], key: str, path: str, kind: type[T]) -> T:
        # The common case first (a dict holding a value of exactly that type): a 10,000-product
        # catalog makes a million of these calls while the server starts.
        if type(obj) is dict:
            value = obj.get(key, _ABSENT)
            if type(value) is kind:
                return value
        if not isinstance(obj, dict):
            raise self.fail(path, "expected an object")
        if key not in obj:
            raise self.fail(f"{path}.{key}", "missing")
        value = obj[key]
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise self.fail(f"{path}.{key}", f"expected {kind.__name__}, got {type(value).__name__}")
        return value

    def text(self, obj: Mapping[str, Any], key: str, path: str) -> str:
        return self.get(obj, key, path, str)

    def opt_text(self, obj: Mapping[str, Any], key: str, path: str) -> str | None:
        return self.opt(obj, key, path, str)

    def day(self, obj: Mapping[str, Any], key: str, path: str, optional: bool = False) -> date | None:
        value = self.opt(obj, key, path, str) if optional else self.get(obj, key, path, str)
        if value is None:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise self.fail(f"{path}.{key}", f"expected a date YYYY-MM-DD, got {value!r}") from None

    def req_day(self, obj: Mapping[str, Any], key: str, path: str) -> date:
        value = self.day(obj, key, path)
        assert value is not None
        return value

    def items(self, obj: Mapping[str, Any], key: str, path: str, each: Callable[[Any, str], T]) -> tuple[T, ...]:
        values = self.get(obj, key, path, list)
        return tuple(each(v, f"{path}.{key}[{i}]") for i, v in enumerate(values))

    def choice(self, obj: Mapping[str, Any], key: str, path: str, allowed: tuple[str, ...]) -> Any:
        value = self.text(obj, key, path)
        if value not in allowed:
            raise self.fail(f"{path}.{key}", f"expected one of {', '.join(allowed)}, got {value!r}")
        return value


def catalog_from_json(data: Any, source: str = "<catalog>") -> Catalog:
    """The catalog in ``data`` (``catalog_json`` or ``facts_json`` output), evaluated on the
    ``evaluated_on`` it was written with (call ``as_of`` for another day)."""
    r = _Reader(source)
    if not isinstance(data, Mapping) or data.get("format") != FORMAT:
        got = data.get("format") if isinstance(data, Mapping) else type(data).__name__
        raise CatalogReadError("DM600", source, f"not a catalog of format {FORMAT} (format: {got!r})",
                               "give a file written by `mesh catalog --output FILE`, or a shard directory")
    c = r.get(data, "catalog", "$", dict)
    platform = r.get(data, "platform", "$", dict)

    def owner(o: Any, path: str) -> Owner:
        return Owner(r.text(o, "team", path), r.text(o, "email", path), r.opt_text(o, "github", path))

    def external(o: Any, path: str) -> ExternalAccount:
        return ExternalAccount(r.text(o, "id", path), r.text(o, "name", path), r.opt_text(o, "contact", path))

    def domain(o: Any, path: str) -> Domain:
        roles = r.get(o, "roles", path, dict)
        return Domain(r.text(o, "name", path), r.text(o, "description", path),
                      owner(r.get(o, "owner", path, dict), f"{path}.owner"), r.text(o, "account", path),
                      r.text(o, "region", path), r.text(roles, "producer", f"{path}.roles"),
                      r.text(roles, "consumer", f"{path}.roles"), ())

    def edge(o: Any, path: str) -> LineageEdge:
        kind = r.choice(o, "to_kind", path, ("product", "domain"))
        return LineageEdge(r.text(o, "from", path), r.text(o, "consumer", path),
                           r.text(o, "to", path) if kind == "product" else None,
                           r.choice(o, "via", path, ("inputs", "consumes")), r.opt_text(o, "purpose", path))

    products = r.items(data, "products", "$", lambda o, path: _product(r, o, path))
    domains = r.items(data, "domains", "$", domain)
    keys_by_domain: dict[str, list[str]] = {}
    for p in products:
        keys_by_domain.setdefault(p.domain, []).append(p.key)
    domains = tuple(Domain(d.name, d.description, d.owner, d.account, d.region, d.producer_role, d.consumer_role,
                           tuple(keys_by_domain.get(d.name, ()))) for d in domains)
    info = CatalogInfo(
        mesh=r.text(c, "mesh", "$.catalog"), environment=r.text(c, "environment", "$.catalog"),
        environments=tuple(r.items(c, "environments", "$.catalog", lambda v, p: _str(r, v, p))),
        built_at=r.req_day(c, "built_at", "$.catalog"), tool_version=r.text(c, "tool_version", "$.catalog"),
        content_hash=r.text(c, "content_hash", "$.catalog"),
        platform_account=r.text(platform, "account", "$.platform"),
        platform_region=r.text(platform, "region", "$.platform"),
        discovery_url=r.opt_text(platform, "discovery_url", "$.platform"),
        external_accounts=r.items(data, "external_accounts", "$", external))
    lineage = r.items(r.get(data, "lineage", "$", dict), "edges", "$.lineage", edge)
    return Catalog(info, domains, products, lineage, r.req_day(c, "evaluated_on", "$.catalog"))


def _str(r: _Reader, value: Any, path: str) -> str:
    if not isinstance(value, str):
        raise r.fail(path, f"expected str, got {type(value).__name__}")
    return value


def _product(r: _Reader, o: Any, path: str) -> Product:
    key = r.text(o, "id", path)
    dep = r.opt(o, "deprecation", path, dict)
    schema = r.opt(o, "schema", path, dict)
    guarantees = r.opt(o, "guarantees", path, dict)
    retention = r.get(o, "retention", path, dict)
    loc = r.get(o, "location", path, dict)
    access = r.get(o, "access", path, dict)
    apath = f"{path}.access"

    def column(c: Any, cpath: str) -> Column:
        return Column(r.text(c, "name", cpath), r.text(c, "type", cpath), r.get(c, "required", cpath, bool),
                      r.get(c, "pii", cpath, bool), r.opt_text(c, "description", cpath))

    def grant(g: Any, gpath: str) -> Grant:
        ap = r.get(g, "access_point", gpath, dict)
        appath = f"{gpath}.access_point"
        return Grant(r.text(g, "consumer", gpath), r.choice(g, "kind", gpath, ("domain", "external")),
                     r.text(g, "name", gpath), r.text(g, "account", gpath), r.text(g, "principal", gpath),
                     r.day(g, "until", gpath, optional=True), r.opt_text(g, "purpose", gpath),
                     AccessPoint(r.text(ap, "name", appath), r.text(ap, "arn", appath), r.text(ap, "alias", appath),
                                 r.text(ap, "resource", appath)))

    def pending(p: Any, ppath: str) -> Pending:
        return Pending(r.text(p, "consumer", ppath), r.text(p, "approver", ppath),
                       r.day(p, "expired_on", ppath, optional=True), r.opt_text(p, "purpose", ppath))

    def standing(a: Any, spath: str) -> StandingApproval:
        return StandingApproval(r.text(a, "domain", spath), r.day(a, "until", spath, optional=True),
                                r.opt_text(a, "purpose", spath))

    grants = r.items(access, "grants", apath, grant)
    granted = {g.consumer for g in grants}
    # An evaluated catalog lists, among its pending requests, domains whose grant expired after
    # the build: those are derived from the grant (kept above), not stored facts.
    stored_pending = tuple(p for p in r.items(access, "pending", apath, pending) if p.consumer not in granted)
    return Product(
        key=key, domain=r.text(o, "domain", path), name=r.text(o, "name", path), version=r.text(o, "version", path),
        description=r.text(o, "description", path),
        status=r.choice(o, "status", path, ("draft", "active", "deprecated", "retired")),
        type=r.choice(o, "type", path, ("source-aligned", "aggregate", "consumer-aligned")),
        classification=r.choice(o, "classification", path, ("public", "internal", "confidential", "restricted")),
        tags=r.items(o, "tags", path, lambda v, p: _str(r, v, p)),
        owner=Owner(r.text(r.get(o, "owner", path, dict), "team", f"{path}.owner"),
                    r.text(o["owner"], "email", f"{path}.owner"), r.opt_text(o["owner"], "github", f"{path}.owner")),
        retention=Retention(r.get(retention, "days", f"{path}.retention", int),
                            r.opt(retention, "archive_after_days", f"{path}.retention", int),
                            r.get(retention, "noncurrent_days", f"{path}.retention", int)),
        guarantees=None if guarantees is None else Guarantees(
            _written(r, guarantees, "freshness", f"{path}.guarantees", str),
            _written(r, guarantees, "update_frequency", f"{path}.guarantees", str),
            _written(r, guarantees, "completeness", f"{path}.guarantees", float),
            _written(r, guarantees, "availability", f"{path}.guarantees", float)),
        schema=None if schema is None else Schema(r.text(schema, "format", f"{path}.schema"),
                                                  r.items(schema, "fields", f"{path}.schema", column)),
        deprecation=None if dep is None else Deprecation(r.req_day(dep, "sunset", f"{path}.deprecation"),
                                                         r.opt_text(dep, "replaced_by", f"{path}.deprecation")),
        location=Location(r.text(loc, "bucket", f"{path}.location"), r.text(loc, "bucket_arn", f"{path}.location"),
                          r.text(loc, "region", f"{path}.location"), r.text(loc, "account", f"{path}.location")),
        sharing=Sharing(r.choice(access, "mode", apath, ("open", "approval", "private")),
                        r.text(access, "approver", apath), r.get(access, "requestable", apath, bool),
                        r.opt_text(access, "reason", apath)),
        grants=grants, pending=stored_pending,
        standing_approvals=r.items(access, "approved_not_requested", apath, standing))


def _written(r: _Reader, obj: Mapping[str, Any], key: str, path: str, kind: type[T]) -> T | None:
    """A guarantee: absent when the spec does not write it."""
    if key not in obj:
        return None
    return r.get(obj, key, path, kind)
