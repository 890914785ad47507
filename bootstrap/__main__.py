"""Account bootstrap: what each AWS account needs before the mesh's first ``pulumi up``, like
``cdk bootstrap``; and, in the account CI runs in, GitHub's OIDC identities.

**Every account** of the mesh (each domain's account and the platform's, per environment):

- ``<mesh>-deployer``: each ``aws`` provider of the mesh stack assumes
  ``arn:aws:iam::<account>:role/<mesh>-deployer`` (``datamesh.plan.naming``). It trusts exactly
  one principal, the platform's deployment identity (config ``deployerPrincipal``: the CI role
  that runs ``pulumi up``), and may do what the mesh does and no more (``permissions_policy``):
  create and configure buckets named ``<mesh>-*`` (never delete them, never read or write
  objects), manage their access points, create and administer KMS keys (never schedule their
  deletion or disable them), and manage roles under ``/datamesh/`` named ``<mesh>-*`` with
  inline policies (no managed-policy attachment, no ``iam:PassRole``).
- ``<mesh>-previewer`` (when ``previewerPrincipal`` is set): what a pull request's ``pulumi
  preview`` assumes instead (stack config ``datamesh:providerRole: previewer``). It trusts only
  the CI's pull-request role and may read the mesh's control plane — the read half of the
  deployer's actions, on the same resources (``previewer_policy``) — and explicitly never data:
  ``DATA_READ_ACTIONS`` are denied on everything, so attaching ``ReadOnlyAccess`` (which
  includes ``s3:GetObject``) later changes nothing. A pull request's author can edit the
  workflow in their branch and run anything with this role: that is why it is harmless.

**The CI account** (when ``githubRepository`` is set; usually the platform account):

- the GitHub OIDC provider ``token.actions.githubusercontent.com`` (IAM allows one per URL per
  account: give ``githubOidcProviderArn`` to reuse an existing one instead of creating it);
- ``<mesh>-github-deploy``: assumed by workflows of the default branch only (OIDC subject
  ``repo:<owner>/<repo>:ref:refs/heads/<branch>``, audience ``sts.amazonaws.com``, compared with
  ``StringEquals``, never a wildcard); may assume every account's ``<mesh>-deployer`` and use
  the state bucket. It is the ``deployerPrincipal`` of every account;
- ``<mesh>-github-pull-request``: assumed by ``pull_request`` workflows (subject
  ``repo:<owner>/<repo>:pull_request``); may assume every account's ``<mesh>-previewer`` and
  read the state bucket, and is denied every data read like the previewer. It is the
  ``previewerPrincipal`` of every account.

No long-lived key exists anywhere: GitHub's short-lived OIDC token is exchanged for a one-hour
session, and the sessions chain into the accounts' roles.

One stack per account; bootstrap/deployer-role.yaml is the per-account part as a CloudFormation
template for StackSets, bootstrap/github-oidc.yaml the CI account's part (tests prove each
template grants exactly what this program grants).

Config (namespace ``datamesh-bootstrap``): ``mesh`` (the mesh name), ``account`` (the account
this stack bootstraps: the provider refuses any other), ``deployerPrincipal`` (an IAM ARN),
optional ``previewerPrincipal`` (an IAM ARN; without it the account has no previewer and pull
requests cannot preview its stacks), optional ``adminRoleArn`` (a role to reach the account
through) and ``region`` (default us-east-1; IAM is global). The CI account also sets
``githubRepository`` (``owner/name``, exactly as GitHub spells it), optional
``githubDefaultBranch`` (default ``main``), ``githubOidcProviderArn`` and ``stateBucket`` (the
S3 bucket of a self-managed Pulumi backend; without it the roles get no state access, as with
Pulumi Cloud, which authenticates with its own token).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pulumi
import pulumi_aws as aws

from datamesh.plan.naming import ROLE_PATH, deployer_role_arn, previewer_role_arn

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


# --- the previewer: the read half of the deployer, and never data --------------------------------

READ_VERBS = ("Get", "List", "Describe")
"""Actions whose name starts with one of these read; every other action of the deployer writes."""

OBJECT_READ_ACTIONS = ["s3:GetObject*"]
"""Every read of an object or its metadata: GetObject (which also authorises S3 Select's
SelectObjectContent and every ranged or conditional GET), GetObjectVersion, GetObjectAcl,
GetObjectVersionAcl, GetObjectAttributes, GetObjectVersionAttributes, GetObjectTagging,
GetObjectVersionTagging, GetObjectTorrent, GetObjectVersionTorrent, GetObjectLegalHold,
GetObjectRetention, GetObjectVersionForReplication. Kept apart from ``DATA_READ_ACTIONS`` so the
CI's pull-request role can still read the Pulumi state bucket (``stateBucket``)."""

DATA_READ_ACTIONS = [
    # S3 by other doors: Object Lambda access points serve (transformed) objects, a directory
    # bucket's session is its data access, S3 Tables read table data.
    "s3-object-lambda:*", "s3express:CreateSession", "s3tables:GetTableData",
    # Every product is SSE-KMS: without a data key nothing stored decrypts, whichever door.
    "kms:Decrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*",
    # Secrets and parameters (ReadOnlyAccess includes ssm:Get*).
    "secretsmanager:GetSecretValue", "secretsmanager:BatchGetSecretValue", "ssm:GetParameter*",
    # Query engines over the products, and Lake Formation's credential vending.
    "athena:GetQueryResults", "athena:GetQueryResultsStream", "athena:StartQueryExecution",
    "lakeformation:GetDataAccess",
    # Other stores an account may hold next to the mesh (ReadOnlyAccess reads them all).
    "dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:Scan", "dynamodb:PartiQLSelect",
    "dynamodb:GetRecords", "kinesis:GetRecords", "sqs:ReceiveMessage",
    "logs:GetLogEvents", "logs:FilterLogEvents", "logs:StartQuery", "logs:GetQueryResults",
]
"""Denied, on every resource, to the previewer and the CI's pull-request role."""


def is_read(action: str) -> bool:
    return action.split(":", 1)[1].startswith(READ_VERBS)


def _actions(statement: dict[str, Any]) -> list[str]:
    a = statement["Action"]
    return [a] if isinstance(a, str) else list(a)


def deny_data_reads(partition: str = "aws", state_bucket: str | None = None) -> list[dict[str, Any]]:
    """Explicit Denies: they win over any Allow attached later, ``ReadOnlyAccess`` included."""
    objects: dict[str, Any] = {"Sid": "DenyObjectReads", "Effect": "Deny", "Action": OBJECT_READ_ACTIONS}
    if state_bucket:
        objects["NotResource"] = f"arn:{partition}:s3:::{state_bucket}/*"
    else:
        objects["Resource"] = "*"
    return [objects, {"Sid": "DenyDataReads", "Effect": "Deny", "Action": DATA_READ_ACTIONS, "Resource": "*"}]


def previewer_name(mesh: str) -> str:
    """``<mesh>-previewer``, the name in ``naming.previewer_role_arn``."""
    return previewer_role_arn("000000000000", mesh).rsplit("/", 1)[1]


def previewer_trust_policy(principal: str) -> dict[str, Any]:
    """Only the CI's pull-request role may assume the previewer."""
    return {"Version": "2012-10-17", "Statement": [{
        "Sid": "PullRequestPreviews",
        "Effect": "Allow",
        "Principal": {"AWS": principal},
        "Action": "sts:AssumeRole",
    }]}


def previewer_policy(mesh: str, account: str, partition: str = "aws") -> dict[str, Any]:
    """What ``pulumi preview`` (and ``refresh --preview-only``) reads: each deployer statement's
    read actions on the same resources, then the data Denies. Derived from
    ``permissions_policy``, so the two cannot drift apart."""
    statements: list[dict[str, Any]] = []
    for s in permissions_policy(mesh, account, partition)["Statement"]:
        reads = [a for a in _actions(s) if is_read(a)]
        if reads:
            sid = s["Sid"] if s["Sid"].startswith("Read") else f"{s['Sid']}Read"
            statements.append({"Sid": sid, "Effect": "Allow", "Action": reads,
                               "Resource": s["Resource"]})
    return {"Version": "2012-10-17", "Statement": [*statements, *deny_data_reads(partition)]}


# --- GitHub Actions OIDC (the CI account) ------------------------------------------------------

GITHUB_ISSUER = "token.actions.githubusercontent.com"
GITHUB_AUDIENCE = "sts.amazonaws.com"
"""What aws-actions/configure-aws-credentials requests, and the provider's only client id."""
REPOSITORY = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}$")
BRANCH = re.compile(r"^(?!/)(?!.*//)(?!.*\.\.)(?!.*/$)[A-Za-z0-9._/-]{1,200}$")
"""A branch name as a literal: no wildcard, space or ``..`` (``StringEquals`` compares it as is)."""
OIDC_PROVIDER = re.compile(rf"^arn:aws[a-z-]*:iam::(\d{{12}}):oidc-provider/{re.escape(GITHUB_ISSUER)}$")
BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")


def github_role_name(mesh: str, kind: str) -> str:
    """``<mesh>-github-deploy`` or ``<mesh>-github-pull-request``."""
    return f"{mesh}-github-{kind}"


def deploy_subject(repository: str, branch: str) -> str:
    """The OIDC ``sub`` of a job of the default branch (push, schedule, workflow_dispatch on it)."""
    return f"repo:{repository}:ref:refs/heads/{branch}"


def pull_request_subject(repository: str) -> str:
    """The OIDC ``sub`` of every ``pull_request`` job of the repository."""
    return f"repo:{repository}:pull_request"


def _trust_document(subject: str) -> Callable[[str], str]:
    """The trust policy JSON of a GitHub role, once the OIDC provider's ARN is known."""
    def document(provider_arn: str) -> str:
        return json.dumps(github_trust_policy(provider_arn, subject))
    return document


def github_trust_policy(provider_arn: str, subject: str) -> dict[str, Any]:
    """Exactly one subject and the STS audience, both with ``StringEquals``: no ``StringLike``,
    so no wildcard can widen it to other branches, repositories or events."""
    return {"Version": "2012-10-17", "Statement": [{
        "Sid": "GitHubActions",
        "Effect": "Allow",
        "Principal": {"Federated": provider_arn},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {f"{GITHUB_ISSUER}:aud": GITHUB_AUDIENCE, f"{GITHUB_ISSUER}:sub": subject}},
    }]}


def github_deploy_policy(mesh: str, state_bucket: str | None = None, partition: str = "aws") -> dict[str, Any]:
    """Assume every account's deployer; read and write the state (a self-managed backend)."""
    statements: list[dict[str, Any]] = [{
        "Sid": "AssumeDeployers",
        "Effect": "Allow",
        "Action": "sts:AssumeRole",
        "Resource": f"arn:{partition}:iam::*:role/{mesh}-deployer",
    }]
    if state_bucket:
        statements += [
            {"Sid": "StateBucket", "Effect": "Allow", "Action": "s3:ListBucket",
             "Resource": f"arn:{partition}:s3:::{state_bucket}"},
            {"Sid": "StateObjects", "Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
             "Resource": f"arn:{partition}:s3:::{state_bucket}/*"},
        ]
    return {"Version": "2012-10-17", "Statement": statements}


def github_pull_request_policy(mesh: str, state_bucket: str | None = None, partition: str = "aws") -> dict[str, Any]:
    """Assume every account's previewer; read the state (``pulumi preview`` takes no lock and
    writes nothing); never data, even in this account."""
    statements: list[dict[str, Any]] = [{
        "Sid": "AssumePreviewers",
        "Effect": "Allow",
        "Action": "sts:AssumeRole",
        "Resource": f"arn:{partition}:iam::*:role/{mesh}-previewer",
    }]
    if state_bucket:
        statements += [
            {"Sid": "StateBucket", "Effect": "Allow", "Action": "s3:ListBucket",
             "Resource": f"arn:{partition}:s3:::{state_bucket}"},
            {"Sid": "StateObjects", "Effect": "Allow", "Action": "s3:GetObject",
             "Resource": f"arn:{partition}:s3:::{state_bucket}/*"},
        ]
    return {"Version": "2012-10-17", "Statement": [*statements, *deny_data_reads(partition, state_bucket)]}


class GitHub:
    """The CI account's settings (config ``github*`` and ``stateBucket``), validated."""

    def __init__(self, repository: str, branch: str, provider_arn: str | None, state_bucket: str | None) -> None:
        self.repository, self.branch = repository, branch
        self.provider_arn, self.state_bucket = provider_arn, state_bucket

    @classmethod
    def from_config(cls, config: pulumi.Config, account: str) -> GitHub | None:
        repository = config.get("githubRepository")
        branch, provider_arn = config.get("githubDefaultBranch"), config.get("githubOidcProviderArn")
        state_bucket = config.get("stateBucket")
        if repository is None:
            stray = [k for k, v in (("githubDefaultBranch", branch), ("githubOidcProviderArn", provider_arn),
                                    ("stateBucket", state_bucket)) if v is not None]
            if stray:
                raise pulumi.RunError(f"datamesh-bootstrap:{stray[0]} is set but githubRepository is not: "
                                      "set githubRepository (owner/name) in the stack of the account CI runs in")
            return None
        if not REPOSITORY.match(repository):
            raise pulumi.RunError(f"datamesh-bootstrap:githubRepository must be owner/name, got {repository!r}")
        branch = branch or "main"
        if not BRANCH.match(branch):
            raise pulumi.RunError(f"datamesh-bootstrap:githubDefaultBranch must be a branch name without "
                                  f"wildcards, got {branch!r}")
        if provider_arn is not None:
            match = OIDC_PROVIDER.match(provider_arn)
            if not match or match[1] != account:
                raise pulumi.RunError(f"datamesh-bootstrap:githubOidcProviderArn must be the {GITHUB_ISSUER} "
                                      f"provider of account {account}, got {provider_arn!r}")
        if state_bucket is not None and not BUCKET.match(state_bucket):
            raise pulumi.RunError(f"datamesh-bootstrap:stateBucket must be an S3 bucket name, got {state_bucket!r}")
        return cls(repository, branch, provider_arn, state_bucket)


def github_identities(mesh: str, github: GitHub, opts: pulumi.ResourceOptions) -> list[pulumi.Resource]:
    """The OIDC provider (unless reused), the deploy role and the pull-request role."""
    registered: list[pulumi.Resource] = []
    tags = {MANAGED_BY_TAG[0]: MANAGED_BY_TAG[1], "mesh:name": mesh}
    provider_arn: pulumi.Input[str]
    if github.provider_arn is None:
        oidc = aws.iam.OpenIdConnectProvider("github-oidc", aws.iam.OpenIdConnectProviderArgs(
            url=f"https://{GITHUB_ISSUER}",
            client_id_lists=[GITHUB_AUDIENCE],
            # No thumbprint: for GitHub, IAM validates the issuer against its own trusted CAs.
            tags=tags,
        ), opts=opts)
        registered.append(oidc)
        provider_arn = oidc.arn
    else:
        provider_arn = github.provider_arn
    roles = {
        "deploy": (deploy_subject(github.repository, github.branch),
                   github_deploy_policy(mesh, github.state_bucket),
                   f"Deploys the {mesh} data mesh from {github.repository}@{github.branch} (GitHub OIDC)"),
        "pull-request": (pull_request_subject(github.repository),
                         github_pull_request_policy(mesh, github.state_bucket),
                         f"Previews pull requests of {github.repository}: control plane only, never data"),
    }
    for kind, (subject, policy, description) in roles.items():
        role = aws.iam.Role(f"github-{kind}", aws.iam.RoleArgs(
            name=github_role_name(mesh, kind),
            description=description,
            assume_role_policy=pulumi.Output.from_input(provider_arn).apply(_trust_document(subject)),
            max_session_duration=3600,
            tags=tags,
        ), opts=opts)
        inline = aws.iam.RolePolicy(f"github-{kind}-permissions", aws.iam.RolePolicyArgs(
            role=role.name,
            name=f"datamesh-github-{kind}",
            policy=json.dumps(policy),
        ), opts=opts)
        registered += [role, inline]
        pulumi.export(f"github{kind.title().replace('-', '')}RoleArn", role.arn)
    pulumi.export("githubOidcProviderArn", provider_arn)
    return registered


def main() -> list[pulumi.Resource]:
    """Create the roles; returns what it registered (for tests)."""
    config = pulumi.Config("datamesh-bootstrap")
    mesh = config.require("mesh")
    account = config.require("account")
    principal = config.require("deployerPrincipal")
    previewer = config.get("previewerPrincipal")
    if not ACCOUNT.match(account):
        raise pulumi.RunError(f"datamesh-bootstrap:account must be 12 digits (quoted), got {account!r}")
    if not PRINCIPAL.match(principal):
        raise pulumi.RunError(f"datamesh-bootstrap:deployerPrincipal must be an IAM ARN, got {principal!r}")
    if previewer is not None and not PRINCIPAL.match(previewer):
        raise pulumi.RunError(f"datamesh-bootstrap:previewerPrincipal must be an IAM ARN, got {previewer!r}")
    github = GitHub.from_config(config, account)
    admin_role = config.get("adminRoleArn")
    provider = aws.Provider("account", aws.ProviderArgs(
        region=config.get("region") or "us-east-1",
        allowed_account_ids=[account],
        assume_roles=[aws.ProviderAssumeRoleArgs(role_arn=admin_role, session_name="datamesh-bootstrap")]
        if admin_role else None,
    ))
    opts = pulumi.ResourceOptions(provider=provider)
    tags = {MANAGED_BY_TAG[0]: MANAGED_BY_TAG[1], "mesh:name": mesh}
    role = aws.iam.Role("deployer", aws.iam.RoleArgs(
        name=role_name(mesh),
        description=f"Deploys the {mesh} data mesh (assumed by its Pulumi aws providers)",
        assume_role_policy=json.dumps(trust_policy(principal)),
        max_session_duration=3600,
        tags=tags,
    ), opts=opts)
    policy = aws.iam.RolePolicy("deployer-permissions", aws.iam.RolePolicyArgs(
        role=role.name,
        name="datamesh-deployer",
        policy=json.dumps(permissions_policy(mesh, account)),
    ), opts=opts)
    pulumi.export("deployerRoleArn", role.arn)
    registered: list[pulumi.Resource] = [provider, role, policy]
    if previewer is not None:
        preview_role = aws.iam.Role("previewer", aws.iam.RoleArgs(
            name=previewer_name(mesh),
            description=f"Previews the {mesh} data mesh for pull requests: reads its control plane, never data",
            assume_role_policy=json.dumps(previewer_trust_policy(previewer)),
            max_session_duration=3600,
            tags=tags,
        ), opts=opts)
        preview_policy = aws.iam.RolePolicy("previewer-permissions", aws.iam.RolePolicyArgs(
            role=preview_role.name,
            name="datamesh-previewer",
            policy=json.dumps(previewer_policy(mesh, account)),
        ), opts=opts)
        pulumi.export("previewerRoleArn", preview_role.arn)
        registered += [preview_role, preview_policy]
    if github is not None:
        registered += github_identities(mesh, github, opts)
    return registered


if __name__ == "__main__":
    main()
