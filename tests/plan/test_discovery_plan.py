"""The discovery endpoint in the plan: the pods, their hardening, and the catalog as ConfigMaps.

What the kubelet mounts is rebuilt from the plan's ``binaryData`` and read back with the
server's own reader (``read_catalog``); the objects themselves are checked field by field.
"""

from __future__ import annotations

import base64
import json
import os
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from meshtree import EXAMPLE_DOMAINS, TODAY, mesh_yaml, product_yaml, write_tree

from datamesh.catalog import build_catalog, facts_json
from datamesh.catalog.shards import CONFIGMAP_LIMIT, MANIFEST, read_catalog
from datamesh.plan import Plan, build_plan
from datamesh.plan import discovery as planned_discovery
from datamesh.resolve import load_mesh

D = "_platform.discovery"
LABELS = {"app.kubernetes.io/name": "mesh-discovery", "app.kubernetes.io/part-of": "acme",
          "app.kubernetes.io/instance": "acme-dev"}


def discovery_yaml(replicas: int = 2, host: str | None = None) -> str:
    host_line = f"    host: {host}\n" if host else ""
    return ("discovery:\n  kubernetes:\n    image: ghcr.io/acme/mesh-discovery:2.0.0\n"
            f"    replicas: {replicas}\n{host_line}")


def acme_plan(tmp_path: Path, replicas: int = 2, today: date = TODAY, files: dict[str, str] | None = None,
              env: str = "dev", scope: list[str] | None = None) -> Plan:
    root = write_tree(tmp_path / "domains", {"mesh.yaml": mesh_yaml(extra=discovery_yaml(replicas)), **(files or {})})
    resolution = load_mesh(str(root), today)
    assert resolution.mesh is not None, [d.format() for d in resolution.report.errors]
    return build_plan(resolution.mesh, env, scope)


def inputs(plan: Plan, suffix: str) -> dict[str, Any]:
    return plan.by_name()[f"{D}.{suffix}"].inputs


def mount(plan: Plan, directory: Path) -> Path:
    """The catalog volume as the kubelet writes a projected volume: a timestamped directory, the
    ``..data`` symlink to it, and one symlink per key."""
    data = directory / "..2026_11_25_10_00_00.000000001"
    data.mkdir(parents=True)
    for r in plan.resources:
        if r.type == "kubernetes:core/v1:ConfigMap":
            for key, text in r.inputs["binaryData"].items():
                (data / key).write_bytes(base64.b64decode(text))
                os.symlink(f"..data/{key}", directory / key)
    os.symlink(data.name, directory / "..data")
    return directory


def test_the_pod_is_hardened_and_runs_the_catalog_it_mounts(tmp_path):
    plan = acme_plan(tmp_path)
    deployment = inputs(plan, "deployment")
    assert deployment["metadata"] == {"name": "mesh-discovery", "namespace": "data-mesh", "labels": LABELS}
    spec = deployment["spec"]
    assert spec["replicas"] == 2
    assert spec["selector"] == {"matchLabels": LABELS}
    assert spec["strategy"] == {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}}
    pod = spec["template"]["spec"]
    assert spec["template"]["metadata"] == {"labels": LABELS}
    assert pod["automountServiceAccountToken"] is False
    assert pod["enableServiceLinks"] is False
    assert pod["securityContext"] == {"runAsNonRoot": True, "runAsUser": 10001, "runAsGroup": 10001,
                                      "fsGroup": 10001, "seccompProfile": {"type": "RuntimeDefault"}}
    [container] = pod["containers"]
    assert container == {
        "name": "catalog",
        "image": "ghcr.io/acme/mesh-discovery:2.0.0",
        "args": ["serve", "--catalog", "/var/run/mesh-catalog", "--host", "0.0.0.0", "--port", "8080"],
        "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP"}],
        "startupProbe": {"httpGet": {"path": "/healthz", "port": "http"}, "periodSeconds": 2, "failureThreshold": 30},
        "readinessProbe": {"httpGet": {"path": "/readyz", "port": "http"}, "periodSeconds": 5, "failureThreshold": 2},
        "livenessProbe": {"httpGet": {"path": "/healthz", "port": "http"}, "periodSeconds": 10, "timeoutSeconds": 2,
                          "failureThreshold": 3},
        "resources": {"requests": {"cpu": "100m", "memory": "256Mi"}, "limits": {"memory": "512Mi"}},
        "securityContext": {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True, "runAsNonRoot": True,
                            "runAsUser": 10001, "runAsGroup": 10001, "capabilities": {"drop": ["ALL"]}},
        "volumeMounts": [{"name": "catalog", "mountPath": "/var/run/mesh-catalog", "readOnly": True},
                         {"name": "tmp", "mountPath": "/tmp"}],
    }
    assert "command" not in container  # the image's ENTRYPOINT (mesh) runs the args
    catalog_volume, tmp_volume = pod["volumes"]
    assert tmp_volume == {"name": "tmp", "emptyDir": {"medium": "Memory", "sizeLimit": "16Mi"}}
    # ONE volume: the manifest, then eight shard slots (one in use, the rest optional and absent)
    assert catalog_volume == {"name": "catalog", "projected": {"defaultMode": 0o444, "sources": [
        {"configMap": {"name": "mesh-catalog-manifest"}},
        *({"configMap": {"name": f"mesh-catalog-{i:03d}", "optional": True}} for i in range(8))]}}


def test_service_network_policy_and_disruption_budget(tmp_path):
    plan = acme_plan(tmp_path)
    meta = {"name": "mesh-discovery", "namespace": "data-mesh", "labels": LABELS}
    assert inputs(plan, "service") == {"apiVersion": "v1", "kind": "Service", "metadata": meta, "spec": {
        "type": "ClusterIP", "selector": LABELS,
        "ports": [{"name": "http", "protocol": "TCP", "port": 80, "targetPort": "http"}]}}
    assert inputs(plan, "network-policy") == {
        "apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": meta, "spec": {
            "podSelector": {"matchLabels": LABELS}, "policyTypes": ["Ingress", "Egress"],
            "ingress": [{"ports": [{"protocol": "TCP", "port": 8080}]}]}}  # no "egress": nothing goes out
    assert inputs(plan, "disruption-budget") == {
        "apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": meta,
        "spec": {"maxUnavailable": 1, "selector": {"matchLabels": LABELS}}}
    assert inputs(plan, "k8s") == {"context": "${config:datamesh:kubeContext}", "enableServerSideApply": True}
    assert f"{D}.ingress" not in plan.by_name()  # no host


@pytest.mark.parametrize(("replicas", "budget"), [(1, False), (2, True), (3, True)])
def test_a_disruption_budget_only_with_two_replicas_or_more(tmp_path, replicas, budget):
    plan = acme_plan(tmp_path, replicas=replicas)
    assert inputs(plan, "deployment")["spec"]["replicas"] == replicas
    assert (f"{D}.disruption-budget" in plan.by_name()) is budget


def test_every_namespaced_object_waits_for_the_namespace_and_the_pods_for_the_catalog(tmp_path):
    plan = acme_plan(tmp_path)
    depends = {r.name: r.options.depends_on for r in plan.resources if r.parent == D and r.type.startswith("kube")}
    assert depends == {
        f"{D}.namespace": (),
        f"{D}.catalog-000": (f"{D}.namespace",),
        f"{D}.catalog-manifest": (f"{D}.namespace", f"{D}.catalog-000"),
        f"{D}.deployment": (f"{D}.namespace", f"{D}.catalog-manifest"),
        f"{D}.service": (f"{D}.namespace",),
        f"{D}.disruption-budget": (f"{D}.namespace",),
        f"{D}.network-policy": (f"{D}.namespace",),
    }


def test_the_configmaps_hold_the_catalog_of_the_same_plan(tmp_path):
    plan = acme_plan(tmp_path)
    served = read_catalog(mount(plan, tmp_path / "volume"))
    mesh = load_mesh(str(tmp_path / "domains"), TODAY).mesh
    assert mesh is not None
    built = build_catalog(mesh, build_plan(mesh, "dev"))
    assert served.info.environment == "dev"
    assert served.info.content_hash == built.info.content_hash
    assert facts_json(served)["products"] == facts_json(built)["products"]
    # no build date: nothing in the acme mesh bounds the evaluation period, so the epoch
    assert served.info.built_at == date(1970, 1, 1)
    manifest = inputs(plan, "catalog-manifest")
    assert manifest["metadata"] == {"name": "mesh-catalog-manifest", "namespace": "data-mesh",
                                    "labels": {**LABELS, "app.kubernetes.io/component": "catalog"}}
    assert list(manifest["binaryData"]) == [MANIFEST]


def configmaps_on(day: date) -> list[dict[str, Any]]:
    mesh = load_mesh(str(EXAMPLE_DOMAINS), day).mesh
    assert mesh is not None
    return [r.inputs for r in build_plan(mesh, "prod", ["platform"]).resources
            if r.type == "kubernetes:core/v1:ConfigMap"]


def manifest_dates(configmaps: list[dict[str, Any]]) -> tuple[str, str]:
    [manifest] = [c["binaryData"][MANIFEST] for c in configmaps if MANIFEST in c["binaryData"]]
    info = json.loads(base64.b64decode(manifest))["header"]["catalog"]
    return info["built_at"], info["evaluated_on"]


def test_the_example_catalog_is_dated_by_its_evaluation_period_not_by_the_day_built():
    mesh = load_mesh(str(EXAMPLE_DOMAINS), TODAY).mesh
    assert mesh is not None
    # the first grant of the example to expire ends on 2027-11-24
    assert build_catalog(mesh, build_plan(mesh, "prod")).evaluation_period() == (None, date(2027, 11, 24))
    days = [TODAY, TODAY + timedelta(days=100), date(2027, 11, 24)]
    first, *others = (configmaps_on(day) for day in days)
    assert all(other == first for other in others)  # byte-identical on every day of the period
    assert manifest_dates(first) == ("1970-01-01", "1970-01-01")
    # the day the grant has expired the plan itself changes (no access point), and so does the catalog
    expired = configmaps_on(date(2027, 11, 25))
    assert expired != first
    # that plan no longer holds the grant, so nothing bounds its period from below either
    assert manifest_dates(expired) == ("1970-01-01", "1970-01-01")


def test_a_product_change_keeps_the_configmaps_and_changes_their_content(tmp_path):
    before = acme_plan(tmp_path / "a")
    after = acme_plan(tmp_path / "b", files={"beta/products/report.yaml": product_yaml("report", days=31)})
    names = [r.name for r in before.resources if r.type == "kubernetes:core/v1:ConfigMap"]
    assert names == [r.name for r in after.resources if r.type == "kubernetes:core/v1:ConfigMap"]
    # the shard layout (datamesh/catalog/shards.py) stamps every shard with the content hash
    assert all(before.by_name()[n].inputs["binaryData"] != after.by_name()[n].inputs["binaryData"] for n in names)
    assert inputs(before, "deployment") == inputs(after, "deployment")  # no pod restart


def test_a_scoped_platform_stack_serves_the_whole_mesh(tmp_path):
    whole, platform = acme_plan(tmp_path), acme_plan(tmp_path / "p", scope=["platform"])
    assert [r.to_json() for r in platform.resources if r.parent == D] == \
           [r.to_json() for r in whole.resources if r.parent == D]
    assert not any(r.parent == D for r in acme_plan(tmp_path / "d", scope=["alpha"]).resources)


def test_many_shards_each_under_the_configmap_limit(tmp_path, monkeypatch):
    # A small shard budget splits even this catalog: every object, base64 and metadata included,
    # stays under the API server's 1 MiB (bench/bench_discovery.py proves it on 10,000 products).
    real = planned_discovery.encode_shards
    monkeypatch.setattr(planned_discovery, "encode_shards", lambda catalog: real(catalog, max_bytes=2500))
    mesh = load_mesh(str(EXAMPLE_DOMAINS), TODAY).mesh
    assert mesh is not None
    plan = build_plan(mesh, "dev", ["platform"])
    configmaps = [r for r in plan.resources if r.type == "kubernetes:core/v1:ConfigMap"]
    assert [r.inputs["metadata"]["name"] for r in configmaps] == [
        "mesh-catalog-000", "mesh-catalog-001", "mesh-catalog-002", "mesh-catalog-003", "mesh-catalog-manifest"]
    for r in configmaps:
        assert len(json.dumps(r.inputs, separators=(",", ":"))) < CONFIGMAP_LIMIT
    # the one volume projects every shard ConfigMap (in eight slots) and the manifest
    pod = plan.by_name()[f"{D}.deployment"].inputs["spec"]["template"]["spec"]
    assert [s["configMap"]["name"] for s in pod["volumes"][0]["projected"]["sources"]] == [
        "mesh-catalog-manifest", *(f"mesh-catalog-{i:03d}" for i in range(8))]
    assert read_catalog(mount(plan, tmp_path / "volume")).info.environment == "dev"


def test_a_catalog_that_cannot_be_sharded_is_a_plan_error(tmp_path, monkeypatch):
    real = planned_discovery.encode_shards
    monkeypatch.setattr(planned_discovery, "encode_shards", lambda catalog: real(catalog, max_bytes=100))
    plan = acme_plan(tmp_path)
    assert [d.format(str(tmp_path)) for d in plan.errors] == [
        "domains/mesh.yaml:10:1: error DM650 discovery: the catalog does not fit Kubernetes ConfigMaps: one domain "
        "alone takes 296 compressed bytes, over 100\n"
        "  hint: shorten that product's descriptions or schema, or split the product"]
    assert not any(r.parent == D for r in plan.resources)


@pytest.mark.parametrize(("shards", "slots"), [(1, 8), (8, 8), (9, 16), (17, 24)])
def test_shard_slots_grow_in_steps_of_eight(shards, slots):
    assert planned_discovery.shard_slots(shards) == slots
