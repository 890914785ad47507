"""The pages: what they show, hostile spec text shown as text everywhere, the lineage SVG."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from servetree import app_of, call, catalog_of, example_catalog, hostile_tree

from datamesh.serve import lineage_svg
from datamesh.serve.lineage_svg import dot_quote, sanitize_svg

ESCAPED = "&lt;script&gt;alert(&#34;pwned&#34;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt; &amp; &#34;quotes&#34;"
"""``HOSTILE`` as Jinja2's autoescape writes it."""
EXAMPLE = app_of(example_catalog())


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> object:
    return app_of(catalog_of(hostile_tree(tmp_path_factory.mktemp("hostile") / "domains")))


def no_markup_from_specs(html: str) -> None:
    assert "<script" not in html and "<img" not in html and "onerror=alert(1)>" not in html
    assert "<b>" not in html


@pytest.mark.parametrize("path", ["/", "/ui/products/alpha/events", "/ui/domains/alpha", "/ui/lineage",
                                  "/ui/lineage?domain=alpha", "/ui/products/beta/report"])
def test_hostile_text_shows_as_text_on_every_page(hostile: object, path: str) -> None:
    page, _, query = path.partition("?")
    r = call(hostile, page, query)  # type: ignore[arg-type]
    assert (r.status, r.headers["content-type"]) == (200, "text/html; charset=utf-8")
    no_markup_from_specs(r.text)
    if path != "/ui/products/beta/report":
        assert ESCAPED in r.text or "&lt;script&gt;alert(&quot;pwned&quot;)" in r.text


def require_dot() -> None:
    """Graphviz is a Debian package the server uses when present: without it a developer's run
    skips the SVG tests, but CI (where .ci/run installs it) fails instead of skipping."""
    if lineage_svg.dot_binary() is None:
        message = "Graphviz dot is not installed (apt-get install graphviz; .ci/run installs it)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message}; in CI the SVG tests never skip")
        pytest.skip(message)


def test_the_svg_carries_the_description_escaped(hostile: object) -> None:
    require_dot()
    html = call(hostile, "/ui/lineage").text  # type: ignore[arg-type]
    svg = html[html.index("<svg"):html.index("</svg>") + 6]
    assert ('aria-label="&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt; '
            '&amp; &quot;quotes&quot;"') in svg
    assert re.findall(r'href="([^"]*)"', svg) == ["/ui/products/alpha/events", "/ui/products/beta/report"]


def test_index_lists_products_and_searches() -> None:
    html = call(EXAMPLE, "/").text
    assert '<p class="count" id="count">12 products</p>' in html
    assert html.count('class="product"') == 12
    html = call(EXAMPLE, "/", "q=raw+play&domain=&classification=&status=&tag=").text
    assert '<p class="count" id="count">1 product matches</p>' in html
    assert re.findall(r'class="product" href="([^"]*)"', html) == ["/ui/products/player/play-events"]
    assert '<input type="search" name="q" value="raw play"' in html


def test_index_pages_with_a_next_link() -> None:
    html = call(EXAMPLE, "/", "limit=5&q=a").text
    found = re.search(r'<a rel="next" href="([^"]*)">', html)
    assert found is not None and found.group(1).startswith("/?q=a&amp;cursor=")


def test_index_bad_filter_is_an_html_400() -> None:
    r = call(EXAMPLE, "/", "status=gone")
    assert r.status == 400 and "status: expected one of draft, active, deprecated, retired" in r.text


def test_product_page_shows_what_a_consumer_needs() -> None:
    html = call(EXAMPLE, "/ui/products/artist-payments/royalty-statements").text
    assert '<span id="product-id">artist-payments/royalty-statements</span>' in html
    assert '<dd id="retention">730 days, archived after 365 days; old versions kept 30 days</dd>' in html
    assert "<tr><th>freshness</th><td>1d</td></tr>" in html  # guarantees as written
    assert "<tr><td><code>payee_iban</code></td><td>string</td><td>yes</td><td>yes</td>" in html
    assert ("inputs:\n  - product: artist-payments/royalty-statements\n"
            "    purpose: &lt;why your product reads it&gt;") in html
    assert '<tr class="active"><td>artists</td><td>domain</td><td>2027-11-24</td><td>active</td>' in html
    assert "partners: waits for @daff/artist-payments (approval expired on 2025-09-30)" in html
    assert '<a href="/ui/products/player/play-events">player/play-events</a> (granted)' in html


def test_domain_page() -> None:
    html = call(EXAMPLE, "/ui/domains/player").text
    assert '<span id="domain-name">player</span>' in html
    assert re.findall(r'class="product" href="([^"]*)"', html) == [
        "/ui/products/player/device-stats", "/ui/products/player/play-events", "/ui/products/player/skip-events"]


def test_unknown_pages_are_html_404() -> None:
    for path, text in (("/ui/products/player/nope", "There is no product player/nope."),
                       ("/ui/domains/nope", "There is no domain nope.")):
        r = call(EXAMPLE, path)
        assert (r.status, r.headers["content-type"]) == (404, "text/html; charset=utf-8")
        assert f'<p id="error">{text}</p>' in r.text
    assert call(EXAMPLE, "/ui/lineage", "domain=nope").status == 404
    other = call(EXAMPLE, "/ui/other")  # not a route at all: the API's JSON 404
    assert (other.status, other.headers["content-type"]) == (404, "application/json")
    assert other.json()["error"]["message"] == "no route '/ui/other'; see /openapi.json"


def test_pages_have_an_etag_with_the_day() -> None:
    r = call(EXAMPLE, "/ui/products/player/play-events")
    assert r.headers["etag"].endswith('.20261125"')
    assert call(EXAMPLE, "/ui/products/player/play-events", headers={"If-None-Match": r.headers["etag"]}).status == 304


def test_stylesheet_is_served() -> None:
    r = call(EXAMPLE, "/static/style.css")
    assert r.status == 200 and r.headers["content-type"] == "text/css; charset=utf-8" and b"body {" in r.body


# --- the SVG ------------------------------------------------------------------------------------


def test_dot_quote_keeps_text_out_of_the_dot_syntax() -> None:
    assert dot_quote('a"]; evil [label="x') == '"a\\"]; evil [label=\\"x"'
    assert dot_quote("back\\N slash\nnew line") == '"back\\\\N slash new line"'


def test_sanitize_drops_scripts_handlers_styles_and_foreign_links() -> None:
    svg = (b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="10" '
           b'onload="alert(1)"><script>alert(2)</script><foreignObject><div>x</div></foreignObject>'
           b'<g id="n" style="background:url(x)"><a xlink:href="javascript:alert(3)" xlink:title="&lt;b&gt;">'
           b'<text x="1">&lt;script&gt;</text></a><a xlink:href="/ui/products/a/b"><text>ok</text></a>'
           b'<path d="M0,0" fill="url(javascript:x)"/></g></svg>')
    assert sanitize_svg(svg) == (
        '<svg xmlns="http://www.w3.org/2000/svg" width="10"><g id="n"><a aria-label="&lt;b&gt;"><text x="1">'
        '&lt;script&gt;</text></a><a href="/ui/products/a/b"><text>ok</text></a><path d="M0,0"></path></g></svg>')


def test_without_dot_the_page_says_why_and_lists_the_edges(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lineage_svg, "dot_binary", lambda: None)
    html = call(app_of(example_catalog()), "/ui/lineage").text
    assert ('<p class="notice" id="graph-fallback">Graphviz is not installed on the server (the dot command is '
            'missing; install the graphviz package): the edges are listed below.</p>') in html
    assert "<svg" not in html and html.count("<tr><td><a href=") == len(example_catalog().lineage)


def test_a_graph_too_large_is_not_drawn(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lineage_svg, "MAX_NODES", 3)
    html = call(app_of(example_catalog()), "/ui/lineage").text
    assert "more than the 3 drawn at once: choose a domain above" in html


def test_a_slow_dot_times_out(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    slow = tmp_path / "dot"
    slow.write_text("#!/bin/sh\nexec sleep 5\n")
    slow.chmod(0o755)
    monkeypatch.setattr(lineage_svg, "dot_binary", lambda: str(slow))
    monkeypatch.setattr(lineage_svg, "DOT_TIMEOUT_SECONDS", 0.2)
    monkeypatch.setattr(lineage_svg.draw, "__defaults__", (0.2,))
    html = call(app_of(example_catalog()), "/ui/lineage").text
    assert "Graphviz took longer than 0.2 s: the edges are listed below." in html


def test_index_ignores_unknown_fields_and_pages_by_100_unless_asked() -> None:
    html = call(EXAMPLE, "/", "xlimit=5&utm_source=mail").text
    assert html.count('class="product"') == 12 and 'rel="next"' not in html
    assert call(EXAMPLE, "/", "limit=").text.count('class="product"') == 12


def test_the_supervisor_draws_the_whole_graph_once_for_the_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    require_dot()
    from datamesh.serve.supervisor import predraw

    app = app_of(example_catalog())
    state = app.holder.state
    assert state is not None
    predraw(state)
    drawn = state.rendered.drawings[""]
    assert drawn.svg is not None and drawn.svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"')
    monkeypatch.setattr(lineage_svg, "dot_binary", lambda: None)  # the worker runs no dot of its own
    html = call(app, "/ui/lineage").text
    assert drawn.svg in html
