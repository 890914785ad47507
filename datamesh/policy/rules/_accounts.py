"""Mesh facts shared by the account rules: which accounts may be named, as config declares them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from datamesh.policy.model import ResourceView, RuleContext
from datamesh.policy.values import ACCOUNT_RE, account_of_arn, items, placeholder_target

MESH_ACCOUNTS_SCHEMA: Mapping[str, Any] = {
    "type": "array",
    "items": {"type": "string", "pattern": "^[0-9]{12}$"},
    "default": [],
    "description": "Every account of the mesh in this environment (platform and domains); "
                   "written by `mesh policy-config`.",
}
EXTERNAL_ACCOUNTS_SCHEMA: Mapping[str, Any] = {
    "type": "array",
    "items": {"type": "string", "pattern": "^[0-9]{12}$"},
    "default": [],
    "description": "The registered external accounts (mesh.yaml external_accounts); written "
                   "by `mesh policy-config`.",
}
NOT_CONFIGURED = ("the pack config gives no meshAccounts for this rule, so no principal can be "
                  "verified; generate the config with `mesh policy-config --env ENV` and pass it "
                  "with --policy-pack-config")


def accounts(ctx: RuleContext, key: str) -> frozenset[str]:
    """The account set of config property ``key``, built once per run."""
    memo_key = f"accounts:{key}"
    found = ctx.memo.get(memo_key)
    if found is None:
        found = frozenset(str(a) for a in items(ctx.config.get(key)))
        ctx.memo[memo_key] = found
    result: frozenset[str] = found
    return result


def account_of(principal: str) -> str | None:
    """The account of a 12-digit id or an IAM/STS ARN; None for anything else."""
    if ACCOUNT_RE.fullmatch(principal):
        return principal
    return account_of_arn(principal)


def unknown_account(what: str) -> str:
    """The message of a rule that must know the resource's account and does not."""
    return (f"the account this resource is deployed into is unknown (its provider pins no single "
            f"allowedAccountIds entry), so {what} cannot be verified")


def is_account_root(principal: str, account: str) -> bool:
    """``principal`` names the account itself: its 12-digit id or ``arn:<partition>:iam::<id>:root``."""
    if principal == account:
        return True
    parts = principal.split(":", 5)
    return (len(parts) == 6 and parts[0] == "arn" and parts[2] == "iam" and parts[3] == ""
            and parts[4] == account and parts[5] == "root")


def referenced_account(value: str, resource: ResourceView) -> str | None:
    """The account a reference to another resource points into: an ARN's account, or (offline)
    the account of the planned resource a placeholder ``${<name>.<prop>}`` names; None if unknown."""
    target = placeholder_target(value)
    if target is not None:
        return resource.account_by_name.get(target)
    return account_of_arn(value)
