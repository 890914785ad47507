"""The Plan: the exact resources one environment needs, as plain data.

This is the single source of truth. The Pulumi components materialise it, and every offline
command (plan, check, diff, catalog) reads it. Its JSON shape is fixed by spec-v1.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from datamesh.diagnostics import Diagnostic
from datamesh.grants import Grant, PendingRequest
from datamesh.resource_types import PROVIDER_AWS as PROVIDER_AWS
from datamesh.resource_types import PROVIDER_KUBERNETES as PROVIDER_KUBERNETES
from datamesh.resource_types import STACK_REFERENCE as STACK_REFERENCE

PREVIOUS_DEPLOY = "_stack.previous"
"""Logical name of the stack's read of its own last outputs (datamesh/plan/destructive.py)."""
THIS_STACK = "${stack}"
"""The ``name`` input of that read: the program puts the stack's fully qualified name
(``<organization>/<project>/<stack>``), which the offline plan cannot know."""


def placeholder(resource: str, prop: str) -> str:
    """A value known only after deployment: ``${<logical name>.<property>}``."""
    return "${" + f"{resource}.{prop}" + "}"


@dataclass(frozen=True, slots=True)
class Options:
    protect: bool = False
    """Pulumi refuses to delete the resource until a human runs `pulumi state unprotect`."""
    retain_on_delete: bool = False
    """Removing the resource from the program leaves it in AWS (only the state forgets it)."""
    depends_on: tuple[str, ...] = ()
    """Logical names that must exist first (principals named in policies; a bucket's versioning
    before its lifecycle configuration)."""
    aliases: tuple[str, ...] = ()
    """Former logical names of this resource (same type and parent): Pulumi moves a deployed
    resource of such a name to this one instead of deleting it and creating a new one."""

    def to_json(self) -> dict[str, Any]:
        """``protect`` and ``retainOnDelete`` always (spec-v1); ``aliases`` only when the
        resource has former names, so a plan without renames keeps spec-v1's exact shape."""
        out: dict[str, Any] = {"protect": self.protect, "retainOnDelete": self.retain_on_delete}
        if self.aliases:
            out["aliases"] = list(self.aliases)
        return out


@dataclass(frozen=True, slots=True)
class PlannedResource:
    type: str
    """The Pulumi type token, e.g. ``aws:s3/bucket:Bucket``."""
    name: str
    """Logical name, unique in the stack."""
    inputs: dict[str, Any]
    """camelCase inputs as the Pulumi engine receives them."""
    parent: str | None = None
    provider: str | None = None
    domain: str | None = None
    product: str | None = None
    """``<domain>/<product>``, or None for domain-level and platform resources."""
    options: Options = Options()

    @property
    def is_component(self) -> bool:
        return self.type.startswith("datamesh:")

    @property
    def is_provider(self) -> bool:
        return self.type.startswith("pulumi:providers:")

    def to_json(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "name": self.name,
            "parent": self.parent,
            "provider": self.provider,
            "domain": self.domain,
            "product": self.product,
            "inputs": self.inputs,
            "options": self.options.to_json(),
        }


@dataclass(slots=True)
class Plan:
    mesh: str
    environment: str
    today: date
    resources: list[PlannedResource] = field(default_factory=list)
    grants: list[Grant] = field(default_factory=list)
    pending: list[PendingRequest] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)
    errors: list[Diagnostic] = field(default_factory=list)
    """Plan-level errors (policies over their AWS size limits): the plan must not be applied."""
    scope: tuple[str, ...] | None = None
    """The domains this plan is scoped to (a domain stack); None: the whole mesh."""

    def by_name(self) -> dict[str, PlannedResource]:
        return {r.name: r for r in self.resources}

    def of_type(self, type_token: str) -> list[PlannedResource]:
        return [r for r in self.resources if r.type == type_token]

    def to_json(self, cwd: str | None = None) -> dict[str, Any]:
        return {
            "mesh": self.mesh,
            "environment": self.environment,
            "resources": [r.to_json() for r in self.resources],
            "grants": [
                {"product": g.product, "consumer": g.consumer,
                 "until": g.until.isoformat() if g.until else None}
                for g in self.grants
            ],
            "pending": [
                {"product": p.product, "consumer": p.consumer, "approver": p.approver}
                for p in self.pending
            ],
            "warnings": [{"message": d.message, **d.to_json(cwd)} for d in self.warnings],
            "errors": [{"message": d.message, **d.to_json(cwd)} for d in self.errors],
        }
