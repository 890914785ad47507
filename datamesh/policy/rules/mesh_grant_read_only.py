"""mesh-grant-read-only: what a grant gives is read access, nothing more.

Checks the Allow statements of access point policies and bucket policies, the identity policy
of every domain consumer role (a RolePolicy whose role is ``<mesh>-<domain>-consumer``), and
the operations of every KMS grant. The allowed actions are configurable.
"""

from __future__ import annotations

from datamesh.policy import model
from datamesh.policy.documents import documents_of
from datamesh.policy.model import ResourceRule, ResourceView, RuleContext
from datamesh.policy.values import items, shown, text

READ_ACTIONS = ["s3:GetObject", "s3:GetObjectVersion", "s3:ListBucket", "s3:GetBucketLocation",
                "kms:Decrypt", "kms:DescribeKey"]
KMS_OPERATIONS = ["Decrypt", "DescribeKey"]


def is_consumer_role_policy(resource: ResourceView) -> bool:
    role = text(resource.inputs.get("role"))
    return role is not None and role.rsplit("/", 1)[-1].endswith("-consumer")


def _allowed(ctx: RuleContext, key: str, lower: bool) -> frozenset[str]:
    found = ctx.memo.get(key)
    if found is None:
        found = frozenset(str(a).lower() if lower else str(a) for a in items(ctx.config.get(key)))
        ctx.memo[key] = found
    result: frozenset[str] = found
    return result


def check(resource: ResourceView, ctx: RuleContext) -> list[str]:
    if resource.type == model.KMS_GRANT:
        allowed_ops = _allowed(ctx, "kmsOperations", lower=False)
        operations = [str(o) for o in items(resource.inputs.get("operations"))]
        if not operations:
            return [f"operations is {shown(resource.inputs.get('operations'))}, expected "
                    f"{', '.join(sorted(allowed_ops))}"]
        return [f'operations include "{op}", which is not read-only (allowed: '
                f"{', '.join(sorted(allowed_ops))})" for op in operations if op not in allowed_ops]
    if resource.type == model.IAM_ROLE_POLICY and not is_consumer_role_policy(resource):
        return []
    allowed = _allowed(ctx, "readActions", lower=True)
    problems: list[str] = []
    for doc in documents_of(resource.inputs, resource.type):
        for st in doc.statements():
            if not st.allows:
                continue
            if st.not_action:
                problems.append(f"{st.label} is an Allow with NotAction, which is not read-only")
                continue
            problems.extend(f'{st.label} allows "{a}", which is not a read action'
                            for a in st.actions if a.lower() not in allowed)
    return problems


RULE = ResourceRule(
    id="mesh-grant-read-only",
    description="Grants are read-only: access point and bucket policies, consumer role policies "
                "and KMS grants allow only read actions.",
    severity="high",
    remediation="Allow only the configured read actions (s3:GetObject, s3:GetObjectVersion, "
                "s3:ListBucket, …) and KMS grant operations Decrypt/DescribeKey; producers write "
                "through their own role in their own account, never through a grant.",
    default_level="mandatory",
    config={
        "readActions": {
            "type": "array", "items": {"type": "string"}, "default": READ_ACTIONS,
            "description": "Actions a grant may allow (case-insensitive, exact names).",
        },
        "kmsOperations": {
            "type": "array", "items": {"type": "string"}, "default": KMS_OPERATIONS,
            "description": "Operations a KMS grant may give.",
        },
    },
    types=frozenset({model.ACCESS_POINT, model.ACCESS_POINT_POLICY, model.BUCKET_POLICY,
                     model.KMS_GRANT, model.IAM_ROLE_POLICY}),
    check=check,
)
