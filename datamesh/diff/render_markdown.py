"""``mesh diff --format markdown``: one GitHub pull-request comment.

- The first line is the hidden marker ``<!-- mesh-diff -->``: a workflow finds its own comment
  by it and updates that one comment in place (a sticky comment) instead of adding one per push.
- It fits one comment (GitHub's limit: 65,536 characters): the title, the notice about files
  outside ``--domains`` and the summary table are always whole; the detail sections (risks,
  access, pending, approvers, policy, specs, resources, notes) are filled in that order while
  they fit, and what is left out is counted ("… 120 more not shown").
- Resources are collapsible (``<details>``): reviewers read access and risks first.
- Every name that comes from a file (paths, spec values) is written as a code span, where GitHub
  renders neither HTML nor mentions, with its backticks and table pipes escaped; GitHub handles
  are code spans too, so an update of the comment pings nobody.
"""

from __future__ import annotations

from collections.abc import Sequence

from datamesh.diff import words
from datamesh.diff.model import DocumentChange, MeshDiff, PropertyChange, ResourceRef
from datamesh.diff.words import printable

MARKER = "<!-- mesh-diff -->"
LIMIT = 65_536
"""GitHub's maximum comment body, in characters."""
_RESERVE = 600
"""Kept free for the last "not shown" line and the closing tags of an open section."""
_VALUE_LIMIT = 300
"""A property value is cut at this many characters in markdown (json has it whole)."""
_OUTSIDE_SHOWN = 20


def code(text: str) -> str:
    """``text`` as an inline code span that nothing in it can break out of."""
    text = printable(text).replace("|", "\\|")
    fence = "`"
    while fence in text:
        fence += "`"
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


_ACTIVE = str.maketrans({c: f"\\{c}" for c in "\\*_[]#~"} | {
    "&": "&amp;", "<": "&lt;", ">": "&gt;", "|": "\\|", "@": "@\u2060"})
"""Outside code spans: markdown and HTML made literal, and ``@`` kept from forming a mention.
(Parentheses and ``!`` form links and images only after an escaped ``]`` or before an escaped
``[``, so they stay readable.)"""


def _plain(text: str) -> str:
    """A sentence as markdown text: its `code spans` kept, everything else made literal (a
    sentence may name a file, and file names are the pull request author's)."""
    parts = printable(text).split("`")
    if len(parts) % 2 == 0:  # an unpaired backtick: nothing is code
        return "`".join(parts).translate(_ACTIVE).replace("`", "\\`")
    return "`".join(part.translate(_ACTIVE) if i % 2 == 0 else part.replace("|", "\\|")
                    for i, part in enumerate(parts))


def _fenced(lines: Sequence[str], lang: str = "") -> str:
    body = "\n".join(printable(line) for line in lines)
    fence = "```"
    while fence in body:
        fence += "`"
    return f"{fence}{lang}\n{body}\n{fence}"


def _cut(text: str, limit: int) -> str:
    """``text`` cut at ``limit`` characters: a file name is the author's, and the warning that
    names it is never truncated, so it must stay small."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _consumer(consumer: str, kind: str) -> str:
    return code(consumer) + (" (external)" if kind == "external" else "")


def _ref(r: ResourceRef) -> str:
    return f"{code(r.name)} {code(r.type)}"


class _Body:
    """The comment under construction: fixed parts always, detail items while they fit."""

    def __init__(self, limit: int) -> None:
        self.parts: list[str] = []
        self.size = 0
        self.limit = limit
        self.left_out = 0

    def fixed(self, text: str) -> None:
        self.parts.append(text)
        self.size += len(text) + 1

    def fits(self, text: str) -> bool:
        return self.left_out == 0 and self.size + len(text) + 1 + _RESERVE <= self.limit

    def section(self, head: str, items: Sequence[str], tail: str = "") -> None:
        """``head``, then items while they fit, then ``tail`` (closing tags: always written)."""
        if not items:
            return
        if not self.fits(head):
            self.left_out += len(items)
            return
        self.fixed(head)
        shown = 0
        for item in items:
            if not self.fits(item):
                break
            self.fixed(item)
            shown += 1
        if shown < len(items):
            self.left_out += len(items) - shown
            self.fixed(f"\n_… {len(items) - shown} more not shown here._")
        if tail:
            self.fixed(tail)

    def text(self) -> str:
        return "\n".join(self.parts).rstrip("\n") + "\n"


def render_markdown(diff: MeshDiff, limit: int = LIMIT) -> str:
    body = _Body(limit)
    h = diff.header
    body.fixed(MARKER)
    body.fixed(f"### mesh diff: {code(h.mesh)} {code(h.environment)}\n")
    body.fixed(f"Base {code(h.base)} ({code(h.base_commit[:12])}) → this change, evaluated {h.today.isoformat()}.\n")
    if diff.outside:
        shown = ", ".join(code(_cut(p, _VALUE_LIMIT)) for p in diff.outside[:_OUTSIDE_SHOWN])
        more = f" and {len(diff.outside) - _OUTSIDE_SHOWN} more" if len(diff.outside) > _OUTSIDE_SHOWN else ""
        body.fixed(f"> [!WARNING]\n> **{len(diff.outside)} file(s) outside {code(h.domains + '/')} changed**: "
                   f"the plan diff cannot show their effect; `pulumi preview` does.\n> {shown}{more}\n")
    if not diff.domains_changed:
        body.fixed(f"**{words.NO_CHANGES}**" + ("" if diff.unchanged else
                                                f" under {code(h.domains + '/')}: the plan is the same.") + "\n")
        if not diff.policy.passed:
            body.fixed(f"**Policy (head)**: {_plain(words.policy_verdict(diff))}\n")
            _policy(body, diff)
        _notes(body, diff)
        return body.text()
    verdict = ("✅ " if diff.policy.passed else "❌ ") + _plain(words.policy_verdict(diff))
    risks = ("⚠️ " if any(not r.informational for r in diff.risks) else "") + words.risk_counts(diff)
    body.fixed("| | |\n|---|---|\n"
               f"| Products | {_counts(diff, 'products')} |\n"
               f"| Domains | {_counts(diff, 'domains')} |\n"
               f"| mesh.yaml | {'changed' if diff.mesh_changed else 'unchanged'} |\n"
               f"| Access | {words.access_counts(diff)} |\n"
               f"| Pending requests | {words.pending_counts(diff)} |\n"
               f"| Resources | {_plain(words.resource_counts(diff, '−'))} |\n"
               f"| Risks | {risks} |\n"
               f"| Policy (head) | {verdict} |\n")
    if diff.risks:
        body.section("#### Risks\n", [f"- {'ℹ️' if r.informational else '⚠️'} **{r.kind}**: {_plain(r.message)}"
                                      for r in diff.risks])
    _access(body, diff)
    _pending(body, diff)
    if diff.approvers:
        body.section("\n#### Who must approve\n",
                     [f"- {code(a.who)}: {'; '.join(_plain(x) for x in a.reasons)}" for a in diff.approvers])
    body.fixed(f"\n#### Policy (head)\n{verdict}")
    _policy(body, diff)
    _specs(body, diff)
    _resources(body, diff)
    _notes(body, diff)
    if body.left_out:
        body.fixed(f"\n_{body.left_out} detail line(s) left out to fit one comment ({limit:,} characters): "
                   f"run `mesh diff --base {_plain(h.base)} --format json` for everything._")
    return body.text()


def _counts(diff: MeshDiff, which: str) -> str:
    s = diff.products if which == "products" else diff.domains
    parts = [f"{len(s.added)} added", f"{len(s.changed)} changed"]
    if which == "products":
        parts.append(f"{len(s.retired)} retired")
    parts.append(f"{len(s.removed)} removed")
    return " · ".join(parts)


def _access(body: _Body, diff: MeshDiff) -> None:
    a = diff.access
    rows = [f"| ➕ gained | {code(e.product)} → {_consumer(e.consumer, e.consumer_kind)} | {words.until(e.until)} |"
            for e in a.gained]
    rows += [f"| ➖ lost | {code(e.product)} → {_consumer(e.consumer, e.consumer_kind)} | {words.until(e.until)} |"
             for e in a.lost]
    rows += [f"| 🔁 end date | {code(c.product)} → {_consumer(c.consumer, c.consumer_kind)} | "
             f"{words.until(c.before)} → {words.until(c.after)} |" for c in a.changed]
    body.section("\n#### Access\n| | product → consumer | until |\n|---|---|---|", rows)


def _pending(body: _Body, diff: MeshDiff) -> None:
    p = diff.pending
    rows = [f"- opened: {code(o.product)} → {code(o.consumer)}, waits for {code(o.approver)}"
            + (f" (approval expired on {o.expired_on.isoformat()})" if o.expired_on else "") for o in p.opened]
    rows += [f"- resolved: {code(r.product)} → {code(r.consumer)}, {r.outcome}" for r in p.resolved]
    body.section("\n#### Pending requests\n", rows)


def _policy(body: _Body, diff: MeshDiff) -> None:
    rows = []
    for f in diff.policy.findings:
        v = f.violation
        rows.append(f"- {'🆕 ' if f.new else ''}**{v.level}** {code(v.rule)} {code(v.resource or '-')} "
                    f"{code(v.scope)}: {_plain(v.message)}<br>remediation: {_plain(v.remediation)}")
    rows += [f"- {code(e.format().splitlines()[0])}" for e in diff.policy.errors]
    body.section("", rows)


def _specs(body: _Body, diff: MeshDiff) -> None:
    rows = []
    for label, names in (("products added", diff.products.added), ("products changed", diff.products.changed),
                         ("products retired", diff.products.retired), ("products removed", diff.products.removed),
                         ("domains added", diff.domains.added), ("domains changed", diff.domains.changed),
                         ("domains removed", diff.domains.removed)):
        rows += [f"- {label}: {code(n)}" for n in names]
    if diff.mesh_changed:
        rows.append(f"- {code('mesh.yaml')} changed")
    body.section("\n#### Specs\n", rows)


def _diff_lines(change: PropertyChange, indent: str = "") -> list[str]:
    """One property as ``diff`` lines GitHub colours: ``-`` the value before, ``+`` after."""
    if change.change == "added":
        return [f"+{indent} {change.path}: {words.value(change.after, _VALUE_LIMIT)}"]
    if change.change == "removed":
        return [f"-{indent} {change.path}: {words.value(change.before, _VALUE_LIMIT)}"]
    return [f"-{indent} {change.path}: {words.value(change.before, _VALUE_LIMIT)}",
            f"+{indent} {change.path}: {words.value(change.after, _VALUE_LIMIT)}"]


def _document_rows(doc: DocumentChange) -> list[str]:
    lines: list[str] = []
    for s in doc.statements:
        lines.append(f"  {doc.path}: statement {s.key} {s.change}")
        if s.fields:
            for f in s.fields:
                lines += _diff_lines(f, "   ")
            continue
        if s.before is not None:
            lines.append(f"-    {s.before}")
        if s.after is not None:
            lines.append(f"+    {s.after}")
    for p in doc.other:
        lines += _diff_lines(PropertyChange(f"{doc.path}: {p.path}", p.change, p.before, p.after))
    return lines


def _resources(body: _Body, diff: MeshDiff) -> None:
    r = diff.resources
    if not r.compared:
        body.fixed(f"\n**Resources**: {_plain(words.resource_counts(diff))}")
        return
    if not r:
        return
    rows = [f"- ➕ {_ref(x)}" for x in r.added]
    for change in r.changed:
        lines = [line for p in change.properties for line in _diff_lines(p)]
        for doc in change.documents:
            lines += _document_rows(doc)
        rows.append(f"- 🔁 {_ref(change.resource)}\n\n{_indent(_fenced(lines, 'diff'))}\n")
    rows += [f"- ➖ {_ref(x)}" for x in r.removed]
    body.section(f"\n<details><summary>Resources {_plain(words.resource_counts(diff, '−'))}</summary>\n", rows,
                 "\n</details>")


def _indent(text: str) -> str:
    return "\n".join(f"  {line}" if line else line for line in text.splitlines())


def _notes(body: _Body, diff: MeshDiff) -> None:
    rows = [f"- {_plain(n)}" for n in diff.notes]
    rows += [f"  - {code(words.base_label(diff) + ': ' + d.format().splitlines()[0])}" for d in diff.base_errors]
    body.section("\n#### Notes\n", rows)
