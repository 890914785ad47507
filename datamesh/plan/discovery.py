"""The discovery endpoint on Kubernetes: ``mesh serve`` pods and the catalog they serve, as ConfigMaps.

Planned in two phases (``build_plan``): first the AWS side of the whole mesh, then the catalog
built from that plan (``build_catalog``) goes into the plan as gzip shard ConfigMaps beside the
workload. What the pods run is stated here once — ``serve_args()`` — and every other place
(docs, the proof test) reads it from the plan.

Objects (all in ``discovery.kubernetes.namespace``, labelled ``app.kubernetes.io/*``):

- ``Namespace``;
- ``ConfigMap`` ``mesh-catalog-manifest`` (the shard manifest) and ``mesh-catalog-NNN`` (one gzip
  shard each), all ``binaryData``, each under the API server's 1 MiB (shards.py budgets base64
  and metadata). They are mounted as ONE projected volume at ``CATALOG_MOUNT``; Kubernetes
  updates it in place (the ``..data`` symlink swap) and the server reloads, so a mesh change
  restarts no pod;
- ``Deployment``: numeric non-root user ``RUN_AS`` (the Dockerfile's ``USER``), read-only root,
  no capabilities, seccomp ``RuntimeDefault``, no service-account token; ``/readyz`` (catalog
  loaded) for readiness, ``/healthz`` for liveness and start-up;
- ``Service`` (port 80 → ``http``); ``PodDisruptionBudget`` (``maxUnavailable: 1``) when there
  are two replicas or more; ``NetworkPolicy``: ingress to the HTTP port only, no egress at all;
- ``Ingress`` only when ``host`` is set (TLS from the secret ``TLS_SECRET``).

The catalog in the ConfigMaps carries no build date: its ``built_at`` is the first day of the
evaluation period the plan falls in (``CATALOG_EPOCH`` when no grant has expired and no sunset
has passed yet). The server evaluates grants on the day of each request, so an unchanged mesh
gives byte-identical ConfigMaps on any day, until a grant's expiry changes the plan itself.
"""

from __future__ import annotations

import base64
import json
from dataclasses import replace
from datetime import date
from typing import Any

from datamesh import resource_types as types
from datamesh.catalog.model import Catalog
from datamesh.catalog.shards import CONFIGMAP_LIMIT, MANIFEST, encode_shards
from datamesh.plan import naming
from datamesh.plan.context import COMPONENT_DISCOVERY, PlanContext
from datamesh.plan.model import PROVIDER_KUBERNETES, Options, PlannedResource

DISCOVERY = "_platform.discovery"
KUBERNETES_PROVIDER = "_platform.discovery.k8s"
APP = "mesh-discovery"
"""Name of the Deployment, Service, PodDisruptionBudget, NetworkPolicy and Ingress."""
HTTP_PORT = 8080
CATALOG_MOUNT = "/var/run/mesh-catalog"
"""Where the catalog volume is mounted; ``mesh serve --catalog`` reads it."""
RUN_AS = 10001
"""The pods' numeric user and group (and fsGroup): the Dockerfile's ``USER``."""
KUBE_CONTEXT_KEY = "datamesh:kubeContext"
"""Stack config: the kubeconfig context of this stack's (environment's) cluster."""
KUBE_CONTEXT_PLACEHOLDER = "${config:" + KUBE_CONTEXT_KEY + "}"
"""The provider's ``context`` in the plan: the program substitutes the stack's config value."""
TLS_SECRET = "mesh-discovery-tls"
"""The Ingress's certificate secret (created by cert-manager or the platform team)."""
CATALOG_CONFIGMAP_PREFIX = "mesh-catalog-"
MANIFEST_CONFIGMAP = "mesh-catalog-manifest"
SHARD_SLOTS_STEP = 8
"""The volume lists shard ConfigMaps in slots of 8 (unused ones ``optional``): a catalog that grows
by a shard changes the ConfigMaps, not the pod template, so no pod restarts."""
CATALOG_EPOCH = date(1970, 1, 1)


def serve_args() -> list[str]:
    """The container's arguments (the image's entrypoint is ``mesh``)."""
    return ["serve", "--catalog", CATALOG_MOUNT, "--host", "0.0.0.0", "--port", str(HTTP_PORT)]


def undated(catalog: Catalog) -> Catalog:
    """``catalog`` with its build and evaluation date moved to the start of its evaluation period
    (see the module docstring): nothing it shows changes, and equal plans give equal bytes."""
    first, _ = catalog.evaluation_period()
    anchor = first or CATALOG_EPOCH
    return replace(catalog, info=replace(catalog.info, built_at=anchor), evaluated_on=anchor)


class CatalogTooLarge(ValueError):
    """The catalog cannot be split into ConfigMaps (one product alone exceeds a shard)."""


def catalog_files(catalog: Catalog) -> dict[str, bytes]:
    """File name → bytes of the mounted catalog volume: the manifest and the gzip shards."""
    try:
        return encode_shards(undated(catalog))
    except ValueError as exc:
        raise CatalogTooLarge(f"the catalog does not fit Kubernetes ConfigMaps: {exc}") from None


def configmap_bytes(inputs: dict[str, Any]) -> int:
    """Bytes of a ConfigMap object as the API server receives it (compact JSON)."""
    return len(json.dumps(inputs, separators=(",", ":")).encode())


def shard_slots(count: int) -> int:
    return max(SHARD_SLOTS_STEP, -(-count // SHARD_SLOTS_STEP) * SHARD_SLOTS_STEP)


def plan_discovery(ctx: PlanContext, catalog: Catalog) -> None:
    """The endpoint's component, its kubernetes provider and every object (module docstring)."""
    discovery = ctx.mesh.spec.discovery
    assert discovery is not None
    k8s = discovery.kubernetes
    ns = k8s.namespace
    files = catalog_files(catalog)  # first: a catalog too large for ConfigMaps plans nothing here
    labels = {"app.kubernetes.io/name": APP, "app.kubernetes.io/part-of": ctx.name,
              "app.kubernetes.io/instance": f"{ctx.name}-{ctx.env}"}
    ctx.add(PlannedResource(type=COMPONENT_DISCOVERY, name=DISCOVERY, inputs={
        "namespace": ns, "image": k8s.image, "replicas": k8s.replicas, "host": k8s.host}))
    ctx.add(PlannedResource(type=PROVIDER_KUBERNETES, name=KUBERNETES_PROVIDER, parent=DISCOVERY, inputs={
        "context": KUBE_CONTEXT_PLACEHOLDER,
        # ConfigMaps near 1 MiB: a client-side apply would copy each into a 256 KiB annotation.
        "enableServerSideApply": True,
    }))
    namespace = naming.child(DISCOVERY, "namespace")
    planned: dict[str, dict[str, Any]] = {}

    def child(type_token: str, suffix: str, inputs: dict[str, Any], depends_on: tuple[str, ...] = ()) -> str:
        name = naming.child(DISCOVERY, suffix)
        planned[name] = inputs
        ctx.add(PlannedResource(type=type_token, name=name, parent=DISCOVERY, provider=KUBERNETES_PROVIDER,
                                inputs=inputs, options=Options(depends_on=depends_on)))
        return name

    def meta(name: str, component: str | None = None) -> dict[str, Any]:
        extra = {"app.kubernetes.io/component": component} if component else {}
        return {"name": name, "namespace": ns, "labels": {**labels, **extra}}

    child(types.KUBERNETES_NAMESPACE, "namespace", {
        "apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns, "labels": labels}})

    shards = sorted(f for f in files if f != MANIFEST)
    shard_configmaps = []
    for index, file in enumerate(shards):
        shard_configmaps.append(child(types.KUBERNETES_CONFIG_MAP, f"catalog-{index:03d}", {
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": meta(f"{CATALOG_CONFIGMAP_PREFIX}{index:03d}", "catalog"),
            "binaryData": {file: base64.b64encode(files[file]).decode()},
        }, depends_on=(namespace,)))
    # The manifest last: a pod sees new shards before the manifest that names them.
    manifest = child(types.KUBERNETES_CONFIG_MAP, "catalog-manifest", {
        "apiVersion": "v1", "kind": "ConfigMap", "metadata": meta(MANIFEST_CONFIGMAP, "catalog"),
        "binaryData": {MANIFEST: base64.b64encode(files[MANIFEST]).decode()},
    }, depends_on=(namespace, *shard_configmaps))
    for name in (*shard_configmaps, manifest):
        size = configmap_bytes(planned[name])
        if size >= CONFIGMAP_LIMIT:  # shards.py budgets for this; a bug if it ever happens
            raise CatalogTooLarge(f"ConfigMap {name} would be {size:,} bytes, the limit is {CONFIGMAP_LIMIT:,}")

    sources: list[dict[str, Any]] = [{"configMap": {"name": MANIFEST_CONFIGMAP}}]
    sources += [{"configMap": {"name": f"{CATALOG_CONFIGMAP_PREFIX}{i:03d}", "optional": True}}
                for i in range(shard_slots(len(shards)))]
    child(types.KUBERNETES_DEPLOYMENT, "deployment", {
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta(APP),
        "spec": {
            "replicas": k8s.replicas,
            "selector": {"matchLabels": labels},
            # One new pod before an old one goes: the endpoint never runs below its replicas.
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}},
            "template": {"metadata": {"labels": labels}, "spec": _pod_spec(k8s.image, labels, sources)},
        },
    }, depends_on=(namespace, manifest))
    child(types.KUBERNETES_SERVICE, "service", {
        "apiVersion": "v1", "kind": "Service", "metadata": meta(APP),
        "spec": {"type": "ClusterIP", "selector": labels,
                 "ports": [{"name": "http", "protocol": "TCP", "port": 80, "targetPort": "http"}]},
    }, depends_on=(namespace,))
    if k8s.replicas >= 2:
        # maxUnavailable 1 rather than minAvailable 1: a drain may take one pod at a time, whatever
        # the replica count (minAvailable 1 would let a drain take all but one of five).
        child(types.KUBERNETES_POD_DISRUPTION_BUDGET, "disruption-budget", {
            "apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": meta(APP),
            "spec": {"maxUnavailable": 1, "selector": {"matchLabels": labels}},
        }, depends_on=(namespace,))
    child(types.KUBERNETES_NETWORK_POLICY, "network-policy", {
        "apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": meta(APP),
        "spec": {
            "podSelector": {"matchLabels": labels},
            # Egress listed with no rule: the pods open no connection at all (no DNS, no cloud API).
            "policyTypes": ["Ingress", "Egress"],
            "ingress": [{"ports": [{"protocol": "TCP", "port": HTTP_PORT}]}],
        },
    }, depends_on=(namespace,))
    if k8s.host:
        child(types.KUBERNETES_INGRESS, "ingress", {
            "apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": meta(APP),
            "spec": {
                "tls": [{"hosts": [k8s.host], "secretName": TLS_SECRET}],
                "rules": [{"host": k8s.host, "http": {"paths": [{
                    "path": "/", "pathType": "Prefix",
                    "backend": {"service": {"name": APP, "port": {"name": "http"}}},
                }]}}],
            },
        }, depends_on=(namespace,))


def _pod_spec(image: str, labels: dict[str, str], sources: list[dict[str, Any]]) -> dict[str, Any]:
    http = {"path": "/healthz", "port": "http"}
    return {
        "automountServiceAccountToken": False,
        "enableServiceLinks": False,
        "securityContext": {"runAsNonRoot": True, "runAsUser": RUN_AS, "runAsGroup": RUN_AS, "fsGroup": RUN_AS,
                            "seccompProfile": {"type": "RuntimeDefault"}},
        # Replicas on different nodes where possible, so a node's loss leaves the endpoint up.
        "topologySpreadConstraints": [{"maxSkew": 1, "topologyKey": "kubernetes.io/hostname",
                                       "whenUnsatisfiable": "ScheduleAnyway",
                                       "labelSelector": {"matchLabels": labels}}],
        "containers": [{
            "name": "catalog",
            "image": image,
            "args": serve_args(),
            "ports": [{"name": "http", "containerPort": HTTP_PORT, "protocol": "TCP"}],
            # Up to 60 s to start before liveness counts; ready only once a catalog is loaded.
            "startupProbe": {"httpGet": http, "periodSeconds": 2, "failureThreshold": 30},
            "readinessProbe": {"httpGet": {"path": "/readyz", "port": "http"}, "periodSeconds": 5,
                               "failureThreshold": 2},
            "livenessProbe": {"httpGet": http, "periodSeconds": 10, "timeoutSeconds": 2, "failureThreshold": 3},
            # No CPU limit: throttling would only add latency; memory is bounded (the catalog is in RAM).
            "resources": {"requests": {"cpu": "100m", "memory": "256Mi"}, "limits": {"memory": "512Mi"}},
            "securityContext": {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True,
                                "runAsNonRoot": True, "runAsUser": RUN_AS, "runAsGroup": RUN_AS,
                                "capabilities": {"drop": ["ALL"]}},
            "volumeMounts": [{"name": "catalog", "mountPath": CATALOG_MOUNT, "readOnly": True},
                             {"name": "tmp", "mountPath": "/tmp"}],
        }],
        "volumes": [
            {"name": "catalog", "projected": {"defaultMode": 0o444, "sources": sources}},
            # The root filesystem is read-only: a small scratch /tmp for libraries that want one.
            {"name": "tmp", "emptyDir": {"medium": "Memory", "sizeLimit": "16Mi"}},
        ],
    }
