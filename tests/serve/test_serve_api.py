"""The JSON API in-process: exact bodies, ETag/304, pagination, filters, errors, date evaluation."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from servetree import app_of, call, catalog_of, example_catalog, hostile_tree

from datamesh.catalog import domain_json, dumps, lineage_json, product_json, product_summary_json
from datamesh.serve.app import SECURITY_HEADERS, App, Holder
from datamesh.serve.openapi import document
from datamesh.serve.query import encode_cursor

CATALOG = example_catalog()
APP = app_of(CATALOG)
ETAG = f'"{CATALOG.revision}"'
SECURITY = {k.decode(): v.decode() for k, v in SECURITY_HEADERS}


def error(status: int, code: str, message: str, parameter: str | None = None) -> dict[str, object]:
    return {"error": {"status": status, "code": code, "message": message, "parameter": parameter}}


def test_a_product_is_its_descriptor_with_etag_and_security_headers() -> None:
    r = call(APP, "/products/player/play-events")
    assert r.status == 200
    assert r.body == dumps(product_json(CATALOG, "player/play-events"))
    assert r.headers == {"content-type": "application/json", "content-length": str(len(r.body)), **SECURITY,
                         "etag": ETAG}
    assert "access-control-allow-origin" not in r.headers


def test_security_headers_forbid_scripts_and_framing() -> None:
    csp = SECURITY["content-security-policy"]
    assert "script-src" not in csp and "unsafe-inline" not in csp and "default-src 'none'" in csp
    assert "frame-ancestors 'none'" in csp
    assert SECURITY["x-content-type-options"] == "nosniff" and SECURITY["referrer-policy"] == "no-referrer"


def test_if_none_match_answers_304_without_a_body() -> None:
    for header in (ETAG, f"W/{ETAG}", f'"other", {ETAG}', "*"):
        r = call(APP, "/products/player/play-events", headers={"If-None-Match": header})
        assert (r.status, r.body, r.headers["etag"]) == (304, b"", ETAG), header
    r = call(APP, "/products/player/play-events", headers={"If-None-Match": '"stale"'})
    assert r.status == 200


def test_head_has_the_headers_and_no_body() -> None:
    r = call(APP, "/products/player/play-events", method="HEAD")
    body = dumps(product_json(CATALOG, "player/play-events"))
    assert (r.status, r.body, r.headers["content-length"]) == (200, b"", str(len(body)))


def test_unknown_product_is_a_json_404() -> None:
    r = call(APP, "/products/player/nope")
    assert (r.status, r.headers["content-type"]) == (404, "application/json")
    assert r.json() == error(404, "not_found", "no product 'player/nope'")


@pytest.mark.parametrize("path", ["/nope", "/products/a/b/c/d", "/products/player/play-events/other.yaml",
                                  "/ui", "/productsx"])
def test_unknown_routes_are_json_404(path: str) -> None:
    r = call(APP, path)
    assert r.status == 404 and r.headers["content-type"] == "application/json"
    assert r.json()["error"]["code"] == "not_found"


def test_writes_are_405_with_allow() -> None:
    r = call(APP, "/products", method="POST")
    assert (r.status, r.headers["allow"]) == (405, "GET, HEAD")
    assert r.json() == error(405, "method_not_allowed", "POST is not allowed: this API is read-only")


def test_domains_and_lineage_bodies() -> None:
    assert call(APP, "/domains").body == dumps({"domains": [domain_json(CATALOG, d.name) for d in CATALOG.domains]})
    assert call(APP, "/lineage").body == dumps(lineage_json(CATALOG))


def test_healthz_and_readyz() -> None:
    assert call(APP, "/healthz").json() == {"status": "ok"}
    ready = call(APP, "/readyz")
    assert (ready.status, ready.json()) == (200, {
        "status": "ready", "source": "test", "mesh": "daff", "environment": "dev", "products": 12,
        "revision": CATALOG.revision, "evaluated_on": "2026-11-25", "content_hash": CATALOG.info.content_hash})


def test_while_loading_readyz_is_503_and_routes_say_loading() -> None:
    app = App(Holder(None))
    assert call(app, "/healthz").status == 200
    r = call(app, "/readyz")
    assert (r.status, r.headers["retry-after"], r.json()) == (503, "1", {"status": "loading",
                                                                        "message": "no catalog loaded yet"})
    for path in ("/products", "/products/a/b", "/", "/ui/lineage"):
        r = call(app, path)
        assert (r.status, r.json()) == (503, error(503, "loading", "the catalog is still loading; retry in a moment"))


def test_openapi_is_served() -> None:
    r = call(APP, "/openapi.json")  # the served catalog's first product is the example
    assert r.json() == document("artist-payments/royalty-statements") and r.json()["openapi"] == "3.1.0"
    params = r.json()["paths"]["/products/{domain}/{product}"]["get"]["parameters"]
    assert [(p["name"], p.get("example")) for p in params] == [
        ("domain", "artist-payments"), ("product", "royalty-statements"), ("If-None-Match", None)]
    assert call(App(Holder(None)), "/openapi.json").json() == document()


# --- /products --------------------------------------------------------------------------------


def summaries(*keys: str) -> list[dict[str, object]]:
    return [product_summary_json(CATALOG, k) for k in keys]


def test_products_lists_every_product_in_id_order_with_the_total() -> None:
    r = call(APP, "/products")
    keys = [p.key for p in CATALOG.products]
    assert r.json() == {"total": 12, "limit": 50, "next_cursor": None, "products": summaries(*keys)}
    assert r.headers["etag"] == ETAG


def test_pagination_walks_every_product_once() -> None:
    seen: list[str] = []
    query = "limit=5"
    pages = 0
    while True:
        body = call(APP, "/products", query).json()
        assert body["total"] == 12 and body["limit"] == 5
        seen += [p["id"] for p in body["products"]]
        pages += 1
        if body["next_cursor"] is None:
            break
        query = f"limit=5&cursor={body['next_cursor']}"
    assert pages == 3 and seen == [p.key for p in CATALOG.products]


def test_a_cursor_is_a_position_after_a_product() -> None:
    body = call(APP, "/products", f"limit=2&cursor={encode_cursor('player/play-events')}").json()
    assert [p["id"] for p in body["products"]] == ["player/skip-events", "playlist/listening-sessions"]
    assert body["next_cursor"] == encode_cursor("playlist/listening-sessions")


@pytest.mark.parametrize(("query", "keys"), [
    # every word, in the id, description, tags, owner team or column names (partner-reports has a column)
    ("q=sessions", ["partners/partner-reports", "playlist/listening-sessions", "playlist/listening-sessions-v2"]),
    ("q=PLAY+events", ["player/play-events", "player/skip-events"]),
    ("q=raw+PLAY", ["player/play-events"]),
    ("domain=player", ["player/device-stats", "player/play-events", "player/skip-events"]),
    ("classification=restricted", ["artist-payments/royalty-statements", "listeners/listener-profiles"]),
    ("status=retired", ["player/device-stats"]),
    ("tag=pii&tag=finance", ["artist-payments/royalty-statements"]),
    ("q=zzz-nothing", []),
])
def test_filters(query: str, keys: list[str]) -> None:
    body = call(APP, "/products", query).json()
    assert [p["id"] for p in body["products"]] == keys and body["total"] == len(keys)


@pytest.mark.parametrize(("query", "parameter", "message"), [
    ("limit=0", "limit", "expected an integer from 1 to 500, got '0'"),
    ("limit=501", "limit", "expected an integer from 1 to 500, got '501'"),
    ("limit=ten", "limit", "expected an integer from 1 to 500, got 'ten'"),
    ("limit=-1", "limit", "expected an integer from 1 to 500, got '-1'"),
    ("cursor=abc", "cursor", "not a cursor of this API (use the next_cursor of the previous page)"),
    ("status=gone", "status", "expected one of draft, active, deprecated, retired, got 'gone'"),
    ("classification=secret", "classification",
     "expected one of public, internal, confidential, restricted, got 'secret'"),
    ("colour=red", "colour", "unknown parameter; the parameters are q, domain, classification, tag, status, limit, "
                             "cursor"),
    ("q=a&q=b", "q", "given more than once"),
    ("q=" + "x" * 201, "q", "longer than 200 characters"),
    ("q=%ff", None, "malformed query string (at most 32 parameters, UTF-8)"),
    ("&".join(f"tag={i}" for i in range(40)), None, "malformed query string (at most 32 parameters, UTF-8)"),
])
def test_malformed_queries_are_json_400(query: str, parameter: str | None, message: str) -> None:
    r = call(APP, "/products", query)
    assert (r.status, r.json()) == (400, error(400, "invalid_parameter", message, parameter))


# --- evaluation by the request's day ------------------------------------------------------------


def grant_states(app: App, key: str) -> dict[str, str]:
    return {g["consumer"]: g["state"] for g in call(app, f"/products/{key}").json()["access"]["grants"]}


def test_grants_are_evaluated_on_the_day_of_the_request_not_the_build_day() -> None:
    holder = Holder(app_of(CATALOG).holder.state, date(2026, 11, 25))
    app = App(holder)
    assert grant_states(app, "artist-payments/royalty-statements") == {"artists": "active"}
    holder.fixed_day = date(2027, 11, 25)  # the day after the artists' approval ends
    assert grant_states(app, "artist-payments/royalty-statements") == {"artists": "expired"}
    later = CATALOG.as_of(date(2027, 11, 25))
    assert call(app, "/products/artist-payments/royalty-statements").body == dumps(
        product_json(later, "artist-payments/royalty-statements"))
    assert call(app, "/products/artist-payments/royalty-statements").headers["etag"] == f'"{later.revision}"'
    assert f'"{later.revision}"' != ETAG


def test_a_day_inside_the_evaluation_period_shares_the_rendered_bodies() -> None:
    state = app_of(CATALOG).holder.state
    assert state is not None
    moved = state.for_day(date(2026, 12, 1))
    assert moved.rendered.products is state.rendered.products and moved.day == date(2026, 12, 1)
    assert state.for_day(date(2027, 11, 25)).rendered.products is not state.rendered.products


def test_hostile_text_is_json_escaped_data(tmp_path: Path) -> None:
    catalog = catalog_of(hostile_tree(tmp_path / "domains"))
    r = call(app_of(catalog), "/products/alpha/events")
    assert json.loads(r.body)["description"].startswith('<script>alert("pwned")</script>')
    assert r.headers["content-type"] == "application/json" and r.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize(("route", "build"), [("odps.yaml", "odps_document"), ("odcs.yaml", "odcs_document")])
def test_standard_views_are_the_catalog_cores_documents_as_yaml(route: str, build: str) -> None:
    import yaml

    import datamesh.catalog as core
    from datamesh.catalog.standards import document_yaml

    r = call(APP, f"/products/player/play-events/{route}")
    document = getattr(core, build)(CATALOG, "player/play-events")
    assert (r.status, r.headers["content-type"], r.headers["etag"]) == (200, "application/yaml; charset=utf-8", ETAG)
    assert r.body == document_yaml(document).encode() and yaml.safe_load(r.body) == document
    missing = call(APP, f"/products/player/nope/{route}")
    assert (missing.status, missing.json()) == (404, error(404, "not_found", "no product 'player/nope'"))
