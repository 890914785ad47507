"""The mesh as a model: a checked graph of spec models with its grant decisions.

``ResolvedMesh`` is what ``datamesh.resolve`` returns once every file loaded and passed every
check; plan, policy, catalog, diff and serve read the mesh through it. It holds the spec models
and the decisions only: where a value was written lives in its ``SourceMap``, used for
diagnostics, so nothing reading the mesh depends on how files are loaded.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from datamesh.grants import Grant, GrantDecisions, PendingRequest
from datamesh.sourcemap import SourceMap
from datamesh.spec.models import DataProduct, Domain, Mesh


@dataclass(frozen=True, slots=True)
class _Indexes:
    """Lookups derived from the mesh once, so a plan scoped to one domain looks its products and
    grants up instead of scanning the whole mesh (its cost must not grow with the mesh)."""

    by_domain: dict[str, list[DataProduct]]
    grants_by_product: dict[str, list[Grant]]
    grants_by_consumer: dict[str, list[Grant]]
    pending_by_domain: dict[str, list[PendingRequest]]

    @staticmethod
    def of(products: Mapping[str, DataProduct], decisions: GrantDecisions) -> _Indexes:
        indexes = _Indexes({}, {}, {}, {})
        for key, product in products.items():
            indexes.by_domain.setdefault(key.partition("/")[0], []).append(product)
        for grant in decisions.grants:
            indexes.grants_by_product.setdefault(grant.product, []).append(grant)
            indexes.grants_by_consumer.setdefault(grant.consumer, []).append(grant)
        for request in decisions.pending:
            producer = request.product.partition("/")[0]
            for domain in dict.fromkeys((producer, request.consumer)):
                indexes.pending_by_domain.setdefault(domain, []).append(request)
        return indexes


@dataclass(frozen=True, slots=True)
class ResolvedMesh:
    """A mesh whose files all loaded and passed every check (warnings allowed)."""

    root: str
    spec: Mesh
    domains: Mapping[str, Domain]
    """By name, sorted."""
    products: Mapping[str, DataProduct]
    """By ``<domain>/<product>``, sorted."""
    decisions: GrantDecisions
    today: date
    sources: SourceMap
    """Where the mesh, each domain and each product was written: for diagnostics only."""
    _indexes: _Indexes = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Derived from the fields above, never given: an index cannot disagree with the mesh.
        object.__setattr__(self, "_indexes", _Indexes.of(self.products, self.decisions))

    def account(self, domain: str, env: str) -> str:
        return self.domains[domain].aws.accounts[env]

    def region(self, domain: str) -> str:
        return self.domains[domain].aws.region or self.spec.platform.region

    def products_of(self, domain: str) -> list[DataProduct]:
        """The domain's products, in ``<domain>/<product>`` order."""
        return self._indexes.by_domain.get(domain, [])

    def grants_of_product(self, product: str) -> list[Grant]:
        """The grants on ``<domain>/<product>``, in grant order."""
        return self._indexes.grants_by_product.get(product, [])

    def grants_of_consumer(self, consumer: str) -> list[Grant]:
        """The grants a domain or external principal holds, in grant order."""
        return self._indexes.grants_by_consumer.get(consumer, [])

    def pending_of_domain(self, domain: str) -> list[PendingRequest]:
        """Pending requests where ``domain`` produces or consumes (each request under both)."""
        return self._indexes.pending_by_domain.get(domain, [])
