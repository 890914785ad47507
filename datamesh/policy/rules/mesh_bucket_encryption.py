"""mesh-bucket-encryption: SSE-KMS with the domain's key and an S3 bucket key."""

from __future__ import annotations

from datamesh.policy import model
from datamesh.policy.model import ResourceRule, ResourceView, RuleContext
from datamesh.policy.values import get_path, is_true, items, shown, text

KMS_ALGORITHMS = ("aws:kms", "aws:kms:dsse")
AWS_MANAGED_KEY = "alias/aws/s3"


def check(resource: ResourceView, ctx: RuleContext) -> list[str]:
    rules = items(resource.inputs.get("rules"))
    if not rules:
        return ["no server-side encryption rule: rules is empty"]
    problems: list[str] = []
    for i, rule in enumerate(rules):
        where = f"rules[{i}]"
        default = get_path(rule, "applyServerSideEncryptionByDefault")
        algorithm = get_path(default, "sseAlgorithm")
        if algorithm not in KMS_ALGORITHMS:
            problems.append(f'{where}.applyServerSideEncryptionByDefault.sseAlgorithm is '
                            f'{shown(algorithm)}, expected "aws:kms"')
        key = get_path(default, "kmsMasterKeyId")
        if text(key) is None:
            problems.append(f"{where}.applyServerSideEncryptionByDefault.kmsMasterKeyId is "
                            f"{shown(key)}, expected the domain's KMS key")
        elif key == AWS_MANAGED_KEY:
            problems.append(f"{where}.applyServerSideEncryptionByDefault.kmsMasterKeyId is the "
                            f"AWS-managed key {AWS_MANAGED_KEY}, which other accounts cannot use")
        enabled = get_path(rule, "bucketKeyEnabled")
        if not is_true(enabled):
            problems.append(f"{where}.bucketKeyEnabled is {shown(enabled)}, expected true")
    return problems


RULE = ResourceRule(
    id="mesh-bucket-encryption",
    description="Product buckets encrypt with SSE-KMS under the domain's customer-managed key, "
                "with an S3 bucket key.",
    severity="high",
    remediation="On the bucket's BucketServerSideEncryptionConfiguration set "
                "rules[].applyServerSideEncryptionByDefault to {sseAlgorithm: \"aws:kms\", "
                "kmsMasterKeyId: <the domain key ARN>} and rules[].bucketKeyEnabled to true.",
    default_level="mandatory",
    types=frozenset({model.BUCKET_ENCRYPTION}),
    check=check,
)
