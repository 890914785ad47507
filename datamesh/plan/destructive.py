"""Deploy-time refusal of changes that destroy or move data, unless acknowledged exactly.

A stack's program compares what it is about to deploy with what the same stack deployed last
(the ``meshFacts`` stack output, read back through a stack reference to itself) and refuses
every change below unless the stack config acknowledges it by subject, change, from and to —
so an acknowledgement covers that one change and cannot stay open for a later one:

- ``retention.days`` or ``retention.noncurrent_days`` shortened (``noncurrent_days`` added below
  the default 30 is shortened from 30): S3 applies the new lifecycle to existing objects;
- a product retired (``status``) or its file removed (``product-removed``), a domain removed
  (``domain-removed``): grants revoked, storage kept but no longer managed the same way;
- a domain's account (``aws.accounts.<env>``) or region (``aws.region``), or the platform's
  (``platform.accounts.<env>``, ``platform.region``): storage is created anew elsewhere and
  approvals follow the new account; a consumer domain's account change is refused in every
  stack holding grants to it, naming those producers.

The classification itself is ``datamesh.diff.risks.detect_risks`` (the same names ``mesh diff``
shows); this module builds a stack's facts, chooses the kinds that need an acknowledgement, and
matches acknowledgements. Pure: the Pulumi program (__main__.py) does the reading and refusing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from datamesh.diff.risks import DomainFacts, MeshFacts, ProductFacts, Risk, detect_risks
from datamesh.mesh import ResolvedMesh
from datamesh.plan.model import Plan

FACTS_OUTPUT = "meshFacts"
"""The stack output holding what the next deploy compares with (``MeshFacts.to_json``)."""
CONFIG_KEY = "acknowledge"
"""``datamesh:acknowledge``: a list of ``{subject, change, from, to}``."""
NEEDS_ACKNOWLEDGEMENT = frozenset({"retention-shortened", "product-retired", "product-removed", "domain-removed",
                                   "account-changed", "region-changed"})
"""Risk kinds that destroy data or move storage and grants: refused at deploy unless acknowledged.
(``classification-lowered``, ``breaking-change`` and ``archive-changed`` lose nothing: ``mesh
diff`` shows them to the reviewer; the deploy does not stop for them.)"""
REMOVED = "removed"
"""The ``to`` of a removal (a product's file or a domain's folder is gone)."""
_KEYS = ("subject", "change", "from", "to")


@dataclass(frozen=True, slots=True)
class Acknowledgement:
    """One human decision: ``subject``'s ``change`` from ``before`` to ``after`` may deploy."""

    index: int
    subject: str
    change: str
    before: str
    after: str

    def describe(self) -> str:
        return f"{self.subject} {self.change} {self.before} -> {self.after}"


@dataclass(frozen=True, slots=True)
class Judgement:
    refused: tuple[Risk, ...]
    """Changes that need an acknowledgement and have none matching exactly."""
    acknowledged: tuple[tuple[Risk, Acknowledgement], ...]
    unused: tuple[Acknowledgement, ...]
    """Acknowledgements matching no change of this deploy: they must be removed."""


def change_of(risk: Risk) -> str:
    """The ``change`` an acknowledgement names: the field, or the kind of a whole-file removal."""
    return risk.field if risk.field != "-" else risk.kind


def value_text(value: str | int | None) -> str:
    return REMOVED if value is None else str(value)


def stack_facts(mesh: ResolvedMesh, plan: Plan, previous: MeshFacts | None = None) -> MeshFacts:
    """The facts of one stack's plan: its products, its domains, the account of every consumer
    domain its grants point at (and of the consumers it had before that still exist), the
    platform's account and region when the stack deploys the platform, its grants."""
    env = plan.environment
    products: dict[str, ProductFacts] = {}
    deployed = {r.domain for r in plan.resources if r.domain is not None}
    for key in sorted({r.product for r in plan.resources if r.product is not None}):
        p = mesh.products.get(key)
        if p is None:
            continue
        products[key] = ProductFacts(p.status, p.classification, p.version, p.retention.days,
                                     p.retention.noncurrent_days, p.retention.archive_after_days)
    consumers = {g.consumer for g in plan.grants if g.consumer_kind == "domain"}
    if previous is not None:
        consumers |= set(previous.domains)
    domains: dict[str, DomainFacts] = {}
    for name in sorted(deployed | consumers):
        if name not in mesh.domains or env not in mesh.domains[name].aws.accounts:
            continue
        region = mesh.region(name) if name in deployed else ""
        domains[name] = DomainFacts({env: mesh.account(name, env)}, region)
    platform_accounts: dict[str, str] = {}
    platform_region = None
    if plan.scope is None or "platform" in plan.scope:
        platform_accounts = {env: mesh.spec.platform.accounts[env]}
        platform_region = mesh.spec.platform.region
    return MeshFacts(products, domains, platform_accounts, platform_region,
                     frozenset((g.product, g.consumer) for g in plan.grants))


def deploy_risks(previous: MeshFacts, current: MeshFacts, deployed_domains: Iterable[str]) -> list[Risk]:
    """The changes of this deploy that need an acknowledgement. A domain this stack does not
    deploy (only its grants point at it) counts for its account alone."""
    own = set(deployed_domains)
    return [r for r in detect_risks(previous, current)
            if r.kind in NEEDS_ACKNOWLEDGEMENT
            and (r.kind == "account-changed" or "/" in r.subject or r.subject in own or r.subject == "platform")]


def parse_acknowledgements(raw: object) -> list[Acknowledgement]:
    """``datamesh:acknowledge`` as stored by ``pulumi config set --path``; ValueError naming the
    entry when it is not a list of ``{subject, change, from, to}``."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise ValueError(f"datamesh:{CONFIG_KEY} must be a list of {{subject, change, from, to}}, got {raw!r}")
    out = []
    for i, entry in enumerate(raw):
        where = f"datamesh:{CONFIG_KEY}[{i}]"
        if not isinstance(entry, dict) or sorted(entry) != sorted(_KEYS):
            raise ValueError(f"{where} must have exactly the keys subject, change, from, to; got {entry!r}")
        values = {k: entry[k] for k in _KEYS}
        bad = [k for k, v in values.items() if isinstance(v, bool) or not isinstance(v, (str, int)) or str(v) == ""]
        if bad:
            raise ValueError(f"{where}.{bad[0]} must be a non-empty string or number; got {values[bad[0]]!r}")
        out.append(Acknowledgement(i, str(values["subject"]), str(values["change"]), str(values["from"]),
                                   str(values["to"])))
    return out


def judge(risks: Sequence[Risk], acknowledgements: Sequence[Acknowledgement]) -> Judgement:
    """Each risk matched to an acknowledgement naming exactly its subject, change, from and to."""
    by_key = {(a.subject, a.change, a.before, a.after): a for a in acknowledgements}
    refused, acknowledged, used = [], [], set()
    for risk in risks:
        ack = by_key.get((risk.subject, change_of(risk), value_text(risk.before), value_text(risk.after)))
        if ack is None:
            refused.append(risk)
        else:
            acknowledged.append((risk, ack))
            used.add(ack.index)
    unused = tuple(a for a in acknowledgements if a.index not in used)
    return Judgement(tuple(refused), tuple(acknowledged), unused)


def acknowledge_commands(risks: Sequence[Risk], first_index: int, stack: str) -> list[str]:
    """The exact ``pulumi config set --path`` commands that acknowledge ``risks``."""
    lines = []
    for i, risk in enumerate(risks, start=first_index):
        values = (risk.subject, change_of(risk), value_text(risk.before), value_text(risk.after))
        for key, value in zip(_KEYS, values, strict=True):
            lines.append(f"pulumi config set --stack {stack} --path 'datamesh:{CONFIG_KEY}[{i}].{key}' '{value}'")
    return lines


def previous_facts(outputs: Mapping[str, Any] | None) -> MeshFacts | None:
    """The facts a stack exported last time; None on its first deploy (no such output).
    ValueError when the output is not what this module exports (a hand-edited state)."""
    if not outputs or FACTS_OUTPUT not in outputs or outputs[FACTS_OUTPUT] is None:
        return None
    try:
        return MeshFacts.from_json(outputs[FACTS_OUTPUT])
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as e:
        raise ValueError(f"the stack output {FACTS_OUTPUT} of the last deploy is unreadable ({type(e).__name__}: "
                         f"{e}); nothing can be compared with it") from None
