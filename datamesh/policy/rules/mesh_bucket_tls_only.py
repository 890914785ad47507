"""mesh-bucket-tls-only: the bucket policy denies every request made without TLS.

Only an unconditional-but-for-TLS Deny counts: AWS ANDs a statement's conditions, so a Deny
that also requires, say, ``aws:ViaAWSService`` never applies to a direct plain-HTTP request.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from datamesh.policy import model
from datamesh.policy.documents import Statement, condition_values, documents_of
from datamesh.policy.model import ResourceRule, ResourceView, RuleContext
from datamesh.policy.values import mapping, text


def _only_insecure_transport(condition: Mapping[str, Any]) -> bool:
    """The condition is exactly ``Bool {aws:SecureTransport: false}``: AWS ANDs every operator and
    key, so any other one (``aws:ViaAWSService``, a ``StringEquals`` …) narrows the Deny and lets
    plain HTTP through whenever it does not hold."""
    if list(condition) != ["Bool"]:
        return False
    block = mapping(condition["Bool"])
    if block is None or len(block) != 1:
        return False
    values = condition_values(condition, "Bool", "aws:SecureTransport")
    return values is not None and [v.lower() for v in values] == ["false"]


def _covers_bucket_and_objects(resources: tuple[str, ...], bucket: str | None) -> bool:
    if "*" in resources:
        return True
    arns = [r for r in resources if r.startswith("arn:") and ":s3:::" in r
            and (bucket is None or r.endswith(f":::{bucket}"))]
    return any(f"{arn}/*" in resources for arn in arns)


def _denies_insecure_transport(st: Statement, bucket: str | None) -> bool:
    """A Deny counts only when it has no other condition, covers every principal, ``s3:*`` and
    both the bucket and its objects."""
    if st.effect != "Deny" or st.not_principal or st.not_action or st.not_resource:
        return False
    if not st.wildcard_principal or not any(a.lower() in ("s3:*", "*") for a in st.actions):
        return False
    return _only_insecure_transport(st.condition) and _covers_bucket_and_objects(st.resources, bucket)


def check(resource: ResourceView, ctx: RuleContext) -> list[str]:
    docs = documents_of(resource.inputs, resource.type)
    if not docs or docs[0].parsed is None:
        return ["policy is not a JSON policy document, so it cannot deny insecure transport"]
    bucket = text(resource.inputs.get("bucket"))
    if any(_denies_insecure_transport(st, bucket) for st in docs[0].statements()):
        return []
    target = f"arn:aws:s3:::{bucket} and its objects" if bucket else "the bucket and its objects"
    return [f'no statement denies "s3:*" to Principal "*" on {target} when '
            f'aws:SecureTransport is "false", on no other condition']


RULE = ResourceRule(
    id="mesh-bucket-tls-only",
    description="Every product bucket policy denies any request made without TLS: a Deny of s3:* "
                "to every principal on the bucket and its objects, on aws:SecureTransport false "
                "and no other condition.",
    severity="high",
    remediation="Add to the bucket policy a statement {Effect: Deny, Principal: \"*\", Action: "
                "\"s3:*\", Resource: [<bucket ARN>, <bucket ARN>/*], Condition: {Bool: "
                "{\"aws:SecureTransport\": \"false\"}}} with no other condition.",
    default_level="mandatory",
    types=frozenset({model.BUCKET_POLICY}),
    check=check,
)
