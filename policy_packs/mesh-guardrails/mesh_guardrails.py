"""The mesh guardrails as pulumi-policy policies: an adapter over ``datamesh.policy``.

Every rule of ``datamesh.policy.RULES`` becomes one policy named by its id: resource rules a
``ResourceValidationPolicy``, stack rules a ``StackValidationPolicy``, with the rule's
description, severity, remediation steps, default enforcement level and config schema. The
rule functions are the very ones ``mesh check`` runs over the offline plan.

What the pack learns at deploy time, and from where (docs/policies.md):

- resource inputs (camelCase, numbers as floats, an ``aws`` provider's lists JSON-encoded),
  the ``protect`` option, the parent and the provider (the account it is pinned to);
- mesh facts in tags (bucket ``mesh:classification``, access point ``mesh:consumer`` and
  ``mesh:grant-until``) and in component props (DataProduct ``classification``,
  ``retentionDays``): written by the program, so whatever guards access is checked against
  the pack config's facts instead (``mesh-grant-matches-spec`` also proves the tags agree);
- mesh accounts, registered external accounts and the grants the specs decide, from the pack
  config, which ``mesh policy-config --env ENV`` writes (``--policy-pack-config``);
- the evaluation date: the current UTC date.

``retainOnDelete`` is not part of pulumi-policy's analyzer protocol, so at deploy time
``mesh-data-protected`` checks ``protect`` only (``mesh check`` checks both).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    Policy,
    PolicyConfigSchema,
    PolicyProviderResource,
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UnknownValueError

from datamesh.policy import RULES, ResourceRule, ResourceView, Rule, RuleContext, StackRule, StackView
from datamesh.policy.model import COMPONENT_DOMAIN, COMPONENT_GRANT, COMPONENT_PRODUCT, PROVIDER_AWS
from datamesh.policy.plan_views import pinned_account
from datamesh.policy.values import tags_of, text

PACK_NAME = "mesh-guardrails"
DESCRIPTION = ("Federated computational governance for the data mesh: product buckets, grants, "
               "keys and providers, checked by the same rules `mesh check` runs offline.")

LEVELS: Mapping[str, EnforcementLevel] = {
    "advisory": EnforcementLevel.ADVISORY,
    "mandatory": EnforcementLevel.MANDATORY,
    "disabled": EnforcementLevel.DISABLED,
}
SEVERITIES: Mapping[str, Severity] = {
    "low": Severity.LOW,
    "medium": Severity.MEDIUM,
    "high": Severity.HIGH,
    "critical": Severity.CRITICAL,
}

Today = Callable[[], date]


def utc_today() -> date:
    """The deploy-time evaluation date (spec-v1): the current UTC date."""
    return datetime.now(UTC).date()


def split_urn(urn: str) -> tuple[str | None, str | None]:
    """``(type, name)`` of ``urn:pulumi:<stack>::<project>::<parent$…$type>::<name>``."""
    parts = urn.split("::", 3)
    if len(parts) != 4:
        return None, None
    return parts[2].rsplit("$", 1)[-1], parts[3]


def _account(provider: PolicyProviderResource | None) -> str | None:
    if provider is None or provider.resource_type != PROVIDER_AWS:
        return None
    try:
        return pinned_account(provider.props)
    except UnknownValueError:
        return None


def _place(type_token: str, props: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """``(domain, product)`` from the mesh tags, or a mesh component's own props."""
    try:
        tags = tags_of(props)
        product = text(tags.get("mesh:product"))
        if product is None and type_token in (COMPONENT_PRODUCT, COMPONENT_GRANT):
            product = text(props.get("product"))
        domain = text(tags.get("mesh:domain"))
        if domain is None and product is not None:
            domain = product.partition("/")[0]
        if domain is None and type_token == COMPONENT_DOMAIN:
            domain = text(props.get("domain"))
        return domain, product
    except UnknownValueError:
        return None, None


def resource_view(args: ResourceValidationArgs) -> ResourceView:
    """What a resource rule sees, from the analyzer's per-resource request."""
    parent_type, parent_name = split_urn(args.opts.parent) if args.opts.parent else (None, None)
    domain, product = _place(args.resource_type, args.props)
    return ResourceView(
        type=args.resource_type, name=args.name, inputs=args.props,
        protect=bool(args.opts.protect), retain_on_delete=None,
        parent=parent_name, parent_type=parent_type,
        provider=args.provider.name if args.provider is not None else None,
        domain=domain, product=product, account=_account(args.provider), urn=args.urn,
    )


def stack_views(resources: list[PolicyResource]) -> list[ResourceView]:
    """What a stack rule sees; a resource without mesh tags belongs to its nearest tagged ancestor."""
    places = {id(r): _place(r.resource_type, r.props) for r in resources}

    def place_of(r: PolicyResource) -> tuple[str | None, str | None]:
        node: PolicyResource | None = r
        while node is not None:
            found = places.get(id(node)) or _place(node.resource_type, node.props)
            if found != (None, None):
                return found
            node = node.parent
        return None, None

    views: list[ResourceView] = []
    for r in resources:
        domain, product = place_of(r)
        views.append(ResourceView(
            type=r.resource_type, name=r.name, inputs=r.props,
            protect=bool(r.opts.protect), retain_on_delete=None,
            parent=r.parent.name if r.parent is not None else None,
            parent_type=r.parent.resource_type if r.parent is not None else None,
            provider=r.provider.name if r.provider is not None else None,
            domain=domain, product=product, account=_account(r.provider), urn=r.urn,
        ))
    return views


def message(rule: Rule, view: ResourceView | None, text_: str) -> str:
    """The violation text under the policy's description: scope, finding, remediation."""
    scope = view.scope if view is not None else "-"
    head = text_ if scope == "-" else f"{scope}: {text_}"
    return f"{head}\nremediation: {rule.remediation}"


def _context(rule: Rule, config: Mapping[str, Any], today: Today) -> RuleContext:
    return RuleContext(today=today(), config={**rule.defaults(), **dict(config)})


def _resource_validation(rule: ResourceRule, today: Today) -> Callable[[ResourceValidationArgs, ReportViolation], None]:
    def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        if not rule.applies_to(args.resource_type):
            return
        view = resource_view(args)
        for found in rule.check(view, _context(rule, args.get_config(), today)):
            report_violation(message(rule, view, found), None)

    return validate


def _stack_validation(rule: StackRule, today: Today) -> Callable[[StackValidationArgs, ReportViolation], None]:
    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        stack = StackView(stack_views(args.resources))
        for finding in rule.check(stack, _context(rule, args.get_config(), today)):
            urn = finding.resource.urn if finding.resource is not None else None
            report_violation(message(rule, finding.resource, finding.message), urn)

    return validate


def _schema(rule: Rule) -> PolicyConfigSchema | None:
    if not rule.config:
        return None
    return PolicyConfigSchema(properties={key: dict(schema) for key, schema in rule.config.items()})


def build_policies(rules: tuple[Rule, ...] = RULES, today: Today = utc_today) -> list[Policy]:
    """One pulumi-policy policy per mesh rule, in registry order."""
    policies: list[Policy] = []
    for rule in rules:
        common: dict[str, Any] = {
            "name": rule.id,
            "description": rule.description,
            "enforcement_level": LEVELS[rule.default_level],
            "config_schema": _schema(rule),
            "severity": SEVERITIES[rule.severity],
            "remediation_steps": rule.remediation,
            "tags": ["data-mesh", rule.kind],
        }
        if isinstance(rule, ResourceRule):
            policies.append(ResourceValidationPolicy(validate=_resource_validation(rule, today), **common))
        elif isinstance(rule, StackRule):
            policies.append(StackValidationPolicy(validate=_stack_validation(rule, today), **common))
    return policies
