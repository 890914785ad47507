"""Account bootstrap: the Pulumi program under mocks, and the CloudFormation template.

Both create the role the mesh's providers assume (``naming.deployer_role_arn``), trusting only
the deployment identity, with the same permissions (the template, its ``Fn::Sub`` variables
substituted, equals ``permissions_policy``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pulumi
import pytest
import yaml
from cloudformation import Template
from pulumi_harness import Engine, wait_for

from datamesh.plan.naming import ROLE_PATH, deployer_role_arn, previewer_role_arn

REPO = Path(__file__).resolve().parents[2]
TEMPLATE = REPO / "bootstrap" / "deployer-role.yaml"
MESH, ACCOUNT, CI = "daff", "110000000003", "arn:aws:iam::900000000001:role/daff-ci"
PR = "arn:aws:iam::900000000001:role/daff-github-pull-request"
CONFIG = {"datamesh-bootstrap:mesh": MESH, "datamesh-bootstrap:account": ACCOUNT,
          "datamesh-bootstrap:deployerPrincipal": CI}


def deploy(bootstrap_program: dict[str, Any], new_engine, config: dict[str, str]) -> Engine:
    engine = new_engine(stack="playlist-dev", project="datamesh-bootstrap", config=config)

    @pulumi.runtime.test
    def run():
        return wait_for(bootstrap_program["main"]())

    run()
    return engine


def test_the_program_creates_the_deployer_role_the_mesh_assumes(bootstrap_program, new_engine):
    engine = deploy(bootstrap_program, new_engine, CONFIG)
    regs = engine.registrations()
    assert {(r.type, r.name, r.parent, r.provider) for r in regs.values()} == {
        ("pulumi:providers:aws", "account", None, None),
        ("aws:iam/role:Role", "deployer", None, "account"),
        ("aws:iam/rolePolicy:RolePolicy", "deployer-permissions", None, "account"),
    }
    assert regs["account"].inputs == {"region": "us-east-1", "allowedAccountIds": f'["{ACCOUNT}"]',
                                      "skipCredentialsValidation": "false", "skipRegionValidation": "true"}
    role = regs["deployer"].inputs
    # the name the mesh's providers assume
    assert f"arn:aws:iam::{ACCOUNT}:role/{role['name']}" == deployer_role_arn(ACCOUNT, MESH)
    assert role == {
        "name": "daff-deployer",
        "description": "Deploys the daff data mesh (assumed by its Pulumi aws providers)",
        "assumeRolePolicy": json.dumps({"Version": "2012-10-17", "Statement": [{
            "Sid": "PlatformDeploymentIdentity", "Effect": "Allow", "Principal": {"AWS": CI},
            "Action": "sts:AssumeRole"}]}),
        "maxSessionDuration": 3600,
        "tags": {"mesh:managed-by": "datamesh", "mesh:name": "daff"},
    }
    policy = regs["deployer-permissions"]
    assert policy.inputs["role"] == "daff-deployer"  # the role's name output: waits for the role
    assert policy.dependencies == {"deployer"}
    assert json.loads(policy.inputs["policy"]) == bootstrap_program["permissions_policy"](MESH, ACCOUNT)


def test_an_admin_role_reaches_the_account_through_assume_role(bootstrap_program, new_engine):
    admin = f"arn:aws:iam::{ACCOUNT}:role/OrganizationAccountAccessRole"
    engine = deploy(bootstrap_program, new_engine, {**CONFIG, "datamesh-bootstrap:adminRoleArn": admin,
                                                       "datamesh-bootstrap:region": "eu-west-1"})
    provider = engine.registrations()["account"].inputs
    assert json.loads(provider["assumeRoles"]) == [{"roleArn": admin, "sessionName": "datamesh-bootstrap"}]
    assert provider["region"] == "eu-west-1"


@pytest.mark.parametrize(("key", "value", "message"), [
    ("datamesh-bootstrap:account", "12345", r"account must be 12 digits"),
    ("datamesh-bootstrap:deployerPrincipal", "daff-ci", r"deployerPrincipal must be an IAM ARN"),
])
def test_bad_config_is_a_clean_error_that_creates_nothing(bootstrap_program, new_engine, key, value, message):
    engine = new_engine(project="datamesh-bootstrap", config={**CONFIG, key: value})
    with pytest.raises(pulumi.RunError, match=message):
        bootstrap_program["main"]()
    assert engine.registrations() == {}


# --- the permissions ---------------------------------------------------------------------------


def statements(policy: dict[str, Any]) -> list[dict[str, Any]]:
    return policy["Statement"]


def actions(statement: dict[str, Any]) -> list[str]:
    a = statement["Action"]
    return [a] if isinstance(a, str) else list(a)


def test_the_deployer_can_build_the_mesh_but_not_destroy_or_read_data(bootstrap_program):
    policy = bootstrap_program["permissions_policy"](MESH, ACCOUNT)
    allowed = {a for s in statements(policy) for a in actions(s)}
    assert all(s["Effect"] == "Allow" for s in statements(policy))
    # what the mesh creates (docs/resources.md)
    assert {"s3:CreateBucket", "s3:PutBucketVersioning", "s3:PutEncryptionConfiguration",
            "s3:PutBucketPublicAccessBlock", "s3:PutBucketOwnershipControls", "s3:PutLifecycleConfiguration",
            "s3:PutBucketPolicy", "s3:CreateAccessPoint", "s3:PutAccessPointPolicy", "s3:DeleteAccessPoint",
            "kms:CreateKey", "kms:EnableKeyRotation", "kms:CreateAlias", "kms:CreateGrant", "kms:RevokeGrant",
            "iam:CreateRole", "iam:PutRolePolicy", "iam:DeleteRolePolicy", "iam:DeleteRole"} <= allowed
    # never: delete data or keys, read or write objects, escalate through other roles
    forbidden = {"s3:DeleteBucket", "s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion",
                 "s3:DeleteBucketPolicy", "s3:PutBucketAcl", "kms:ScheduleKeyDeletion", "kms:DisableKey",
                 "kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "iam:PassRole", "iam:AttachRolePolicy",
                 "iam:CreatePolicyVersion", "sts:AssumeRole"}
    assert not allowed & forbidden
    assert not [a for a in allowed if a.endswith(":*") or a == "*"]
    # the account-wide statements are read-only, or conditioned on the mesh's own tag
    for s in statements(policy):
        if s["Resource"] == "*":
            assert s["Sid"] in {"ReadOnly", "CreateMeshKeys"}
    create = next(s for s in statements(policy) if s["Sid"] == "CreateMeshKeys")
    assert create["Condition"] == {"StringEquals": {"aws:RequestTag/mesh:managed-by": "datamesh"}}
    roles = next(s for s in statements(policy) if s["Sid"] == "MeshRoles")
    assert roles["Resource"] == f"arn:aws:iam::{ACCOUNT}:role{ROLE_PATH}daff-*"


def test_parliament_finds_only_the_inherent_bucket_policy_escalation(bootstrap_program):
    """Managing bucket policies and lifecycles is the deployer's job, so it could grant itself
    object access or expire objects: that is why only the platform's CI may assume it."""
    parliament = pytest.importorskip("parliament")
    findings = parliament.analyze_policy_string(
        json.dumps(bootstrap_program["permissions_policy"](MESH, ACCOUNT))).findings
    assert {(f.issue, f.detail.rsplit(" ", 1)[-1]) for f in findings} == {
        ("RESOURCE_POLICY_PRIVILEGE_ESCALATION", "s3:PutBucketPolicy"),
        ("RESOURCE_POLICY_PRIVILEGE_ESCALATION", "s3:PutLifecycleConfiguration"),
    }


# --- the CloudFormation template ----------------------------------------------------------------


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return yaml.safe_load(TEMPLATE.read_text())


def test_the_template_creates_the_deployer_and_optionally_the_previewer(template):
    assert template["AWSTemplateFormatVersion"] == "2010-09-09"
    assert set(template["Parameters"]) == {"MeshName", "DeployerPrincipalArn", "PreviewerPrincipalArn"}
    assert {name: r["Type"] for name, r in template["Resources"].items()} == {
        "DeployerRole": "AWS::IAM::Role", "PreviewerRole": "AWS::IAM::Role"}
    without = Template(template, {"MeshName": MESH, "DeployerPrincipalArn": CI}, ACCOUNT,
                       attributes={"DeployerRole.Arn": "d"})
    assert set(without.resources()) == {"DeployerRole"}
    assert without.outputs() == {"DeployerRoleArn": "d"}
    with_previewer = Template(template, {"MeshName": MESH, "DeployerPrincipalArn": CI, "PreviewerPrincipalArn": PR},
                              ACCOUNT, attributes={"DeployerRole.Arn": "d", "PreviewerRole.Arn": "p"})
    assert set(with_previewer.resources()) == {"DeployerRole", "PreviewerRole"}
    assert with_previewer.outputs() == {"DeployerRoleArn": "d", "PreviewerRoleArn": "p"}


def test_the_template_grants_what_the_pulumi_program_grants(template, bootstrap_program):
    resources = Template(template, {"MeshName": MESH, "DeployerPrincipalArn": CI, "PreviewerPrincipalArn": PR},
                         ACCOUNT).resources()
    role = resources["DeployerRole"]
    assert f"arn:aws:iam::{ACCOUNT}:role/{role['RoleName']}" == deployer_role_arn(ACCOUNT, MESH)
    assert role["AssumeRolePolicyDocument"] == bootstrap_program["trust_policy"](CI)
    assert role["MaxSessionDuration"] == 3600
    [policy] = role["Policies"]
    assert policy["PolicyName"] == "datamesh-deployer"
    assert policy["PolicyDocument"] == bootstrap_program["permissions_policy"](MESH, ACCOUNT)
    assert role["Tags"] == [{"Key": "mesh:managed-by", "Value": "datamesh"}, {"Key": "mesh:name", "Value": MESH}]
    previewer = resources["PreviewerRole"]
    assert f"arn:aws:iam::{ACCOUNT}:role/{previewer['RoleName']}" == previewer_role_arn(ACCOUNT, MESH)
    assert previewer["Description"] == ("Previews the daff data mesh for pull requests: reads its control plane, "
                                        "never data")
    assert previewer["AssumeRolePolicyDocument"] == bootstrap_program["previewer_trust_policy"](PR)
    assert previewer["MaxSessionDuration"] == 3600
    [policy] = previewer["Policies"]
    assert policy["PolicyName"] == "datamesh-previewer"
    assert policy["PolicyDocument"] == bootstrap_program["previewer_policy"](MESH, ACCOUNT)
    assert previewer["Tags"] == role["Tags"]


@pytest.mark.parametrize(("parameter", "value"), [
    ("PreviewerPrincipalArn", "daff-github-pull-request"),
    ("PreviewerPrincipalArn", "arn:aws:iam::9000:role/x"),
    ("DeployerPrincipalArn", ""),
])
def test_the_template_refuses_a_principal_that_is_not_an_arn(template, parameter, value):
    with pytest.raises(AssertionError, match=f"{parameter}="):
        Template(template, {"MeshName": MESH, "DeployerPrincipalArn": CI, parameter: value}, ACCOUNT)


def test_cfn_lint_accepts_the_template():
    api = pytest.importorskip("cfnlint.api", reason="cfn-lint is a dev dependency")
    assert [str(m) for m in api.lint_file(TEMPLATE)] == []
    # and it would catch a broken one
    broken = TEMPLATE.read_text().replace("MaxSessionDuration: 3600", "MaxSessionDuration: 60")
    assert any("MaxSessionDuration" in str(m) or "3600" in str(m) for m in api.lint(broken))
