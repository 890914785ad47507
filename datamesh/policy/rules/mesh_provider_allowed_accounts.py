"""mesh-provider-allowed-accounts: every aws provider is pinned to exactly one mesh account.

At deploy time an ``aws`` provider's list inputs arrive JSON-encoded
(``allowedAccountIds: '["111111111111"]'``); both forms are read.
"""

from __future__ import annotations

from datamesh.policy import model
from datamesh.policy.model import ResourceRule, ResourceView, RuleContext
from datamesh.policy.rules._accounts import MESH_ACCOUNTS_SCHEMA, accounts
from datamesh.policy.values import ACCOUNT_RE, account_of_arn, decoded, get_path, items, text


def check(resource: ResourceView, ctx: RuleContext) -> list[str]:
    ids = [str(a) for a in items(decoded(resource.inputs.get("allowedAccountIds")))]
    if not ids:
        return ["allowedAccountIds is absent: the provider would deploy into whatever account "
                "its credentials reach"]
    problems: list[str] = []
    if len(ids) != 1:
        problems.append(f"allowedAccountIds lists {len(ids)} accounts, expected exactly one")
    problems.extend(f'allowedAccountIds entry "{a}" is not a 12-digit account id'
                    for a in ids if not ACCOUNT_RE.fullmatch(a))
    mesh = accounts(ctx, "meshAccounts")
    if mesh:
        problems.extend(f"allowedAccountIds names {a}, which is not a mesh account"
                        for a in ids if ACCOUNT_RE.fullmatch(a) and a not in mesh)
    roles = decoded(resource.inputs.get("assumeRoles"))
    if roles is None:
        roles = decoded(resource.inputs.get("assumeRole"))
    for i, role in enumerate(items(roles)):
        arn = text(get_path(role, "roleArn")) or text(get_path(role, "role_arn"))
        account = account_of_arn(arn) if arn else None
        if account is not None and account not in ids:
            problems.append(f"assumeRoles[{i}].roleArn {arn} is in account {account}, not in "
                            f"allowedAccountIds")
    return problems


RULE = ResourceRule(
    id="mesh-provider-allowed-accounts",
    description="Every aws provider pins allowedAccountIds to exactly one mesh account, the "
                "account of the role it assumes.",
    severity="high",
    remediation="Create each domain's aws.Provider with allowed_account_ids=[<the domain's "
                "account for this environment>] and assume_roles in that same account (the Domain "
                "component does).",
    default_level="mandatory",
    config={"meshAccounts": MESH_ACCOUNTS_SCHEMA},
    facts=("meshAccounts",),
    types=frozenset({model.PROVIDER_AWS}),
    check=check,
)
