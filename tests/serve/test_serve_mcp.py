"""MCP over streamable HTTP with the SDK's own client, against two server processes: one client
session whose requests alternate between them (stateless: any replica answers any request)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from servetree import LiveServer, example_catalog

from datamesh.catalog import catalog_json, dumps, odcs_document, product_json, product_summary_json

CATALOG = example_catalog()


class Alternating(httpx2.AsyncBaseTransport):
    """Sends each request to the next server in turn; records which one answered what."""

    def __init__(self, ports: list[int]) -> None:
        self.ports = ports
        self.calls: list[tuple[int, str]] = []
        self.inner = httpx2.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        port = self.ports[len(self.calls) % len(self.ports)]
        method = json.loads(request.content).get("method", "") if request.content else request.method
        self.calls.append((port, str(method)))
        request.url = request.url.copy_with(port=port)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[LiveServer]]:
    path: Path = tmp_path_factory.mktemp("mcp") / "catalog.json"
    path.write_bytes(dumps(catalog_json(CATALOG)))
    started = [LiveServer("--catalog", str(path), "--today", "2026-11-25") for _ in range(2)]
    try:
        for s in started:
            s.wait_ready()
        yield started
    finally:
        for s in started:
            s.stop()


def run(servers: list[LiveServer], calls: list[tuple[str, dict[str, Any]]]) -> tuple[Any, list[tuple[int, str]]]:
    ports = [int(s.url.rsplit(":", 1)[1]) for s in servers]
    transport = Alternating(ports)

    async def go() -> Any:
        async with (httpx2.AsyncClient(transport=transport, timeout=30) as http,
                    Client(streamable_http_client(f"{servers[0].url}/mcp", http_client=http)) as client):
            tools = await client.list_tools()
            results = [await client.call_tool(name, args) for name, args in calls]
            return tools, results

    return asyncio.run(go()), transport.calls


def test_tools_are_read_only_and_answered_by_either_server(servers: list[LiveServer]) -> None:
    (tools, results), calls = run(servers, [
        ("search_products", {"query": "sessions", "limit": 2}),
        ("get_product", {"product": "player/play-events"}),
        ("get_lineage", {"product": "player/play-events"}),
        ("get_access_request", {"product": "player/play-events", "consumer_domain": "listeners",
                                "purpose": "churn model"}),
        ("get_product", {"product": "player/nope"}),
        ("get_contract", {"product": "player/play-events"}),
    ])
    names = sorted(t.name for t in tools.tools)
    assert names == ["get_access_request", "get_contract", "get_lineage", "get_product", "search_products"]
    assert all(t.annotations is not None and t.annotations.read_only_hint and not t.annotations.destructive_hint
               for t in tools.tools)
    ports = {port for port, _ in calls}
    assert len(ports) == 2, calls  # the one client session was answered by both processes
    assert {m for _, m in calls} >= {"tools/list", "tools/call"}

    search, product, lineage, access, unknown, contract = results
    assert contract.structured_content == odcs_document(CATALOG, "player/play-events")
    assert search.structured_content == {
        "total": 3, "next_cursor": "YWZ0ZXI6cGxheWxpc3QvbGlzdGVuaW5nLXNlc3Npb25z",
        "products": [product_summary_json(CATALOG, "partners/partner-reports"),
                     product_summary_json(CATALOG, "playlist/listening-sessions")]}
    assert product.structured_content == product_json(CATALOG, "player/play-events")
    assert lineage.structured_content == {"product": "player/play-events",
                                          **product_json(CATALOG, "player/play-events")["lineage"]}
    assert access.structured_content == {
        "product": "player/play-events", "consumer": "listeners", "outcome": "needs-approval",
        "message": "the request stays pending until @daff/player approves it",
        "request": {"file": "domains/listeners/domain.yaml", "add_under": "consumes",
                    "yaml": 'consumes:\n  - product: player/play-events\n    purpose: "churn model"\n',
                    "written_by": "listeners"},
        "approval": {"file": "domains/player/products/play-events.yaml", "add_under": "sharing.approved",
                     "yaml": "sharing:\n  approved:\n    - domain: listeners\n      until: YYYY-MM-DD   # optional: "
                             'the last day of access; omit for no end\n      purpose: "churn model"\n',
                     "written_by": "@daff/player"}}
    assert unknown.is_error
    assert unknown.content[0].text == ("Error executing tool get_product: no product 'player/nope'; "  # type: ignore[union-attr]
                                       "search_products lists them (ids are <domain>/<product>)")


def test_a_hostile_purpose_stays_one_yaml_string(servers: list[LiveServer]) -> None:
    (_, results), _ = run(servers, [("get_access_request", {
        "product": "player/play-events", "consumer_domain": "listeners",
        "purpose": "x\nsharing:\n  mode: open"})])
    request = results[0].structured_content["request"]
    assert request["yaml"] == 'consumes:\n  - product: player/play-events\n    purpose: "x\\nsharing:\\n  mode: open"\n'
