"""mesh-no-service-principal: no AWS service is granted anything.

The plan names no ``Service`` principal in any policy: services reach mesh data only on behalf
of a granted principal (S3 decrypting for a consumer, through its KMS grant). A ``Service:``
principal on a bucket, access point, key or trust policy would let that service — and through
it, whoever can point the service at the resource, in any account, unless a source condition
says otherwise — read or use it beside the grants. Deny statements only take access away.
"""

from __future__ import annotations

from datamesh.policy.documents import RESOURCE_POLICY_TYPES, documents_of
from datamesh.policy.model import ResourceRule, ResourceView, RuleContext


def check(resource: ResourceView, ctx: RuleContext) -> list[str]:
    return [f"{st.label} allows the Service principal {value}; the mesh grants no AWS service "
            f"direct access"
            for doc in documents_of(resource.inputs, resource.type)
            for st in doc.statements() if st.allows
            for kind, value in st.principals if kind.lower() == "service"]


RULE = ResourceRule(
    id="mesh-no-service-principal",
    description="No bucket, access point, key or trust policy allows a Service principal: the plan "
                "grants no AWS service direct access.",
    severity="critical",
    remediation="Remove the Service principal from the policy; data reaches a service only through "
                "a granted principal's own access.",
    default_level="mandatory",
    types=RESOURCE_POLICY_TYPES,
    check=check,
)
