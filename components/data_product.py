"""``DataProduct``: one product's bucket, its invariants, and its access grants.

Children (see docs/resources.md): the bucket (protected, retained), versioning, KMS
encryption, public-access block, ownership controls, lifecycle and TLS-only bucket policy
(all retained), then one ``AccessGrant`` component per grant.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pulumi
import pulumi_aws as aws

from components._context import PlanMismatch, StackContext, expect
from components.access_grant import TYPE as GRANT_TYPE
from components.access_grant import AccessGrant
from datamesh import resource_types as types
from datamesh.plan import PlannedResource

TYPE = types.COMPONENT_PRODUCT


def _bucket(planned: PlannedResource, ctx: StackContext, parent: pulumi.Resource) -> aws.s3.Bucket:
    i = expect(planned.name, planned.inputs, ("bucket", "forceDestroy", "tags"))
    bucket = aws.s3.Bucket(planned.name, aws.s3.BucketArgs(
        bucket=i["bucket"], force_destroy=i["forceDestroy"], tags=dict(i["tags"]),
    ), opts=ctx.options(planned, parent))
    ctx.add_bucket(i["bucket"], bucket.bucket)
    return bucket


def _versioning(planned: PlannedResource, ctx: StackContext, parent: pulumi.Resource) -> aws.s3.BucketVersioning:
    i = expect(planned.name, planned.inputs, ("bucket", "versioningConfiguration"))
    config = expect(f"{planned.name}.versioningConfiguration", i["versioningConfiguration"], ("status",))
    return aws.s3.BucketVersioning(planned.name, aws.s3.BucketVersioningInitArgs(
        bucket=ctx.bucket(i["bucket"]),
        versioning_configuration=aws.s3.BucketVersioningVersioningConfigurationArgs(status=config["status"]),
    ), opts=ctx.options(planned, parent))


def _encryption(planned: PlannedResource, ctx: StackContext,
                parent: pulumi.Resource) -> aws.s3.BucketServerSideEncryptionConfiguration:
    i = expect(planned.name, planned.inputs, ("bucket", "rules"))
    rules = []
    for rule in i["rules"]:
        rule = expect(f"{planned.name}.rules", rule, ("applyServerSideEncryptionByDefault", "bucketKeyEnabled"))
        default = expect(f"{planned.name}.rules.applyServerSideEncryptionByDefault",
                         rule["applyServerSideEncryptionByDefault"], ("sseAlgorithm", "kmsMasterKeyId"))
        rules.append(aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
            apply_server_side_encryption_by_default=(
                aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                    sse_algorithm=default["sseAlgorithm"],
                    kms_master_key_id=ctx.value(default["kmsMasterKeyId"]),
                )),
            bucket_key_enabled=rule["bucketKeyEnabled"],
        ))
    return aws.s3.BucketServerSideEncryptionConfiguration(
        planned.name,
        aws.s3.BucketServerSideEncryptionConfigurationInitArgs(bucket=ctx.bucket(i["bucket"]), rules=rules),
        opts=ctx.options(planned, parent))


def _public_access(planned: PlannedResource, ctx: StackContext,
                   parent: pulumi.Resource) -> aws.s3.BucketPublicAccessBlock:
    i = expect(planned.name, planned.inputs, ("bucket", "blockPublicAcls", "blockPublicPolicy",
                                              "ignorePublicAcls", "restrictPublicBuckets"))
    return aws.s3.BucketPublicAccessBlock(planned.name, aws.s3.BucketPublicAccessBlockArgs(
        bucket=ctx.bucket(i["bucket"]),
        block_public_acls=i["blockPublicAcls"],
        block_public_policy=i["blockPublicPolicy"],
        ignore_public_acls=i["ignorePublicAcls"],
        restrict_public_buckets=i["restrictPublicBuckets"],
    ), opts=ctx.options(planned, parent))


def _ownership(planned: PlannedResource, ctx: StackContext,
               parent: pulumi.Resource) -> aws.s3.BucketOwnershipControls:
    i = expect(planned.name, planned.inputs, ("bucket", "rule"))
    rule = expect(f"{planned.name}.rule", i["rule"], ("objectOwnership",))
    return aws.s3.BucketOwnershipControls(planned.name, aws.s3.BucketOwnershipControlsArgs(
        bucket=ctx.bucket(i["bucket"]),
        rule=aws.s3.BucketOwnershipControlsRuleArgs(object_ownership=rule["objectOwnership"]),
    ), opts=ctx.options(planned, parent))


def _lifecycle_rule(where: str, rule: Mapping[str, Any]) -> aws.s3.BucketLifecycleConfigurationRuleArgs:
    rule = expect(where, rule, ("id", "status", "filter", "expiration", "noncurrentVersionExpiration",
                                "abortIncompleteMultipartUpload"), optional=("transitions",))
    expect(f"{where}.filter", rule["filter"], ())
    expiration = expect(f"{where}.expiration", rule["expiration"], ("days",))
    noncurrent = expect(f"{where}.noncurrentVersionExpiration", rule["noncurrentVersionExpiration"],
                        ("noncurrentDays",))
    abort = expect(f"{where}.abortIncompleteMultipartUpload", rule["abortIncompleteMultipartUpload"],
                   ("daysAfterInitiation",))
    transitions = None
    if "transitions" in rule:
        transitions = [
            aws.s3.BucketLifecycleConfigurationRuleTransitionArgs(days=t["days"], storage_class=t["storageClass"])
            for t in (expect(f"{where}.transitions", t, ("days", "storageClass")) for t in rule["transitions"])
        ]
    return aws.s3.BucketLifecycleConfigurationRuleArgs(
        id=rule["id"],
        status=rule["status"],
        # An empty filter: the rule applies to every object of the bucket.
        filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(),
        expiration=aws.s3.BucketLifecycleConfigurationRuleExpirationArgs(days=expiration["days"]),
        noncurrent_version_expiration=aws.s3.BucketLifecycleConfigurationRuleNoncurrentVersionExpirationArgs(
            noncurrent_days=noncurrent["noncurrentDays"]),
        abort_incomplete_multipart_upload=(
            aws.s3.BucketLifecycleConfigurationRuleAbortIncompleteMultipartUploadArgs(
                days_after_initiation=abort["daysAfterInitiation"])),
        transitions=transitions,
    )


def _lifecycle(planned: PlannedResource, ctx: StackContext,
               parent: pulumi.Resource) -> aws.s3.BucketLifecycleConfiguration:
    i = expect(planned.name, planned.inputs, ("bucket", "rules"))
    return aws.s3.BucketLifecycleConfiguration(planned.name, aws.s3.BucketLifecycleConfigurationArgs(
        bucket=ctx.bucket(i["bucket"]),
        rules=[_lifecycle_rule(f"{planned.name}.rules", rule) for rule in i["rules"]],
    ), opts=ctx.options(planned, parent))


def _policy(planned: PlannedResource, ctx: StackContext, parent: pulumi.Resource) -> aws.s3.BucketPolicy:
    i = expect(planned.name, planned.inputs, ("bucket", "policy"))
    return aws.s3.BucketPolicy(planned.name, aws.s3.BucketPolicyArgs(
        bucket=ctx.bucket(i["bucket"]), policy=ctx.document(i["policy"]),
    ), opts=ctx.options(planned, parent))


_BUILDERS = {
    types.BUCKET: _bucket,
    types.BUCKET_VERSIONING: _versioning,
    types.BUCKET_ENCRYPTION: _encryption,
    types.BUCKET_PUBLIC_ACCESS: _public_access,
    types.BUCKET_OWNERSHIP: _ownership,
    types.BUCKET_LIFECYCLE: _lifecycle,
    types.BUCKET_POLICY: _policy,
}


class DataProduct(pulumi.ComponentResource):
    """A data product: its bucket and the bucket's invariants, and one ``AccessGrant`` per grant.

    ``planned`` is the plan's ``datamesh:mesh:DataProduct`` (props: product, bucket,
    classification, status, retentionDays); ``children`` the planned resources below it (its
    grants' own children included, which ``AccessGrant`` materialises). The domain's provider
    and key must already be in ``ctx``.
    """

    bucket: aws.s3.Bucket
    grants: dict[str, AccessGrant]
    """By logical name (``<domain>/<product>.grant.<consumer-slug>``)."""
    children: dict[str, pulumi.Resource]
    """Every direct child by logical name."""

    def __init__(self, planned: PlannedResource, children: Sequence[PlannedResource], ctx: StackContext,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        if planned.type != TYPE:
            raise PlanMismatch(f"{planned.name}: a DataProduct materialises {TYPE}, not {planned.type}")
        props = expect(planned.name, planned.inputs,
                       ("product", "bucket", "classification", "status", "retentionDays"))
        super().__init__(TYPE, planned.name, dict(props), ctx.component_options(planned, opts))
        ctx.add(planned.name, self)
        self.children = {}
        self.grants = {}
        below: dict[str, list[PlannedResource]] = {}
        for child in children:
            if child.parent != planned.name:
                below.setdefault(child.parent or "", []).append(child)
        for child in children:
            if child.parent != planned.name:
                continue
            if child.type == GRANT_TYPE:
                grant = AccessGrant(child, below.pop(child.name, []), ctx, pulumi.ResourceOptions(parent=self))
                self.grants[child.name] = grant
                self.children[child.name] = grant
                continue
            builder = _BUILDERS.get(child.type)
            if builder is None:
                raise PlanMismatch(f"{child.name}: a DataProduct does not materialise {child.type}")
            resource = ctx.add(child.name, builder(child, ctx, self))
            if isinstance(resource, aws.s3.Bucket):
                self.bucket = resource
            self.children[child.name] = resource
        if below:
            raise PlanMismatch(f"{planned.name}: children of unknown parents {sorted(below)}")
        if not hasattr(self, "bucket"):
            raise PlanMismatch(f"{planned.name}: a DataProduct needs its bucket")
        # The props go out again as outputs: stack policies of the deployed pack see a
        # component's registered outputs only, and they compare lifecycles with retentionDays.
        self.register_outputs({**props, "bucket": self.bucket.bucket, "bucketArn": self.bucket.arn})
