"""mesh-bucket-tls-only: the bucket policy denies every request made without TLS."""

from __future__ import annotations

from datamesh.policy import model
from datamesh.policy.documents import Statement, condition_values, documents_of
from datamesh.policy.model import ResourceRule, ResourceView, RuleContext
from datamesh.policy.values import text


def _denies_insecure_transport(st: Statement, bucket: str | None) -> bool:
    if st.effect != "Deny" or st.not_principal or st.not_action or not st.wildcard_principal:
        return False
    if not any(a.lower() in ("s3:*", "*") for a in st.actions):
        return False
    values = condition_values(st.condition, "Bool", "aws:SecureTransport")
    if values is None or [v.lower() for v in values] != ["false"]:
        return False
    if bucket is None:
        return bool(st.resources)
    arn = next((r for r in st.resources if r.endswith(f":::{bucket}")), None)
    return arn is not None and (f"{arn}/*" in st.resources or "*" in st.resources)


def check(resource: ResourceView, ctx: RuleContext) -> list[str]:
    docs = documents_of(resource.inputs, resource.type)
    if not docs or docs[0].parsed is None:
        return ["policy is not a JSON policy document, so it cannot deny insecure transport"]
    bucket = text(resource.inputs.get("bucket"))
    if any(_denies_insecure_transport(st, bucket) for st in docs[0].statements()):
        return []
    target = f"arn:aws:s3:::{bucket} and its objects" if bucket else "the bucket and its objects"
    return [f'no statement denies "s3:*" to Principal "*" on {target} when '
            f'aws:SecureTransport is "false"']


RULE = ResourceRule(
    id="mesh-bucket-tls-only",
    description="Every product bucket policy denies any request made without TLS.",
    severity="high",
    remediation="Add to the bucket policy a statement {Effect: Deny, Principal: \"*\", Action: "
                "\"s3:*\", Resource: [<bucket ARN>, <bucket ARN>/*], Condition: {Bool: "
                "{\"aws:SecureTransport\": \"false\"}}}.",
    default_level="mandatory",
    types=frozenset({model.BUCKET_POLICY}),
    check=check,
)
