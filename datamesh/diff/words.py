"""Phrases every renderer shares, so text, markdown and json say the same thing the same way."""

from __future__ import annotations

import json
import unicodedata
from datetime import date
from typing import Any

from datamesh.diff.model import MeshDiff, PropertyChange

OUTSIDE_NOTICE = "the plan diff cannot show their effect; `pulumi preview` does"
NO_CHANGES = "No changes"


def until(value: date | None) -> str:
    return value.isoformat() if value is not None else "no end date"


def until_phrase(value: date | None) -> str:
    """``until 2027-06-30``, or ``no end date``."""
    return f"until {value.isoformat()}" if value is not None else "no end date"


def printable(text: str) -> str:
    """``text`` with control and format characters escaped (file names and spec text are the
    author's: a newline or an ANSI escape must not forge lines of the report)."""
    if all(unicodedata.category(c)[0] != "C" for c in text):
        return text
    return "".join(c if unicodedata.category(c)[0] != "C" else c.encode("unicode_escape").decode("ascii")
                   for c in text)


def value(v: Any, limit: int | None = None) -> str:
    """A JSON value as compact text, cut at ``limit`` characters."""
    text = json.dumps(v, separators=(",", ":"), sort_keys=True, default=str, ensure_ascii=False)
    text = printable(text)
    if limit is not None and len(text) > limit:
        return text[: limit - 1] + "…"
    return text


def property_change(change: PropertyChange, limit: int | None = None) -> str:
    if change.change == "added":
        return f"{change.path}: added {value(change.after, limit)}"
    if change.change == "removed":
        return f"{change.path}: removed (was {value(change.before, limit)})"
    return f"{change.path}: {value(change.before, limit)} → {value(change.after, limit)}"


def title(diff: MeshDiff) -> str:
    h = diff.header
    return (f"mesh diff {h.mesh} {h.environment}: base {printable(h.base)} ({h.base_commit[:12]}) → working "
            f"tree, evaluated {h.today.isoformat()}")


def specs_counts(diff: MeshDiff) -> str:
    p, d = diff.products, diff.domains
    return (f"products {len(p.added)} added, {len(p.changed)} changed, {len(p.retired)} retired, "
            f"{len(p.removed)} removed; domains {len(d.added)} added, {len(d.changed)} changed, "
            f"{len(d.removed)} removed; mesh.yaml {'changed' if diff.mesh_changed else 'unchanged'}")


def access_counts(diff: MeshDiff) -> str:
    a = diff.access
    return f"{len(a.gained)} gained, {len(a.lost)} lost, {len(a.changed)} end date(s) changed"


def pending_counts(diff: MeshDiff) -> str:
    return f"{len(diff.pending.opened)} opened, {len(diff.pending.resolved)} resolved"


def resource_counts(diff: MeshDiff, minus: str = "-") -> str:
    r = diff.resources
    if not r.compared:
        return f"not compared: {r.not_compared}"
    return f"+{len(r.added)} ~{len(r.changed)} {minus}{len(r.removed)}"


def risk_counts(diff: MeshDiff) -> str:
    info = sum(1 for r in diff.risks if r.informational)
    return f"{len(diff.risks)}" + (f" ({info} informational)" if info else "")


def policy_verdict(diff: MeshDiff) -> str:
    p = diff.policy
    if not p.evaluated:
        return f"rejected: the head does not validate ({len(p.errors)} error(s))"
    new = sum(1 for f in p.findings if f.new)
    errors = f", and {len(p.errors)} plan error(s)" if p.errors else ""
    return (f"{'passed' if p.passed else 'rejected'}: {p.mandatory} mandatory and {p.advisory} advisory "
            f"violation(s) ({new} new){errors}; {p.rules} rules over {p.resources} resources")


def outside_headline(diff: MeshDiff) -> str:
    return (f"{len(diff.outside)} file(s) outside {diff.header.domains}/ changed: {OUTSIDE_NOTICE}")


def base_label(diff: MeshDiff) -> str:
    return f"base {printable(diff.header.base)}"
