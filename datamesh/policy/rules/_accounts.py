"""Mesh facts shared by the account rules: which accounts may be named, as config declares them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from datamesh.policy.model import RuleContext
from datamesh.policy.values import ACCOUNT_RE, account_of_arn, items

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
