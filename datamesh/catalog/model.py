"""The catalog: one frozen value describing a mesh environment for the people and agents who use it.

Built once from the resolved mesh and one environment's plan (``datamesh.catalog.build``), then
only read: ``mesh catalog`` prints it, the server renders its routes, the ODPS/ODCS views and the
MCP tools are functions of it. Everything in it is sorted, so its bytes are deterministic.

Dates and access
----------------
The stored facts do not depend on the date a reader looks at them: each grant keeps its
``until`` (inclusive, ``None`` for no end) and each pending request its ``expired_on``. What a
reader sees as *current* is evaluated at ``Catalog.evaluated_on``, which starts as the build date
and is moved with ``Catalog.as_of(day)`` (O(1): the products are shared, not copied). A grant is
current on ``day`` when ``until`` is absent or not before ``day`` — exactly when the planned
access point lets its consumer read (its policy's ``aws:CurrentTime`` condition ends access after
``until``). A grant of a mesh domain that has expired is, as spec-v1 says, a pending request
again (the consumer still asks; the approver must renew); an expired grant of an external
principal is simply gone. A prebuilt catalog therefore never shows an expired grant as current,
whatever the day it is served on. ``as_of`` never invents access the plan did not create: a
request that was pending at build time stays pending on any day.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal

ConsumerKind = Literal["domain", "external"]
Via = Literal["inputs", "consumes"]
GrantState = Literal["active", "expired"]
EdgeState = Literal["granted", "pending", "not-granted"]

FORMAT = "datamesh-catalog/v1"
"""The JSON format of ``mesh catalog``; a reader refuses any other."""


class UnknownProductError(KeyError):
    """No product has this ``<domain>/<product>`` key in the catalog."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key

    def __str__(self) -> str:
        return f"no product {self.key!r} in the catalog"


@dataclass(frozen=True, slots=True)
class Owner:
    """The team that owns a domain, and through it every product of the domain."""

    team: str
    email: str
    github: str | None
    """The GitHub team owning the domain's folder; ``None`` when the spec has none."""

    @property
    def approver(self) -> str:
        """Who approves access requests: the GitHub team, else the email (spec-v1)."""
        return self.github or self.email


@dataclass(frozen=True, slots=True)
class Retention:
    days: int
    """Current objects expire this many days after creation."""
    archive_after_days: int | None
    """Objects move to GLACIER_IR after this many days; ``None``: never archived."""
    noncurrent_days: int
    """Overwritten or deleted versions expire after this many days."""


@dataclass(frozen=True, slots=True)
class Guarantees:
    """Service levels exactly as the spec writes them; ``None``: not written."""

    freshness: str | None
    update_frequency: str | None
    completeness: float | None
    availability: float | None

    def written(self) -> dict[str, str | float]:
        """Only the guarantees the spec states, in the spec's key order."""
        values: dict[str, str | float | None] = {
            "freshness": self.freshness, "update_frequency": self.update_frequency,
            "completeness": self.completeness, "availability": self.availability}
        return {k: v for k, v in values.items() if v is not None}


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    type: str
    """The spec's type, as written (``string``, ``decimal(12,2)``, ``array<string>`` …)."""
    required: bool
    pii: bool
    description: str | None


@dataclass(frozen=True, slots=True)
class Schema:
    format: str
    """parquet | json | csv | avro | iceberg."""
    fields: tuple[Column, ...]


@dataclass(frozen=True, slots=True)
class Deprecation:
    sunset: date
    """The day after which the product should be retired."""
    replaced_by: str | None
    """The successor product's key."""

    def past_sunset(self, day: date) -> bool:
        return self.sunset < day


@dataclass(frozen=True, slots=True)
class Location:
    """Where the product's objects are, in this environment (from the plan's bucket)."""

    bucket: str
    bucket_arn: str
    region: str
    account: str
    """The producing domain's account in this environment."""

    @property
    def s3_uri(self) -> str:
        return f"s3://{self.bucket}/"


@dataclass(frozen=True, slots=True)
class AccessPoint:
    """The S3 access point through which one grant's consumer reads (the bucket itself only
    allows reads through its owner's access points)."""

    name: str
    arn: str
    alias: str
    """Known only after deployment (AWS generates it): the plan's placeholder
    ``${<resource>.alias}``, see ``KNOWN_AFTER_DEPLOY``."""
    resource: str
    """The access point's logical name in the stack (``pulumi stack output`` / state)."""

    KNOWN_AFTER_DEPLOY = ("alias",)
    """Fields holding a placeholder ``${<logical name>.<property>}`` instead of a value."""


@dataclass(frozen=True, slots=True, order=True)
class Grant:
    """One consumer may read the product until ``until`` (inclusive; ``None``: no end)."""

    consumer: str
    """A mesh domain name, or an external principal's role ARN."""
    kind: ConsumerKind
    name: str
    """Who the consumer is, for people: the domain's name, or the external account's ``name``
    from mesh.yaml."""
    account: str
    """The consumer's AWS account."""
    principal: str
    """The IAM principal the access point's policy names (a domain's consumer role)."""
    until: date | None
    purpose: str | None
    """Why access was approved (the approval's purpose, else the request's)."""
    access_point: AccessPoint

    def active_on(self, day: date) -> bool:
        """Access holds through the ``until`` day, inclusive."""
        return self.until is None or self.until >= day


@dataclass(frozen=True, slots=True, order=True)
class Pending:
    """A request that creates nothing until the producer approves it."""

    consumer: str
    """The requesting mesh domain."""
    approver: str
    """The producer's ``owner.github``, else its email."""
    expired_on: date | None
    """The ``until`` of an approval that expired; ``None`` when never approved."""
    purpose: str | None


@dataclass(frozen=True, slots=True, order=True)
class StandingApproval:
    """A mesh domain the producer approved that has not requested the product (yet): its
    request would be granted at once while ``until`` holds."""

    domain: str
    until: date | None
    purpose: str | None

    def active_on(self, day: date) -> bool:
        return self.until is None or self.until >= day


@dataclass(frozen=True, slots=True)
class Sharing:
    mode: Literal["open", "approval", "private"]
    approver: str
    requestable: bool
    """Whether a request can lead to access (active or deprecated, and not private)."""
    reason: str | None
    """Why a request cannot lead to access; ``None`` when requestable."""


@dataclass(frozen=True, slots=True, order=True)
class LineageEdge:
    """A request: ``consumer`` (through ``consumer_product``'s ``inputs``, or the domain's
    ``consumes``) reads ``product``. Data flows from ``product`` to the consumer."""

    product: str
    consumer: str
    consumer_product: str | None
    """The consuming product's key for an ``inputs`` entry; ``None`` for ``consumes``."""
    via: Via
    purpose: str | None

    @property
    def target(self) -> str:
        """The graph node the data flows to: the consuming product, else the domain."""
        return self.consumer_product or self.consumer


@dataclass(frozen=True, slots=True)
class Access:
    """Who reads a product on one day, evaluated from the stored grants."""

    on: date
    current: tuple[Grant, ...]
    expired: tuple[Grant, ...]
    """Planned grants whose ``until`` has passed: AWS already refuses them; the next deploy
    removes their access points."""
    pending: tuple[Pending, ...]
    """Pending at build time, plus mesh domains whose grant has since expired."""


@dataclass(frozen=True, slots=True)
class Product:
    key: str
    """``<domain>/<product>``."""
    domain: str
    name: str
    version: str
    description: str
    status: Literal["draft", "active", "deprecated", "retired"]
    type: Literal["source-aligned", "aggregate", "consumer-aligned"]
    classification: Literal["public", "internal", "confidential", "restricted"]
    tags: tuple[str, ...]
    owner: Owner
    retention: Retention
    guarantees: Guarantees | None
    schema: Schema | None
    deprecation: Deprecation | None
    location: Location
    sharing: Sharing
    grants: tuple[Grant, ...]
    """Every grant the plan created, current or not on the evaluation day."""
    pending: tuple[Pending, ...]
    """Pending requests at build time."""
    standing_approvals: tuple[StandingApproval, ...]
    """Approvals of mesh domains that never requested the product (they create nothing)."""

    def access_on(self, day: date) -> Access:
        current = tuple(g for g in self.grants if g.active_on(day))
        expired = tuple(g for g in self.grants if not g.active_on(day))
        again = [Pending(g.consumer, self.sharing.approver, g.until, g.purpose)
                 for g in expired if g.kind == "domain"]
        return Access(day, current, expired, tuple(sorted([*self.pending, *again])))


@dataclass(frozen=True, slots=True)
class Domain:
    name: str
    description: str
    owner: Owner
    account: str
    """The domain's account in this environment."""
    region: str
    producer_role: str
    """ARN of the role that writes the domain's products."""
    consumer_role: str
    """ARN of the role through which the domain's workloads read what it is granted."""
    products: tuple[str, ...]
    """The keys of the domain's products."""


@dataclass(frozen=True, slots=True)
class ExternalAccount:
    id: str
    name: str
    contact: str | None


@dataclass(frozen=True, slots=True)
class CatalogInfo:
    """What the catalog describes and where it came from."""

    mesh: str
    environment: str
    environments: tuple[str, ...]
    built_at: date
    """The evaluation date of the build (``--today``, else the UTC date)."""
    tool_version: str
    """The version of datamesh-provisioner that built it."""
    content_hash: str
    """``sha256:<hex>`` of the stored facts (everything but the dates of building and of
    evaluation): equal for equal meshes, whatever day they were built."""
    platform_account: str
    platform_region: str
    discovery_url: str | None
    """``https://<discovery.kubernetes.host>`` when mesh.yaml sets a host; else ``None``."""
    external_accounts: tuple[ExternalAccount, ...]


@dataclass(frozen=True, slots=True)
class _Index:
    products: Mapping[str, Product]
    domains: Mapping[str, Domain]
    inputs: Mapping[str, tuple[LineageEdge, ...]]
    """By consuming product: its own ``inputs`` edges."""
    consumers: Mapping[str, tuple[LineageEdge, ...]]
    """By read product: every request naming it."""
    consumes: Mapping[str, tuple[LineageEdge, ...]]
    """By domain: its ``consumes`` edges."""
    boundaries: tuple[date, ...]
    """The sorted days on which an evaluation changes (a day after an ``until`` or a sunset)."""

    @classmethod
    def of(cls, domains: tuple[Domain, ...], products: tuple[Product, ...],
           lineage: tuple[LineageEdge, ...]) -> _Index:
        inputs: dict[str, list[LineageEdge]] = {}
        consumers: dict[str, list[LineageEdge]] = {}
        consumes: dict[str, list[LineageEdge]] = {}
        for edge in lineage:
            consumers.setdefault(edge.product, []).append(edge)
            if edge.consumer_product is not None:
                inputs.setdefault(edge.consumer_product, []).append(edge)
            else:
                consumes.setdefault(edge.consumer, []).append(edge)
        days: set[date] = set()
        for p in products:
            days.update(g.until + timedelta(days=1) for g in p.grants if g.until is not None)
            if p.deprecation is not None:
                days.add(p.deprecation.sunset + timedelta(days=1))
        return cls({p.key: p for p in products}, {d.name: d for d in domains},
                   {k: tuple(v) for k, v in inputs.items()}, {k: tuple(v) for k, v in consumers.items()},
                   {k: tuple(v) for k, v in consumes.items()}, tuple(sorted(days)))


@dataclass(frozen=True, slots=True)
class Catalog:
    """The whole catalog of one mesh environment, evaluated on ``evaluated_on``."""

    info: CatalogInfo
    domains: tuple[Domain, ...]
    """Sorted by name."""
    products: tuple[Product, ...]
    """Sorted by key; every product, whatever its status."""
    lineage: tuple[LineageEdge, ...]
    """Every request of the mesh (``inputs`` and ``consumes``), sorted."""
    evaluated_on: date
    """The day current access, pending requests and sunsets are evaluated on."""
    _index: _Index | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self._index is None:
            object.__setattr__(self, "_index", _Index.of(self.domains, self.products, self.lineage))

    @property
    def index(self) -> _Index:
        assert self._index is not None  # set by __post_init__
        return self._index

    # --- looking things up ---------------------------------------------------------------------

    def product(self, key: str) -> Product:
        """The product ``<domain>/<product>``; ``UnknownProductError`` when there is none."""
        try:
            return self.index.products[key]
        except KeyError:
            raise UnknownProductError(key) from None

    def find(self, key: str) -> Product | None:
        return self.index.products.get(key)

    def domain(self, name: str) -> Domain | None:
        return self.index.domains.get(name)

    def __iter__(self) -> Iterator[Product]:
        return iter(self.products)

    def __len__(self) -> int:
        return len(self.products)

    def inputs_of(self, key: str) -> tuple[LineageEdge, ...]:
        """The ``inputs`` requests of product ``key`` (what it reads)."""
        return self.index.inputs.get(key, ())

    def consumers_of(self, key: str) -> tuple[LineageEdge, ...]:
        """Every request naming product ``key`` (who reads it, or asks to)."""
        return self.index.consumers.get(key, ())

    def consumes_of(self, domain: str) -> tuple[LineageEdge, ...]:
        """The domain-level ``consumes`` requests of ``domain``."""
        return self.index.consumes.get(domain, ())

    # --- evaluating on a day -------------------------------------------------------------------

    def as_of(self, day: date) -> Catalog:
        """The same catalog evaluated on ``day`` (cheap: nothing is copied)."""
        if day == self.evaluated_on:
            return self
        return Catalog(self.info, self.domains, self.products, self.lineage, day, self._index)

    def access(self, key: str) -> Access:
        """Who reads product ``key`` on ``evaluated_on``."""
        return self.product(key).access_on(self.evaluated_on)

    def edge_state(self, edge: LineageEdge) -> EdgeState:
        """granted (a current grant), pending (waiting for the producer), or not-granted (the
        product grants nothing: private, draft or retired)."""
        access = self.access(edge.product)
        if any(g.consumer == edge.consumer for g in access.current):
            return "granted"
        if any(p.consumer == edge.consumer for p in access.pending):
            return "pending"
        return "not-granted"

    def evaluation_period(self) -> tuple[date | None, date | None]:
        """The first and last day (``None``: unbounded) on which every evaluated view is the same
        as on ``evaluated_on``; a server may cache what it rendered until the last one."""
        bounds = self.index.boundaries
        i = bisect.bisect_right(bounds, self.evaluated_on)
        first = bounds[i - 1] if i > 0 else None
        last = bounds[i] - timedelta(days=1) if i < len(bounds) else None
        return first, last

    @property
    def revision(self) -> str:
        """ETag material: the content hash and the evaluation period. Changes when the facts
        change or a grant expires or a sunset passes, not every day."""
        first, _ = self.evaluation_period()
        digest = self.info.content_hash.removeprefix("sha256:")[:16]
        return f"{digest}.{first.strftime('%Y%m%d') if first else '0'}"
