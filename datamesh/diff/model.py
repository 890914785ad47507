"""The diff of a change, as one frozen value: what every renderer (text, markdown, json) reads.

Nothing here computes or formats: ``compute.py`` builds a ``MeshDiff`` and the ``render_*``
modules turn the same value into text. Collections are tuples, sorted, so two diffs of the same
change are equal and render identically.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from datamesh.diagnostics import Diagnostic
from datamesh.diff.risks import Risk
from datamesh.policy.model import Violation


@dataclass(frozen=True, slots=True)
class Header:
    mesh: str
    environment: str
    base: str
    """The ``--base`` ref as the user wrote it."""
    base_commit: str
    today: date
    domains: str
    """``--domains`` relative to the repository's top (``domains``; ``.`` for the top itself)."""


# --- specs --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SpecChanges:
    """Products (``<domain>/<product>``) or domains by what happened to their spec."""

    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    retired: tuple[str, ...] = ()
    """Products only: status became ``retired`` (not also listed as changed)."""
    removed: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.added or self.changed or self.retired or self.removed)


# --- access -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, order=True)
class GrantEdge:
    """``product → consumer`` read access, through ``until`` (``None``: no end)."""

    product: str
    consumer: str
    consumer_kind: Literal["domain", "external"]
    until: date | None = None


@dataclass(frozen=True, slots=True, order=True)
class UntilChange:
    """A grant that exists on both sides with another end date."""

    product: str
    consumer: str
    consumer_kind: Literal["domain", "external"]
    before: date | None
    after: date | None


@dataclass(frozen=True, slots=True)
class AccessDiff:
    gained: tuple[GrantEdge, ...] = ()
    lost: tuple[GrantEdge, ...] = ()
    changed: tuple[UntilChange, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.gained or self.lost or self.changed)


@dataclass(frozen=True, slots=True, order=True)
class PendingEdge:
    """A request ``consumer`` made for ``product`` that ``approver`` has not (or no longer) approved."""

    product: str
    consumer: str
    approver: str
    expired_on: date | None = None


Outcome = Literal["approved", "withdrawn", "closed"]
"""approved: the request is now a grant; withdrawn: the consumer no longer asks; closed: the
product no longer grants to anyone (retired, private, draft or removed)."""


@dataclass(frozen=True, slots=True, order=True)
class ResolvedRequest:
    product: str
    consumer: str
    approver: str
    outcome: Outcome


@dataclass(frozen=True, slots=True)
class PendingDiff:
    opened: tuple[PendingEdge, ...] = ()
    resolved: tuple[ResolvedRequest, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.opened or self.resolved)


# --- resources ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, order=True)
class ResourceRef:
    name: str
    """Logical name (unique in the stack)."""
    type: str
    domain: str | None = None
    product: str | None = None


Change = Literal["added", "removed", "changed"]


@dataclass(frozen=True, slots=True)
class PropertyChange:
    """One input (or option) whose value differs: ``path`` like ``rules[0].expiration.days``,
    ``tags.mesh:status``, ``(options).protect``. ``before``/``after`` are JSON values; which of
    them exists is said by ``change``."""

    path: str
    change: Change
    before: Any = None
    after: Any = None


@dataclass(frozen=True, slots=True)
class StatementChange:
    """One statement of a policy document: by its ``Sid``, else by its canonical JSON."""

    key: str
    """The Sid, or ``#<n>`` for an unnamed statement."""
    change: Change
    before: str | None = None
    """Canonical JSON (sorted keys) of the statement before."""
    after: str | None = None
    fields: tuple[PropertyChange, ...] = ()
    """For a changed statement: the fields that differ inside it (``Condition.DateLessThan…``)."""


@dataclass(frozen=True, slots=True)
class DocumentChange:
    """A JSON policy document held in a string input (``policy``, ``assumeRolePolicy``)."""

    path: str
    statements: tuple[StatementChange, ...] = ()
    other: tuple[PropertyChange, ...] = ()
    """Changes outside ``Statement`` (``Version``), with paths inside the document."""


@dataclass(frozen=True, slots=True)
class ResourceChange:
    resource: ResourceRef
    properties: tuple[PropertyChange, ...] = ()
    documents: tuple[DocumentChange, ...] = ()


@dataclass(frozen=True, slots=True)
class ResourcesDiff:
    added: tuple[ResourceRef, ...] = ()
    changed: tuple[ResourceChange, ...] = ()
    removed: tuple[ResourceRef, ...] = ()
    compared: bool = True
    """False when one side could not be planned (it does not validate): see ``not_compared``."""
    not_compared: str | None = None

    def __bool__(self) -> bool:
        return bool(self.added or self.changed or self.removed)


# --- review -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Approver:
    """Who must approve, and why (``who``: a GitHub handle, an email, or "the platform team")."""

    who: str
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PolicyFinding:
    violation: Violation
    new: bool
    """Not a violation of the base's plan (same rule, resource and message)."""


@dataclass(frozen=True, slots=True)
class PolicyVerdict:
    """The head's verdict: exactly what ``mesh check`` would say, plus the head's errors."""

    evaluated: bool
    """False when the head does not validate (its errors are in ``errors``)."""
    passed: bool
    mandatory: int = 0
    advisory: int = 0
    rules: int = 0
    resources: int = 0
    findings: tuple[PolicyFinding, ...] = ()
    errors: tuple[Diagnostic, ...] = ()
    """The head's errors: invalid specs, or plan errors (a document over its AWS limit)."""


@dataclass(frozen=True, slots=True)
class MeshDiff:
    header: Header
    outside: tuple[str, ...] = ()
    """Changed files outside ``--domains`` (repository-relative): their effect is not in this diff."""
    touched: tuple[str, ...] = ()
    """Changed files under ``--domains`` (repository-relative)."""
    products: SpecChanges = SpecChanges()
    domains: SpecChanges = SpecChanges()
    mesh_changed: bool = False
    """mesh.yaml's spec differs."""
    access: AccessDiff = AccessDiff()
    pending: PendingDiff = PendingDiff()
    risks: tuple[Risk, ...] = ()
    resources: ResourcesDiff = ResourcesDiff()
    approvers: tuple[Approver, ...] = ()
    policy: PolicyVerdict = field(default_factory=lambda: PolicyVerdict(evaluated=False, passed=False))
    notes: tuple[str, ...] = ()
    base_errors: tuple[Diagnostic, ...] = ()
    """The base's own errors under the head's code: information, never the exit code."""

    @property
    def domains_changed(self) -> bool:
        """Anything under ``--domains`` differs: a file, a spec, access or a resource."""
        return bool(self.touched or self.products or self.domains or self.mesh_changed or self.access
                    or self.pending or self.risks or self.resources)

    @property
    def unchanged(self) -> bool:
        """Nothing differs at all, inside ``--domains`` or outside it."""
        return not (self.outside or self.domains_changed)

    @property
    def exit_code(self) -> int:
        """1 when the head is invalid, has plan errors, or breaks a mandatory policy; else 0."""
        return 0 if self.policy.evaluated and self.policy.passed else 1
