"""mesh-grant-principal-accounts: only mesh accounts and registered external accounts are named.

Checks every principal an Allow statement of a resource or trust policy names, and every KMS
grant's grantee and retiring principal. The accounts come from the rule's config
(``meshAccounts``, ``externalAccounts``), which ``mesh policy-config`` writes for deploy time
and ``mesh check`` fills from the mesh offline.
"""

from __future__ import annotations

from datamesh.policy import model
from datamesh.policy.documents import RESOURCE_POLICY_TYPES, documents_of
from datamesh.policy.model import ResourceRule, ResourceView, RuleContext
from datamesh.policy.rules._accounts import (
    EXTERNAL_ACCOUNTS_SCHEMA,
    MESH_ACCOUNTS_SCHEMA,
    NOT_CONFIGURED,
    account_of,
    accounts,
)
from datamesh.policy.values import text


def _judge(where: str, principal: str, allowed: frozenset[str]) -> str | None:
    account = account_of(principal)
    if account is None:
        return f"{where} names {principal}, which is not an account id or an IAM ARN"
    if account not in allowed:
        return (f"{where} names {principal}: account {account} is neither a mesh account nor a "
                f"registered external account")
    return None


def check(resource: ResourceView, ctx: RuleContext) -> list[str]:
    mesh = accounts(ctx, "meshAccounts")
    if not mesh:
        return [NOT_CONFIGURED]
    allowed = mesh | accounts(ctx, "externalAccounts")
    problems: list[str] = []
    if resource.type == model.KMS_GRANT:
        for key in ("granteePrincipal", "retiringPrincipal"):
            principal = text(resource.inputs.get(key))
            if principal is not None:
                verdict = _judge(key, principal, allowed)
                if verdict:
                    problems.append(verdict)
        return problems
    for doc in documents_of(resource.inputs, resource.type):
        for st in doc.statements():
            if not st.allows:
                continue
            for kind, value in st.principals:
                if value == "*" or kind == "Service":
                    continue  # wildcards: mesh-no-wildcard-principal; AWS services are not accounts
                if kind != "AWS":
                    problems.append(f"{st.label} names a {kind} principal {value}; only accounts "
                                    f"and IAM roles may be granted")
                    continue
                verdict = _judge(st.label, value, allowed)
                if verdict:
                    problems.append(verdict)
    return problems


RULE = ResourceRule(
    id="mesh-grant-principal-accounts",
    description="Policies and KMS grants name only principals in mesh accounts or registered "
                "external accounts.",
    severity="critical",
    remediation="Grant access through the spec: a mesh domain with sharing.approved[].domain, an "
                "external partner by registering its account in mesh.yaml external_accounts and "
                "approving its role ARN; then regenerate the pack config with `mesh policy-config`.",
    default_level="mandatory",
    config={"meshAccounts": MESH_ACCOUNTS_SCHEMA, "externalAccounts": EXTERNAL_ACCOUNTS_SCHEMA},
    facts=("meshAccounts", "externalAccounts"),
    types=RESOURCE_POLICY_TYPES | {model.KMS_GRANT},
    check=check,
)
