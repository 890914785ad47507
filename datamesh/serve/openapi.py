"""The OpenAPI 3.1 document of ``mesh serve`` (``GET /openapi.json``), written by hand.

Every response the server sends is described here with its exact schema (objects are closed:
``additionalProperties: false``), so a client generated from it, and schemathesis in the tests,
can rely on it. The bodies are those of ``datamesh.catalog.serialize`` (docs/catalog.md).
"""

from __future__ import annotations

from typing import Any

from datamesh import __version__
from datamesh.serve.query import CLASSIFICATIONS, CURSOR_PATTERN, DEFAULT_LIMIT, MAX_LIMIT, MAX_TEXT, STATUSES

Json = dict[str, Any]

SLUG_PATTERN = "^[a-z][a-z0-9]*(-[a-z0-9]+)*$"
"""spec-v1 "Names"."""


def _obj(properties: Json, required: list[str] | None = None) -> Json:
    return {"type": "object", "properties": properties,
            "required": list(properties) if required is None else required, "additionalProperties": False}


def _ref(name: str) -> Json:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(schema: Json) -> Json:
    return {"oneOf": [schema, {"type": "null"}]}


STR: Json = {"type": "string"}
OPT_STR: Json = {"type": ["string", "null"]}
DAY: Json = {"type": "string", "format": "date"}
OPT_DAY: Json = {"type": ["string", "null"], "format": "date"}
BOOL: Json = {"type": "boolean"}
INT: Json = {"type": "integer"}
EDGE_STATE: Json = {"type": "string", "enum": ["granted", "pending", "not-granted"]}
VIA: Json = {"type": "string", "enum": ["inputs", "consumes"]}

SCHEMAS: Json = {
    "Owner": _obj({"team": STR, "email": STR, "github": OPT_STR}),
    "Snippet": _obj({"file": STR, "add_under": {"type": "string", "enum": ["inputs", "consumes", "sharing.approved"]},
                     "yaml": STR, "written_by": STR}),
    "AccessPoint": _obj({"name": STR, "arn": STR, "alias": STR, "resource": STR,
                         "known_after_deploy": {"type": "array", "items": STR}}),
    "Grant": _obj({"consumer": STR, "kind": {"type": "string", "enum": ["domain", "external"]}, "name": STR,
                   "account": STR, "principal": STR, "until": OPT_DAY, "purpose": OPT_STR,
                   "access_point": _ref("AccessPoint"), "state": {"type": "string", "enum": ["active", "expired"]}}),
    "Pending": _obj({"consumer": STR, "approver": STR, "expired_on": OPT_DAY, "purpose": OPT_STR}),
    "Product": _obj({
        "id": STR, "domain": STR, "name": STR, "version": STR, "description": STR,
        "status": {"type": "string", "enum": list(STATUSES)},
        "type": {"type": "string", "enum": ["source-aligned", "aggregate", "consumer-aligned"]},
        "classification": {"type": "string", "enum": list(CLASSIFICATIONS)},
        "tags": {"type": "array", "items": STR}, "owner": _ref("Owner"),
        "deprecation": _nullable(_obj({"sunset": DAY, "replaced_by": OPT_STR, "past_sunset": BOOL})),
        "retention": _obj({"days": INT, "archive_after_days": {"type": ["integer", "null"]}, "noncurrent_days": INT}),
        "guarantees": _nullable(_obj({"freshness": STR, "update_frequency": STR, "completeness": {"type": "number"},
                                      "availability": {"type": "number"}}, required=[])),
        "schema": _nullable(_obj({"format": STR, "fields": {"type": "array", "items": _obj({
            "name": STR, "type": STR, "required": BOOL, "pii": BOOL, "description": OPT_STR})}})),
        "location": _obj({"bucket": STR, "bucket_arn": STR, "region": STR, "account": STR, "s3_uri": STR}),
        "access": _obj({
            "mode": {"type": "string", "enum": ["open", "approval", "private"]}, "approver": STR,
            "requestable": BOOL, "reason": OPT_STR,
            "how": _nullable(_obj({"summary": STR, "from_product": _nullable(_ref("Snippet")),
                                   "from_domain": _nullable(_ref("Snippet")), "approval": _nullable(_ref("Snippet")),
                                   "external": _nullable(_ref("Snippet"))})),
            "grants": {"type": "array", "items": _ref("Grant")},
            "pending": {"type": "array", "items": _ref("Pending")},
            "approved_not_requested": {"type": "array", "items": _obj({"domain": STR, "until": OPT_DAY,
                                                                       "purpose": OPT_STR})}}),
        "lineage": _obj({
            "inputs": {"type": "array", "items": _obj({"product": STR, "purpose": OPT_STR, "state": EDGE_STATE})},
            "consumers": {"type": "array", "items": _obj({"consumer": STR, "consumer_product": OPT_STR, "via": VIA,
                                                          "purpose": OPT_STR, "state": EDGE_STATE})}}),
    }),
    "ProductSummary": _obj({
        "id": STR, "domain": STR, "name": STR, "version": STR, "description": STR,
        "status": {"type": "string", "enum": list(STATUSES)},
        "type": {"type": "string", "enum": ["source-aligned", "aggregate", "consumer-aligned"]},
        "classification": {"type": "string", "enum": list(CLASSIFICATIONS)},
        "tags": {"type": "array", "items": STR}, "owner": _ref("Owner"),
        "mode": {"type": "string", "enum": ["open", "approval", "private"]}}),
    "ProductPage": _obj({"total": {"type": "integer", "minimum": 0},
                         "limit": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT},
                         "next_cursor": OPT_STR, "products": {"type": "array", "items": _ref("ProductSummary")}}),
    "Domain": _obj({"name": STR, "description": STR, "owner": _ref("Owner"), "approver": STR, "account": STR,
                    "region": STR, "roles": _obj({"producer": STR, "consumer": STR}),
                    "products": {"type": "array", "items": STR},
                    "consumes": {"type": "array", "items": _obj({"product": STR, "purpose": OPT_STR,
                                                                 "state": EDGE_STATE})}}),
    "Domains": _obj({"domains": {"type": "array", "items": _ref("Domain")}}),
    "Lineage": _obj({
        "nodes": {"type": "array", "items": {"oneOf": [
            _obj({"id": STR, "kind": {"const": "product"}, "domain": STR,
                  "status": {"type": "string", "enum": list(STATUSES)},
                  "classification": {"type": "string", "enum": list(CLASSIFICATIONS)}}),
            _obj({"id": STR, "kind": {"const": "domain"}, "domain": STR})]}},
        "edges": {"type": "array", "items": _obj({
            "from": STR, "to": STR, "to_kind": {"type": "string", "enum": ["product", "domain"]}, "consumer": STR,
            "via": VIA, "purpose": OPT_STR, "state": EDGE_STATE})}}),
    "Error": _obj({"error": _obj({"status": INT, "code": STR, "message": STR, "parameter": OPT_STR})}),
    "Health": _obj({"status": {"const": "ok"}}),
    "Ready": _obj({"status": {"const": "ready"}, "source": STR, "mesh": STR, "environment": STR,
                   "products": INT, "revision": STR, "evaluated_on": DAY, "content_hash": STR}),
    "Loading": _obj({"status": {"const": "loading"}, "message": STR}),
}


def _json(schema: str, description: str) -> Json:
    return {"description": description, "headers": {"ETag": {"schema": STR}},
            "content": {"application/json": {"schema": _ref(schema)}}}


def _error(description: str) -> Json:
    return {"description": description, "content": {"application/json": {"schema": _ref("Error")}}}


def _html(description: str) -> Json:
    return {"description": description, "content": {"text/html": {"schema": STR}}}


STANDARD_DOCUMENT: Json = {"type": "object", "required": ["apiVersion", "kind", "id"],
                           "properties": {"apiVersion": STR, "kind": STR, "id": STR}}
"""An ODPS or ODCS document (their full schemas belong to the standards: docs/catalog.md)."""
NOT_MODIFIED: Json = {"description": "Not modified: the If-None-Match header names the current ETag."}
IF_NONE_MATCH: Json = {"name": "If-None-Match", "in": "header", "required": False, "schema": STR,
                       "description": "An ETag from an earlier response: 304 when the body would be the same."}
SLUG: Json = {"type": "string", "pattern": SLUG_PATTERN, "maxLength": 40}


def _path(*names: str, examples: dict[str, str] | None = None) -> list[Json]:
    out: list[Json] = []
    for n in names:
        param: Json = {"name": n, "in": "path", "required": True, "schema": SLUG}
        if examples and n in examples:
            param["example"] = examples[n]
        out.append(param)
    return out


def _get(summary: str, responses: Json, parameters: list[Json] | None = None, op: str = "") -> Json:
    out: Json = {"summary": summary, "operationId": op, "parameters": [*(parameters or []), IF_NONE_MATCH],
                 "responses": {**responses, "304": NOT_MODIFIED}}
    return {"get": out}


def _query(name: str, description: str, schema: Json, explode: bool = False) -> Json:
    out: Json = {"name": name, "in": "query", "required": False, "description": description, "schema": schema}
    if explode:
        out.update({"style": "form", "explode": True})
    return out


PRODUCT_QUERY: list[Json] = [
    _query("q", "Words that must all occur (case-insensitive) in the id, description, tags, owner team or "
                "column names.", {"type": "string", "maxLength": MAX_TEXT}),
    _query("domain", "Only the products of this domain.", {"type": "string", "maxLength": MAX_TEXT}),
    _query("classification", "Only products of this classification.",
           {"type": "string", "enum": list(CLASSIFICATIONS)}),
    _query("tag", "Only products with this tag (repeat it: every tag given must be present).",
           {"type": "array", "items": {"type": "string", "maxLength": MAX_TEXT}}, explode=True),
    _query("status", "Only products of this status.", {"type": "string", "enum": list(STATUSES)}),
    _query("limit", f"Products per page (default {DEFAULT_LIMIT}).",
           {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT}),
    _query("cursor", "The next_cursor of the previous page.", {"type": "string", "pattern": CURSOR_PATTERN,
                                                                  "maxLength": 4 * MAX_TEXT}),
]


def _form_field(p: Json) -> Json:
    """A parameter of the page's GET form, which sends every field, empty when not chosen."""
    schema = dict(p["schema"])
    if p["name"] == "limit":  # 1 to 500, or empty
        schema = {"type": "string", "pattern": "^$|^([1-9][0-9]?|[1-4][0-9]{2}|500)$"}
    elif "enum" in schema:
        schema["enum"] = [*schema["enum"], ""]
    elif "pattern" in schema:
        schema["pattern"] = f"^$|{schema['pattern']}"
    return {**p, "schema": schema}


PAGE_QUERY: list[Json] = [_form_field(p) for p in PRODUCT_QUERY]


def document(example: str | None = None) -> Json:
    """The document; ``example`` (a product id of the served catalog) is given as the example of
    the path parameters, so a client (or schemathesis) can try a product that exists."""
    examples = dict(zip(("domain", "product"), example.split("/", 1), strict=True)) if example else None
    product = _path("domain", "product", examples=examples)
    return {
        "openapi": "3.1.0",
        "info": {"title": "Data mesh discovery endpoint", "version": __version__,
                 "description": "The catalog of one mesh environment: products, owners, guarantees, schema, "
                                "retention, how to get access, who has access, lineage. Read-only; grants are "
                                "evaluated on the day of the request. See docs/serve.md."},
        "paths": {
            "/products": _get("Search the products (every status), in id order, one page at a time.", {
                "200": _json("ProductPage", "A page of products and the total that match."),
                "400": _error("A malformed query: an unknown parameter or a bad value.")},
                PRODUCT_QUERY, "searchProducts"),
            "/products/{domain}/{product}": _get("One product's descriptor.", {
                "200": _json("Product", "The descriptor."), "404": _error("No such product.")},
                product, "getProduct"),
            "/products/{domain}/{product}/odps.yaml": _get("The product as an Open Data Product Standard document.", {
                "200": {"description": "ODPS YAML.", "headers": {"ETag": {"schema": STR}},
                        "content": {"application/yaml": {"schema": STANDARD_DOCUMENT}}},
                "404": _error("No such product."),
                "501": _error("This version cannot render the view.")}, product, "getProductOdps"),
            "/products/{domain}/{product}/odcs.yaml": _get(
                "The product's output port as an Open Data Contract Standard contract.", {
                    "200": {"description": "ODCS YAML.", "headers": {"ETag": {"schema": STR}},
                            "content": {"application/yaml": {"schema": STANDARD_DOCUMENT}}},
                    "404": _error("No such product."),
                    "501": _error("This version cannot render the view.")}, product, "getProductOdcs"),
            "/domains": _get("Every domain: owner, account, roles, products, requests.",
                             {"200": _json("Domains", "The domains, by name.")}, op="listDomains"),
            "/lineage": _get("The lineage graph: products (and reading domains) and the requests between them.",
                             {"200": _json("Lineage", "Nodes and edges.")}, op="getLineage"),
            "/healthz": {"get": {"summary": "Liveness: 200 while the process runs.", "operationId": "healthz",
                                 "responses": {"200": {"description": "Alive.", "content": {
                                     "application/json": {"schema": _ref("Health")}}}}}},
            "/readyz": {"get": {"summary": "Readiness: 200 once a catalog is loaded, 503 before.",
                                "operationId": "readyz",
                                "responses": {"200": {"description": "Serving a catalog.", "content": {
                                    "application/json": {"schema": _ref("Ready")}}},
                                    "503": {"description": "No catalog loaded yet.", "content": {
                                        "application/json": {"schema": _ref("Loading")}}}}}},
            "/openapi.json": {"get": {"summary": "This document.", "operationId": "openapi",
                                      "responses": {"200": {"description": "OpenAPI 3.1.", "content": {
                                          "application/json": {"schema": {"type": "object"}}}}}}},
            "/": _get("The catalog page: every product, with search and filters (a GET form).", {
                "200": _html("The page."), "400": _html("A malformed query.")}, PAGE_QUERY, "pageIndex"),
            "/ui/products/{domain}/{product}": _get("A product's page.", {
                "200": _html("The page."), "404": _html("No such product.")}, product, "pageProduct"),
            "/ui/domains/{domain}": _get("A domain's page.", {
                "200": _html("The page."), "404": _html("No such domain.")}, _path("domain", examples=examples),
                "pageDomain"),
            "/ui/lineage": _get("The lineage graph drawn by Graphviz on the server (SVG in the page).", {
                "200": _html("The page."), "400": _html("A malformed query."), "404": _html("No such domain.")}, [
                    _query("domain", "Only the edges from or to this domain's products.",
                           {"type": "string", "maxLength": MAX_TEXT})], "pageLineage"),
        },
        "components": {"schemas": SCHEMAS},
    }
