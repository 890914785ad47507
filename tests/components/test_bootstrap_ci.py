"""The bootstrap's pull-request side: each account's previewer, and in the CI account GitHub's
OIDC provider with the deploy and pull-request roles — the Pulumi program under mocks, and
bootstrap/github-oidc.yaml granting exactly the same. What these roles can and cannot do is
proven with the IAM evaluator in tests/grants/test_ci_roles.py."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pulumi
import pytest
import yaml
from cloudformation import Template
from pulumi_harness import Engine, wait_for

from datamesh.plan.naming import previewer_role_arn

REPO = Path(__file__).resolve().parents[2]
TEMPLATE = REPO / "bootstrap" / "github-oidc.yaml"
MESH, CI_ACCOUNT, DOMAIN_ACCOUNT = "daff", "900000000001", "110000000003"
DEPLOY = f"arn:aws:iam::{CI_ACCOUNT}:role/daff-github-deploy"
PULL_REQUEST = f"arn:aws:iam::{CI_ACCOUNT}:role/daff-github-pull-request"
OIDC = f"arn:aws:iam::{CI_ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"
CI_CONFIG = {"datamesh-bootstrap:mesh": MESH, "datamesh-bootstrap:account": CI_ACCOUNT,
             "datamesh-bootstrap:deployerPrincipal": DEPLOY, "datamesh-bootstrap:githubRepository": "daff/mesh"}
TAGS = {"mesh:managed-by": "datamesh", "mesh:name": "daff"}


def deploy(bootstrap_program: dict[str, Any], new_engine, config: dict[str, str]) -> Engine:
    engine = new_engine(stack="ci", project="datamesh-bootstrap", config=config, arns={"github-oidc": OIDC})

    @pulumi.runtime.test
    def run():
        return wait_for(bootstrap_program["main"]())

    run()
    return engine


def trust(subject: str) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": [{
        "Sid": "GitHubActions", "Effect": "Allow", "Principal": {"Federated": OIDC},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                                       "token.actions.githubusercontent.com:sub": subject}}}]}


# --- the previewer in every account ----------------------------------------------------------------


def test_a_previewer_principal_adds_the_previewer_role(bootstrap_program, new_engine):
    engine = deploy(bootstrap_program, new_engine, {
        "datamesh-bootstrap:mesh": MESH, "datamesh-bootstrap:account": DOMAIN_ACCOUNT,
        "datamesh-bootstrap:deployerPrincipal": DEPLOY, "datamesh-bootstrap:previewerPrincipal": PULL_REQUEST})
    regs = engine.registrations()
    assert {(r.type, r.name, r.provider) for r in regs.values()} == {
        ("pulumi:providers:aws", "account", None),
        ("aws:iam/role:Role", "deployer", "account"),
        ("aws:iam/rolePolicy:RolePolicy", "deployer-permissions", "account"),
        ("aws:iam/role:Role", "previewer", "account"),
        ("aws:iam/rolePolicy:RolePolicy", "previewer-permissions", "account"),
    }
    role = regs["previewer"].inputs
    assert f"arn:aws:iam::{DOMAIN_ACCOUNT}:role/{role['name']}" == previewer_role_arn(DOMAIN_ACCOUNT, MESH)
    assert role == {
        "name": "daff-previewer",
        "description": "Previews the daff data mesh for pull requests: reads its control plane, never data",
        "assumeRolePolicy": json.dumps({"Version": "2012-10-17", "Statement": [{
            "Sid": "PullRequestPreviews", "Effect": "Allow", "Principal": {"AWS": PULL_REQUEST},
            "Action": "sts:AssumeRole"}]}),
        "maxSessionDuration": 3600,
        "tags": TAGS,
    }
    policy = regs["previewer-permissions"]
    assert policy.inputs["role"] == "daff-previewer" and policy.dependencies == {"previewer"}
    assert json.loads(policy.inputs["policy"]) == bootstrap_program["previewer_policy"](MESH, DOMAIN_ACCOUNT)


def test_the_previewer_reads_what_the_deployer_manages_and_writes_nothing(bootstrap_program):
    deployer = bootstrap_program["permissions_policy"](MESH, DOMAIN_ACCOUNT)["Statement"]
    previewer = bootstrap_program["previewer_policy"](MESH, DOMAIN_ACCOUNT)["Statement"]
    allows = [s for s in previewer if s["Effect"] == "Allow"]
    assert [s["Sid"] for s in allows] == ["MeshBucketsRead", "MeshAccessPointsRead", "AdministerKeysRead",
                                          "ReadOnly", "MeshRolesRead"]
    by_resource = {json.dumps(s["Resource"]): set(s["Action"]) for s in deployer}
    for s in allows:  # a subset of the deployer's actions on the same resources, all of them reads
        assert set(s["Action"]) <= by_resource[json.dumps(s["Resource"])]
        assert all(a.split(":")[1].startswith(("Get", "List", "Describe")) for a in s["Action"])
    assert {a for s in allows for a in s["Action"]} == {
        "s3:ListBucket", "s3:GetBucket*", "s3:GetAccelerateConfiguration", "s3:GetEncryptionConfiguration",
        "s3:GetLifecycleConfiguration", "s3:GetReplicationConfiguration", "s3:GetAccessPointPolicy",
        "s3:GetAccessPointPolicyStatus", "s3:ListTagsForResource", "kms:DescribeKey", "kms:GetKeyPolicy",
        "kms:GetKeyRotationStatus", "kms:ListResourceTags", "kms:ListGrants", "s3:GetAccessPoint",
        "kms:ListAliases", "iam:GetRole", "iam:ListRoleTags", "iam:GetRolePolicy", "iam:ListRolePolicies",
        "iam:ListAttachedRolePolicies", "iam:ListInstanceProfilesForRole"}
    denies = [s for s in previewer if s["Effect"] == "Deny"]
    assert denies == bootstrap_program["deny_data_reads"]()
    assert [(s["Sid"], s["Resource"]) for s in denies] == [("DenyObjectReads", "*"), ("DenyDataReads", "*")]


# --- the CI account ----------------------------------------------------------------------------------


def test_the_ci_account_gets_the_oidc_provider_and_both_github_roles(bootstrap_program, new_engine):
    engine = deploy(bootstrap_program, new_engine, CI_CONFIG)
    regs = engine.registrations()
    assert {(r.type, r.name, r.provider) for r in regs.values()} == {
        ("pulumi:providers:aws", "account", None),
        ("aws:iam/role:Role", "deployer", "account"),
        ("aws:iam/rolePolicy:RolePolicy", "deployer-permissions", "account"),
        ("aws:iam/openIdConnectProvider:OpenIdConnectProvider", "github-oidc", "account"),
        ("aws:iam/role:Role", "github-deploy", "account"),
        ("aws:iam/rolePolicy:RolePolicy", "github-deploy-permissions", "account"),
        ("aws:iam/role:Role", "github-pull-request", "account"),
        ("aws:iam/rolePolicy:RolePolicy", "github-pull-request-permissions", "account"),
    }
    assert regs["github-oidc"].inputs == {"url": "https://token.actions.githubusercontent.com",
                                          "clientIdLists": ["sts.amazonaws.com"], "tags": TAGS}
    assert regs["github-deploy"].inputs == {
        "name": "daff-github-deploy",
        "description": "Deploys the daff data mesh from daff/mesh@main (GitHub OIDC)",
        "assumeRolePolicy": json.dumps(trust("repo:daff/mesh:ref:refs/heads/main")),
        "maxSessionDuration": 3600, "tags": TAGS}
    assert regs["github-deploy"].dependencies == {"github-oidc"}  # the trust names the provider's ARN
    assert regs["github-pull-request"].inputs == {
        "name": "daff-github-pull-request",
        "description": "Previews pull requests of daff/mesh: control plane only, never data",
        "assumeRolePolicy": json.dumps(trust("repo:daff/mesh:pull_request")),
        "maxSessionDuration": 3600, "tags": TAGS}
    assert json.loads(regs["github-deploy-permissions"].inputs["policy"]) == {"Version": "2012-10-17", "Statement": [
        {"Sid": "AssumeDeployers", "Effect": "Allow", "Action": "sts:AssumeRole",
         "Resource": "arn:aws:iam::*:role/daff-deployer"}]}
    assert json.loads(regs["github-pull-request-permissions"].inputs["policy"]) == {
        "Version": "2012-10-17", "Statement": [
            {"Sid": "AssumePreviewers", "Effect": "Allow", "Action": "sts:AssumeRole",
             "Resource": "arn:aws:iam::*:role/daff-previewer"},
            *bootstrap_program["deny_data_reads"]()]}
    # the names the workflows and every account's bootstrap use
    assert DEPLOY.endswith("/" + regs["github-deploy"].inputs["name"])
    assert PULL_REQUEST.endswith("/" + regs["github-pull-request"].inputs["name"])


def test_an_existing_oidc_provider_is_reused_and_a_state_bucket_granted(bootstrap_program, new_engine):
    engine = deploy(bootstrap_program, new_engine, {
        **CI_CONFIG, "datamesh-bootstrap:githubOidcProviderArn": OIDC,
        "datamesh-bootstrap:githubDefaultBranch": "trunk", "datamesh-bootstrap:stateBucket": "daff-pulumi-state"})
    regs = engine.registrations()
    assert "github-oidc" not in regs
    assert regs["github-deploy"].inputs["assumeRolePolicy"] == json.dumps(trust("repo:daff/mesh:ref:refs/heads/trunk"))
    deploy_policy = json.loads(regs["github-deploy-permissions"].inputs["policy"])["Statement"]
    assert deploy_policy[1:] == [
        {"Sid": "StateBucket", "Effect": "Allow", "Action": "s3:ListBucket",
         "Resource": "arn:aws:s3:::daff-pulumi-state"},
        {"Sid": "StateObjects", "Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
         "Resource": "arn:aws:s3:::daff-pulumi-state/*"}]
    pr_policy = json.loads(regs["github-pull-request-permissions"].inputs["policy"])["Statement"]
    assert pr_policy[1:3] == [
        {"Sid": "StateBucket", "Effect": "Allow", "Action": "s3:ListBucket",
         "Resource": "arn:aws:s3:::daff-pulumi-state"},
        {"Sid": "StateObjects", "Effect": "Allow", "Action": "s3:GetObject",
         "Resource": "arn:aws:s3:::daff-pulumi-state/*"}]
    assert pr_policy[3] == {"Sid": "DenyObjectReads", "Effect": "Deny", "Action": ["s3:GetObject*"],
                            "NotResource": "arn:aws:s3:::daff-pulumi-state/*"}


@pytest.mark.parametrize(("key", "value", "message"), [
    ("datamesh-bootstrap:githubRepository", "daff", r"githubRepository must be owner/name"),
    ("datamesh-bootstrap:githubRepository", "daff/*", r"githubRepository must be owner/name"),
    ("datamesh-bootstrap:githubDefaultBranch", "*", r"githubDefaultBranch must be a branch name without wildcards"),
    ("datamesh-bootstrap:githubDefaultBranch", "main*", r"githubDefaultBranch must be a branch name"),
    ("datamesh-bootstrap:githubDefaultBranch", "a/../b", r"githubDefaultBranch must be a branch name"),
    ("datamesh-bootstrap:githubOidcProviderArn", "arn:aws:iam::123456789012:oidc-provider/token.actions."
     "githubusercontent.com", r"githubOidcProviderArn must be the token.actions.githubusercontent.com provider "
     r"of account 900000000001"),
    ("datamesh-bootstrap:githubOidcProviderArn", "arn:aws:iam::900000000001:oidc-provider/accounts.google.com",
     r"githubOidcProviderArn must be"),
    ("datamesh-bootstrap:stateBucket", "s3://daff-state", r"stateBucket must be an S3 bucket name"),
    ("datamesh-bootstrap:previewerPrincipal", "daff-github-pull-request", r"previewerPrincipal must be an IAM ARN"),
])
def test_bad_github_config_is_a_clean_error_that_creates_nothing(bootstrap_program, new_engine, key, value, message):
    engine = new_engine(project="datamesh-bootstrap", config={**CI_CONFIG, key: value})
    with pytest.raises(pulumi.RunError, match=message):
        bootstrap_program["main"]()
    assert engine.registrations() == {}


@pytest.mark.parametrize("key", ["datamesh-bootstrap:githubDefaultBranch", "datamesh-bootstrap:stateBucket"])
def test_github_settings_without_a_repository_are_refused(bootstrap_program, new_engine, key):
    config = {k: v for k, v in CI_CONFIG.items() if k != "datamesh-bootstrap:githubRepository"}
    engine = new_engine(project="datamesh-bootstrap", config={**config, key: "main"})
    with pytest.raises(pulumi.RunError, match=rf"{key} is set but githubRepository is not"):
        bootstrap_program["main"]()
    assert engine.registrations() == {}


# --- bootstrap/github-oidc.yaml -------------------------------------------------------------------


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return yaml.safe_load(TEMPLATE.read_text())


@pytest.mark.parametrize(("existing", "bucket"), [(None, None), (OIDC, None), (None, "daff-pulumi-state"),
                                                 (OIDC, "daff-pulumi-state")])
def test_the_template_grants_what_the_pulumi_program_grants(template, bootstrap_program, existing, bucket):
    params = {"MeshName": MESH, "GitHubRepository": "daff/mesh", "DefaultBranch": "trunk"}
    if existing:
        params["ExistingOidcProviderArn"] = existing
    if bucket:
        params["StateBucket"] = bucket
    evaluated = Template(template, params, CI_ACCOUNT, refs={"GitHubOidcProvider": OIDC},
                         attributes={"DeployRole.Arn": DEPLOY, "PullRequestRole.Arn": PULL_REQUEST})
    resources = evaluated.resources()
    assert set(resources) == {"DeployRole", "PullRequestRole"} | ({"GitHubOidcProvider"} if not existing else set())
    if not existing:
        assert resources["GitHubOidcProvider"] == {
            "Url": "https://token.actions.githubusercontent.com", "ClientIdList": ["sts.amazonaws.com"],
            "Tags": [{"Key": "mesh:managed-by", "Value": "datamesh"}, {"Key": "mesh:name", "Value": MESH}]}
    github = bootstrap_program
    for name, kind, subject, policy in [
        ("DeployRole", "deploy", github["deploy_subject"]("daff/mesh", "trunk"),
         github["github_deploy_policy"](MESH, bucket)),
        ("PullRequestRole", "pull-request", github["pull_request_subject"]("daff/mesh"),
         github["github_pull_request_policy"](MESH, bucket)),
    ]:
        role = resources[name]
        assert role["RoleName"] == github["github_role_name"](MESH, kind)
        assert role["AssumeRolePolicyDocument"] == github["github_trust_policy"](OIDC, subject)
        assert role["MaxSessionDuration"] == 3600
        assert role["Policies"] == [{"PolicyName": f"datamesh-github-{kind}", "PolicyDocument": policy}]
    assert resources["DeployRole"]["Description"] == "Deploys the daff data mesh from daff/mesh@trunk (GitHub OIDC)"
    assert evaluated.outputs() == {"OidcProviderArn": OIDC, "DeployRoleArn": DEPLOY,
                                   "PullRequestRoleArn": PULL_REQUEST}


@pytest.mark.parametrize(("parameter", "value"), [
    ("GitHubRepository", "daff"), ("DefaultBranch", "main*"), ("StateBucket", "s3://x"),
    ("ExistingOidcProviderArn", "arn:aws:iam::900000000001:oidc-provider/accounts.google.com"),
])
def test_the_template_refuses_what_the_program_refuses(template, parameter, value):
    params = {"MeshName": MESH, "GitHubRepository": "daff/mesh", parameter: value}
    with pytest.raises(AssertionError, match=f"{parameter}="):
        Template(template, params, CI_ACCOUNT)


def test_cfn_lint_accepts_the_template():
    api = pytest.importorskip("cfnlint.api", reason="cfn-lint is a dev dependency")
    assert [str(m) for m in api.lint_file(TEMPLATE)] == []


def test_the_example_stack_config_bootstraps_a_deployer_and_a_previewer(bootstrap_program, new_engine):
    example = yaml.safe_load((REPO / "bootstrap" / "Pulumi.example.yaml").read_text())["config"]
    engine = deploy(bootstrap_program, new_engine, {k: str(v) for k, v in example.items()})
    regs = engine.registrations()
    assert {r.name for r in regs.values()} == {"account", "deployer", "deployer-permissions", "previewer",
                                               "previewer-permissions"}
    assert json.loads(regs["deployer"].inputs["assumeRolePolicy"])["Statement"][0]["Principal"] == {"AWS": DEPLOY}
    assert json.loads(regs["previewer"].inputs["assumeRolePolicy"])["Statement"][0]["Principal"] == {
        "AWS": PULL_REQUEST}
