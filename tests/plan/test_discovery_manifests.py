"""The discovery endpoint's Kubernetes resources are valid manifests for a real cluster version.

kubernetes-validate checks them offline against the official OpenAPI schemas, strictly (an
unknown or misspelt field fails), so a typo in the plan can't reach `pulumi up`.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import kubernetes_validate
import pytest

from datamesh.plan import build_plan
from datamesh.resolve import load_mesh

REPO = Path(__file__).resolve().parents[2]
EXAMPLE_ROOT = REPO / "tests" / "fixtures" / "streaming"
EXAMPLE_DOMAINS = EXAMPLE_ROOT / "domains"
KUBERNETES_VERSION = "1.33.0"


@pytest.fixture(scope="module")
def discovery_resources():
    mesh = load_mesh(str(EXAMPLE_DOMAINS), date(2026, 11, 25)).mesh
    assert mesh is not None, "the example mesh must resolve without errors"
    plan = build_plan(mesh, "dev", ["platform"])
    return [r for r in plan.resources if r.type.startswith("kubernetes:")]


def test_the_example_plans_every_object_of_the_endpoint(discovery_resources):
    assert [(r.inputs["kind"], r.inputs["metadata"]["name"]) for r in discovery_resources] == [
        ("Namespace", "data-mesh"), ("ConfigMap", "mesh-catalog-000"), ("ConfigMap", "mesh-catalog-manifest"),
        ("Deployment", "mesh-discovery"), ("Service", "mesh-discovery"), ("PodDisruptionBudget", "mesh-discovery"),
        ("NetworkPolicy", "mesh-discovery"), ("Ingress", "mesh-discovery")]


def test_every_discovery_manifest_is_valid_strictly(discovery_resources):
    for resource in discovery_resources:
        # raises ValidationError on any schema violation; returns the schema version it used
        assert kubernetes_validate.validate(resource.inputs, KUBERNETES_VERSION, strict=True) == "1.33"


def test_a_misspelt_field_would_be_caught(discovery_resources):
    deployment = next(r for r in discovery_resources if r.inputs["kind"] == "Deployment")
    broken = {**deployment.inputs, "spec": {**deployment.inputs["spec"], "replica": 2}}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES_VERSION, strict=True)
