"""``AccessGrant``: one consumer's read access to one product.

Children (see docs/resources.md): an S3 access point on the product's bucket whose policy
names exactly the consumer's principal, and a KMS grant (``Decrypt``) for exactly that
principal, constrained to the bucket's encryption context. Revoking the grant (an expired
``until``, a removed approval) deletes both; the data stays.
"""

from __future__ import annotations

from collections.abc import Sequence

import pulumi
import pulumi_aws as aws

from components._context import PlanMismatch, StackContext, expect
from datamesh import resource_types as types
from datamesh.plan import PlannedResource

TYPE = types.COMPONENT_GRANT
PROPS = ("product", "consumer", "consumerKind", "principal", "until", "classification")


def _access_point(planned: PlannedResource, ctx: StackContext, parent: pulumi.Resource) -> aws.s3.AccessPoint:
    i = expect(planned.name, planned.inputs, ("bucket", "name", "policy", "publicAccessBlockConfiguration",
                                              "tags"))
    block = expect(f"{planned.name}.publicAccessBlockConfiguration", i["publicAccessBlockConfiguration"],
                   ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"))
    return aws.s3.AccessPoint(planned.name, aws.s3.AccessPointArgs(
        bucket=ctx.bucket(i["bucket"]),
        name=i["name"],
        policy=ctx.document(i["policy"]),
        public_access_block_configuration=aws.s3.AccessPointPublicAccessBlockConfigurationArgs(
            block_public_acls=block["blockPublicAcls"],
            block_public_policy=block["blockPublicPolicy"],
            ignore_public_acls=block["ignorePublicAcls"],
            restrict_public_buckets=block["restrictPublicBuckets"],
        ),
        tags=dict(i["tags"]),
    ), opts=ctx.options(planned, parent))


def _key_grant(planned: PlannedResource, ctx: StackContext, parent: pulumi.Resource) -> aws.kms.Grant:
    i = expect(planned.name, planned.inputs, ("name", "keyId", "granteePrincipal", "operations",
                                              "constraints", "retireOnDelete"))
    constraints = [
        aws.kms.GrantConstraintArgs(encryption_context_subset=dict(c["encryptionContextSubset"]))
        for c in (expect(f"{planned.name}.constraints", c, ("encryptionContextSubset",))
                  for c in i["constraints"])
    ]
    return aws.kms.Grant(planned.name, aws.kms.GrantArgs(
        name=i["name"],
        key_id=ctx.value(i["keyId"]),
        grantee_principal=i["granteePrincipal"],
        operations=list(i["operations"]),
        constraints=constraints,
        retire_on_delete=i["retireOnDelete"],
    ), opts=ctx.options(planned, parent))


_BUILDERS = {
    types.ACCESS_POINT: _access_point,
    types.KMS_GRANT: _key_grant,
}


class AccessGrant(pulumi.ComponentResource):
    """One grant: an access point and a KMS grant for exactly one consumer principal.

    Props (what the policy pack reads at deploy time): product, consumer, consumerKind,
    principal, classification, and until (``YYYY-MM-DD``; absent when the grant has no end:
    the engine drops null properties). The product's bucket, the domain's provider and key
    must already be in ``ctx``.
    """

    access_point: aws.s3.AccessPoint
    key_grant: aws.kms.Grant
    children: dict[str, pulumi.Resource]

    def __init__(self, planned: PlannedResource, children: Sequence[PlannedResource], ctx: StackContext,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        if planned.type != TYPE:
            raise PlanMismatch(f"{planned.name}: an AccessGrant materialises {TYPE}, not {planned.type}")
        props = expect(planned.name, planned.inputs, PROPS)
        super().__init__(TYPE, planned.name, dict(props), ctx.component_options(planned, opts))
        ctx.add(planned.name, self)
        self.children = {}
        for child in children:
            builder = _BUILDERS.get(child.type)
            if builder is None or child.parent != planned.name:
                raise PlanMismatch(f"{child.name}: an AccessGrant does not materialise {child.type}")
            resource = ctx.add(child.name, builder(child, ctx, self))
            if isinstance(resource, aws.s3.AccessPoint):
                self.access_point = resource
            elif isinstance(resource, aws.kms.Grant):
                self.key_grant = resource
            self.children[child.name] = resource
        if not hasattr(self, "access_point") or not hasattr(self, "key_grant"):
            raise PlanMismatch(f"{planned.name}: an AccessGrant needs its access point and its KMS grant")
        # The props go out again as outputs: stack policies of the deployed pack see a
        # component's registered outputs only, and they compare access points with their grant.
        self.register_outputs({**props, "accessPointArn": self.access_point.arn,
                               "accessPointAlias": self.access_point.alias})
