"""Platform resources: the platform account's provider and the discovery endpoint."""

from __future__ import annotations

from typing import Any

from datamesh import resource_types as types
from datamesh.plan import naming
from datamesh.plan.context import COMPONENT_DISCOVERY, PlanContext
from datamesh.plan.domain import aws_provider
from datamesh.plan.model import PROVIDER_KUBERNETES, PlannedResource

PLATFORM_PROVIDER = "_platform.aws"
DISCOVERY = "_platform.discovery"
KUBERNETES_PROVIDER = "_platform.discovery.k8s"
DISCOVERY_PORT = 8080


def plan_platform(ctx: PlanContext) -> None:
    platform = ctx.mesh.spec.platform
    aws_provider(ctx, PLATFORM_PROVIDER, platform.accounts[ctx.env], platform.region,
                 parent=None, domain=None)
    discovery = ctx.mesh.spec.discovery
    if discovery is None:
        return
    k8s = discovery.kubernetes
    labels = {"app.kubernetes.io/name": "mesh-discovery", "app.kubernetes.io/part-of": ctx.name}
    ctx.add(PlannedResource(type=COMPONENT_DISCOVERY, name=DISCOVERY, inputs={
        "namespace": k8s.namespace, "image": k8s.image, "replicas": k8s.replicas, "host": k8s.host}))
    ctx.add(PlannedResource(type=PROVIDER_KUBERNETES, name=KUBERNETES_PROVIDER, parent=DISCOVERY,
                            inputs={}))

    def child(type_token: str, suffix: str, inputs: dict[str, Any]) -> None:
        ctx.add(PlannedResource(type=type_token, name=naming.child(DISCOVERY, suffix), parent=DISCOVERY,
                                provider=KUBERNETES_PROVIDER, inputs=inputs))

    meta = {"name": "mesh-discovery", "namespace": k8s.namespace, "labels": labels}
    child(types.KUBERNETES_NAMESPACE, "namespace", {
        "apiVersion": "v1", "kind": "Namespace", "metadata": {"name": k8s.namespace, "labels": labels}})
    child(types.KUBERNETES_DEPLOYMENT, "deployment", {
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta,
        "spec": {
            "replicas": k8s.replicas,
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {
                    "automountServiceAccountToken": False,
                    "securityContext": {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}},
                    "containers": [{
                        "name": "catalog",
                        "image": k8s.image,
                        "args": ["serve", "--host", "0.0.0.0", "--port", str(DISCOVERY_PORT)],
                        "ports": [{"name": "http", "containerPort": DISCOVERY_PORT}],
                        "readinessProbe": {"httpGet": {"path": "/healthz", "port": "http"}},
                        "livenessProbe": {"httpGet": {"path": "/healthz", "port": "http"}},
                        "resources": {"requests": {"cpu": "50m", "memory": "128Mi"},
                                      "limits": {"memory": "512Mi"}},
                        "securityContext": {"allowPrivilegeEscalation": False,
                                            "readOnlyRootFilesystem": True,
                                            "capabilities": {"drop": ["ALL"]}},
                    }],
                },
            },
        },
    })
    child(types.KUBERNETES_SERVICE, "service", {
        "apiVersion": "v1", "kind": "Service", "metadata": meta,
        "spec": {"selector": labels, "ports": [{"name": "http", "port": 80, "targetPort": "http"}]},
    })
    if k8s.host:
        child(types.KUBERNETES_INGRESS, "ingress", {
            "apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": meta,
            "spec": {"rules": [{"host": k8s.host, "http": {"paths": [{
                "path": "/", "pathType": "Prefix",
                "backend": {"service": {"name": "mesh-discovery", "port": {"name": "http"}}},
            }]}}]},
        })
