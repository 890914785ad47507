"""Resource views from the offline Plan (duck-typed: no import of the planner needed)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from datamesh import resource_types
from datamesh.policy.model import ResourceView
from datamesh.policy.values import ACCOUNT_RE, decoded, items


class _Options(Protocol):
    @property
    def protect(self) -> bool: ...
    @property
    def retain_on_delete(self) -> bool | None: ...


class _Planned(Protocol):
    @property
    def type(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def inputs(self) -> Mapping[str, Any]: ...
    @property
    def parent(self) -> str | None: ...
    @property
    def provider(self) -> str | None: ...
    @property
    def domain(self) -> str | None: ...
    @property
    def product(self) -> str | None: ...
    @property
    def options(self) -> _Options: ...


def pinned_account(provider_inputs: Mapping[str, Any]) -> str | None:
    """The one account an aws provider is pinned to, or None."""
    ids = items(decoded(provider_inputs.get("allowedAccountIds")))
    if len(ids) == 1 and isinstance(ids[0], str) and ACCOUNT_RE.fullmatch(ids[0]):
        return ids[0]
    return None


def views_of_plan(resources: Iterable[_Planned]) -> list[ResourceView]:
    planned = list(resources)
    types = {r.name: r.type for r in planned}
    accounts = {r.name: pinned_account(r.inputs) for r in planned if r.type == resource_types.PROVIDER_AWS}
    # One mapping for every view: where each resource lives, to resolve ``${<name>.<prop>}``.
    account_by_name = {r.name: accounts.get(r.provider) if r.provider else None for r in planned}
    return [
        ResourceView(
            type=r.type, name=r.name, inputs=r.inputs,
            protect=r.options.protect, retain_on_delete=r.options.retain_on_delete,
            parent=r.parent, parent_type=types.get(r.parent) if r.parent else None,
            provider=r.provider, domain=r.domain, product=r.product,
            account=account_by_name[r.name], account_by_name=account_by_name,
        )
        for r in planned
    ]
