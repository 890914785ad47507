"""mesh-no-wildcard-data-action: no Allow of ``*``, ``s3:*`` or any S3 action pattern.

Applies to every policy document of the mesh (resource, trust and identity policies). Deny
statements may use wildcards (the TLS-only deny does). KMS administration (``kms:*`` to the
account in a key policy) is not a data action.
"""

from __future__ import annotations

from datamesh.policy.documents import DOCUMENT_TYPES, documents_of
from datamesh.policy.model import ResourceRule, ResourceView, RuleContext

DATA_SERVICES = ("s3", "s3-object-lambda")


def wildcard_data_action(action: str) -> bool:
    if action.strip() == "*":
        return True
    service, _, name = action.partition(":")
    return service.lower() in DATA_SERVICES and ("*" in name or "?" in name)


def check(resource: ResourceView, ctx: RuleContext) -> list[str]:
    problems: list[str] = []
    for doc in documents_of(resource.inputs, resource.type):
        for st in doc.statements():
            if not st.allows:
                continue
            if st.not_action:
                problems.append(f"{st.label} is an Allow with NotAction: it allows every action "
                                f"not listed")
                continue
            problems.extend(f'{st.label} allows the wildcard action "{a}"'
                            for a in st.actions if wildcard_data_action(a))
    return problems


RULE = ResourceRule(
    id="mesh-no-wildcard-data-action",
    description="No Allow statement grants \"*\" or a wildcard S3 action (s3:*, s3:Get*): every "
                "data action is named.",
    severity="high",
    remediation="List the exact S3 actions the principal needs (a grant reads with s3:GetObject, "
                "s3:GetObjectVersion and s3:ListBucket).",
    default_level="mandatory",
    types=DOCUMENT_TYPES,
    check=check,
)
