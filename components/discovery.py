"""``DiscoveryEndpoint``: the mesh catalog (``mesh serve``) on Kubernetes, in the platform stack.

Children (see datamesh/plan/discovery.py and docs/deploying.md): a ``kubernetes`` provider bound
to the stack's ``datamesh:kubeContext`` (never the kubeconfig's current context), a namespace,
the catalog's ConfigMaps, a hardened deployment, a service, a disruption budget, a network
policy, and an ingress when ``discovery.kubernetes.host`` is set.

Each object is registered with exactly the plan's fields, as the plan writes them (the
Kubernetes API's own camelCase): nothing is dropped or renamed on the way, and the plan's
manifests are validated strictly against the Kubernetes OpenAPI schemas in the tests
(tests/plan/test_discovery_manifests.py), so a misspelt field cannot reach a cluster.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from components._context import PlanMismatch, StackContext, expect
from datamesh import resource_types as types
from datamesh.plan import PlannedResource
from datamesh.plan.discovery import KUBE_CONTEXT_PLACEHOLDER
from datamesh.plan.model import PROVIDER_KUBERNETES

TYPE = types.COMPONENT_DISCOVERY

_KINDS: dict[str, tuple[str, str, Callable[..., pulumi.CustomResource], tuple[str, ...]]] = {
    types.KUBERNETES_NAMESPACE: ("v1", "Namespace", k8s.core.v1.Namespace, ()),
    types.KUBERNETES_CONFIG_MAP: ("v1", "ConfigMap", k8s.core.v1.ConfigMap, ("binaryData",)),
    types.KUBERNETES_DEPLOYMENT: ("apps/v1", "Deployment", k8s.apps.v1.Deployment, ("spec",)),
    types.KUBERNETES_SERVICE: ("v1", "Service", k8s.core.v1.Service, ("spec",)),
    types.KUBERNETES_POD_DISRUPTION_BUDGET: ("policy/v1", "PodDisruptionBudget",
                                                 k8s.policy.v1.PodDisruptionBudget, ("spec",)),
    types.KUBERNETES_NETWORK_POLICY: ("networking.k8s.io/v1", "NetworkPolicy",
                                                      k8s.networking.v1.NetworkPolicy, ("spec",)),
    types.KUBERNETES_INGRESS: ("networking.k8s.io/v1", "Ingress",
                                                k8s.networking.v1.Ingress, ("spec",)),
}
"""Type token → apiVersion, kind, the SDK class and the top-level fields the plan gives it
(besides apiVersion, kind and metadata)."""

_PYTHON_ARG = {"binaryData": "binary_data", "spec": "spec"}


def _object(planned: PlannedResource, ctx: StackContext, parent: pulumi.Resource) -> pulumi.CustomResource:
    api_version, kind, cls, fields = _KINDS[planned.type]
    i = expect(planned.name, planned.inputs, ("apiVersion", "kind", "metadata", *fields))
    if (i["apiVersion"], i["kind"]) != (api_version, kind):
        raise PlanMismatch(f"{planned.name}: {i['apiVersion']}/{i['kind']} is not {api_version}/{kind}")
    expect(f"{planned.name}.metadata", i["metadata"], ("name", "labels"), optional=("namespace",))
    args: dict[str, Any] = {_PYTHON_ARG[f]: _plain(i[f]) for f in fields}
    return cls(planned.name, metadata=_plain(i["metadata"]), opts=ctx.options(planned, parent), **args)


def _plain(value: Any) -> Any:
    """A copy of the plan's JSON value (the SDK must not share the plan's dicts)."""
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _provider(planned: PlannedResource, ctx: StackContext, parent: pulumi.Resource) -> k8s.Provider:
    i = expect(planned.name, planned.inputs, ("context", "enableServerSideApply"))
    if i["context"] == KUBE_CONTEXT_PLACEHOLDER:
        raise PlanMismatch(f"{planned.name}: the kube context placeholder was not substituted "
                           "(the program does this from datamesh:kubeContext)")
    return k8s.Provider(planned.name, k8s.ProviderArgs(
        context=i["context"], enable_server_side_apply=i["enableServerSideApply"],
    ), opts=ctx.options(planned, parent))


class DiscoveryEndpoint(pulumi.ComponentResource):
    """The discovery endpoint: a ``kubernetes`` provider and the catalog's workload.

    ``planned`` is the plan's ``datamesh:mesh:DiscoveryEndpoint`` (props: namespace, image,
    replicas, host); ``children`` the planned resources below it, its provider first.
    """

    provider: k8s.Provider
    children: dict[str, pulumi.Resource]

    def __init__(self, planned: PlannedResource, children: Sequence[PlannedResource], ctx: StackContext,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        if planned.type != TYPE:
            raise PlanMismatch(f"{planned.name}: a DiscoveryEndpoint materialises {TYPE}, not {planned.type}")
        props = expect(planned.name, planned.inputs, ("namespace", "image", "replicas", "host"))
        super().__init__(TYPE, planned.name, dict(props), ctx.component_options(planned, opts))
        ctx.add(planned.name, self)
        self.children = {}
        for child in sorted(children, key=lambda r: r.type != PROVIDER_KUBERNETES):
            if child.parent != planned.name or (child.type != PROVIDER_KUBERNETES and child.type not in _KINDS):
                raise PlanMismatch(f"{child.name}: a DiscoveryEndpoint does not materialise {child.type}")
            resource: pulumi.Resource
            if child.type == PROVIDER_KUBERNETES:
                resource = self.provider = _provider(child, ctx, self)
            else:
                resource = _object(child, ctx, self)
            self.children[child.name] = ctx.add(child.name, resource)
        self.register_outputs({"namespace": props["namespace"], "host": props["host"]})
