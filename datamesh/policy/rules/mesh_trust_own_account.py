"""mesh-trust-own-account: a role is assumed only from its own account.

A domain's producer and consumer roles trust their own account (its root): the domain's
administrators then choose, with IAM, which of their workloads assume them. A trust policy may
name only principals of the account the role is deployed into — its root (or bare id) or a named
role there, which includes the mesh's ``<mesh>-deployer`` role that the bootstrap creates in every
mesh account — never another account (which would hand the domain's grants to it), a wildcard,
a service, a federated identity, a user or an assumed-role session.
"""

from __future__ import annotations

from datamesh.policy import model
from datamesh.policy.documents import documents_of
from datamesh.policy.model import ResourceRule, ResourceView, RuleContext
from datamesh.policy.rules._accounts import account_of, is_account_root, unknown_account


def _named_role_of(principal: str, account: str) -> bool:
    """``arn:<partition>:iam::<account>:role/[path/]name``, with no wildcard."""
    parts = principal.split(":", 5)
    return (len(parts) == 6 and parts[0] == "arn" and parts[2] == "iam" and parts[3] == ""
            and parts[4] == account and parts[5].startswith("role/")
            and not any(c in principal for c in "*?"))


def _judge(label: str, kind: str, value: str, account: str) -> str | None:
    if kind == "AWS" and (is_account_root(value, account) or _named_role_of(value, account)):
        return None
    if kind != "AWS" or value == "*":
        what = f"the {kind} principal {value}" if kind not in ("AWS", "*") else f'"{value}"'
        return f"{label} lets {what} assume the role; only account {account} (its root or its roles) may"
    other = account_of(value)
    if other is not None and other != account:
        return (f"{label} lets {value} of account {other} assume the role; only the role's own "
                f"account {account} (its root or its roles) may")
    return (f"{label} lets {value} assume the role; only the root or a named role of account "
            f"{account} may")


def check(resource: ResourceView, ctx: RuleContext) -> list[str]:
    docs = [d for d in documents_of(resource.inputs, resource.type) if d.field == "assumeRolePolicy"]
    if not docs or docs[0].parsed is None:
        return ["assumeRolePolicy is absent or not a JSON policy document, so who may assume the "
                "role cannot be verified"]
    allows = [st for st in docs[0].statements() if st.allows]
    if not allows:
        return []
    account = resource.account
    if account is None:
        return [unknown_account("who may assume the role")]
    problems: list[str] = []
    for st in allows:
        if st.not_principal:
            problems.append(f"{st.label} is an Allow with NotPrincipal: everyone not listed may "
                            f"assume the role")
            continue
        if not st.principals:
            problems.append(f"{st.label} names no principal")
            continue
        for kind, value in st.principals:
            verdict = _judge(st.label, kind, value, account)
            if verdict:
                problems.append(verdict)
    return problems


RULE = ResourceRule(
    id="mesh-trust-own-account",
    description="A role's trust policy names only principals of the role's own account (its root "
                "or its named roles, the mesh's deployer among them): never another account.",
    severity="critical",
    remediation="Trust arn:aws:iam::<the role's account>:root (the Domain component does); to let a "
                "workload of another account read a product, approve it in the spec instead.",
    default_level="mandatory",
    types=frozenset({model.IAM_ROLE}),
    check=check,
)
