"""mesh-key-policy-own-account: a domain key's policy allows only its own account.

The key policy is AWS's default (the account administers the key through IAM): producers use
the key through their identity policy, each consumer through one KMS grant tied to one bucket.
A key-policy statement for any other principal — another domain's role, a role of the own
account, a service, everyone — would decrypt every product of the domain beside the grants, so
every Allow statement names only the account the key is deployed into (``<id>`` or
``arn:aws:iam::<id>:root``). Deny statements only take access away.
"""

from __future__ import annotations

from datamesh.policy import model
from datamesh.policy.documents import documents_of
from datamesh.policy.model import ResourceRule, ResourceView, RuleContext
from datamesh.policy.rules._accounts import is_account_root, unknown_account


def check(resource: ResourceView, ctx: RuleContext) -> list[str]:
    docs = documents_of(resource.inputs, resource.type)
    if not docs or docs[0].parsed is None:
        return ["policy is absent or not a JSON policy document, so who may use the key cannot be "
                "verified"]
    allows = [st for st in docs[0].statements() if st.allows]
    if not allows:
        return []
    account = resource.account
    if account is None:
        return [unknown_account("the key policy's principals")]
    root = f"arn:aws:iam::{account}:root"
    problems: list[str] = []
    for st in allows:
        if st.not_principal:
            problems.append(f"{st.label} is an Allow with NotPrincipal: it allows everyone not listed; "
                            f"a key policy may allow only {root}")
            continue
        if not st.principals:
            problems.append(f"{st.label} names no principal; a key policy may allow only {root}")
            continue
        problems.extend(
            f"{st.label} allows {value if kind in ('AWS', '*') else f'the {kind} principal {value}'}; "
            f"a key policy may allow only its own account ({root})"
            for kind, value in st.principals
            if kind not in ("AWS", "*") or not is_account_root(value, account))
    return problems


RULE = ResourceRule(
    id="mesh-key-policy-own-account",
    description="A KMS key policy allows only the key's own account (which delegates to IAM); "
                "consumers decrypt through their grant's KMS grant only.",
    severity="critical",
    remediation="Keep the key policy to the one statement allowing arn:aws:iam::<the key's "
                "account>:root; give consumers access through the spec, which creates their KMS "
                "grant.",
    default_level="mandatory",
    types=frozenset({model.KMS_KEY}),
    check=check,
)
