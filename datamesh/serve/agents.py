"""The catalog for agents: Model Context Protocol tools over streamable HTTP at ``/mcp``.

Built on the official ``mcp`` SDK (``MCPServer``), **stateless** and with JSON responses: no
session is kept, so any worker of any replica answers any request. Every tool is read-only
(``readOnlyHint``): access is still requested by pull request, and ``get_access_request`` only
returns the YAML that pull request adds.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.transport_security import TransportSecuritySettings
from mcp.types import ToolAnnotations
from starlette.types import ASGIApp

from datamesh import __version__
from datamesh.catalog import UnknownProductError, access_request, product_json, product_summary_json
from datamesh.catalog.access import Snippet
from datamesh.serve.pages import lineage_subgraph
from datamesh.serve.query import QueryError, parse_product_query
from datamesh.serve.state import ServeState
from datamesh.serve.views import ViewUnavailable, document

MAX_TOOL_LIMIT = 100
READ_ONLY = ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True,
                            open_world_hint=False)
INSTRUCTIONS = (
    "The data mesh catalog of one environment: find data products, read a product's descriptor (owner, "
    "guarantees, schema, retention, who has access) and its data contract, follow lineage, and get the exact "
    "YAML of the pull request that requests access. Nothing here changes anything: access is granted only when "
    "that pull request is reviewed and merged.")


def _snippet(s: Snippet | None) -> dict[str, str] | None:
    if s is None:
        return None
    return {"file": s.file, "add_under": s.add_under, "yaml": s.yaml, "written_by": s.written_by}


def build_mcp(current: Callable[[], ServeState | None]) -> MCPServer:
    """The MCP server; ``current()`` is the state of the request's day (``None`` while loading)."""
    server = MCPServer("datamesh-catalog", instructions=INSTRUCTIONS, version=__version__,
                       log_level="WARNING")

    def state() -> ServeState:
        s = current()
        if s is None:
            raise ToolError("the catalog is still loading; retry in a moment")
        return s

    def known(s: ServeState, product: str) -> str:
        if s.catalog.find(product) is None:
            raise ToolError(f"no product {product!r}; search_products lists them (ids are <domain>/<product>)")
        return product

    @server.tool(annotations=READ_ONLY, structured_output=True)
    def search_products(query: str = "", domain: str | None = None, classification: str | None = None,
                        tags: list[str] | None = None, status: str | None = None, limit: int = 20,
                        cursor: str | None = None) -> dict[str, Any]:
        """Search the catalog's data products (every status), in id order. `query`: words that must all
        occur in the id, description, tags, owner team or column names. Filters: domain, classification
        (public, internal, confidential, restricted), tags (all must be present), status (draft, active,
        deprecated, retired). Returns the total, one page of summaries and `next_cursor` for the next page."""
        s = state()
        params = [("q", query)] if query else []
        params += [(k, v) for k, v in (("domain", domain), ("classification", classification), ("status", status),
                                       ("cursor", cursor)) if v is not None]
        params += [("tag", t) for t in tags or ()]
        if not 1 <= limit <= MAX_TOOL_LIMIT:
            raise ToolError(f"limit: expected an integer from 1 to {MAX_TOOL_LIMIT}")
        params.append(("limit", str(limit)))
        try:
            q = parse_product_query(urlencode(params))
        except QueryError as exc:
            raise ToolError(f"{exc.parameter}: {exc.message}") from None
        page = s.search(q)
        return {"total": page.total, "next_cursor": page.next_cursor,
                "products": [product_summary_json(s.catalog, e.key) for e in page.entries]}

    @server.tool(annotations=READ_ONLY, structured_output=True)
    def get_product(product: str) -> dict[str, Any]:
        """One product's descriptor by id (`<domain>/<product>`): owner, status, classification, retention,
        guarantees as written, schema, location, how to get access, who has access until when (evaluated
        today), pending requests and lineage."""
        s = state()
        return product_json(s.catalog, known(s, product))

    @server.tool(annotations=READ_ONLY, structured_output=True)
    def get_contract(product: str) -> dict[str, Any]:
        """The product's output port as an Open Data Contract Standard (ODCS) document: schema, owner,
        retention, status."""
        s = state()
        try:
            return document(s.catalog, known(s, product), "odcs")
        except ViewUnavailable as exc:
            raise ToolError(f"this server version cannot build ODCS contracts ({exc.missing} is missing)") from None
        except UnknownProductError:
            raise ToolError(f"no product {product!r}") from None

    @server.tool(annotations=READ_ONLY, structured_output=True)
    def get_lineage(product: str | None = None, domain: str | None = None) -> dict[str, Any]:
        """Lineage. With `product`: what it reads (inputs) and who reads it (consumers), each with its grant
        state. With `domain`: the graph of the edges from or to that domain's products. With neither: the
        whole graph (nodes and edges)."""
        s = state()
        if product is not None:
            body = product_json(s.catalog, known(s, product))
            return {"product": product, **body["lineage"]}
        if domain is not None and s.catalog.domain(domain) is None:
            raise ToolError(f"no domain {domain!r}")
        return lineage_subgraph(s.catalog, domain)

    @server.tool(annotations=READ_ONLY, structured_output=True)
    def get_access_request(product: str, consumer_domain: str, consumer_product: str | None = None,
                           purpose: str | None = None) -> dict[str, Any]:
        """What domain `consumer_domain` does to read `product`: the exact YAML its pull request adds (an
        `inputs` entry of `consumer_product`, else a `consumes` entry of its domain.yaml), the approval the
        producer's owners add if one is needed, and the outcome (granted-on-merge, needs-approval,
        already-granted, already-pending, refused). Changes nothing: open the pull request yourself."""
        s = state()
        r = access_request(s.catalog, known(s, product), consumer_domain, consumer_product, purpose)
        return {"product": r.product, "consumer": r.consumer, "outcome": r.outcome, "message": r.message,
                "request": _snippet(r.request), "approval": _snippet(r.approval)}

    return server


def mcp_asgi(server: MCPServer, host: str) -> ASGIApp:
    """The SDK's streamable HTTP app (stateless, JSON). Bound to a loopback host, the SDK's DNS
    rebinding protection is on (Host and Origin must be local); behind an Ingress the sign-in proxy
    in front (docs/serve.md) is the protection."""
    security = None if host in ("127.0.0.1", "localhost", "::1") else TransportSecuritySettings(
        enable_dns_rebinding_protection=False)
    return server.streamable_http_app(streamable_http_path="/mcp", stateless_http=True, json_response=True,
                                      transport_security=security, host=host)
