"""The ASGI application of ``mesh serve``: routing, conditional GETs, security headers, JSON errors.

A raw ASGI callable (no framework in the request path): a product's descriptor is a dictionary
look-up of pre-rendered bytes. Every response carries the security headers below; catalog
bodies carry a strong ``ETag`` (the catalog revision) and are answered ``304`` when the client
already has them. Errors are JSON ``{"error": {"status", "code", "message", "parameter"}}``
(pages get an HTML error page) — never a traceback. ``/mcp`` is handed to the MCP SDK's app.

No CORS header is sent: the catalog holds account ids and partner ARNs and is meant for the
company's own people behind its sign-in (docs/serve.md), so no other origin may read it from a
browser.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import replace
from datetime import UTC, date, datetime
from importlib import resources
from typing import Any
from urllib.parse import parse_qsl

from datamesh.catalog import UnknownProductError
from datamesh.serve import lineage_svg, pages
from datamesh.serve.openapi import document
from datamesh.serve.query import QueryError, parse_product_query
from datamesh.serve.state import ServeState
from datamesh.serve.views import ViewUnavailable, yaml_bytes
from datamesh.serve.views import document as view_document

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGI = Callable[[Scope, Receive, Send], Awaitable[None]]

log = logging.getLogger("datamesh.serve")

SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    # No script at all, styles only from /static, forms only to this server, never framed.
    (b"content-security-policy", b"default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
                                 b"base-uri 'none'; frame-ancestors 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-resource-policy", b"same-origin"),
    # Behind the company's sign-in: no shared cache may keep a copy; clients revalidate (ETag).
    (b"cache-control", b"private, no-cache"),
)
JSON = b"application/json"
HTML = b"text/html; charset=utf-8"
YAML = b"application/yaml; charset=utf-8"
CSS = b"text/css; charset=utf-8"
MAX_EDGE_ROWS = 1000
"""Edges listed under an unfiltered lineage graph (a 10,000-product mesh has more; filter by domain)."""


def _dumps(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def error_body(status: int, code: str, message: str, parameter: str | None = None) -> bytes:
    return _dumps({"error": {"status": status, "code": code, "message": message, "parameter": parameter}})


OPENAPI = _dumps(document())
HEALTHY = b'{"status":"ok"}'
STYLE = resources.files("datamesh.serve").joinpath("static/style.css").read_bytes()


def openapi_of(state: ServeState) -> bytes:
    """The OpenAPI document, with the catalog's first product as the path parameters' example."""
    return _dumps(document(state.catalog.products[0].key if state.catalog.products else None))


class Holder:
    """A worker's current state, moved to the request's day when the day changes.

    ``today`` is fixed (``--today``) or the UTC date; ``state`` is replaced by whole-object
    assignment (atomic: a request sees the old state or the new one, never a mix)."""

    def __init__(self, state: ServeState | None, today: date | None = None) -> None:
        self.state = state
        self.fixed_day = today
        self._epoch_day = -1
        self._day = today or datetime.now(UTC).date()

    def today(self) -> date:
        if self.fixed_day is not None:
            return self.fixed_day
        epoch_day = int(time.time() // 86400)
        if epoch_day != self._epoch_day:
            self._epoch_day = epoch_day
            self._day = datetime.now(UTC).date()
        return self._day

    def current(self) -> ServeState | None:
        state = self.state
        if state is None:
            return None
        day = self.today()
        if state.day != day:
            state = self.state = state.for_day(day)
        return state


def _etag_matches(header: bytes, etag: bytes) -> bool:
    if header.strip() == b"*":
        return True
    for candidate in header.split(b","):
        candidate = candidate.strip()
        if candidate.startswith(b"W/"):
            candidate = candidate[2:]
        if candidate == etag:
            return True
    return False


class App:
    """``App(holder, mcp=None)``: the ASGI callable; ``mcp`` is the MCP SDK's app and ``mcp_run``
    its session manager's ``run()`` (entered for the application's lifespan); ``before_serving``
    is awaited at start-up, before the server accepts connections."""

    def __init__(self, holder: Holder, mcp: ASGI | None = None, mcp_run: Callable[[], Any] | None = None,
                 before_serving: Callable[[], Awaitable[None]] | None = None) -> None:
        self.holder = holder
        self.mcp = mcp
        self.mcp_run = mcp_run
        self.before_serving = before_serving

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "http":
            await self.http(scope, receive, send)
        elif kind == "lifespan":
            await self.lifespan(receive, send)
        # websockets: not served (returning closes the connection)

    async def lifespan(self, receive: Receive, send: Send) -> None:
        message = await receive()
        async with AsyncExitStack() as stack:
            try:
                if self.mcp_run is not None:
                    await stack.enter_async_context(self.mcp_run())
            except Exception as exc:
                await send({"type": "lifespan.startup.failed", "message": str(exc)})
                return
            if self.before_serving is not None:
                await self.before_serving()
            await send({"type": "lifespan.startup.complete"})  # uvicorn accepts connections from now on
            message = await receive()
        if message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})

    # --- responses ------------------------------------------------------------------------------

    @staticmethod
    async def respond(send: Send, status: int, body: bytes, content_type: bytes, etag: bytes | None = None,
                      head: bool = False, extra: tuple[tuple[bytes, bytes], ...] = ()) -> None:
        headers = [(b"content-type", content_type), (b"content-length", str(len(body)).encode()),
                   *SECURITY_HEADERS, *extra]
        if etag is not None:
            headers.append((b"etag", etag))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": b"" if head else body})

    async def cached(self, scope: Scope, send: Send, body: bytes, content_type: bytes, etag: bytes,
                     head: bool) -> None:
        """200 with ``body``, or 304 when If-None-Match names ``etag``."""
        for name, value in scope["headers"]:
            if name == b"if-none-match" and _etag_matches(value, etag):
                await send({"type": "http.response.start", "status": 304,
                            "headers": [(b"etag", etag), *SECURITY_HEADERS]})
                await send({"type": "http.response.body", "body": b""})
                return
        await self.respond(send, 200, body, content_type, etag, head)

    async def json_error(self, send: Send, status: int, code: str, message: str, parameter: str | None = None,
                         head: bool = False, extra: tuple[tuple[bytes, bytes], ...] = ()) -> None:
        await self.respond(send, status, error_body(status, code, message, parameter), JSON, None, head, extra)

    async def html_error(self, send: Send, state: ServeState | None, status: int, title: str, message: str,
                         head: bool) -> None:
        body = pages.error_page(state.catalog if state is not None else None, status, title, message)
        await self.respond(send, status, body, HTML, None, head)

    # --- routing --------------------------------------------------------------------------------

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope["path"]
        if path == "/mcp" or path.startswith("/mcp/"):
            if self.mcp is None:
                if self.holder.state is None:
                    await self.loading(send, False)
                else:
                    await self.json_error(send, 404, "not_found", "MCP is not served by this process")
                return
            await self.mcp(scope, receive, send)
            return
        method = scope["method"]
        head = method == "HEAD"
        if method != "GET" and not head:
            await self.json_error(send, 405, "method_not_allowed", f"{method} is not allowed: this API is read-only",
                                  extra=((b"allow", b"GET, HEAD"),))
            return
        try:
            await self.route(scope, send, path, head)
        except Exception:  # a bug: logged with its traceback, answered in JSON
            log.exception("mesh serve: internal error on %s %s", method, path)
            await self.json_error(send, 500, "internal_error", "internal error (logged by the server)", head=head)

    async def route(self, scope: Scope, send: Send, path: str, head: bool) -> None:
        if path.startswith("/products/"):
            state = self.holder.current()
            if state is None:
                await self.loading(send, head)
                return
            parts = path[10:].split("/")
            if len(parts) == 2:
                body = state.product_body(path[10:])
                if body is None:
                    await self.json_error(send, 404, "not_found", f"no product {path[10:]!r}", head=head)
                    return
                await self.cached(scope, send, body, JSON, state.etag, head)
                return
            if len(parts) == 3 and parts[2] in ("odps.yaml", "odcs.yaml"):
                await self.view(scope, send, state, f"{parts[0]}/{parts[1]}", parts[2][:4], head)
                return
            await self.json_error(send, 404, "not_found", f"no route {path!r}; see /openapi.json", head=head)
            return
        if path == "/healthz":
            await self.respond(send, 200, HEALTHY, JSON, None, head)
            return
        if path == "/readyz":
            state = self.holder.current()
            if state is None:
                await self.loading(send, head, readiness=True)
            else:
                await self.respond(send, 200, _dumps(state.readiness()), JSON, None, head)
            return
        if path == "/openapi.json":
            served = self.holder.state
            body = OPENAPI if served is None else served.lazy("openapi", lambda: openapi_of(served))
            await self.respond(send, 200, body, JSON, None, head)
            return
        if path == "/static/style.css":
            await self.respond(send, 200, STYLE, CSS, None, head)
            return
        state = self.holder.current()
        page = path == "/" or path.startswith("/ui/")
        if state is None:
            await self.loading(send, head)
            return
        query_string = scope.get("query_string", b"").decode("latin-1")
        if path == "/products":
            body = state.cached("products?" + query_string)  # a repeated query string: no parsing at all
            if body is None:
                try:
                    query = parse_product_query(query_string)
                except QueryError as exc:
                    await self.json_error(send, 400, "invalid_parameter", exc.message, exc.parameter, head)
                    return
                body = state.search_body(query)
                state.keep("products?" + query_string, body)
            await self.cached(scope, send, body, JSON, state.etag, head)
            return
        if path == "/domains":
            await self.cached(scope, send, state.rendered.domains, JSON, state.etag, head)
            return
        if path == "/lineage":
            await self.cached(scope, send, state.rendered.lineage, JSON, state.etag, head)
            return
        if page:
            await self.page(scope, send, state, path, query_string, head)
            return
        await self.json_error(send, 404, "not_found", f"no route {path!r}; see /openapi.json", head=head)

    async def loading(self, send: Send, head: bool, readiness: bool = False) -> None:
        retry = ((b"retry-after", b"1"),)
        if readiness:
            body = _dumps({"status": "loading", "message": "no catalog loaded yet"})
            await self.respond(send, 503, body, JSON, None, head, retry)
        else:
            await self.json_error(send, 503, "loading", "the catalog is still loading; retry in a moment",
                                  head=head, extra=retry)

    async def view(self, scope: Scope, send: Send, state: ServeState, key: str, view: str, head: bool) -> None:
        if state.catalog.find(key) is None:
            await self.json_error(send, 404, "not_found", f"no product {key!r}", head=head)
            return
        try:
            body = state.lazy(f"{view}:{key}", lambda: yaml_bytes(view_document(state.catalog, key, view)))
        except ViewUnavailable as exc:
            await self.json_error(send, 501, "not_implemented",
                                  f"this version cannot render {view}.yaml ({exc.missing} is missing)", head=head)
            return
        except UnknownProductError:
            await self.json_error(send, 404, "not_found", f"no product {key!r}", head=head)
            return
        await self.cached(scope, send, body, YAML, state.etag, head)

    async def page(self, scope: Scope, send: Send, state: ServeState, path: str, query_string: str,
                   head: bool) -> None:
        catalog = state.catalog
        etag = state.page_etag
        if path == "/":
            try:
                query = parse_product_query(query_string, lenient=True)
            except QueryError as exc:
                where = f"{exc.parameter}: " if exc.parameter else ""
                await self.html_error(send, state, 400, "Bad request", where + exc.message, head)
                return
            if not any(name == "limit" and value for name, value in parse_qsl(query_string, keep_blank_values=True)):
                query = replace(query, limit=pages.PAGE_SIZE)
            body = state.lazy("page:/?" + query_string,
                              lambda: pages.index_page(catalog, query, state.search(query)))
            await self.cached(scope, send, body, HTML, etag, head)
            return
        if path.startswith("/ui/products/"):
            key = path[13:]
            if catalog.find(key) is None:
                await self.html_error(send, state, 404, "Not found", f"There is no product {key}.", head)
                return
            body = state.lazy("page:" + path, lambda: pages.product_page(catalog, key))
            await self.cached(scope, send, body, HTML, etag, head)
            return
        if path.startswith("/ui/domains/"):
            name = path[12:]
            if catalog.domain(name) is None:
                await self.html_error(send, state, 404, "Not found", f"There is no domain {name}.", head)
                return
            body = state.lazy("page:" + path, lambda: pages.domain_page(catalog, name))
            await self.cached(scope, send, body, HTML, etag, head)
            return
        if path == "/ui/lineage":
            await self.lineage_page(scope, send, state, query_string, head)
            return
        await self.json_error(send, 404, "not_found", f"no route {path!r}; see /openapi.json", head=head)

    async def lineage_page(self, scope: Scope, send: Send, state: ServeState, query_string: str,
                           head: bool) -> None:
        try:
            params = dict(parse_qsl(query_string, max_num_fields=8, errors="strict"))
        except (ValueError, UnicodeDecodeError):
            await self.html_error(send, state, 400, "Bad request", "malformed query string", head)
            return
        domain = params.get("domain") or None
        if domain is not None and state.catalog.domain(domain) is None:
            await self.html_error(send, state, 404, "Not found", f"There is no domain {domain[:100]}.", head)
            return
        key = f"lineage:{domain or ''}"
        body = state.cached(key)
        if body is None:
            graph = pages.lineage_subgraph(state.catalog, domain)
            drawing = state.rendered.drawings.get(domain or "")
            if drawing is None:
                descriptions = {p.key: p.description for p in state.catalog.products}
                drawing = await lineage_svg.draw(graph, descriptions)
            shown = {"nodes": graph["nodes"], "edges": graph["edges"][:MAX_EDGE_ROWS]}
            body = pages.lineage_page(state.catalog, domain, shown, drawing, len(graph["edges"]))
            state.keep(key, body)
        await self.cached(scope, send, body, HTML, state.page_etag, head)
