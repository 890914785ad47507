"""Per data product: the bucket, its invariants, and one access grant per consumer."""

from __future__ import annotations

from typing import Any

from datamesh import resource_types as types
from datamesh.grants import Grant
from datamesh.plan import documents, naming
from datamesh.plan.context import COMPONENT_GRANT, COMPONENT_PRODUCT, PlanContext
from datamesh.plan.domain import DATA, key_name, provider_name
from datamesh.plan.model import Options, PlannedResource, placeholder

ABORT_INCOMPLETE_UPLOADS_DAYS = 7
"""Incomplete multipart uploads are aborted after a week: they cost money and hold data."""

KEEP = Options(retain_on_delete=True)
"""Bucket settings stay in AWS if the product leaves the spec: the data stays protected."""


def plan_product(ctx: PlanContext, key: str) -> None:
    spec = ctx.mesh.products[key]
    domain = key.partition("/")[0]
    owner = ctx.mesh.domains[domain].owner
    bucket = ctx.bucket(key)
    component = key
    provider = provider_name(domain)
    ctx.add(PlannedResource(
        type=COMPONENT_PRODUCT, name=component, parent=domain, domain=domain, product=key,
        inputs={"product": key, "bucket": bucket, "classification": spec.classification,
                "status": spec.status, "retentionDays": spec.retention.days}))

    def child(type_token: str, suffix: str, inputs: dict[str, Any], options: Options = KEEP) -> None:
        ctx.add(PlannedResource(type=type_token, name=naming.child(component, suffix), parent=component,
                                provider=provider, domain=domain, product=key, inputs=inputs,
                                options=options))

    child(types.BUCKET, "bucket", {
        "bucket": bucket,
        "forceDestroy": False,
        "tags": {
            "mesh:domain": domain,
            "mesh:product": key,
            "mesh:classification": spec.classification,
            "mesh:owner": owner.email,
            "mesh:status": spec.status,
        },
    }, DATA)
    child(types.BUCKET_VERSIONING, "versioning", {
        "bucket": bucket, "versioningConfiguration": {"status": "Enabled"}})
    child(types.BUCKET_ENCRYPTION,
          "encryption", {
              "bucket": bucket,
              "rules": [{
                  "applyServerSideEncryptionByDefault": {
                      "sseAlgorithm": "aws:kms",
                      "kmsMasterKeyId": placeholder(key_name(domain), "arn"),
                  },
                  "bucketKeyEnabled": True,
              }],
          })
    child(types.BUCKET_PUBLIC_ACCESS, "public-access", {
        "bucket": bucket, "blockPublicAcls": True, "blockPublicPolicy": True,
        "ignorePublicAcls": True, "restrictPublicBuckets": True})
    child(types.BUCKET_OWNERSHIP, "ownership", {
        "bucket": bucket, "rule": {"objectOwnership": "BucketOwnerEnforced"}})
    # Noncurrent-version rules act on a versioned bucket: configure versioning first (as the
    # provider's documentation prescribes for a versioned bucket's lifecycle configuration).
    child(types.BUCKET_LIFECYCLE, "lifecycle", {
        "bucket": bucket, "rules": [lifecycle_rule(spec.retention.days, spec.retention.noncurrent_days,
                                                   spec.retention.archive_after_days)]},
          Options(retain_on_delete=True, depends_on=(naming.child(component, "versioning"),)))
    child(types.BUCKET_POLICY, "policy", {
        "bucket": bucket,
        "policy": documents.to_json(documents.bucket_policy(
            bucket, ctx.account(domain), retired=spec.status == "retired",
            deployer_arn=naming.deployer_role_arn(ctx.account(domain), ctx.name))),
    })
    for grant in ctx.grants_for_product(key):
        plan_grant(ctx, grant, component, bucket)


def lifecycle_rule(days: int, noncurrent_days: int, archive_after_days: int | None) -> dict[str, Any]:
    rule: dict[str, Any] = {
        "id": "mesh-retention",
        "status": "Enabled",
        "filter": {},
        "expiration": {"days": days},
        "noncurrentVersionExpiration": {"noncurrentDays": noncurrent_days},
        "abortIncompleteMultipartUpload": {"daysAfterInitiation": ABORT_INCOMPLETE_UPLOADS_DAYS},
    }
    if archive_after_days is not None:
        rule["transitions"] = [{"days": archive_after_days, "storageClass": "GLACIER_IR"}]
    return rule


def plan_grant(ctx: PlanContext, grant: Grant, product_component: str, bucket: str) -> None:
    """One access point and one KMS grant for exactly one consumer principal."""
    domain = grant.producer
    account, region = ctx.account(domain), ctx.region(domain)
    spec = ctx.mesh.products[grant.product]
    principal = ctx.consumer_principal(grant.consumer)
    component = naming.child(product_component, f"grant.{naming.grant_slug(grant.consumer)}")
    former = [naming.child(product_component, f"grant.{slug}") for slug in naming.former_grant_slugs(grant.consumer)]

    def aliases(suffix: str | None = None) -> tuple[str, ...]:
        return tuple(name if suffix is None else naming.child(name, suffix) for name in former)

    until = grant.until.isoformat() if grant.until else None
    ctx.add(PlannedResource(
        type=COMPONENT_GRANT, name=component, parent=product_component, domain=domain,
        product=grant.product, options=Options(aliases=aliases()),
        inputs={"product": grant.product, "consumer": grant.consumer,
                "consumerKind": grant.consumer_kind, "principal": principal, "until": until,
                "classification": spec.classification}))
    ap_name = naming.access_point_name(ctx.name, ctx.env, grant.consumer, grant.product)
    ap_arn = documents.access_point_arn(region, account, ap_name)
    # A principal must exist before a policy may name it: in a whole-mesh stack, wait for the
    # consumer domain's role (external roles are the partner's to create).
    depends = (naming.domain_child(grant.consumer, "consumer"),) if grant.consumer_kind == "domain" and \
        (ctx.plan.scope is None or grant.consumer in ctx.plan.scope) else ()
    common = {"parent": component, "provider": provider_name(domain), "domain": domain,
              "product": grant.product}
    ctx.add(PlannedResource(type=types.ACCESS_POINT, name=naming.child(component, "access-point"),
                            options=Options(depends_on=depends, aliases=aliases("access-point")), **common, inputs={
        "bucket": bucket,
        "name": ap_name,
        "policy": documents.to_json(documents.access_point_policy(ap_arn, principal, grant.until)),
        "publicAccessBlockConfiguration": {
            "blockPublicAcls": True, "blockPublicPolicy": True,
            "ignorePublicAcls": True, "restrictPublicBuckets": True,
        },
        "tags": {
            "mesh:domain": domain,
            "mesh:product": grant.product,
            "mesh:classification": spec.classification,
            "mesh:consumer": grant.consumer,
            "mesh:grant-until": until or "none",
        },
    }))
    ctx.add(PlannedResource(type=types.KMS_GRANT, name=naming.child(component, "key-grant"),
                            options=Options(depends_on=depends, aliases=aliases("key-grant")), **common, inputs={
        "name": ap_name,
        "keyId": placeholder(key_name(domain), "arn"),
        "granteePrincipal": principal,
        "operations": ["Decrypt"],
        "constraints": [{"encryptionContextSubset": {"aws:s3:arn": documents.bucket_arn(bucket)}}],
        # Revoke (not retire) on delete: RevokeGrant is the administrator's operation, allowed to
        # the deployer through the key policy; RetireGrant is meant for the grantee and needs
        # separately delegated kms:RetireGrant, so a revocation could fail and access persist.
        "retireOnDelete": False,
    }))
