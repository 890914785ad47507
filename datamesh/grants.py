"""Grant decisions: who may read which product, exactly as spec-v1 "What a grant is" says.

A pure function of the specs and an evaluation date. Nothing here knows about AWS: the plan
turns each ``Grant`` into access points and policies.

- A mesh domain C reads product P of domain D (D != C) when C asks (an ``inputs`` entry of one
  of C's products, or C's ``consumes``) and D allows (``sharing.mode: open``, or C approved with
  ``until`` absent or not before the evaluation date).
- An external principal reads P when P's ``sharing.approved`` lists its role ARN, unexpired.
- Only active and deprecated products grant; private products grant nothing.
- An unanswered or expired request to an ``approval`` product is a pending request naming the
  approver (the producer's ``owner.github``, else its email).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from datamesh.diagnostics import Report
from datamesh.sourcemap import SourceMap
from datamesh.spec.models import DataProduct, Domain, approval_active


@dataclass(frozen=True, slots=True)
class Grant:
    """One consumer may read one product until ``until`` (inclusive; ``None``: no end).

    Not ordered by its fields (``until`` may be ``None``, which no date compares with): sort
    with ``grant_order``.
    """

    product: str
    consumer: str
    """A mesh domain name, or an external principal's role ARN."""
    consumer_kind: Literal["domain", "external"]
    until: date | None = None

    @property
    def producer(self) -> str:
        return self.product.partition("/")[0]


@dataclass(frozen=True, slots=True)
class PendingRequest:
    """A request the producer has not (or no longer) approved: creates nothing.

    Not ordered by its fields (``expired_on`` may be ``None``): sort with ``pending_order``.
    """

    product: str
    consumer: str
    approver: str
    expired_on: date | None = None
    """The ``until`` of an approval that expired; ``None`` when never approved."""


def _date_order(day: date | None) -> tuple[bool, date]:
    """An optional date as a sort key: every date first, in order, then ``None`` (no end)."""
    return (day is None, day or date.min)


def grant_order(grant: Grant) -> tuple[str, str, str, tuple[bool, date]]:
    """The order of grants everywhere (plan, outputs): by product, then consumer."""
    return (grant.product, grant.consumer, grant.consumer_kind, _date_order(grant.until))


def pending_order(request: PendingRequest) -> tuple[str, str, str, tuple[bool, date]]:
    """The order of pending requests: by product, then consumer."""
    return (request.product, request.consumer, request.approver, _date_order(request.expired_on))


@dataclass(slots=True)
class GrantDecisions:
    grants: list[Grant] = field(default_factory=list)
    pending: list[PendingRequest] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Request:
    consumer: str
    product: str
    source: str
    """The key (in the ``SourceMap``) of the spec holding the request: a domain or a product. Its
    position is looked up only if a problem is reported (positions re-read the file's YAML,
    which every request paying for would double a load)."""
    path: tuple[str | int, ...]
    field: str


def approver_of(domain: Domain) -> str:
    """Who approves access to a domain's products: its GitHub team, else its email."""
    return domain.owner.github or domain.owner.email


def collect_requests(domains: Mapping[str, Domain], products: Mapping[str, DataProduct]) -> list[_Request]:
    """Every access request, in file order: product ``inputs`` then domain ``consumes``."""
    requests: list[_Request] = []
    for key in sorted(products):
        consumer = key.partition("/")[0]
        for i, entry in enumerate(products[key].inputs):
            requests.append(_Request(consumer, entry.product, key, ("inputs", i, "product"),
                                     f"inputs[{i}].product"))
    for name in sorted(domains):
        for i, entry in enumerate(domains[name].consumes):
            requests.append(_Request(name, entry.product, name, ("consumes", i, "product"),
                                     f"consumes[{i}].product"))
    return requests


def decide_grants(
    domains: Mapping[str, Domain],
    products: Mapping[str, DataProduct],
    sources: SourceMap,
    today: date,
    report: Report | None = None,
) -> GrantDecisions:
    """Decide every grant and pending request; warnings go to ``report`` when given, placed
    with ``sources`` (which must know every domain and product given).

    Expects references already checked (``datamesh.resolve``): requests naming unknown
    products or the consumer's own domain are skipped here, not reported twice.
    """
    report = report if report is not None else Report()
    decisions = GrantDecisions()
    seen: set[tuple[str, str]] = set()
    requested: set[tuple[str, str]] = set()
    for req in collect_requests(domains, products):
        target = products.get(req.product)
        producer = req.product.partition("/")[0]
        if target is None or producer == req.consumer or producer not in domains:
            continue
        requested.add((req.consumer, req.product))
        if (req.consumer, req.product) in seen:
            continue  # one decision per (consumer, product), reported at its first request
        seen.add((req.consumer, req.product))
        _decide_request(req, target, domains[producer], sources, today, decisions, report)

    for key in sorted(products):
        _decide_approvals(key, products[key], domains, sources, requested, today, decisions, report)
    decisions.grants.sort(key=grant_order)
    decisions.pending.sort(key=pending_order)
    return decisions


def _decide_request(req: _Request, product: DataProduct, producer: Domain, sources: SourceMap,
                    today: date, decisions: GrantDecisions, report: Report) -> None:
    def where() -> tuple[str, tuple[int, int]]:
        return sources.file(req.source), sources.at(req.source, *req.path)  # only when reporting

    if not product.grants_access or product.sharing.mode == "private":
        why = (f"its status is {product.status}" if not product.grants_access
               else "it is private (sharing.mode: private)")
        report.add(*where(), "DM302", req.field,
                   f"request to {req.product} grants nothing: {why}")
        return
    if product.sharing.mode == "open":
        decisions.grants.append(Grant(req.product, req.consumer, "domain"))
        return
    approval = next((a for a in product.sharing.approved if a.domain == req.consumer), None)
    approver = approver_of(producer)
    if approval is not None and approval_active(approval, today):
        decisions.grants.append(Grant(req.product, req.consumer, "domain", approval.until))
        return
    expired_on = approval.until if approval is not None else None
    decisions.pending.append(PendingRequest(req.product, req.consumer, approver, expired_on))
    if expired_on is not None:
        state = f"its approval expired on {expired_on}"
        hint = (f"{approver} extends `until` of the approval of {req.consumer} in "
                f"sharing.approved of {req.product}")
    else:
        state = "not approved yet"
        hint = (f"{approver} adds `- domain: {req.consumer}` (with `until`) to "
                f"sharing.approved of {req.product}")
    report.add(*where(), "DM300", req.field,
               f"pending: {req.consumer} requests {req.product}, {state}; {approver} must approve", hint)


def _decide_approvals(key: str, product: DataProduct, domains: Mapping[str, Domain], sources: SourceMap,
                      requested: set[tuple[str, str]], today: date, decisions: GrantDecisions,
                      report: Report) -> None:
    source = sources.of(key)
    if product.status == "deprecated" and product.deprecation is not None \
            and product.deprecation.sunset < today:
        report.add(source.file, source.at("deprecation", "sunset"), "DM305", "deprecation.sunset",
                   f"{key} is past its sunset ({product.deprecation.sunset}) and still grants access")
    if product.sharing.mode == "private" and product.sharing.approved:
        report.add(source.file, source.at("sharing", "approved"), "DM303", "sharing.approved",
                   f"{key} is private: its {len(product.sharing.approved)} approval(s) grant nothing")
        return
    owner = key.partition("/")[0]
    granted: set[str] = set()
    for i, approval in enumerate(product.sharing.approved):
        where = f"sharing.approved[{i}]"
        active = approval_active(approval, today)
        if approval.until is not None and not active:
            report.add(source.file, source.at("sharing", "approved", i, "until"), "DM301",
                       f"{where}.until",
                       f"approval of {approval.grantee} for {key} expired on {approval.until}; "
                       f"{approver_of(domains[owner]) if owner in domains else 'its owner'} "
                       f"must renew or remove it")
        if approval.principal is not None:
            # One grant per principal (its first active approval), as for domains: a repeated
            # approval is an error of its own (DM117) but the decisions must stay well-formed.
            if active and product.grants_access and approval.principal not in granted:
                granted.add(approval.principal)
                decisions.grants.append(Grant(key, approval.principal, "external", approval.until))
        elif approval.domain is not None and (approval.domain, key) not in requested \
                and approval.domain != key.partition("/")[0] and approval.domain in domains:
            # An unknown domain is already an error (DM201); not also "never requests it".
            report.add(source.file, source.at("sharing", "approved", i), "DM304", where,
                       f"{approval.domain} is approved for {key} but never requests it; "
                       f"this creates nothing")
