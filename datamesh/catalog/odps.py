"""The Open Data Product Standard view: one product as an ODPS v1.1 ``DataProduct``.

``odps_document(catalog, key)`` is what ``GET /products/{domain}/{product}/odps.yaml`` serves and
``mesh catalog --odps DIR`` writes as ``DIR/<domain>/<product>.odps.yaml``; ``dataproduct lint``
(PyPI ``dataproduct-cli``) passes it with no warning when the contracts it names are next to it
(tests/catalog/test_standards.py). The mapping (docs/catalog.md "Standard views"):

- identity: ``id`` (``urn:datamesh:<mesh>:<domain>:<product>``), ``name``, ``version``, ``status``
  (the spec's, same names), ``deprecated`` (deprecated or retired), ``domain``, ``tenant`` (the
  mesh), ``type`` (sourceAligned / aggregate / consumerAligned), ``description.purpose``, ``tags``.
- ``inputPorts``: one per ``inputs`` entry, naming the read product's contract and version.
- ``outputPorts``: the S3 output, its ``contractId`` the ODCS document of ``odcs_document``.
- ``managementPorts``: the product's routes on the discovery endpoint, only when mesh.yaml sets
  ``discovery.kubernetes.host`` (no URL is invented otherwise).
- ``team``, ``support``: the owner; ``customProperties``: classification, retention, sharing,
  deprecation — what ODPS has no key for.
"""

from __future__ import annotations

from datamesh.catalog.model import Catalog
from datamesh.catalog.standards import (
    STATUS,
    TYPE,
    Json,
    contract_id,
    custom,
    discovery_urls,
    limitations,
    product_id,
    support,
    team,
)

API_VERSION = "v1.1.0"
"""The ODPS version the documents follow (the newest schema dataproduct-cli bundles)."""


def _input_ports(catalog: Catalog, key: str) -> list[Json]:
    ports: list[Json] = []
    for edge in catalog.inputs_of(key):
        read = catalog.find(edge.product)
        port: Json = {"name": edge.product}
        if read is not None:  # always, for a validated mesh; a hand-made catalog may lack it
            port["version"] = read.version
            port["contractId"] = contract_id(catalog, edge.product)
        props = [custom("access", catalog.edge_state(edge),
                        "granted, pending (the producer has not approved) or not-granted (private, draft or "
                        "retired)")]
        if edge.purpose is not None:
            props.append(custom("purpose", edge.purpose))
        port["customProperties"] = props
        ports.append(port)
    return ports


def odps_document(catalog: Catalog, key: str) -> Json:
    """The ODPS document of product ``key`` evaluated on ``catalog.evaluated_on`` (input ports'
    ``access`` state); ``UnknownProductError`` for an unknown key."""
    p = catalog.product(key)
    description: Json = {"purpose": p.description}
    limits = limitations(catalog, p)
    if limits is not None:
        description["limitations"] = limits
    doc: Json = {
        "apiVersion": API_VERSION, "kind": "DataProduct", "id": product_id(catalog, key), "name": p.name,
        "version": p.version, "status": STATUS[p.status], "deprecated": p.status in ("deprecated", "retired"),
        "domain": p.domain, "tenant": catalog.info.mesh, "type": TYPE[p.type], "description": description,
    }
    if p.tags:
        doc["tags"] = list(p.tags)
    inputs = _input_ports(catalog, key)
    if inputs:
        doc["inputPorts"] = inputs
    loc = p.location
    port_props = [custom("location", loc.s3_uri), custom("region", loc.region), custom("account", loc.account)]
    if p.schema is not None:
        port_props.append(custom("format", p.schema.format))
    doc["outputPorts"] = [{
        "name": "s3", "description": f"The product's objects in {loc.s3_uri} (environment "
                                     f"{catalog.info.environment}), read through an S3 access point per grant.",
        "type": "s3", "version": p.version, "contractId": contract_id(catalog, key),
        "customProperties": port_props,
    }]
    urls = discovery_urls(catalog, key)
    if urls is not None:
        doc["managementPorts"] = [
            {"name": "catalog", "content": "discoverability", "type": "rest", "url": urls["api"],
             "description": "The product's catalog entry: owner, schema, access, lineage (JSON)."},
            {"name": "contract", "content": "dictionary", "type": "rest", "url": urls["odcs"],
             "description": "The output port's data contract (ODCS YAML)."},
        ]
    doc["support"] = support(p.owner)
    doc["team"] = team(p.owner, p.domain)
    r = p.retention
    props = [custom("classification", p.classification), custom("retentionDays", r.days)]
    if r.archive_after_days is not None:
        props.append(custom("archiveAfterDays", r.archive_after_days))
    props += [custom("noncurrentDays", r.noncurrent_days), custom("sharingMode", p.sharing.mode),
              custom("approver", p.sharing.approver)]
    if p.deprecation is not None:
        props.append(custom("sunset", p.deprecation.sunset.isoformat()))
        if p.deprecation.replaced_by is not None:
            props.append(custom("replacedBy", p.deprecation.replaced_by))
            props.append(custom("replacedById", product_id(catalog, p.deprecation.replaced_by)))
    if p.guarantees is not None:
        props.append(custom("guarantees", p.guarantees.written(), "As written in the spec."))
    doc["customProperties"] = props
    return doc
