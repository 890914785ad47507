"""What the CI's identities can do, evaluated by principalmapper's local IAM authorization.

The pull-request side runs code an author controls: on ``pull_request`` the workflow file and
the Pulumi program come from the author's branch, so whatever the CI's pull-request role (and
each account's ``<mesh>-previewer`` it chains into) may do, the author may do. They must read
the control plane ``pulumi preview`` needs and never data — even after someone attaches AWS's
``ReadOnlyAccess`` (it has ``s3:Get*``, ``ssm:Get*``, ``dynamodb:Query`` …) or an Allow of
everything: explicit Denies win. The deploy side must be reachable only from the default branch.

Identity policies and the role trust of the previewer and deployer (``Principal.AWS``) are
evaluated by principalmapper (``local_check_authorization`` and ``_full``). For the GitHub
roles' trust (``Principal.Federated``, which principalmapper does not model as a principal),
the statements naming the OIDC provider are selected here and principalmapper evaluates their
action and ``StringEquals`` conditions against the token's claims; there is no Deny in them.
"""

from __future__ import annotations

import hashlib
import runpy
from pathlib import Path
from typing import Any

import pytest

from grants.evaluator import (
    CaseInsensitiveDict,
    Node,
    Policy,
    local_check_authorization,
    local_check_authorization_full,
    policy_has_matching_statement,
)

REPO = Path(__file__).resolve().parents[2]
BOOTSTRAP = runpy.run_path(str(REPO / "bootstrap" / "__main__.py"), run_name="datamesh_bootstrap")
MESH, CI, DOMAIN = "daff", "900000000001", "110000000003"
STATE = "daff-pulumi-state"
OIDC = f"arn:aws:iam::{CI}:oidc-provider/token.actions.githubusercontent.com"
DEPLOY_ARN = f"arn:aws:iam::{CI}:role/daff-github-deploy"
PULL_REQUEST_ARN = f"arn:aws:iam::{CI}:role/daff-github-pull-request"
PREVIEWER_ARN = f"arn:aws:iam::{DOMAIN}:role/daff-previewer"
DEPLOYER_ARN = f"arn:aws:iam::{DOMAIN}:role/daff-deployer"

READ_ONLY_ACCESS = {"Version": "2012-10-17", "Statement": [{
    "Sid": "ReadOnlyAccessModel",
    "Effect": "Allow",
    "Action": [
        "s3:Get*", "s3:List*", "s3:Describe*", "s3-object-lambda:Get*", "s3-object-lambda:List*",
        "kms:Describe*", "kms:Get*", "kms:List*",
        "secretsmanager:Describe*", "secretsmanager:GetResourcePolicy", "secretsmanager:List*",
        "ssm:Describe*", "ssm:Get*", "ssm:List*",
        "athena:Batch*", "athena:Get*", "athena:List*", "glue:Get*", "glue:List*", "glue:BatchGet*",
        "lakeformation:Describe*", "lakeformation:Get*", "lakeformation:List*",
        "dynamodb:BatchGet*", "dynamodb:Describe*", "dynamodb:Get*", "dynamodb:List*", "dynamodb:Query",
        "dynamodb:Scan", "dynamodb:PartiQLSelect",
        "kinesis:Describe*", "kinesis:Get*", "kinesis:List*", "sqs:Get*", "sqs:List*", "sqs:Receive*",
        "logs:Describe*", "logs:Get*", "logs:FilterLogEvents", "logs:StartQuery", "logs:List*",
        "iam:Get*", "iam:List*",
    ],
    "Resource": "*",
}]}
"""The statements of AWS's ReadOnlyAccess for the services a mesh account holds (modelled on
the managed policy's wildcards, which is what makes it read data)."""
EVERYTHING = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}

BUCKET = "arn:aws:s3:::daff-dev--playlist--listening-sessions"
OBJECT = f"{BUCKET}/data/part-00000.parquet"
KEY = f"arn:aws:kms:eu-west-1:{DOMAIN}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
DATA_READS = [
    # (action, resource): every way to read what is stored, not what is configured
    ("s3:GetObject", OBJECT), ("s3:GetObjectVersion", OBJECT), ("s3:GetObjectAcl", OBJECT),
    ("s3:GetObjectVersionAcl", OBJECT), ("s3:GetObjectAttributes", OBJECT), ("s3:GetObjectTagging", OBJECT),
    ("s3:GetObjectVersionTagging", OBJECT), ("s3:GetObjectTorrent", OBJECT), ("s3:GetObjectVersionTorrent", OBJECT),
    ("s3:GetObjectVersionForReplication", OBJECT), ("s3:GetObjectRetention", OBJECT),
    ("s3:GetObjectLegalHold", OBJECT),
    ("s3:GetObject", f"arn:aws:s3:eu-west-1:{DOMAIN}:accesspoint/daff-3c9d2a41-0f1e2d3c/object/data/x.parquet"),
    ("s3-object-lambda:GetObject", f"arn:aws:s3-object-lambda:eu-west-1:{DOMAIN}:accesspoint/daff-olap"),
    ("s3express:CreateSession", f"arn:aws:s3express:eu-west-1:{DOMAIN}:bucket/daff--euw1-az1--x-s3"),
    ("s3tables:GetTableData", f"arn:aws:s3tables:eu-west-1:{DOMAIN}:bucket/daff/table/t"),
    ("kms:Decrypt", KEY), ("kms:GenerateDataKey", KEY), ("kms:GenerateDataKeyWithoutPlaintext", KEY),
    ("kms:GenerateDataKeyPair", KEY), ("kms:ReEncryptFrom", KEY),
    ("secretsmanager:GetSecretValue", f"arn:aws:secretsmanager:eu-west-1:{DOMAIN}:secret:db-AbCdEf"),
    ("secretsmanager:BatchGetSecretValue", "*"),
    ("ssm:GetParameter", f"arn:aws:ssm:eu-west-1:{DOMAIN}:parameter/db/password"),
    ("ssm:GetParameters", f"arn:aws:ssm:eu-west-1:{DOMAIN}:parameter/db/password"),
    ("ssm:GetParametersByPath", f"arn:aws:ssm:eu-west-1:{DOMAIN}:parameter/db"),
    ("ssm:GetParameterHistory", f"arn:aws:ssm:eu-west-1:{DOMAIN}:parameter/db/password"),
    ("athena:GetQueryResults", f"arn:aws:athena:eu-west-1:{DOMAIN}:workgroup/primary"),
    ("athena:GetQueryResultsStream", f"arn:aws:athena:eu-west-1:{DOMAIN}:workgroup/primary"),
    ("athena:StartQueryExecution", f"arn:aws:athena:eu-west-1:{DOMAIN}:workgroup/primary"),
    ("lakeformation:GetDataAccess", "*"),
    ("dynamodb:GetItem", f"arn:aws:dynamodb:eu-west-1:{DOMAIN}:table/t"),
    ("dynamodb:BatchGetItem", f"arn:aws:dynamodb:eu-west-1:{DOMAIN}:table/t"),
    ("dynamodb:Query", f"arn:aws:dynamodb:eu-west-1:{DOMAIN}:table/t"),
    ("dynamodb:Scan", f"arn:aws:dynamodb:eu-west-1:{DOMAIN}:table/t"),
    ("dynamodb:PartiQLSelect", f"arn:aws:dynamodb:eu-west-1:{DOMAIN}:table/t"),
    ("dynamodb:GetRecords", f"arn:aws:dynamodb:eu-west-1:{DOMAIN}:table/t/stream/2026-01-01T00:00:00.000"),
    ("kinesis:GetRecords", f"arn:aws:kinesis:eu-west-1:{DOMAIN}:stream/s"),
    ("sqs:ReceiveMessage", f"arn:aws:sqs:eu-west-1:{DOMAIN}:q"),
    ("logs:GetLogEvents", f"arn:aws:logs:eu-west-1:{DOMAIN}:log-group:g:log-stream:s"),
    ("logs:FilterLogEvents", f"arn:aws:logs:eu-west-1:{DOMAIN}:log-group:g"),
    ("logs:StartQuery", f"arn:aws:logs:eu-west-1:{DOMAIN}:log-group:g"),
    ("logs:GetQueryResults", "*"),
]
PREVIEW_READS = [
    # what `pulumi preview` / `refresh --preview-only` reads of the mesh's resources
    ("s3:ListBucket", BUCKET), ("s3:GetBucketPolicy", BUCKET), ("s3:GetBucketVersioning", BUCKET),
    ("s3:GetBucketTagging", BUCKET), ("s3:GetBucketPublicAccessBlock", BUCKET),
    ("s3:GetBucketOwnershipControls", BUCKET), ("s3:GetEncryptionConfiguration", BUCKET),
    ("s3:GetLifecycleConfiguration", BUCKET),
    ("s3:GetAccessPoint", f"arn:aws:s3:eu-west-1:{DOMAIN}:accesspoint/daff-3c9d2a41-0f1e2d3c"),
    ("s3:GetAccessPointPolicy", f"arn:aws:s3:eu-west-1:{DOMAIN}:accesspoint/daff-3c9d2a41-0f1e2d3c"),
    ("kms:DescribeKey", KEY), ("kms:GetKeyPolicy", KEY), ("kms:GetKeyRotationStatus", KEY),
    ("kms:ListResourceTags", KEY), ("kms:ListGrants", KEY), ("kms:ListAliases", "*"),
    ("iam:GetRole", f"arn:aws:iam::{DOMAIN}:role/datamesh/daff-playlist-consumer"),
    ("iam:GetRolePolicy", f"arn:aws:iam::{DOMAIN}:role/datamesh/daff-playlist-consumer"),
    ("iam:ListRolePolicies", f"arn:aws:iam::{DOMAIN}:role/datamesh/daff-playlist-consumer"),
]
WRITES = [
    ("s3:PutObject", OBJECT), ("s3:PutBucketPolicy", BUCKET), ("s3:DeleteBucket", BUCKET),
    ("s3:PutAccessPointPolicy", f"arn:aws:s3:eu-west-1:{DOMAIN}:accesspoint/daff-x"),
    ("kms:CreateGrant", KEY), ("kms:PutKeyPolicy", KEY), ("kms:ScheduleKeyDeletion", KEY),
    ("iam:PutRolePolicy", f"arn:aws:iam::{DOMAIN}:role/datamesh/daff-playlist-consumer"),
    ("iam:UpdateAssumeRolePolicy", f"arn:aws:iam::{DOMAIN}:role/datamesh/daff-playlist-consumer"),
]


def node(arn: str, *documents: dict[str, Any], trust: dict[str, Any] | None = None) -> Node:
    role_id = "AROA" + hashlib.sha256(arn.encode()).hexdigest()[:17].upper()
    policies = [Policy(arn, f"p{i}", doc) for i, doc in enumerate(documents)]
    return Node(arn, role_id, policies, [], trust or {}, None, 0, False, False, None, False, {})


def allowed(who: Node, action: str, resource: str) -> bool:
    return bool(local_check_authorization(who, action, resource, {"aws:SecureTransport": "true"}))


def previewer(*extra: dict[str, Any]) -> Node:
    return node(PREVIEWER_ARN, BOOTSTRAP["previewer_policy"](MESH, DOMAIN), *extra)


def pull_request_role(*extra: dict[str, Any], state: str | None = STATE) -> Node:
    return node(PULL_REQUEST_ARN, BOOTSTRAP["github_pull_request_policy"](MESH, state), *extra)


# --- the previewer in each account -----------------------------------------------------------------


@pytest.mark.parametrize(("action", "resource"), PREVIEW_READS)
def test_the_previewer_reads_the_control_plane_preview_needs(action, resource):
    assert allowed(previewer(), action, resource)


@pytest.mark.parametrize("attached", [(), (READ_ONLY_ACCESS,), (EVERYTHING,)], ids=["own", "ReadOnlyAccess", "*"])
@pytest.mark.parametrize(("action", "resource"), DATA_READS)
def test_the_previewer_never_reads_data_whatever_is_attached(attached, action, resource):
    assert not allowed(previewer(*attached), action, resource)


@pytest.mark.parametrize(("action", "resource"), DATA_READS)
def test_the_denies_are_what_stops_read_only_access(action, resource):
    """Without the previewer's Denies, ReadOnlyAccess or an Allow of everything would read each
    of these: the test above would fail if a Deny went missing."""
    assert allowed(node(PREVIEWER_ARN, EVERYTHING), action, resource)
    modelled = not action.startswith(("s3express:", "s3tables:", "kms:", "secretsmanager:GetSecret",
                                      "secretsmanager:Batch", "athena:Start"))
    assert allowed(node(PREVIEWER_ARN, READ_ONLY_ACCESS), action, resource) == modelled


@pytest.mark.parametrize(("action", "resource"), WRITES)
def test_the_previewer_writes_nothing(action, resource):
    assert not allowed(previewer(), action, resource)


@pytest.mark.parametrize(("action", "resource"), [
    ("s3:ListBucket", "arn:aws:s3:::other-team-bucket"), ("iam:GetRole", f"arn:aws:iam::{DOMAIN}:role/admin"),
    ("kms:DescribeKey", "arn:aws:kms:eu-west-1:999988887777:key/x"),
])
def test_the_previewer_reads_only_the_mesh_s_own_control_plane(action, resource):
    assert not allowed(previewer(), action, resource)


def test_only_the_pull_request_role_may_assume_the_previewer_and_it_cannot_assume_the_deployer():
    trust = BOOTSTRAP["previewer_trust_policy"](PULL_REQUEST_ARN)
    deployer_trust = BOOTSTRAP["trust_policy"](DEPLOY_ARN)
    pr = pull_request_role()
    deploy = node(DEPLOY_ARN, BOOTSTRAP["github_deploy_policy"](MESH, STATE))
    ctx = {"aws:SecureTransport": "true"}

    def assumes(who: Node, role: str, role_trust: dict[str, Any]) -> bool:
        return bool(local_check_authorization_full(who, "sts:AssumeRole", role, ctx, role_trust, DOMAIN))

    assert assumes(pr, PREVIEWER_ARN, trust)
    assert not assumes(pr, DEPLOYER_ARN, deployer_trust)
    assert not assumes(pull_request_role(EVERYTHING), DEPLOYER_ARN, deployer_trust)  # the trust decides
    assert assumes(deploy, DEPLOYER_ARN, deployer_trust)
    assert not assumes(deploy, PREVIEWER_ARN, trust)  # needs neither: each side has one door
    other = node(f"arn:aws:iam::{CI}:role/someone-else", EVERYTHING)
    assert not assumes(other, PREVIEWER_ARN, trust) and not assumes(other, DEPLOYER_ARN, deployer_trust)


# --- the CI's pull-request role ------------------------------------------------------------------------


def test_the_pull_request_role_reads_the_state_and_nothing_else_of_s3():
    pr = pull_request_role()
    assert allowed(pr, "s3:GetObject", f"arn:aws:s3:::{STATE}/.pulumi/stacks/datamesh/dev-playlist.json")
    assert allowed(pr, "s3:ListBucket", f"arn:aws:s3:::{STATE}")
    for action in ("s3:PutObject", "s3:DeleteObject"):  # a preview takes no lock and writes no state
        assert not allowed(pr, action, f"arn:aws:s3:::{STATE}/.pulumi/stacks/datamesh/dev-playlist.json")
    assert not allowed(pull_request_role(READ_ONLY_ACCESS), "s3:GetObject", OBJECT)
    assert not allowed(pull_request_role(EVERYTHING, state=None), "s3:GetObject",
                       f"arn:aws:s3:::{STATE}/.pulumi/stacks/datamesh/dev-playlist.json")


@pytest.mark.parametrize("attached", [(READ_ONLY_ACCESS,), (EVERYTHING,)], ids=["ReadOnlyAccess", "*"])
@pytest.mark.parametrize(("action", "resource"), DATA_READS)
def test_the_pull_request_role_never_reads_data_whatever_is_attached(attached, action, resource):
    assert not allowed(pull_request_role(*attached), action, resource)


# --- the trust of the GitHub roles ------------------------------------------------------------------------


def web_identity_trust_admits(trust: dict[str, Any], role_arn: str, claims: dict[str, str],
                              provider: str = OIDC) -> bool:
    """AssumeRoleWithWebIdentity with a token of ``provider`` carrying ``claims``."""
    statements = [s for s in trust["Statement"] if s.get("Principal", {}).get("Federated") == provider]
    assert all(s["Effect"] == "Allow" for s in trust["Statement"]), "the trust policies hold no Deny"
    context = CaseInsensitiveDict({f"token.actions.githubusercontent.com:{k}": v for k, v in claims.items()})
    return bool(statements) and bool(policy_has_matching_statement(
        {"Statement": statements}, "Allow", "sts:AssumeRoleWithWebIdentity", role_arn, context))


def claims(sub: str, aud: str = "sts.amazonaws.com") -> dict[str, str]:
    return {"sub": sub, "aud": aud}


DEFAULT_BRANCH = "repo:daff/mesh:ref:refs/heads/main"
NOT_THE_DEFAULT_BRANCH = [
    "repo:daff/mesh:pull_request",
    "repo:daff/mesh:ref:refs/heads/feature",
    "repo:daff/mesh:ref:refs/heads/main-hotfix",
    "repo:daff/mesh:ref:refs/heads/mainline",
    "repo:daff/mesh:ref:refs/heads/main/x",
    "repo:daff/mesh:ref:refs/tags/main",
    "repo:daff/mesh:environment:production",
    "repo:daff/mesh-fork:ref:refs/heads/main",
    "repo:evil/mesh:ref:refs/heads/main",
    "repo:DAFF/MESH:ref:refs/heads/main:x",
    "repo:daff/mesh:*",
    "repo:daff/*:ref:refs/heads/main",
    "*",
    "",
]


def test_the_deploy_role_admits_only_the_default_branch():
    trust = BOOTSTRAP["github_trust_policy"](OIDC, BOOTSTRAP["deploy_subject"]("daff/mesh", "main"))
    assert web_identity_trust_admits(trust, DEPLOY_ARN, claims(DEFAULT_BRANCH))
    for sub in NOT_THE_DEFAULT_BRANCH:
        assert not web_identity_trust_admits(trust, DEPLOY_ARN, claims(sub)), sub
    assert not web_identity_trust_admits(trust, DEPLOY_ARN, claims(DEFAULT_BRANCH, aud="https://github.com/daff"))
    assert not web_identity_trust_admits(trust, DEPLOY_ARN, {"sub": DEFAULT_BRANCH})  # no audience
    other_provider = f"arn:aws:iam::{CI}:oidc-provider/gitlab.com"
    assert not web_identity_trust_admits(trust, DEPLOY_ARN, claims(DEFAULT_BRANCH), provider=other_provider)


def test_the_pull_request_role_admits_pull_requests_of_the_repository_only():
    trust = BOOTSTRAP["github_trust_policy"](OIDC, BOOTSTRAP["pull_request_subject"]("daff/mesh"))
    assert web_identity_trust_admits(trust, PULL_REQUEST_ARN, claims("repo:daff/mesh:pull_request"))
    for sub in ["repo:daff/mesh-fork:pull_request", "repo:evil/mesh:pull_request", "repo:daff/*:pull_request",
                DEFAULT_BRANCH, "repo:daff/mesh:*"]:
        assert not web_identity_trust_admits(trust, PULL_REQUEST_ARN, claims(sub)), sub


def test_the_trust_compares_literally_and_never_with_wildcards():
    """``StringLike`` would turn ``*`` or ``?`` in a subject into patterns; the roles use only
    ``StringEquals``, so a subject is exactly one branch of exactly one repository."""
    for subject in (BOOTSTRAP["deploy_subject"]("daff/mesh", "main"), BOOTSTRAP["pull_request_subject"]("daff/mesh")):
        [statement] = BOOTSTRAP["github_trust_policy"](OIDC, subject)["Statement"]
        assert set(statement["Condition"]) == {"StringEquals"}
        assert statement["Condition"]["StringEquals"] == {
            "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
            "token.actions.githubusercontent.com:sub": subject}
        assert "*" not in subject and "?" not in subject
