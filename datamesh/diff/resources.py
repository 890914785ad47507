"""Two plans' resources compared as values: by logical name, then input by input.

A policy document held in a string input (``policy``, ``assumeRolePolicy``: any string that is a
JSON object with a ``Statement``) is compared statement by statement — by ``Sid``, else by the
statement's canonical JSON — so a reviewer sees "statement AllowRead changed", not two walls
of escaped JSON. Lists of equal length are compared item by item; any other difference is the
whole value, before and after.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from datamesh import resource_types as types
from datamesh.diff.model import (
    DocumentChange,
    PropertyChange,
    ResourceChange,
    ResourceRef,
    ResourcesDiff,
    StatementChange,
)
from datamesh.plan.model import PlannedResource
from datamesh.plan.render import binary_summary


def ref_of(resource: PlannedResource) -> ResourceRef:
    return ResourceRef(resource.name, resource.type, resource.domain, resource.product)


def diff_resources(before: Iterable[PlannedResource], after: Iterable[PlannedResource]) -> ResourcesDiff:
    old = {r.name: r for r in before}
    new = {r.name: r for r in after}
    added = tuple(sorted(ref_of(new[n]) for n in new.keys() - old.keys()))
    removed = tuple(sorted(ref_of(old[n]) for n in old.keys() - new.keys()))
    changed = []
    for name in sorted(old.keys() & new.keys()):
        a, b = old[name], new[name]
        if a == b:
            continue
        change = resource_change(a, b)
        if change.properties or change.documents:
            changed.append(change)
    return ResourcesDiff(added, tuple(changed), removed)


def resource_change(a: PlannedResource, b: PlannedResource) -> ResourceChange:
    properties: list[PropertyChange] = []
    documents: list[DocumentChange] = []
    for label, x, y in (("(type)", a.type, b.type), ("(parent)", a.parent, b.parent),
                        ("(provider)", a.provider, b.provider),
                        ("(options).protect", a.options.protect, b.options.protect),
                        ("(options).retainOnDelete", a.options.retain_on_delete, b.options.retain_on_delete),
                        ("(options).dependsOn", list(a.options.depends_on), list(b.options.depends_on))):
        if x != y:
            properties.append(PropertyChange(label, "changed", x, y))
    _walk("", _readable(a), _readable(b), properties, documents)
    return ResourceChange(ref_of(b), tuple(properties), tuple(documents))


def _readable(r: PlannedResource) -> dict[str, Any]:
    """The inputs as a reviewer compares them: a ConfigMap's base64 ``binaryData`` (the catalog's
    gzip shards) as sizes and hashes, not as blobs."""
    if r.type == types.KUBERNETES_CONFIG_MAP and isinstance(r.inputs.get("binaryData"), dict):
        return {**r.inputs, "binaryData": {k: binary_summary(v) for k, v in r.inputs["binaryData"].items()}}
    return r.inputs


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def _walk(path: str, a: Any, b: Any, properties: list[PropertyChange], documents: list[DocumentChange]) -> None:
    if a == b:
        return
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(a.keys() | b.keys()):
            where = _join(path, key)
            if key not in a:
                properties.append(PropertyChange(where, "added", after=b[key]))
            elif key not in b:
                properties.append(PropertyChange(where, "removed", before=a[key]))
            else:
                _walk(where, a[key], b[key], properties, documents)
        return
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _walk(_join(path, i), x, y, properties, documents)
        return
    if isinstance(a, str) and isinstance(b, str):
        doc_a, doc_b = policy_document(a), policy_document(b)
        if doc_a is not None and doc_b is not None:
            documents.append(document_change(path, doc_a, doc_b))
            return
    properties.append(PropertyChange(path or "(inputs)", "changed", a, b))


def policy_document(text: str) -> dict[str, Any] | None:
    """The JSON object ``text`` holds when it looks like an IAM policy document, else None."""
    if not text.startswith("{"):
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) and "Statement" in value else None


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def _statements(document: dict[str, Any]) -> list[Any]:
    raw = document.get("Statement")
    return raw if isinstance(raw, list) else [raw]


def _keyed(statements: Sequence[Any]) -> tuple[dict[str, Any], list[Any]]:
    named: dict[str, Any] = {}
    unnamed: list[Any] = []
    for statement in statements:
        sid = statement.get("Sid") if isinstance(statement, dict) else None
        if isinstance(sid, str) and sid and sid not in named:
            named[sid] = statement
        else:
            unnamed.append(statement)
    return named, unnamed


def document_change(path: str, a: dict[str, Any], b: dict[str, Any]) -> DocumentChange:
    old_named, old_unnamed = _keyed(_statements(a))
    new_named, new_unnamed = _keyed(_statements(b))
    statements: list[StatementChange] = []
    for sid in sorted(old_named.keys() | new_named.keys()):
        if sid not in old_named:
            statements.append(StatementChange(sid, "added", after=canonical(new_named[sid])))
        elif sid not in new_named:
            statements.append(StatementChange(sid, "removed", before=canonical(old_named[sid])))
        elif old_named[sid] != new_named[sid]:
            inside: list[PropertyChange] = []
            _walk("", old_named[sid], new_named[sid], inside, [])
            statements.append(StatementChange(sid, "changed", canonical(old_named[sid]),
                                              canonical(new_named[sid]), tuple(inside)))
    old_texts = [canonical(s) for s in old_unnamed]
    new_texts = [canonical(s) for s in new_unnamed]
    for i, text in enumerate(old_texts):
        if text not in new_texts:
            statements.append(StatementChange(f"#{i}", "removed", before=text))
    for i, text in enumerate(new_texts):
        if text not in old_texts:
            statements.append(StatementChange(f"#{i}", "added", after=text))
    other: list[PropertyChange] = []
    rest_a = {k: v for k, v in a.items() if k != "Statement"}
    rest_b = {k: v for k, v in b.items() if k != "Statement"}
    _walk("", rest_a, rest_b, other, [])
    return DocumentChange(path, tuple(statements), tuple(other))
