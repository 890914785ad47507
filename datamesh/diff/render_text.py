"""``mesh diff`` as text (the default): the summary first, then each section that has anything.

Nothing is truncated. Markers: ``+`` gained/added, ``-`` lost/removed, ``~`` changed, ``!`` a
risk, ``i`` an informational one, ``=`` a pending request resolved.
"""

from __future__ import annotations

from datamesh.diff import words
from datamesh.diff.model import DocumentChange, MeshDiff, ResourceRef
from datamesh.diff.words import printable


def _consumer(consumer: str, kind: str) -> str:
    shown = printable(consumer)
    return f"{shown} (external)" if kind == "external" else shown


def _ref(r: ResourceRef) -> str:
    return f"{r.name}  {r.type}"


def _document_lines(doc: DocumentChange, indent: str) -> list[str]:
    lines = []
    for s in doc.statements:
        lines.append(f"{indent}{doc.path}: statement {printable(s.key)} {s.change}")
        if s.fields:
            lines += [f"{indent}  {words.property_change(f)}" for f in s.fields]
            continue
        if s.before is not None:
            lines.append(f"{indent}  - {printable(s.before)}")
        if s.after is not None:
            lines.append(f"{indent}  + {printable(s.after)}")
    lines += [f"{indent}{doc.path}: {words.property_change(p)}" for p in doc.other]
    return lines


def render_text(diff: MeshDiff) -> str:
    out = [words.title(diff)]
    if diff.outside:
        out.append(f"! {words.outside_headline(diff)}")
        out += [f"    {printable(p)}" for p in diff.outside]
    if not diff.domains_changed:
        out.append(words.NO_CHANGES if diff.unchanged else
                   f"{words.NO_CHANGES} under {diff.header.domains}/: the plan is the same")
        if not diff.policy.passed:  # say why the exit code is 1
            out += ["", "Policy (head)", f"  {words.policy_verdict(diff)}", *_policy_details(diff)]
    else:
        out += ["", "Summary",
                f"  specs:     {words.specs_counts(diff)}",
                f"  access:    {words.access_counts(diff)}",
                f"  pending:   {words.pending_counts(diff)}",
                f"  resources: {words.resource_counts(diff)}",
                f"  risks:     {words.risk_counts(diff)}",
                f"  policy:    {words.policy_verdict(diff)}"]
        out += _sections(diff)
    if diff.notes:
        out += ["", "Notes"] + [f"  - {printable(n)}" for n in diff.notes]
        out += [f"    {words.base_label(diff)}: {printable(d.format().splitlines()[0])}" for d in diff.base_errors]
    return "\n".join(out) + "\n"


def _policy_details(diff: MeshDiff) -> list[str]:
    lines = []
    for finding in diff.policy.findings:
        tag = "[new] " if finding.new else ""
        lines += _indented(f"{tag}{finding.violation.format()}")
    for error in diff.policy.errors:
        lines += _indented(error.format())
    return lines


def _indented(text: str) -> list[str]:
    """A multi-line message (a diagnostic and its hint) as indented lines, each one escaped."""
    return [f"  {printable(line)}" for line in text.split("\n")]


def _sections(diff: MeshDiff) -> list[str]:
    out: list[str] = []
    if diff.risks:
        out += ["", f"Risks ({len(diff.risks)})"]
        out += [f"  {'i' if r.informational else '!'} {r.kind}: {printable(r.message)}" for r in diff.risks]
    a = diff.access
    if a:
        out += ["", f"Access ({words.access_counts(diff)})"]
        out += [f"  + {e.product} → {_consumer(e.consumer, e.consumer_kind)}  {words.until_phrase(e.until)}"
                for e in a.gained]
        out += [f"  - {e.product} → {_consumer(e.consumer, e.consumer_kind)}  {words.until_phrase(e.until)}"
                for e in a.lost]
        out += [f"  ~ {c.product} → {_consumer(c.consumer, c.consumer_kind)}  {words.until_phrase(c.before)} → "
                f"{words.until_phrase(c.after)}" for c in a.changed]
    p = diff.pending
    if p:
        out += ["", f"Pending requests ({words.pending_counts(diff)})"]
        out += [f"  + {o.product} → {printable(o.consumer)}  waits for {printable(o.approver)}"
                + (f" (approval expired on {o.expired_on.isoformat()})" if o.expired_on else "")
                for o in p.opened]
        out += [f"  = {r.product} → {printable(r.consumer)}  {r.outcome}" for r in p.resolved]
    if diff.products or diff.domains or diff.mesh_changed:
        out += ["", "Specs"]
        for label, names in (("products added", diff.products.added), ("products changed", diff.products.changed),
                             ("products retired", diff.products.retired),
                             ("products removed", diff.products.removed),
                             ("domains added", diff.domains.added), ("domains changed", diff.domains.changed),
                             ("domains removed", diff.domains.removed)):
            if names:
                out.append(f"  {label}: {', '.join(names)}")
        if diff.mesh_changed:
            out.append("  mesh.yaml changed")
    r = diff.resources
    if not r.compared:
        out += ["", f"Resources: {words.resource_counts(diff)}"]
    elif r:
        out += ["", f"Resources ({words.resource_counts(diff)})"]
        out += [f"  + {_ref(x)}" for x in r.added]
        for change in r.changed:
            out.append(f"  ~ {_ref(change.resource)}")
            out += [f"      {words.property_change(prop)}" for prop in change.properties]
            for doc in change.documents:
                out += _document_lines(doc, "      ")
        out += [f"  - {_ref(x)}" for x in r.removed]
    if diff.approvers:
        out += ["", "Who must approve"]
        out += [f"  {printable(a.who)}: {'; '.join(printable(x) for x in a.reasons)}" for a in diff.approvers]
    out += ["", "Policy (head)", f"  {words.policy_verdict(diff)}"]
    out += _policy_details(diff)
    return out
