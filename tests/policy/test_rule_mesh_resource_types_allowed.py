"""mesh-resource-types-allowed: baseline, then each kind of resource the planner never emits."""

from __future__ import annotations

import pytest
from policy_helpers import EXAMPLE_DOMAINS, TODAY, check, compliant_stack, view

from datamesh.plan import build_plan
from datamesh.resolve import load_mesh
from datamesh.resource_types import ALLOWED_TYPES, PLANNED_TYPES, PULUMI_STACK

RULE_ID = "mesh-resource-types-allowed"


def test_compliant_baseline() -> None:
    for resource in compliant_stack():
        assert check(RULE_ID, resource) == [], resource.type


def test_every_type_of_the_example_plan_and_pulumis_own_are_allowed() -> None:
    mesh = load_mesh(str(EXAMPLE_DOMAINS), TODAY).mesh
    assert mesh is not None, "the example mesh must resolve without errors"
    types = {r.type for env in ("dev", "prod") for r in build_plan(mesh, env).resources}
    assert types <= PLANNED_TYPES
    for type_token in sorted(types | {PULUMI_STACK, "pulumi:providers:kubernetes"}):
        assert check(RULE_ID, view(type_token, "r", {})) == [], type_token


def test_the_coming_discovery_types_are_allowed_already() -> None:
    assert {"kubernetes:core/v1:ConfigMap", "kubernetes:policy/v1:PodDisruptionBudget",
            "kubernetes:networking.k8s.io/v1:NetworkPolicy"} <= ALLOWED_TYPES


@pytest.mark.parametrize("type_token", [
    "aws:s3/bucketReplicationConfig:BucketReplicationConfig",
    "aws:s3/inventory:Inventory",
    "aws:s3/bucketAclV2:BucketAclV2",
    "aws:s3/bucketNotification:BucketNotification",
    "aws:s3control/accessPointPolicy:AccessPointPolicy",
    "aws:s3control/multiRegionAccessPoint:MultiRegionAccessPoint",
    "aws:iam/user:User",
    "aws:iam/accessKey:AccessKey",
    "aws:iam/policy:Policy",
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    "aws:kms/replicaKey:ReplicaKey",
    "aws:lambda/function:Function",
    "pulumi:providers:random",
    "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding",
])
def test_violation_type_the_planner_never_emits(type_token: str) -> None:
    assert check(RULE_ID, view(type_token, "extra", {})) == [
        f"the resource type {type_token} is not one the mesh creates: only the planner's types may be deployed "
        f"in a mesh stack"]
