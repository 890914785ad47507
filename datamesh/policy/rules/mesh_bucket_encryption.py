"""mesh-bucket-encryption: SSE-KMS with a customer key of the bucket's own account and an S3 bucket key.

The key is read as the engine gives it: an ARN at deploy time (its account is the ARN's),
offline a placeholder ``${<key>.arn}`` (its account is the planned key's); a bare key id or
alias resolves in the bucket owner's account.
"""

from __future__ import annotations

from datamesh.policy import model
from datamesh.policy.model import ResourceRule, ResourceView, RuleContext
from datamesh.policy.rules._accounts import referenced_account, unknown_account
from datamesh.policy.values import get_path, is_true, items, placeholder_target, shown, text

KMS_ALGORITHMS = ("aws:kms", "aws:kms:dsse")
AWS_MANAGED_KEY = "alias/aws/s3"


def _key_account_problems(where: str, key: str, resource: ResourceView) -> list[str]:
    """The key is in the bucket's own account: a key held elsewhere puts the data's keys in
    another account's hands. A bare key id or alias resolves in the bucket owner's account."""
    target = placeholder_target(key)
    if target is None and not key.startswith("arn:"):
        return []
    if target is not None and target not in resource.account_by_name:
        return [f"{where} {key} names no resource of the plan"]
    if resource.account is None:
        return [unknown_account(f"the account of {where} {key}")]
    key_account = referenced_account(key, resource)
    if key_account is None:
        return [f"{where} is {key}, whose account is unknown: the key must be in the bucket's own "
                f"account {resource.account}"]
    if key_account != resource.account:
        return [f"{where} {key} is a key of account {key_account}, not of the bucket's own account "
                f"{resource.account}"]
    return []


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
        else:
            problems.extend(_key_account_problems(f"{where}.applyServerSideEncryptionByDefault.kmsMasterKeyId",
                                                  str(key), resource))
        enabled = get_path(rule, "bucketKeyEnabled")
        if not is_true(enabled):
            problems.append(f"{where}.bucketKeyEnabled is {shown(enabled)}, expected true")
    return problems


RULE = ResourceRule(
    id="mesh-bucket-encryption",
    description="Product buckets encrypt with SSE-KMS under a customer-managed key of the bucket's "
                "own account (the domain's key), with an S3 bucket key.",
    severity="high",
    remediation="On the bucket's BucketServerSideEncryptionConfiguration set "
                "rules[].applyServerSideEncryptionByDefault to {sseAlgorithm: \"aws:kms\", "
                "kmsMasterKeyId: <the domain key ARN>} and rules[].bucketKeyEnabled to true.",
    default_level="mandatory",
    types=frozenset({model.BUCKET_ENCRYPTION}),
    check=check,
)
