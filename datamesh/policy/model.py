"""The vocabulary of the rule engine: resource views, rules, contexts, findings, violations.

A rule never sees Pulumi or the planner directly. It sees a ``ResourceView``: the Pulumi type
token, the logical name, the camelCase inputs exactly as the Pulumi engine receives them, the
options that matter for data safety, and where the resource sits (parent, provider, domain,
product). ``mesh check`` builds views from the Plan; the policy pack builds them from
pulumi-policy's ``ResourceValidationArgs`` / ``PolicyResource``. The same function then decides.

Values may arrive as plain ``dict``/``list`` (the plan) or as pulumi-policy's read-only
``Mapping``/``Sequence`` proxies (deploy time), with numbers as ``int`` or ``float``: rules use
the helpers of ``datamesh.policy.values`` and never ``isinstance(x, dict)``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from datamesh.resource_types import ACCESS_POINT as ACCESS_POINT
from datamesh.resource_types import BUCKET as BUCKET
from datamesh.resource_types import BUCKET_ENCRYPTION as BUCKET_ENCRYPTION
from datamesh.resource_types import BUCKET_LIFECYCLE as BUCKET_LIFECYCLE
from datamesh.resource_types import BUCKET_OWNERSHIP as BUCKET_OWNERSHIP
from datamesh.resource_types import BUCKET_POLICY as BUCKET_POLICY
from datamesh.resource_types import BUCKET_PUBLIC_ACCESS as BUCKET_PUBLIC_ACCESS
from datamesh.resource_types import BUCKET_VERSIONING as BUCKET_VERSIONING
from datamesh.resource_types import COMPONENT_DOMAIN as COMPONENT_DOMAIN
from datamesh.resource_types import COMPONENT_GRANT as COMPONENT_GRANT
from datamesh.resource_types import COMPONENT_PRODUCT as COMPONENT_PRODUCT
from datamesh.resource_types import IAM_ROLE as IAM_ROLE
from datamesh.resource_types import IAM_ROLE_POLICY as IAM_ROLE_POLICY
from datamesh.resource_types import KMS_GRANT as KMS_GRANT
from datamesh.resource_types import KMS_KEY as KMS_KEY
from datamesh.resource_types import PROVIDER_AWS as PROVIDER_AWS

IAM_POLICY = "aws:iam/policy:Policy"
"""A managed policy: never planned (so refused by mesh-resource-types-allowed), but its document
is read like any other."""
ACCESS_POINT_POLICY = "aws:s3control/accessPointPolicy:AccessPointPolicy"
"""Never planned (an access point carries its own ``policy``); its document is read all the same."""
EVERY_TYPE = "*"
"""In a ``ResourceRule``'s ``types``: the rule checks every resource, whatever its type."""

Severity = Literal["low", "medium", "high", "critical"]
SEVERITIES: tuple[Severity, ...] = ("low", "medium", "high", "critical")

Level = Literal["advisory", "mandatory", "disabled"]
LEVELS: tuple[Level, ...] = ("advisory", "mandatory", "disabled")
"""Enforcement levels the platform team sets per rule (pulumi-policy's ``remediate`` is read as
``mandatory``: no mesh rule remediates)."""



@dataclass(frozen=True, slots=True)
class ResourceView:
    """One resource as a rule sees it, offline and at deploy time alike."""

    type: str
    """The Pulumi type token, e.g. ``aws:s3/bucket:Bucket``."""
    name: str
    """The logical name (unique in a mesh stack)."""
    inputs: Mapping[str, Any]
    """camelCase inputs (at deploy time, stack rules see the resource's outputs, which for
    the AWS resources here carry the same keys)."""
    protect: bool = False
    retain_on_delete: bool | None = None
    """``None`` when unknown: pulumi-policy's analyzer protocol does not carry the option, so at
    deploy time only ``protect`` can be checked."""
    parent: str | None = None
    """Logical name of the parent resource, or None."""
    parent_type: str | None = None
    provider: str | None = None
    """Logical name of the explicit provider, or None."""
    domain: str | None = None
    product: str | None = None
    """``<domain>/<product>`` when the resource belongs to one data product."""
    account: str | None = None
    """The AWS account the resource is deployed into: its provider's one ``allowedAccountIds``
    entry, or None when that is not known."""
    urn: str | None = None
    """Set at deploy time, so a stack violation is reported against the right resource."""
    account_by_name: Mapping[str, str | None] = field(default_factory=dict, compare=False, repr=False)
    """Offline only: the account of every resource of the plan, by logical name (one mapping
    shared by all views), so a rule can tell where a placeholder ``${<name>.arn}`` points. At
    deploy time values are real (ARNs), never placeholders, and the mapping is empty."""

    @property
    def scope(self) -> str:
        """What a violation line names: ``<domain>/<product>``, the domain, or ``-``."""
        return self.product or self.domain or "-"


@dataclass(frozen=True, slots=True)
class RuleContext:
    """What a rule knows besides the resource: the evaluation date and its own config.

    ``config`` holds the rule's properties with the documented defaults applied, including
    the mesh facts (``meshAccounts``, ``externalAccounts``) for rules that need them.
    """

    today: date
    config: Mapping[str, Any] = field(default_factory=dict)
    memo: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    """Values derived from ``config`` once per run (account sets), shared by every check."""


@dataclass(frozen=True, slots=True)
class Finding:
    """A stack rule's verdict about one resource (or about the stack when ``resource`` is None)."""

    resource: ResourceView | None
    message: str


class StackView:
    """Every resource of a stack, with the indices stack rules need (built lazily, once)."""

    __slots__ = ("_by_name", "_by_type", "_children", "cache", "resources")

    def __init__(self, resources: Sequence[ResourceView]) -> None:
        self.resources = resources
        self.cache: dict[str, Any] = {}
        """Indices shared by several stack rules, built by the first that needs them."""
        self._by_name: dict[str, ResourceView] | None = None
        self._by_type: dict[str, list[ResourceView]] | None = None
        self._children: dict[str, list[ResourceView]] | None = None

    def by_name(self, name: str) -> ResourceView | None:
        if self._by_name is None:
            self._by_name = {r.name: r for r in self.resources}
        return self._by_name.get(name)

    def of_type(self, type_token: str) -> list[ResourceView]:
        if self._by_type is None:
            index: dict[str, list[ResourceView]] = {}
            for r in self.resources:
                index.setdefault(r.type, []).append(r)
            self._by_type = index
        return self._by_type.get(type_token, [])

    def children(self, name: str) -> list[ResourceView]:
        if self._children is None:
            index: dict[str, list[ResourceView]] = {}
            for r in self.resources:
                if r.parent is not None:
                    index.setdefault(r.parent, []).append(r)
            self._children = index
        return self._children.get(name, [])

    def parent_of(self, resource: ResourceView) -> ResourceView | None:
        return self.by_name(resource.parent) if resource.parent is not None else None


ResourceCheck = Callable[[ResourceView, RuleContext], list[str]]
StackCheck = Callable[[StackView, RuleContext], list[Finding]]


@dataclass(frozen=True, slots=True, kw_only=True)
class Rule:
    """A guardrail: metadata shared by the policy pack and ``mesh check``."""

    id: str
    """``mesh-…``; also the module name (``mesh_bucket_versioning``) and the pack config key."""
    description: str
    severity: Severity
    remediation: str
    default_level: Level
    config: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    """JSON schema of each config property, each with its ``default`` (pulumi-policy's
    ``PolicyConfigSchema.properties``)."""
    facts: tuple[str, ...] = ()
    """Config properties that ``mesh policy-config`` fills from the mesh (not thresholds)."""

    @property
    def kind(self) -> Literal["resource", "stack"]:
        raise NotImplementedError

    def defaults(self) -> dict[str, Any]:
        return {k: schema["default"] for k, schema in self.config.items() if "default" in schema}


@dataclass(frozen=True, slots=True, kw_only=True)
class ResourceRule(Rule):
    """Checks one resource at a time, for the resource types in ``types``."""

    types: frozenset[str]
    """The types it checks; ``{EVERY_TYPE}``: every resource."""
    check: ResourceCheck

    @property
    def kind(self) -> Literal["resource", "stack"]:
        return "resource"

    def applies_to(self, type_token: str) -> bool:
        return EVERY_TYPE in self.types or type_token in self.types


@dataclass(frozen=True, slots=True, kw_only=True)
class StackRule(Rule):
    """Checks relations between resources (presence, pairing) over the whole stack."""

    reads: frozenset[str]
    """The resource types the rule looks at (documentation)."""
    check: StackCheck

    @property
    def kind(self) -> Literal["resource", "stack"]:
        return "stack"


@dataclass(frozen=True, slots=True)
class Violation:
    """One rule broken by one resource, with the level it is enforced at in this run."""

    rule: str
    level: Level
    severity: Severity
    resource: str | None
    """Logical name, or None for a stack-wide violation."""
    type: str | None
    scope: str
    """``<domain>/<product>``, the domain, or ``-``."""
    message: str
    remediation: str

    def to_json(self) -> dict[str, Any]:
        domain, _, product = self.scope.partition("/")
        return {
            "rule": self.rule,
            "level": self.level,
            "severity": self.severity,
            "resource": self.resource,
            "type": self.type,
            "domain": None if domain == "-" else domain,
            "product": self.scope if product else None,
            "message": self.message,
            "remediation": self.remediation,
        }

    def format(self) -> str:
        """``<level> <severity> <rule-id> <resource> <domain>/<product>: message`` + remediation."""
        return (f"{self.level} {self.severity} {self.rule} {self.resource or '-'} {self.scope}: "
                f"{self.message}\n  remediation: {self.remediation}")
