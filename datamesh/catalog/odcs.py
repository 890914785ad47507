"""The Open Data Contract Standard view: one product's output as an ODCS v3.2 ``DataContract``.

``odcs_document(catalog, key)`` is what ``GET /products/{domain}/{product}/odcs.yaml`` serves and
``mesh catalog --odps DIR`` writes as ``DIR/<domain>/<product>.odcs.yaml``. It validates against
the JSON Schema bundled in PyPI ``open-data-contract-standard`` (tests/catalog/test_standards.py).
The mapping is documented in docs/catalog.md "Standard views"; in short:

- ``schema``: one object named after the product, a property per spec field with ``logicalType``
  mapped from the spec type (``logical_type``; ``object`` when there is none), ``physicalType``
  the spec type as written,
  ``required``, ``classification`` (the product's: the spec classifies products, not columns) and
  a ``pii`` custom property (the convention datacontract-cli reads).
- ``servers``: the product's bucket in this environment (``type: s3``, ``location``, ``format``,
  ``environment``; region and account as custom properties: the s3 server type has no such keys).
- ``slaProperties``: retention (days; archive and noncurrent days as custom properties), and the
  guarantees exactly as written — ``latency`` from ``freshness``, ``frequency`` from
  ``update_frequency``, ``completeness`` and ``availability`` (ratios 0..1) — and ``endOfLife``
  the deprecation's sunset.
- ``roles``: the producer role (write) and each consumer principal currently granted (read,
  until when), each approved by the owner's approver.
"""

from __future__ import annotations

import re

from datamesh.catalog.model import Catalog, Column, Product
from datamesh.catalog.standards import (
    STATUS,
    Json,
    contract_id,
    custom,
    discovery_urls,
    limitations,
    support,
    team,
)

API_VERSION = "v3.2.0"
"""The ODCS version the documents follow (the version of the bundled JSON Schema)."""

_SCALARS = {
    "string": "string", "varchar": "string", "char": "string", "text": "string", "uuid": "string",
    "int": "integer", "integer": "integer", "long": "integer", "bigint": "integer", "smallint": "integer",
    "tinyint": "integer", "short": "integer", "byte": "integer",
    "double": "number", "float": "number", "real": "number", "decimal": "number", "numeric": "number",
    "number": "number",
    "boolean": "boolean", "bool": "boolean",
    "date": "date",
    "timestamp": "timestamp", "timestamp_ntz": "timestamp", "timestamp_ltz": "timestamp",
    "timestamptz": "timestamp", "datetime": "timestamp",
    "time": "time",
}
_CONTAINERS = {"array": "array", "list": "array", "struct": "object", "map": "map"}
_TYPE_RE = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?:\((.*)\)|<(.*)>)?\s*")


def _parse(spec_type: str) -> tuple[str, str | None] | None:
    """``array<string>`` → (``array``, ``string``); ``decimal(12,2)`` → (``decimal``, ``None``)."""
    m = _TYPE_RE.fullmatch(spec_type)
    return None if m is None else (m.group(1).lower(), m.group(3))


def _split_pair(inner: str) -> tuple[str, str] | None:
    """``string,array<long>`` → (``string``, ``array<long>``): the comma outside any brackets."""
    depth = 0
    for i, ch in enumerate(inner):
        depth += 1 if ch in "<(" else -1 if ch in ">)" else 0
        if ch == "," and depth == 0:
            key, value = inner[:i].strip(), inner[i + 1:].strip()
            return (key, value) if key and value else None
    return None


def logical_type(spec_type: str) -> str | None:
    """The ODCS ``logicalType`` of a spec field type (``string`` → string, ``long`` → integer,
    ``decimal(12,2)`` → number, ``array<string>`` → array, ``struct<…>`` → object, ``map<k,v>`` →
    map …); ``None`` for a type ODCS has no logical type for."""
    parsed = _parse(spec_type)
    if parsed is None:
        return None
    base, inner = parsed
    if base == "map":  # a map needs its key and value types
        return "map" if inner is not None and _split_pair(inner) is not None else None
    if inner is not None:
        return _CONTAINERS.get(base)
    return _SCALARS.get(base) or _CONTAINERS.get(base)


def _typed(spec_type: str) -> Json:
    """``logicalType`` (with ``items`` / ``map`` for containers) and ``physicalType`` of a type.

    A type ODCS has no logical type for is an opaque ``object``, its ``physicalType`` saying what it
    is: ODCS 3.2's JSON Schema requires a ``logicalType`` on every property (its ``map`` branch
    applies to any property without one)."""
    logical = logical_type(spec_type) or "object"
    out: Json = {"logicalType": logical, "physicalType": spec_type}
    parsed = _parse(spec_type)
    inner = parsed[1] if parsed is not None else None
    if logical == "array" and inner is not None:
        out["items"] = _typed(inner.strip())
    elif logical == "map" and inner is not None:
        pair = _split_pair(inner)
        assert pair is not None  # logical_type says map only with a key and a value
        out["map"] = {"key": _typed(pair[0]), "value": _typed(pair[1])}
    return out


def _property(c: Column, classification: str) -> Json:
    out: Json = {"name": c.name, **_typed(c.type)}
    if c.description is not None:
        out["description"] = c.description
    out["required"] = c.required
    out["classification"] = classification
    out["customProperties"] = [custom("pii", c.pii)]
    return out


_DURATION_UNIT = {"m": "min", "h": "h", "d": "d"}


def _sla(p: Product) -> list[Json]:
    r = p.retention
    retention: Json = {"property": "retention", "value": r.days, "unit": "d",
                       "description": f"Objects expire {r.days} days after they are written (S3 lifecycle rule)."}
    extra = [custom("noncurrentDays", r.noncurrent_days,
                    "Overwritten or deleted versions expire after this many days.")]
    if r.archive_after_days is not None:
        extra.insert(0, custom("archiveAfterDays", r.archive_after_days,
                               "Objects move to S3 Glacier Instant Retrieval after this many days."))
    retention["customProperties"] = extra
    out = [retention]
    g = p.guarantees
    if g is not None:
        if g.freshness is not None:
            out.append({"property": "latency", "value": int(g.freshness[:-1]), "unit": _DURATION_UNIT[g.freshness[-1]],
                        "description": f"Freshness as written: {g.freshness}."})
        if g.update_frequency is not None:
            out.append({"property": "frequency", "value": g.update_frequency,
                        "description": f"Update frequency as written: {g.update_frequency}."})
        if g.completeness is not None:
            out.append({"property": "completeness", "value": g.completeness,
                        "description": "Fraction of expected records present (0..1), as written."})
        if g.availability is not None:
            out.append({"property": "availability", "value": g.availability,
                        "description": "Fraction of time the product is readable (0..1), as written."})
    if p.deprecation is not None:
        out.append({"property": "endOfLife", "value": p.deprecation.sunset.isoformat(),
                    "description": "The deprecation's sunset: the product is retired after this day."})
    return out


def _roles(catalog: Catalog, p: Product) -> list[Json]:
    domain = catalog.domain(p.domain)
    approver = p.sharing.approver
    roles: list[Json] = []
    if domain is not None:
        roles.append({"role": domain.producer_role, "access": "write", "firstLevelApprovers": approver,
                      "description": f"The producer role of domain {p.domain}: writes the product."})
    for g in p.access_on(catalog.evaluated_on).current:
        until = g.until.isoformat() if g.until is not None else None
        props = [custom("consumer", g.name, "The mesh domain, or the external account's name in mesh.yaml."),
                 custom("accessPoint", g.access_point.arn, "The S3 access point this principal reads through.")]
        if until is not None:
            props.append(custom("until", until, "The last day of access, inclusive."))
        if g.purpose is not None:
            props.append(custom("purpose", g.purpose))
        who = f"domain {g.name}" if g.kind == "domain" else f"external account {g.name} ({g.account})"
        roles.append({"role": g.principal, "access": "read", "firstLevelApprovers": approver,
                      "description": f"Reads the product for {who}" + (f" until {until}." if until else "."),
                      "customProperties": props})
    return roles


def odcs_document(catalog: Catalog, key: str) -> Json:
    """The ODCS contract of product ``key`` evaluated on ``catalog.evaluated_on`` (its ``roles`` are
    the grants current on that day); ``UnknownProductError`` for an unknown key."""
    p = catalog.product(key)
    env = catalog.info.environment
    description: Json = {"purpose": p.description}
    limits = limitations(catalog, p)
    if limits is not None:
        description["limitations"] = limits
    doc: Json = {
        "apiVersion": API_VERSION, "kind": "DataContract", "id": contract_id(catalog, key), "name": p.name,
        "version": p.version, "status": STATUS[p.status], "tenant": catalog.info.mesh, "domain": p.domain,
        "dataProduct": p.name, "description": description,
    }
    if p.tags:
        doc["tags"] = list(p.tags)
    if p.schema is not None:
        doc["schema"] = [{
            "name": p.name, "physicalType": "file", "logicalType": "object",
            "description": f"{p.description} ({p.schema.format} objects)",
            "properties": [_property(c, p.classification) for c in p.schema.fields],
        }]
    loc = p.location
    server: Json = {"server": env, "type": "s3", "description": f"The product's bucket in environment {env}.",
                    "environment": env, "location": loc.s3_uri}
    if p.schema is not None:
        server["format"] = p.schema.format
    server["customProperties"] = [custom("region", loc.region), custom("account", loc.account),
                                  custom("bucketArn", loc.bucket_arn)]
    doc["servers"] = [server]
    doc["slaProperties"] = _sla(p)
    doc["team"] = team(p.owner, p.domain)
    doc["support"] = support(p.owner)
    doc["roles"] = _roles(catalog, p)
    props = [custom("classification", p.classification, "spec-v1 classification of the whole product."),
             custom("sharingMode", p.sharing.mode), custom("approver", p.sharing.approver)]
    urls = discovery_urls(catalog, key)
    if urls is not None:
        props.append(custom("catalogPage", urls["page"]))
    doc["customProperties"] = props
    return doc
