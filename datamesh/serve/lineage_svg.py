"""The lineage graph as SVG, drawn on the server by Graphviz ``dot`` (Debian's ``graphviz``).

No browser-side renderer: the page embeds the SVG. Spec text is attacker-controlled, so:

- the DOT source quotes every string with ``"`` and ``\\`` escaped and no newline, so a
  description cannot add DOT statements or Graphviz escapes (``\\N``, ``\\G``);
- ``dot`` runs with a timeout, without a shell, on a graph of at most ``MAX_NODES`` nodes;
- its SVG is parsed and written out again through an allow-list of elements and attributes:
  no script, no foreignObject, no event handler, no style, and links only to this server's
  ``/ui/`` pages. Text and attribute values are escaped on the way out.

When ``dot`` is missing, times out, fails, or the graph is too large, the page shows why and the
edge table (``Drawing.fallback``).
"""

from __future__ import annotations

import asyncio
import re
import shutil
import subprocess
from dataclasses import dataclass
from html import escape
from typing import Any
from xml.etree import ElementTree

MAX_NODES = 400
"""The largest graph drawn; a bigger mesh is drawn one domain at a time (``?domain=``)."""
DOT_TIMEOUT_SECONDS = 10.0
SVG_NS = "{http://www.w3.org/2000/svg}"
XLINK_NS = "{http://www.w3.org/1999/xlink}"
ELEMENTS = frozenset({"svg", "g", "title", "polygon", "path", "ellipse", "polyline", "text", "a"})
ATTRIBUTES = frozenset({"width", "height", "viewBox", "id", "class", "transform", "points", "d", "cx", "cy", "rx",
                        "ry", "x", "y", "fill", "stroke", "stroke-dasharray", "stroke-width", "font-family",
                        "font-size", "text-anchor"})
_SAFE_VALUE = re.compile(r"(?!.*url\()[^<>\"'`:&]*")
"""Attribute values dot writes (numbers, colours, fonts, transforms): no markup, no URL, no scheme."""
_SAFE_HREF = re.compile(r"/ui/(products/[a-z0-9-]+/[a-z0-9-]+|domains/[a-z0-9-]+)")


@dataclass(frozen=True, slots=True)
class Drawing:
    svg: str | None
    """Sanitised SVG markup, ready to embed; ``None`` when not drawn."""
    fallback: str | None
    """Why there is no drawing."""


def dot_quote(text: str) -> str:
    """A DOT double-quoted string that is exactly ``text`` (no escapes interpreted, one line)."""
    flat = " ".join(text.split())
    return '"' + flat.replace("\\", "\\\\").replace('"', '\\"') + '"'


def dot_source(lineage: dict[str, Any], descriptions: dict[str, str]) -> str:
    """DOT for the lineage JSON (``lineage_json``): products as boxes linking to their pages, reading
    domains as ellipses, one edge per request styled by its state."""
    lines = ["digraph lineage {", '  graph [rankdir=LR, fontname="Helvetica", fontsize=10];',
             '  node [shape=box, style=rounded, fontname="Helvetica", fontsize=10];',
             '  edge [fontname="Helvetica", fontsize=9];']
    for node in lineage["nodes"]:
        nid = node["id"]
        if node["kind"] == "product":
            tooltip = descriptions.get(nid, "")
            lines.append(f"  {dot_quote(nid)} [href={dot_quote('/ui/products/' + nid)}, "
                         f"tooltip={dot_quote(tooltip or nid)}, class={dot_quote(node['status'])}];")
        else:
            lines.append(f"  {dot_quote(nid)} [shape=ellipse, href={dot_quote('/ui/domains/' + nid)}, "
                         f"tooltip={dot_quote('domain ' + nid)}];")
    styles = {"granted": "solid", "pending": "dashed", "not-granted": "dotted"}
    for edge in lineage["edges"]:
        lines.append(f"  {dot_quote(edge['from'])} -> {dot_quote(edge['to'])} "
                     f"[style={styles.get(edge['state'], 'dotted')}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1] if tag.startswith("{") else tag


def sanitize_svg(svg: bytes) -> str:
    """``svg`` re-written through the allow-list (raises ``ValueError`` when it is not SVG)."""
    try:
        root = ElementTree.fromstring(svg)
    except ElementTree.ParseError as exc:
        raise ValueError(f"dot wrote no SVG ({exc})") from None
    if root.tag != f"{SVG_NS}svg":
        raise ValueError("dot wrote no SVG")
    out: list[str] = []

    def write(element: ElementTree.Element) -> None:
        name = _local(element.tag)
        if name not in ELEMENTS or not element.tag.startswith(SVG_NS):
            return  # dropped with its children
        attrs = []
        if name == "svg":
            attrs.append(' xmlns="http://www.w3.org/2000/svg"')
        for key, value in element.attrib.items():
            if name == "a" and key in (f"{XLINK_NS}href", "href"):
                if _SAFE_HREF.fullmatch(value):
                    attrs.append(f' href="{escape(value)}"')
                continue
            if name == "a" and key == f"{XLINK_NS}title":
                attrs.append(f' aria-label="{escape(value)}"')
                continue
            if key in ATTRIBUTES and _SAFE_VALUE.fullmatch(value):
                attrs.append(f' {key}="{escape(value)}"')
        out.append(f"<{name}{''.join(attrs)}>")
        if element.text:
            out.append(escape(element.text, quote=False))
        for child in element:
            write(child)
            if child.tail and child.tail.strip():
                out.append(escape(child.tail, quote=False))
        out.append(f"</{name}>")

    write(root)
    return "".join(out)


def dot_binary() -> str | None:
    return shutil.which("dot")


def _not_drawn(lineage: dict[str, Any]) -> Drawing | None:
    """Why the graph is not drawn at all, or ``None`` when ``dot`` is to run."""
    if not lineage["nodes"]:
        return Drawing(None, "The mesh has no products to draw.")
    if len(lineage["nodes"]) > MAX_NODES:
        return Drawing(None, f"The graph has {len(lineage['nodes'])} nodes, more than the {MAX_NODES} drawn at "
                             "once: choose a domain above; every edge is listed below.")
    if dot_binary() is None:
        return Drawing(None, "Graphviz is not installed on the server (the dot command is missing; install the "
                             "graphviz package): the edges are listed below.")
    return None


def _result(returncode: int | None, out: bytes, err: bytes) -> Drawing:
    if returncode != 0:
        first = err.decode(errors="replace").strip().splitlines()[:1]
        return Drawing(None, f"Graphviz failed ({first[0] if first else f'exit {returncode}'}): the edges "
                             "are listed below.")
    try:
        return Drawing(sanitize_svg(out), None)
    except ValueError as exc:
        return Drawing(None, f"Graphviz output was not usable ({exc}): the edges are listed below.")


def _timed_out(timeout: float) -> Drawing:
    return Drawing(None, f"Graphviz took longer than {timeout:g} s: the edges are listed below.")


async def draw(lineage: dict[str, Any], descriptions: dict[str, str],
               timeout: float = DOT_TIMEOUT_SECONDS) -> Drawing:
    """Run ``dot -Tsvg`` on the graph (asynchronously: the worker keeps answering meanwhile)."""
    skipped = _not_drawn(lineage)
    if skipped is not None:
        return skipped
    binary = dot_binary()
    assert binary is not None
    proc = await asyncio.create_subprocess_exec(binary, "-Tsvg", stdin=asyncio.subprocess.PIPE,
                                                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        out, err = await asyncio.wait_for(proc.communicate(dot_source(lineage, descriptions).encode()), timeout)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        return _timed_out(timeout)
    return _result(proc.returncode, out, err)


def draw_now(lineage: dict[str, Any], descriptions: dict[str, str],
             timeout: float = DOT_TIMEOUT_SECONDS) -> Drawing:
    """The same, blocking: the supervisor draws the whole graph once per catalog version, before
    forking the workers (they then share it)."""
    skipped = _not_drawn(lineage)
    if skipped is not None:
        return skipped
    binary = dot_binary()
    assert binary is not None
    try:
        proc = subprocess.run([binary, "-Tsvg"], input=dot_source(lineage, descriptions).encode(),
                              capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return _timed_out(timeout)
    return _result(proc.returncode, proc.stdout, proc.stderr)
