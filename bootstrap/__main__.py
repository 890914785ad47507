"""Account bootstrap: the ``<mesh>-deployer`` role, like ``cdk bootstrap``.

Every account of the mesh (each domain's account and the platform's, per environment) needs
this role before the mesh's first ``pulumi up``: each ``aws`` provider of the mesh stack
assumes ``arn:aws:iam::<account>:role/<mesh>-deployer`` (``datamesh.plan.naming``).

The role trusts exactly one principal, the platform's deployment identity (config
``deployerPrincipal``: the CI role that runs ``pulumi up``), and may do what the mesh does and
no more (``permissions_policy``): create and configure buckets named ``<mesh>-*`` (never delete
them, never read or write objects), manage their access points, create and administer KMS keys
(never schedule their deletion or disable them), and manage roles under ``/datamesh/`` named
``<mesh>-*`` with inline policies (no managed-policy attachment, no ``iam:PassRole``).

One stack per account; bootstrap/deployer-role.yaml is the same role as a CloudFormation
template for StackSets (a test proves both grant exactly the same).

Config (namespace ``datamesh-bootstrap``): ``mesh`` (the mesh name), ``account`` (the account
this stack bootstraps: the provider refuses any other), ``deployerPrincipal`` (an IAM ARN),
optional ``adminRoleArn`` (a role to reach the account through) and ``region`` (default
us-east-1; IAM is global).
"""

from __future__ import annotations

import json
import re
from typing import Any

import pulumi
import pulumi_aws as aws

from datamesh.plan.naming import ROLE_PATH, deployer_role_arn

ACCOUNT = re.compile(r"^\d{12}$")
PRINCIPAL = re.compile(r"^arn:aws[a-z-]*:(iam|sts)::\d{12}:\S+$")
MANAGED_BY_TAG = ("mesh:managed-by", "datamesh")
"""The provider's default tag on everything the mesh creates (datamesh.plan.domain)."""

BUCKET_ACTIONS = [
    "s3:CreateBucket", "s3:ListBucket", "s3:GetBucket*", "s3:GetAccelerateConfiguration",
    "s3:GetEncryptionConfiguration", "s3:GetLifecycleConfiguration", "s3:GetReplicationConfiguration",
    "s3:PutBucketTagging", "s3:PutBucketVersioning", "s3:PutEncryptionConfiguration",
    "s3:PutBucketPublicAccessBlock", "s3:PutBucketOwnershipControls", "s3:PutLifecycleConfiguration",
    "s3:PutBucketPolicy",
]
"""Create and configure, never delete: buckets and their settings are retained on delete."""
ACCESS_POINT_ACTIONS = [
    "s3:CreateAccessPoint", "s3:DeleteAccessPoint", "s3:GetAccessPointPolicy",
    "s3:GetAccessPointPolicyStatus", "s3:PutAccessPointPolicy", "s3:DeleteAccessPointPolicy",
    "s3:TagResource", "s3:UntagResource", "s3:ListTagsForResource",
]
KEY_ACTIONS = [
    "kms:DescribeKey", "kms:GetKeyPolicy", "kms:PutKeyPolicy", "kms:GetKeyRotationStatus",
    "kms:EnableKeyRotation", "kms:UpdateKeyDescription", "kms:ListResourceTags", "kms:TagResource",
    "kms:UntagResource", "kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant",
]
"""Administer, never destroy: no kms:ScheduleKeyDeletion, no kms:DisableKey, no data-plane use."""
ALIAS_ACTIONS = ["kms:CreateAlias", "kms:UpdateAlias", "kms:DeleteAlias"]
"""Authorised on both the alias and its key."""
READ_ONLY_ACTIONS = ["s3:GetAccessPoint", "kms:ListAliases"]
"""Read-only calls IAM authorises on no resource type (``Resource: "*"``)."""
ROLE_ACTIONS = [
    "iam:CreateRole", "iam:GetRole", "iam:UpdateRole", "iam:UpdateRoleDescription",
    "iam:UpdateAssumeRolePolicy", "iam:DeleteRole", "iam:TagRole", "iam:UntagRole", "iam:ListRoleTags",
    "iam:PutRolePolicy", "iam:GetRolePolicy", "iam:DeleteRolePolicy", "iam:ListRolePolicies",
    "iam:ListAttachedRolePolicies", "iam:ListInstanceProfilesForRole",
]


def role_name(mesh: str) -> str:
    """``<mesh>-deployer``, the name in ``naming.deployer_role_arn``."""
    return deployer_role_arn("000000000000", mesh).rsplit("/", 1)[1]


def trust_policy(principal: str) -> dict[str, Any]:
    """Only the platform's deployment identity may assume the deployer role."""
    return {"Version": "2012-10-17", "Statement": [{
        "Sid": "PlatformDeploymentIdentity",
        "Effect": "Allow",
        "Principal": {"AWS": principal},
        "Action": "sts:AssumeRole",
    }]}


def permissions_policy(mesh: str, account: str, partition: str = "aws") -> dict[str, Any]:
    """What the mesh's resources need in one account (docs/resources.md), and no more."""
    p = partition
    managed_key, managed_value = MANAGED_BY_TAG
    return {"Version": "2012-10-17", "Statement": [
        {
            "Sid": "MeshBuckets",
            "Effect": "Allow",
            "Action": BUCKET_ACTIONS,
            "Resource": f"arn:{p}:s3:::{mesh}-*",
        },
        {
            "Sid": "MeshAccessPoints",
            "Effect": "Allow",
            "Action": ACCESS_POINT_ACTIONS,
            "Resource": f"arn:{p}:s3:*:{account}:accesspoint/{mesh}-*",
        },
        {
            "Sid": "CreateMeshKeys",
            "Effect": "Allow",
            "Action": "kms:CreateKey",
            "Resource": "*",
            "Condition": {"StringEquals": {f"aws:RequestTag/{managed_key}": managed_value}},
        },
        {
            "Sid": "AdministerKeys",
            "Effect": "Allow",
            "Action": KEY_ACTIONS,
            "Resource": f"arn:{p}:kms:*:{account}:key/*",
        },
        {
            "Sid": "MeshKeyAliases",
            "Effect": "Allow",
            "Action": ALIAS_ACTIONS,
            "Resource": [f"arn:{p}:kms:*:{account}:alias/{mesh}/*", f"arn:{p}:kms:*:{account}:key/*"],
        },
        {
            "Sid": "ReadOnly",
            "Effect": "Allow",
            "Action": READ_ONLY_ACTIONS,
            "Resource": "*",
        },
        {
            "Sid": "MeshRoles",
            "Effect": "Allow",
            "Action": ROLE_ACTIONS,
            "Resource": f"arn:{p}:iam::{account}:role{ROLE_PATH}{mesh}-*",
        },
    ]}


def main() -> list[pulumi.Resource]:
    """Create the role; returns what it registered (for tests)."""
    config = pulumi.Config("datamesh-bootstrap")
    mesh = config.require("mesh")
    account = config.require("account")
    principal = config.require("deployerPrincipal")
    if not ACCOUNT.match(account):
        raise pulumi.RunError(f"datamesh-bootstrap:account must be 12 digits (quoted), got {account!r}")
    if not PRINCIPAL.match(principal):
        raise pulumi.RunError(f"datamesh-bootstrap:deployerPrincipal must be an IAM ARN, got {principal!r}")
    admin_role = config.get("adminRoleArn")
    provider = aws.Provider("account", aws.ProviderArgs(
        region=config.get("region") or "us-east-1",
        allowed_account_ids=[account],
        assume_roles=[aws.ProviderAssumeRoleArgs(role_arn=admin_role, session_name="datamesh-bootstrap")]
        if admin_role else None,
    ))
    opts = pulumi.ResourceOptions(provider=provider)
    role = aws.iam.Role("deployer", aws.iam.RoleArgs(
        name=role_name(mesh),
        description=f"Deploys the {mesh} data mesh (assumed by its Pulumi aws providers)",
        assume_role_policy=json.dumps(trust_policy(principal)),
        max_session_duration=3600,
        tags={MANAGED_BY_TAG[0]: MANAGED_BY_TAG[1], "mesh:name": mesh},
    ), opts=opts)
    policy = aws.iam.RolePolicy("deployer-permissions", aws.iam.RolePolicyArgs(
        role=role.name,
        name="datamesh-deployer",
        policy=json.dumps(permissions_policy(mesh, account)),
    ), opts=opts)
    pulumi.export("deployerRoleArn", role.arn)
    return [provider, role, policy]


if __name__ == "__main__":
    main()
