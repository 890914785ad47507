"""Risky spec changes: what a reviewer (and a deploy-time acknowledgement) must not miss.

Pure: two ``MeshFacts`` in, a list of typed ``Risk`` records out — no git, no rendering, no plan.
``mesh diff`` builds the facts from the base and head trees; a deploy-time check can build the
"before" side from what a stack last deployed (``MeshFacts.from_json`` of its own output) and
refuse a risk nobody acknowledged. Each risk names its subject, the field and the change
``before → after`` exactly, so an acknowledgement can name the same triple and cannot stay open
for a later change.

What is a risk (issue 8 and issue 10 §4):

- ``retention-shortened``: ``retention.days`` or ``retention.noncurrent_days`` lower than before
  (S3 applies lifecycle rules to existing objects: the next deploy deletes data). Adding
  ``noncurrent_days`` below the default 30 is shortening from 30.
- ``archive-changed`` (informational): ``retention.archive_after_days`` added, removed or moved.
- ``product-retired``: status becomes ``retired``: every grant is revoked, the bucket is kept.
- ``product-removed``: the product's file is gone: grants revoked, the bucket is retained in AWS
  but leaves the stack. ``domain-removed``: the same for a domain's key and roles.
- ``classification-lowered``: restricted > confidential > internal > public.
- ``account-changed`` / ``region-changed``: a domain's (or the platform's) account in some
  environment, or its effective region: storage is created anew elsewhere, the old data is not
  moved, and grants follow the new account. For a consumer, ``related`` names every producer
  whose grants now point at the new account.
- ``breaking-change``: a major version bump (spec-v1: flagged in diffs).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from datamesh.spec.models import DataProduct, Domain, Mesh

RiskKind = Literal[
    "retention-shortened", "archive-changed", "product-retired", "product-removed", "domain-removed",
    "classification-lowered", "account-changed", "region-changed", "breaking-change",
]
INFORMATIONAL: frozenset[str] = frozenset({"archive-changed"})
"""Kinds shown for information: nothing is lost or exposed."""
CLASSIFICATION_ORDER = ("public", "internal", "confidential", "restricted")
PLATFORM = "platform"
"""The subject of a risk about mesh.yaml's platform accounts or region."""
_KIND_ORDER = {kind: i for i, kind in enumerate(RiskKind.__args__)}  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class Risk:
    """One risky change: ``kind`` of ``subject`` (``<domain>/<product>``, a domain, or
    ``platform``) at ``field`` (``retention.days``, ``aws.accounts.prod``, ``-`` for a whole file),
    from ``before`` to ``after`` (``None``: absent)."""

    kind: RiskKind
    subject: str
    field: str
    before: str | int | None
    after: str | int | None
    message: str
    related: tuple[str, ...] = ()
    """For a consumer's account change: the producers whose grants now point at the new account."""

    @property
    def informational(self) -> bool:
        return self.kind in INFORMATIONAL

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "subject": self.subject, "field": self.field,
                "before": self.before, "after": self.after, "message": self.message,
                "related": list(self.related), "informational": self.informational}


# --- facts --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ProductFacts:
    status: str
    classification: str
    version: str
    retention_days: int
    noncurrent_days: int
    """Effective: 30 when the spec leaves it out (the default the lifecycle rule applies)."""
    archive_after_days: int | None = None


@dataclass(frozen=True, slots=True)
class DomainFacts:
    accounts: Mapping[str, str]
    """Environment → account."""
    region: str
    """Effective: the domain's own region, else the mesh platform region."""


@dataclass(frozen=True, slots=True)
class MeshFacts:
    """What the risks are judged on; JSON-able (``to_json``/``from_json``) for a stack output."""

    products: Mapping[str, ProductFacts] = field(default_factory=dict)
    domains: Mapping[str, DomainFacts] = field(default_factory=dict)
    platform_accounts: Mapping[str, str] = field(default_factory=dict)
    platform_region: str | None = None
    grants: frozenset[tuple[str, str]] = frozenset()
    """``(product, consumer)`` of every grant."""

    def to_json(self) -> dict[str, Any]:
        return {
            "products": {k: {"status": p.status, "classification": p.classification, "version": p.version,
                             "retentionDays": p.retention_days, "noncurrentDays": p.noncurrent_days,
                             "archiveAfterDays": p.archive_after_days}
                         for k, p in sorted(self.products.items())},
            "domains": {k: {"accounts": dict(sorted(d.accounts.items())), "region": d.region}
                        for k, d in sorted(self.domains.items())},
            "platformAccounts": dict(sorted(self.platform_accounts.items())),
            "platformRegion": self.platform_region,
            "grants": [list(g) for g in sorted(self.grants)],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> MeshFacts:
        return cls(
            products={k: ProductFacts(p["status"], p["classification"], p["version"], int(p["retentionDays"]),
                                      int(p["noncurrentDays"]), p.get("archiveAfterDays"))
                      for k, p in data.get("products", {}).items()},
            domains={k: DomainFacts(dict(d["accounts"]), d["region"]) for k, d in data.get("domains", {}).items()},
            platform_accounts=dict(data.get("platformAccounts", {})),
            platform_region=data.get("platformRegion"),
            grants=frozenset((g[0], g[1]) for g in data.get("grants", [])),
        )


def facts_of_specs(mesh: Mesh | None, domains: Mapping[str, Domain], products: Mapping[str, DataProduct],
                   grants: Iterable[tuple[str, str]] = ()) -> MeshFacts:
    """The facts of whatever specs loaded from one tree (a tree with errors still has facts for
    the files that loaded: ``mesh`` is ``None`` when mesh.yaml did not); ``products`` by
    ``<domain>/<file stem>``, ``grants`` as ``(product, consumer)``."""
    platform_region = mesh.platform.region if mesh is not None else None
    product_facts = {key: ProductFacts(p.status, p.classification, p.version, p.retention.days,
                                       p.retention.noncurrent_days, p.retention.archive_after_days)
                     for key, p in products.items()}
    domain_facts = {name: DomainFacts(dict(d.aws.accounts), d.aws.region or platform_region or "")
                    for name, d in domains.items()}
    return MeshFacts(product_facts, domain_facts, dict(mesh.platform.accounts) if mesh is not None else {},
                     platform_region, frozenset(grants))


# --- detection ----------------------------------------------------------------------------------


def detect_risks(before: MeshFacts, after: MeshFacts) -> list[Risk]:
    """Every risk of going from ``before`` to ``after``, sorted by subject then kind."""
    risks: list[Risk] = []
    for key in sorted(before.products.keys() | after.products.keys()):
        old, new = before.products.get(key), after.products.get(key)
        if old is None:
            continue  # a new product risks nothing that existed
        if new is None:
            risks.append(_removed(key, old, before))
            continue
        risks.extend(_product_risks(key, old, new, before))
    for name in sorted(before.domains.keys() | after.domains.keys()):
        old_domain, new_domain = before.domains.get(name), after.domains.get(name)
        if old_domain is None:
            continue
        if new_domain is None:
            risks.append(Risk("domain-removed", name, "-", name, None,
                              f"domain {name} removed: its grants are revoked; its key and roles leave the "
                              f"stack (the key is retained in AWS, and `pulumi up` refuses while it is "
                              f"protected: docs/deleting-data.md)"))
            continue
        risks.extend(_placement_risks(name, old_domain.accounts, new_domain.accounts, old_domain.region,
                                      new_domain.region, after))
    if before.platform_accounts or before.platform_region:
        risks.extend(_placement_risks(PLATFORM, before.platform_accounts, after.platform_accounts,
                                      before.platform_region, after.platform_region, after))
    risks.sort(key=lambda r: (r.subject, _KIND_ORDER[r.kind], r.field))
    return risks


def _grants_of(facts: MeshFacts, product: str) -> int:
    return sum(1 for p, _ in facts.grants if p == product)


def _removed(key: str, old: ProductFacts, before: MeshFacts) -> Risk:
    grants = _grants_of(before, key)
    revoked = f"its {grants} grant(s) are revoked; " if grants else ""
    return Risk("product-removed", key, "-", old.status, None,
                f"{key}: file removed: {revoked}the bucket and its data are retained in AWS but leave "
                f"the stack, and `pulumi up` refuses while the bucket is protected (docs/deleting-data.md)")


def _product_risks(key: str, old: ProductFacts, new: ProductFacts, before: MeshFacts) -> list[Risk]:
    risks: list[Risk] = []
    if new.retention_days < old.retention_days:
        risks.append(Risk("retention-shortened", key, "retention.days", old.retention_days, new.retention_days,
                          f"{key}: retention.days shortened from {old.retention_days} to "
                          f"{new.retention_days}: the next deploy expires every current object older "
                          f"than {new.retention_days} days, existing data included"))
    if new.noncurrent_days < old.noncurrent_days:
        risks.append(Risk("retention-shortened", key, "retention.noncurrent_days", old.noncurrent_days,
                          new.noncurrent_days,
                          f"{key}: retention.noncurrent_days shortened from {old.noncurrent_days} to "
                          f"{new.noncurrent_days}: the next deploy expires overwritten and deleted "
                          f"versions older than {new.noncurrent_days} days"))
    if new.archive_after_days != old.archive_after_days:
        what = (f"objects move to GLACIER_IR after {new.archive_after_days} days (nothing is deleted; "
                f"reads cost more)" if new.archive_after_days is not None else "objects are no longer archived")
        risks.append(Risk("archive-changed", key, "retention.archive_after_days", old.archive_after_days,
                          new.archive_after_days,
                          f"{key}: retention.archive_after_days {_show(old.archive_after_days)} → "
                          f"{_show(new.archive_after_days)}: {what}"))
    if new.status == "retired" and old.status != "retired":
        grants = _grants_of(before, key)
        revoked = f"its {grants} grant(s) are revoked and " if grants else ""
        risks.append(Risk("product-retired", key, "status", old.status, new.status,
                          f"{key}: retired: {revoked}the producer loses data access; the bucket and its "
                          f"data are kept (the lifecycle keeps expiring them)"))
    if _rank(new.classification) < _rank(old.classification):
        risks.append(Risk("classification-lowered", key, "classification", old.classification,
                          new.classification,
                          f"{key}: classification lowered from {old.classification} to "
                          f"{new.classification}: the rules for {old.classification} data (dated "
                          f"grants, capped retention, approval) may no longer apply"))
    old_major, new_major = _major(old.version), _major(new.version)
    if old_major is not None and new_major is not None and new_major > old_major:
        risks.append(Risk("breaking-change", key, "version", old.version, new.version,
                          f"{key}: version {old.version} → {new.version}: a major bump is a breaking "
                          f"change for its consumers (spec-v1); a side-by-side successor is a new "
                          f"product with `replaced_by`"))
    return risks


def _placement_risks(subject: str, old_accounts: Mapping[str, str], new_accounts: Mapping[str, str],
                     old_region: str | None, new_region: str | None, after: MeshFacts) -> list[Risk]:
    risks: list[Risk] = []
    where = "the platform's resources (provider, discovery endpoint) are" if subject == PLATFORM else \
        "its key, roles and buckets are"
    moved = [env for env in sorted(old_accounts.keys() & new_accounts.keys())
             if old_accounts[env] != new_accounts[env]]
    producers: tuple[str, ...] = ()
    if subject != PLATFORM and moved:
        # Only for a subject that moved: a scan of every grant per domain would make a diff of
        # an unchanged big mesh quadratic.
        producers = tuple(sorted({p.partition("/")[0] for p, c in after.grants
                                  if c == subject and p.partition("/")[0] != subject}))
    field_root = "platform.accounts" if subject == PLATFORM else "aws.accounts"
    for env in moved:
        old, new = old_accounts[env], new_accounts[env]
        follow = (f"; the grants of {', '.join(producers)} now point at its consumer role in {new}"
                  if producers else "")
        risks.append(Risk("account-changed", subject, f"{field_root}.{env}", old, new,
                          f"{subject}: {env} account changed from {old} to {new}: {where} created anew "
                          f"in {new} and nothing in {old} is moved (its data stays there){follow}",
                          producers))
    if old_region and new_region and old_region != new_region:
        field_name = "platform.region" if subject == PLATFORM else "aws.region"
        risks.append(Risk("region-changed", subject, field_name, old_region, new_region,
                          f"{subject}: region changed from {old_region} to {new_region}: {where} created "
                          f"anew in {new_region} and nothing in {old_region} is moved (its data stays "
                          f"there)"))
    return risks


def _rank(classification: str) -> int:
    return CLASSIFICATION_ORDER.index(classification) if classification in CLASSIFICATION_ORDER else 0


def _major(version: str) -> int | None:
    head = version.partition(".")[0]
    return int(head) if head.isdigit() else None


def _show(value: int | None) -> str:
    return "none" if value is None else str(value)
