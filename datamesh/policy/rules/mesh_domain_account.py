"""mesh-domain-account: every domain's AWS resources are deployed into that domain's own account.

The account rules (``mesh-trust-own-account``, ``mesh-key-policy-own-account``, the bucket
encryption key's account …) judge a resource against the account its provider pins. That account
is written by the program, so an edit that pins the ``player`` provider to the ``artists``
account (a mesh account, which ``mesh-provider-allowed-accounts`` accepts) would make "its own
account" someone else's. This rule ties the two together with the facts ``mesh policy-config``
writes from the specs: ``domainAccounts``, each domain's account in the environment (and the
platform's, as ``_platform``). The planner names every resource after its owner — ``<domain>``,
``<domain>.…``, ``<domain>/<product>…``, ``_platform.…`` — so the owner of a resource is the
domain its mesh tags name, else the first segment of its logical name; an AWS resource (or aws
provider) whose owner is no domain of the facts, or whose account is not its owner's, is a
violation. Without facts every aws provider is one (fail closed).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from datamesh.policy import model
from datamesh.policy.model import EVERY_TYPE, ResourceRule, ResourceView, RuleContext
from datamesh.policy.plan_views import pinned_account

NO_FACTS = ("no facts: the pack config gives no domainAccounts, so the account of a domain's "
            "resources cannot be verified; run `mesh policy-config --env ENV -o FILE` and deploy "
            "with --policy-pack-config FILE")

_OWNER = re.compile(r"[^./]+")

DOMAIN_ACCOUNTS_SCHEMA: Mapping[str, Any] = {
    "type": "object",
    "additionalProperties": {"type": "string", "pattern": "^[0-9]{12}$"},
    "default": {},
    "description": "Each domain's account in this environment, and the platform's as "
                   "`_platform`; written by `mesh policy-config`.",
}


def owner_of(resource: ResourceView) -> str:
    """The domain (or ``_platform``) a resource belongs to: the domain it names (its mesh tags, a
    component's props, the plan's attribution), else the first segment of its logical name."""
    if resource.domain:
        return resource.domain
    m = _OWNER.match(resource.name)
    return m.group(0) if m else resource.name


def check(resource: ResourceView, ctx: RuleContext) -> list[str]:
    is_provider = resource.type == model.PROVIDER_AWS
    account = pinned_account(resource.inputs) if is_provider else resource.account
    if account is None:
        return []  # not an AWS resource, or a provider mesh-provider-allowed-accounts rejects
    facts = ctx.config.get("domainAccounts")
    if not isinstance(facts, Mapping) or not facts:
        return [NO_FACTS] if is_provider else []
    owner = owner_of(resource)
    expected = facts.get(owner)
    if expected is None:
        return [f"the logical name {resource.name} belongs to no domain of the mesh ({owner!r}), yet "
                f"the resource is deployed into account {account}"]
    if account != expected:
        what = "the provider is pinned to" if is_provider else "the resource is deployed into"
        return [f"{what} account {account}, but {owner}'s account is {expected}"]
    return []


RULE = ResourceRule(
    id="mesh-domain-account",
    description="Every domain's AWS resources (and its aws provider) are in the domain's own "
                "account as the specs give it, the platform's in the platform account.",
    severity="critical",
    remediation="Deploy the program unchanged: the Domain component pins each domain's provider "
                "to the domain's aws.accounts entry; to move a domain, change its spec and "
                "regenerate the pack config with `mesh policy-config --env ENV`.",
    default_level="mandatory",
    config={"domainAccounts": DOMAIN_ACCOUNTS_SCHEMA},
    facts=("domainAccounts",),
    types=frozenset({EVERY_TYPE}),
    check=check,
)
