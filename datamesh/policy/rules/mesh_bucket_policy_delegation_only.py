"""mesh-bucket-policy-delegation-only: a bucket policy allows nothing but the access-point delegation.

spec-v1's one wildcard exception is the bucket-policy statement that delegates access control
to the bucket owner's own access points (``Principal "*"`` on ``s3:DataAccessPointAccount`` =
the owner's account); each access point then names exactly one consumer. Any other Allow — read
for another domain's role, for a principal of the own account, through ``aws:PrincipalAccount``
— would be a read path beside the grants, so every Allow statement must be that delegation:
a wildcard principal, ``StringEquals`` on ``s3:DataAccessPointAccount`` naming only the account
the bucket policy is deployed into, and resources limited to the bucket and its objects. Deny
statements only take access away and are not judged here (``mesh-bucket-tls-only`` reads them).
"""

from __future__ import annotations

from datamesh.policy import model
from datamesh.policy.documents import Statement, condition_values, documents_of
from datamesh.policy.model import ResourceRule, ResourceView, RuleContext
from datamesh.policy.rules._accounts import unknown_account
from datamesh.policy.values import text

DELEGATION_KEY = "s3:DataAccessPointAccount"


def _problems(st: Statement, account: str, bucket: str | None) -> list[str]:
    if st.not_principal or st.not_action or st.not_resource:
        which = "NotPrincipal" if st.not_principal else "NotAction" if st.not_action else "NotResource"
        return [f"{st.label} is an Allow with {which}: only the access-point delegation may be allowed"]
    problems: list[str] = []
    others = sorted({value for _, value in st.principals if value != "*"})
    if others or not st.wildcard_principal:
        named = ", ".join(others) or "no principal"
        problems.append(f"{st.label} allows {named}: a bucket policy may allow only the delegation to "
                        f"the owner's access points (Principal \"*\" on {DELEGATION_KEY} {account}); "
                        f"consumers read through their grant's access point")
        return problems
    values = condition_values(st.condition, "StringEquals", DELEGATION_KEY)
    if values != [account]:
        got = ", ".join(values) if values else "absent"
        problems.append(f"{st.label} allows Principal \"*\" with StringEquals {DELEGATION_KEY} {got}: "
                        f"only the bucket owner's own account {account} may be delegated to")
    if bucket is not None:
        allowed = {f":::{bucket}", f":::{bucket}/*"}
        outside = [r for r in st.resources
                   if not (r.startswith("arn:") and any(r.endswith(a) for a in allowed))]
        if outside or not st.resources:
            problems.append(f"{st.label} allows resources {', '.join(outside) or 'none'}: the "
                            f"delegation covers only arn:aws:s3:::{bucket} and its objects")
    return problems


def check(resource: ResourceView, ctx: RuleContext) -> list[str]:
    docs = documents_of(resource.inputs, resource.type)
    if not docs or docs[0].parsed is None:
        return ["policy is not a JSON policy document, so what it allows cannot be verified"]
    allows = [st for st in docs[0].statements() if st.allows]
    if not allows:
        return []
    if resource.account is None:
        return [unknown_account("the delegation's account")]
    bucket = text(resource.inputs.get("bucket"))
    return [p for st in allows for p in _problems(st, resource.account, bucket)]


RULE = ResourceRule(
    id="mesh-bucket-policy-delegation-only",
    description="A bucket policy allows only the delegation to the bucket owner's own access "
                "points (Principal \"*\" on s3:DataAccessPointAccount = the owner's account, on the "
                "bucket and its objects): no other read path beside the grants.",
    severity="critical",
    remediation="Remove every other Allow statement from the bucket policy; give a consumer access "
                "through the spec (sharing.approved and inputs/consumes), which creates its access "
                "point.",
    default_level="mandatory",
    types=frozenset({model.BUCKET_POLICY}),
    check=check,
)
