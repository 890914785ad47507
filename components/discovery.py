"""``DiscoveryEndpoint``: the mesh catalog (``mesh serve``) on Kubernetes, in the platform.

Children (see docs/resources.md): a ``kubernetes`` provider (the ambient kubeconfig:
``KUBECONFIG`` and its current context, as ``kubectl`` uses them), a namespace, a hardened
deployment, a service, and an ingress when ``discovery.kubernetes.host`` is set.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from components._context import PlanMismatch, StackContext, expect
from datamesh.plan import PlannedResource
from datamesh.plan.model import PROVIDER_KUBERNETES

TYPE = "datamesh:mesh:DiscoveryEndpoint"


def _metadata(where: str, meta: Mapping[str, Any]) -> k8s.meta.v1.ObjectMetaArgs:
    meta = expect(where, meta, (), optional=("name", "namespace", "labels"))
    return k8s.meta.v1.ObjectMetaArgs(
        name=meta.get("name"),
        namespace=meta.get("namespace"),
        labels=dict(meta["labels"]) if "labels" in meta else None,
    )


def _object(planned: PlannedResource, api_version: str, kind: str) -> Mapping[str, Any]:
    """The inputs of a Kubernetes object, checked to be of the kind its class registers."""
    i = expect(planned.name, planned.inputs, ("apiVersion", "kind", "metadata"), optional=("spec",))
    if (i["apiVersion"], i["kind"]) != (api_version, kind):
        raise PlanMismatch(f"{planned.name}: {i['apiVersion']}/{i['kind']} is not {api_version}/{kind}")
    return i


def _probe(where: str, probe: Mapping[str, Any]) -> k8s.core.v1.ProbeArgs:
    get = expect(where, probe, ("httpGet",))["httpGet"]
    get = expect(f"{where}.httpGet", get, ("path", "port"))
    return k8s.core.v1.ProbeArgs(http_get=k8s.core.v1.HTTPGetActionArgs(path=get["path"], port=get["port"]))


def _container(where: str, c: Mapping[str, Any]) -> k8s.core.v1.ContainerArgs:
    c = expect(where, c, ("name", "image", "args", "ports", "readinessProbe", "livenessProbe", "resources",
                          "securityContext"))
    resources = expect(f"{where}.resources", c["resources"], ("requests", "limits"))
    security = expect(f"{where}.securityContext", c["securityContext"],
                      ("allowPrivilegeEscalation", "readOnlyRootFilesystem", "capabilities"))
    capabilities = expect(f"{where}.securityContext.capabilities", security["capabilities"], ("drop",))
    return k8s.core.v1.ContainerArgs(
        name=c["name"],
        image=c["image"],
        args=list(c["args"]),
        ports=[k8s.core.v1.ContainerPortArgs(name=p["name"], container_port=p["containerPort"])
               for p in (expect(f"{where}.ports", p, ("name", "containerPort")) for p in c["ports"])],
        readiness_probe=_probe(f"{where}.readinessProbe", c["readinessProbe"]),
        liveness_probe=_probe(f"{where}.livenessProbe", c["livenessProbe"]),
        resources=k8s.core.v1.ResourceRequirementsArgs(requests=dict(resources["requests"]),
                                                       limits=dict(resources["limits"])),
        security_context=k8s.core.v1.SecurityContextArgs(
            allow_privilege_escalation=security["allowPrivilegeEscalation"],
            read_only_root_filesystem=security["readOnlyRootFilesystem"],
            capabilities=k8s.core.v1.CapabilitiesArgs(drop=list(capabilities["drop"])),
        ),
    )


def _namespace(planned: PlannedResource, ctx: StackContext, parent: pulumi.Resource) -> k8s.core.v1.Namespace:
    i = _object(planned, "v1", "Namespace")
    if "spec" in i:
        raise PlanMismatch(f"{planned.name}: a namespace spec is not materialised")
    return k8s.core.v1.Namespace(planned.name, k8s.core.v1.NamespaceInitArgs(
        metadata=_metadata(f"{planned.name}.metadata", i["metadata"]),
    ), opts=ctx.options(planned, parent))


def _deployment(planned: PlannedResource, ctx: StackContext, parent: pulumi.Resource) -> k8s.apps.v1.Deployment:
    i = _object(planned, "apps/v1", "Deployment")
    where = f"{planned.name}.spec"
    spec = expect(where, i["spec"], ("replicas", "selector", "template"))
    selector = expect(f"{where}.selector", spec["selector"], ("matchLabels",))
    template = expect(f"{where}.template", spec["template"], ("metadata", "spec"))
    pod = expect(f"{where}.template.spec", template["spec"],
                 ("automountServiceAccountToken", "securityContext", "containers"))
    pod_security = expect(f"{where}.template.spec.securityContext", pod["securityContext"],
                          ("runAsNonRoot", "seccompProfile"))
    seccomp = expect(f"{where}.template.spec.securityContext.seccompProfile", pod_security["seccompProfile"],
                     ("type",))
    return k8s.apps.v1.Deployment(planned.name, k8s.apps.v1.DeploymentInitArgs(
        metadata=_metadata(f"{planned.name}.metadata", i["metadata"]),
        spec=k8s.apps.v1.DeploymentSpecArgs(
            replicas=spec["replicas"],
            selector=k8s.meta.v1.LabelSelectorArgs(match_labels=dict(selector["matchLabels"])),
            template=k8s.core.v1.PodTemplateSpecArgs(
                metadata=_metadata(f"{where}.template.metadata", template["metadata"]),
                spec=k8s.core.v1.PodSpecArgs(
                    automount_service_account_token=pod["automountServiceAccountToken"],
                    security_context=k8s.core.v1.PodSecurityContextArgs(
                        run_as_non_root=pod_security["runAsNonRoot"],
                        seccomp_profile=k8s.core.v1.SeccompProfileArgs(type=seccomp["type"]),
                    ),
                    containers=[_container(f"{where}.template.spec.containers[{n}]", c)
                                for n, c in enumerate(pod["containers"])],
                ),
            ),
        ),
    ), opts=ctx.options(planned, parent))


def _service(planned: PlannedResource, ctx: StackContext, parent: pulumi.Resource) -> k8s.core.v1.Service:
    i = _object(planned, "v1", "Service")
    spec = expect(f"{planned.name}.spec", i["spec"], ("selector", "ports"))
    ports = [expect(f"{planned.name}.spec.ports", p, ("name", "port", "targetPort")) for p in spec["ports"]]
    return k8s.core.v1.Service(planned.name, k8s.core.v1.ServiceInitArgs(
        metadata=_metadata(f"{planned.name}.metadata", i["metadata"]),
        spec=k8s.core.v1.ServiceSpecArgs(
            selector=dict(spec["selector"]),
            ports=[k8s.core.v1.ServicePortArgs(name=p["name"], port=p["port"], target_port=p["targetPort"])
                   for p in ports],
        ),
    ), opts=ctx.options(planned, parent))


def _ingress_path(where: str, path: Mapping[str, Any]) -> k8s.networking.v1.HTTPIngressPathArgs:
    path = expect(where, path, ("path", "pathType", "backend"))
    service = expect(f"{where}.backend", path["backend"], ("service",))["service"]
    service = expect(f"{where}.backend.service", service, ("name", "port"))
    port = expect(f"{where}.backend.service.port", service["port"], ("name",))
    return k8s.networking.v1.HTTPIngressPathArgs(
        path=path["path"],
        path_type=path["pathType"],
        backend=k8s.networking.v1.IngressBackendArgs(service=k8s.networking.v1.IngressServiceBackendArgs(
            name=service["name"], port=k8s.networking.v1.ServiceBackendPortArgs(name=port["name"]))),
    )


def _ingress(planned: PlannedResource, ctx: StackContext, parent: pulumi.Resource) -> k8s.networking.v1.Ingress:
    i = _object(planned, "networking.k8s.io/v1", "Ingress")
    where = f"{planned.name}.spec"
    rules = []
    for rule in expect(where, i["spec"], ("rules",))["rules"]:
        rule = expect(f"{where}.rules", rule, ("host", "http"))
        http = expect(f"{where}.rules.http", rule["http"], ("paths",))
        rules.append(k8s.networking.v1.IngressRuleArgs(
            host=rule["host"],
            http=k8s.networking.v1.HTTPIngressRuleValueArgs(
                paths=[_ingress_path(f"{where}.rules.http.paths", p) for p in http["paths"]]),
        ))
    return k8s.networking.v1.Ingress(planned.name, k8s.networking.v1.IngressInitArgs(
        metadata=_metadata(f"{planned.name}.metadata", i["metadata"]),
        spec=k8s.networking.v1.IngressSpecArgs(rules=rules),
    ), opts=ctx.options(planned, parent))


def _provider(planned: PlannedResource, ctx: StackContext, parent: pulumi.Resource) -> k8s.Provider:
    expect(planned.name, planned.inputs, ())
    return k8s.Provider(planned.name, k8s.ProviderArgs(), opts=ctx.options(planned, parent))


_BUILDERS = {
    PROVIDER_KUBERNETES: _provider,
    "kubernetes:core/v1:Namespace": _namespace,
    "kubernetes:apps/v1:Deployment": _deployment,
    "kubernetes:core/v1:Service": _service,
    "kubernetes:networking.k8s.io/v1:Ingress": _ingress,
}


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
            builder = _BUILDERS.get(child.type)
            if builder is None or child.parent != planned.name:
                raise PlanMismatch(f"{child.name}: a DiscoveryEndpoint does not materialise {child.type}")
            resource = ctx.add(child.name, builder(child, ctx, self))
            if isinstance(resource, k8s.Provider):
                self.provider = resource
            self.children[child.name] = resource
        self.register_outputs({"namespace": props["namespace"], "host": props["host"]})
