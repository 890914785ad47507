"""``mesh diff --format json``: the whole diff, nothing truncated (docs/diff.md has the shape).

Top-level keys, exactly: ``summary``, ``access``, ``pending``, ``risks``, ``resources``,
``approvers``, ``policy``, ``notes``. Files changed outside ``--domains`` are listed in
``summary.outside`` (their effect is not in this diff) and said in ``notes`` too.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from datamesh.diff import words
from datamesh.diff.model import (
    DocumentChange,
    GrantEdge,
    MeshDiff,
    PropertyChange,
    ResourceChange,
    ResourceRef,
    StatementChange,
)


def _date(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _edge(e: GrantEdge) -> dict[str, Any]:
    return {"product": e.product, "consumer": e.consumer, "consumer_kind": e.consumer_kind, "until": _date(e.until)}


def _ref(r: ResourceRef) -> dict[str, Any]:
    return {"name": r.name, "type": r.type, "domain": r.domain, "product": r.product}


def _property(p: PropertyChange) -> dict[str, Any]:
    out: dict[str, Any] = {"path": p.path, "change": p.change}
    if p.change != "added":
        out["before"] = p.before
    if p.change != "removed":
        out["after"] = p.after
    return out


def _statement(s: StatementChange) -> dict[str, Any]:
    return {"key": s.key, "change": s.change,
            "before": json.loads(s.before) if s.before is not None else None,
            "after": json.loads(s.after) if s.after is not None else None,
            "fields": [_property(f) for f in s.fields]}


def _document(d: DocumentChange) -> dict[str, Any]:
    return {"path": d.path, "statements": [_statement(s) for s in d.statements],
            "other": [_property(p) for p in d.other]}


def _changed(c: ResourceChange) -> dict[str, Any]:
    return {**_ref(c.resource), "properties": [_property(p) for p in c.properties],
            "documents": [_document(d) for d in c.documents]}


def summary(diff: MeshDiff) -> dict[str, Any]:
    h, p, d, r = diff.header, diff.products, diff.domains, diff.resources
    return {
        "mesh": h.mesh,
        "environment": h.environment,
        "base": h.base,
        "base_commit": h.base_commit,
        "today": h.today.isoformat(),
        "domains_path": h.domains,
        "changed": not diff.unchanged,
        "outside": list(diff.outside),
        "files": list(diff.touched),
        "products": {"added": list(p.added), "changed": list(p.changed), "retired": list(p.retired),
                     "removed": list(p.removed)},
        "domains": {"added": list(d.added), "changed": list(d.changed), "removed": list(d.removed)},
        "mesh_changed": diff.mesh_changed,
        "access": {"gained": len(diff.access.gained), "lost": len(diff.access.lost),
                   "changed": len(diff.access.changed)},
        "pending": {"opened": len(diff.pending.opened), "resolved": len(diff.pending.resolved)},
        "resources": {"added": len(r.added), "changed": len(r.changed), "removed": len(r.removed)}
        if r.compared else None,
        "risks": len(diff.risks),
        "policy": {"evaluated": diff.policy.evaluated, "passed": diff.policy.passed,
                   "mandatory": diff.policy.mandatory, "advisory": diff.policy.advisory},
        "exit_code": diff.exit_code,
    }


def render_json(diff: MeshDiff) -> dict[str, Any]:
    r, pol = diff.resources, diff.policy
    notes = list(diff.notes)
    if diff.outside:
        notes.insert(0, words.outside_headline(diff))
    notes += [f"{words.base_label(diff)}: {d.format().splitlines()[0]}" for d in diff.base_errors]
    return {
        "summary": summary(diff),
        "access": {"gained": [_edge(e) for e in diff.access.gained],
                   "lost": [_edge(e) for e in diff.access.lost],
                   "changed": [{"product": c.product, "consumer": c.consumer, "consumer_kind": c.consumer_kind,
                                "before": _date(c.before), "after": _date(c.after)} for c in diff.access.changed]},
        "pending": {"opened": [{"product": o.product, "consumer": o.consumer, "approver": o.approver,
                                "expired_on": _date(o.expired_on)} for o in diff.pending.opened],
                    "resolved": [{"product": o.product, "consumer": o.consumer, "approver": o.approver,
                                  "outcome": o.outcome} for o in diff.pending.resolved]},
        "risks": [risk.to_json() for risk in diff.risks],
        "resources": {"compared": r.compared, "not_compared": r.not_compared,
                      "added": [_ref(x) for x in r.added], "changed": [_changed(c) for c in r.changed],
                      "removed": [_ref(x) for x in r.removed]},
        "approvers": [{"approver": a.who, "reasons": list(a.reasons)} for a in diff.approvers],
        "policy": {"evaluated": pol.evaluated, "passed": pol.passed, "mandatory": pol.mandatory,
                   "advisory": pol.advisory, "rules": pol.rules, "resources": pol.resources,
                   "violations": [{**f.violation.to_json(), "new": f.new} for f in pol.findings],
                   "errors": [e.to_json() for e in pol.errors]},
        "notes": notes,
    }
