"""The HTML pages: server-rendered by Jinja2 with autoescape on, no JavaScript, no build step.

Every value from the catalog reaches the page through the template engine's escaping (spec text
is attacker-controlled: a description holding ``<script>`` shows as text). The only markup not
escaped is the lineage SVG, which ``lineage_svg.sanitize_svg`` rewrote through an allow-list.
"""

from __future__ import annotations

from functools import cache
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from datamesh.catalog import Catalog, domain_json, lineage_json, product_json, product_summary_json
from datamesh.serve.lineage_svg import Drawing
from datamesh.serve.query import CLASSIFICATIONS, STATUSES, ProductQuery
from datamesh.serve.state import SearchPage

PAGE_SIZE = 100
"""Products per page of ``/`` (the API's ``limit`` also applies when given)."""


@cache
def environment() -> Environment:
    # No bytecode cache: nothing is written (the pod's root filesystem is read-only).
    return Environment(loader=PackageLoader("datamesh.serve", "templates"), autoescape=True,
                       undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def _common(catalog: Catalog) -> dict[str, Any]:
    i = catalog.info
    return {"info": {"mesh": i.mesh, "environment": i.environment, "built_at": i.built_at.isoformat(),
                     "tool_version": i.tool_version},
            "day": catalog.evaluated_on.isoformat(), "revision": catalog.revision}


def _render(template: str, catalog: Catalog, **values: Any) -> bytes:
    return environment().get_template(template).render(**_common(catalog), **values).encode()


def index_page(catalog: Catalog, query: ProductQuery, page: SearchPage) -> bytes:
    next_href = None
    if page.next_cursor is not None:
        params: list[tuple[str, str]] = []
        if query.text:
            params.append(("q", query.text))
        for name in ("domain", "classification", "status"):
            value = getattr(query, name)
            if value:
                params.append((name, value))
        params += [("tag", t) for t in query.tags]
        params.append(("cursor", page.next_cursor))
        next_href = "/?" + urlencode(params)
    products = [product_summary_json(catalog, e.key) for e in page.entries]
    return _render("index.html", catalog, query=query, page=page, products=products, next_href=next_href,
                   domains=[d.name for d in catalog.domains], classifications=CLASSIFICATIONS, statuses=STATUSES)


def product_page(catalog: Catalog, key: str) -> bytes:
    return _render("product.html", catalog, p=product_json(catalog, key))


def domain_page(catalog: Catalog, name: str) -> bytes:
    d = domain_json(catalog, name)
    products = [product_summary_json(catalog, key) for key in d["products"]]
    return _render("domain.html", catalog, d=d, products=products)


def lineage_subgraph(catalog: Catalog, domain: str | None) -> dict[str, Any]:
    """The lineage JSON, or only the edges from or to ``domain``'s products and their end nodes."""
    full = lineage_json(catalog)
    if domain is None:
        return full
    owners = {p.key: p.domain for p in catalog.products}
    edges = [e for e in full["edges"] if owners.get(e["from"]) == domain
             or (e["to_kind"] == "product" and owners.get(e["to"]) == domain)
             or (e["to_kind"] == "domain" and e["to"] == domain)]
    ids = {e["from"] for e in edges} | {e["to"] for e in edges}
    nodes = [n for n in full["nodes"] if n["id"] in ids or (n["kind"] == "product" and n["domain"] == domain)]
    return {"nodes": nodes, "edges": edges}


def lineage_page(catalog: Catalog, domain: str | None, graph: dict[str, Any], drawing: Drawing,
                 total_edges: int) -> bytes:
    """The graph page; ``graph["edges"]`` are the edges listed (maybe the first of ``total_edges``)."""
    svg = Markup(drawing.svg) if drawing.svg is not None else None  # sanitised by lineage_svg
    return _render("lineage.html", catalog, domain=domain, domains=[d.name for d in catalog.domains], svg=svg,
                   fallback=drawing.fallback, edges=graph["edges"], total_edges=total_edges)


def error_page(catalog: Catalog | None, status: int, title: str, message: str) -> bytes:
    if catalog is None:
        env = environment()
        values = {"info": {"mesh": "", "environment": "loading", "built_at": "", "tool_version": ""},
                  "day": "", "revision": ""}
        return env.get_template("error.html").render(**values, status=status, title=title,
                                                     message=message).encode()
    return _render("error.html", catalog, status=status, title=title, message=message)
