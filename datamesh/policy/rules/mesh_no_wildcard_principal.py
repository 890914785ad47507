"""mesh-no-wildcard-principal: no Allow to everyone, except the access-point delegation.

spec-v1 allows exactly one wildcard principal: the bucket-policy statement that delegates
access control to the bucket owner's own access points, conditioned on
``s3:DataAccessPointAccount`` equal to the owner's account. So an Allow with ``Principal: "*"``
(or ``{"AWS": "*"}``) must carry ``StringEquals`` on ``s3:DataAccessPointAccount`` or
``aws:PrincipalAccount`` naming only the resource's own account (when known), else only mesh
accounts (when configured). ``NotPrincipal`` with Allow is a wildcard too.
"""

from __future__ import annotations

from datamesh.policy.documents import RESOURCE_POLICY_TYPES, Statement, condition_values, documents_of
from datamesh.policy.model import ResourceRule, ResourceView, RuleContext
from datamesh.policy.rules._accounts import MESH_ACCOUNTS_SCHEMA, accounts
from datamesh.policy.values import ACCOUNT_RE

ACCOUNT_KEYS = ("s3:DataAccessPointAccount", "aws:PrincipalAccount")


def _account_condition(st: Statement) -> list[str] | None:
    found: list[str] | None = None
    for key in ACCOUNT_KEYS:
        values = condition_values(st.condition, "StringEquals", key)
        if values is not None:
            found = (found or []) + values
    return found


def check(resource: ResourceView, ctx: RuleContext) -> list[str]:
    mesh = accounts(ctx, "meshAccounts")
    problems: list[str] = []
    for doc in documents_of(resource.inputs, resource.type):
        if doc.parsed is None:
            problems.append(f"{doc.field} is not a JSON policy document, so its principals "
                            f"cannot be verified")
            continue
        for st in doc.statements():
            if not st.allows:
                continue
            if st.not_principal:
                problems.append(f"{st.label} is an Allow with NotPrincipal: it allows everyone "
                                f"not listed")
                continue
            if not st.wildcard_principal:
                continue
            values = _account_condition(st)
            if not values:
                problems.append(f'{st.label} allows Principal "*" without a StringEquals '
                                f"condition on {' or '.join(ACCOUNT_KEYS)}")
                continue
            for value in values:
                if not ACCOUNT_RE.fullmatch(value):
                    problems.append(f'{st.label} allows Principal "*" on condition account '
                                    f'"{value}", which is not a 12-digit account id')
                elif resource.account is not None and value != resource.account:
                    problems.append(f'{st.label} allows Principal "*" through account {value}, '
                                    f"not the resource's own account {resource.account}")
                elif resource.account is None and mesh and value not in mesh:
                    problems.append(f'{st.label} allows Principal "*" through account {value}, '
                                    f"which is not a mesh account")
    return problems


RULE = ResourceRule(
    id="mesh-no-wildcard-principal",
    description="No Allow statement names a wildcard principal, except one conditioned on the "
                "resource's own account (the bucket's delegation to its own access points).",
    severity="critical",
    remediation="Name the exact consumer principal (a grant's access point policy does), or "
                "condition the statement with StringEquals {\"s3:DataAccessPointAccount\": "
                "<the bucket owner's account>}.",
    default_level="mandatory",
    config={"meshAccounts": MESH_ACCOUNTS_SCHEMA},
    facts=("meshAccounts",),
    types=RESOURCE_POLICY_TYPES,
    check=check,
)
