"""Pulumi mocks that capture exactly what the engine would receive, and the Plan-vs-engine diff.

``MeshMocks.new_resource`` returns a resource's inputs as its outputs (so ``bucket.bucket`` is
the planned name) plus ``arn``: by default the plan's own placeholder ``${<name>.arn}``, so a
policy embedding a key's ARN resolves to the plan's text; ``arns`` may give real-looking ARNs
instead, to prove the components substitute the real Output rather than copying placeholders.

``CapturingMonitor`` keeps every ``RegisterResourceRequest`` whole. The conformance check
compares **every field of that protobuf message** (``RegisterResourceRequest.DESCRIPTOR.fields``,
not a list of options someone thought of) with what the plan says, in four classes:

- ``PLANNED_FIELDS``: what the plan states — type, name, parent, custom (not a component),
  object (the inputs), provider, protect, retainOnDelete, dependencies, propertyDependencies
  and aliases — must equal the plan's value (normalised as below);
- ``SDK_FIELDS``: what the Pulumi SDK sets on every registration whatever the program says —
  each with its exact expected value (``sdk_expected``);
- ``SOURCE_FIELDS``: where in the program's source the call was made (a position and a stack
  trace for error messages): they change nothing in a deployment and are not compared;
- every other field, including any field a future SDK adds: must be at its protobuf default
  (unset, empty, false, ""). ``ignore_changes``, ``delete_before_replace``,
  ``replace_on_changes``, ``custom_timeouts``, ``import_``, ``deleted_with``,
  ``plugin_download_url``, ``transforms``, hooks … that the plan does not state fail the check,
  naming the field.

Normalisations of the planned fields, each exact:

1. null inputs: the engine never receives a null property (the SDK drops it), so the plan side
   drops keys whose value is None (e.g. an AccessGrant's ``until`` when the grant has no end);
2. numbers: mocks deliver every number as a float, so an engine float is turned back into an
   int where the plan has an int at the same place (``json.dumps`` then compares types: a
   ``true`` never equals ``1``);
3. ``pulumi:providers:aws``: pulumi-aws JSON-encodes every non-string provider input
   (``AWS_PROVIDER_JSON_INPUTS``) and adds two defaults of its own (``AWS_PROVIDER_SDK_DEFAULTS``);
   the engine side is decoded and the defaults removed after checking their exact values;
4. URNs (parent, provider, dependencies) are turned back into logical names; ``object`` is
   compared as the mocks deserialised it (``rpc.deserialize_properties`` of the same request).

Dependencies: the engine's ``dependencies`` are the plan's ``depends_on`` plus the implicit
ones the components create by passing real Outputs: every resource named by a placeholder in
the inputs (``${playlist.key.arn}`` → ``playlist.key``) and, for a bucket's settings and
access points, the bucket whose physical name is the ``bucket`` input. ``propertyDependencies``
are the same, input by input: every input the engine received is listed, with the resources
its value was computed from.
"""

from __future__ import annotations

import importlib.metadata
import json
import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi
from google.protobuf import json_format
from google.protobuf.descriptor import FieldDescriptor
from pulumi.runtime.mocks import MockCallArgs, MockMonitor, MockResourceArgs, Mocks
from pulumi.runtime.settings import set_root_resource

from datamesh.plan import Plan, PlannedResource, placeholder

STACK_TYPE = "pulumi:pulumi:Stack"
BUCKET_TYPE = "aws:s3/bucket:Bucket"
AWS_PROVIDER_JSON_INPUTS = ("allowedAccountIds", "assumeRoles", "defaultTags")
"""pulumi_aws.Provider wraps these in ``pulumi.runtime.to_json`` (see pulumi_aws/provider.py)."""
AWS_PROVIDER_SDK_DEFAULTS = {"skipCredentialsValidation": "false", "skipRegionValidation": "true"}
"""pulumi_aws.Provider sets these when not given (JSON-encoded, like every non-string input)."""
KUBERNETES_ENV = ("KUBECONFIG", "PULUMI_K8S_DELETE_UNREACHABLE", "PULUMI_K8S_ENABLE_CONFIGMAP_MUTABLE",
                  "PULUMI_K8S_ENABLE_PATCH_FORCE", "PULUMI_K8S_ENABLE_SECRET_MUTABLE",
                  "PULUMI_K8S_ENABLE_SERVER_SIDE_APPLY", "PULUMI_K8S_SKIP_UPDATE_UNREACHABLE",
                  "PULUMI_K8S_SUPPRESS_DEPRECATION_WARNINGS", "PULUMI_K8S_SUPPRESS_HELM_HOOK_WARNINGS",
                  "PULUMI_K8S_UPSERT_EXISTING_OBJECTS")
"""pulumi_kubernetes.Provider reads these from the environment into its inputs: tests unset them."""
_PLACEHOLDER_REF = re.compile(r"\$\{([^{}]+)\.[A-Za-z][A-Za-z0-9]*\}")


@dataclass(frozen=True, slots=True)
class Registration:
    """One RegisterResource call, with URNs turned back into logical names."""

    type: str
    name: str
    parent: str | None
    provider: str | None
    inputs: dict[str, Any]
    protect: bool
    retain_on_delete: bool
    dependencies: frozenset[str]
    custom: bool
    request: Any
    """The whole ``RegisterResourceRequest`` (the conformance check reads every field)."""


class MeshMocks(Mocks):
    def __init__(self, arns: Mapping[str, str] | None = None) -> None:
        self.arns = dict(arns or {})
        self.inputs: dict[str, dict[str, Any]] = {}

    def new_resource(self, args: MockResourceArgs) -> tuple[str, dict[str, Any]]:
        if args.name in self.inputs:
            raise AssertionError(f"{args.name} registered twice")
        self.inputs[args.name] = dict(args.inputs)
        outputs = dict(args.inputs)
        if args.custom and not args.typ.startswith("pulumi:providers:"):
            outputs["arn"] = self.arns.get(args.name, placeholder(args.name, "arn"))
        return f"{args.name}-id", outputs

    def call(self, args: MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        raise AssertionError(f"the program must not call provider functions: {args.token}")


def _name_of(urn: str) -> str:
    return urn.rsplit("::", 1)[1]


class CapturingMonitor(MockMonitor):
    def __init__(self, mocks: MeshMocks) -> None:
        super().__init__(mocks)
        self.mesh_mocks = mocks
        self.requests: dict[str, Any] = {}
        self.outputs: dict[str, dict[str, Any]] = {}
        """Each component's registered outputs (what a deployed stack policy sees), by name."""

    def RegisterResourceOutputs(self, request: Any) -> Any:
        from google.protobuf import json_format

        if not request.urn.split("::")[2].endswith(STACK_TYPE):
            self.outputs[_name_of(request.urn)] = json_format.MessageToDict(request.outputs)
        return super().RegisterResourceOutputs(request)

    def RegisterResource(self, request: Any) -> Any:
        if request.type != STACK_TYPE:
            self.requests[request.name] = request
        return super().RegisterResource(request)

    def registrations(self) -> dict[str, Registration]:
        out: dict[str, Registration] = {}
        for name, request in self.requests.items():
            parent = _name_of(request.parent) if request.parent else None
            if parent is not None and request.parent.split("::")[2].endswith(STACK_TYPE):
                parent = None
            provider = _name_of(request.provider.rsplit("::", 1)[0]) if request.provider else None
            out[name] = Registration(
                type=request.type, name=name, parent=parent, provider=provider,
                inputs=self.mesh_mocks.inputs[name],
                protect=bool(request.protect), retain_on_delete=bool(request.retainOnDelete),
                dependencies=frozenset(_name_of(u) for u in request.dependencies),
                custom=bool(request.custom),
                request=request,
            )
        return out


@dataclass
class Engine:
    """One mocked Pulumi engine: its mocks, its capturing monitor, and what it logged."""

    mocks: MeshMocks
    monitor: CapturingMonitor
    logs: list[tuple[str, str]] = field(default_factory=list)

    def registrations(self) -> dict[str, Registration]:
        return self.monitor.registrations()


class _ListHandler(logging.Handler):
    def __init__(self, sink: list[tuple[str, str]]) -> None:
        super().__init__(logging.INFO)
        self.sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        self.sink.append((record.levelname.lower(), record.getMessage()))


def start_engine(stack: str = "dev", project: str = "datamesh", config: Mapping[str, str] | None = None,
                 arns: Mapping[str, str] | None = None) -> Engine:
    mocks = MeshMocks(arns)
    monitor = CapturingMonitor(mocks)
    engine = Engine(mocks, monitor)
    logger = logging.getLogger(f"pulumi-mocks-{id(engine)}")
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    logger.addHandler(_ListHandler(engine.logs))
    # A new root Stack per engine: set_mocks keeps the previous one (and its outputs) otherwise.
    set_root_resource(None)  # type: ignore[arg-type]
    pulumi.runtime.set_mocks(mocks, project=project, stack=stack, preview=False, logger=logger, monitor=monitor)
    pulumi.runtime.set_all_config(dict(config or {}))
    return engine


def wait_for(resources: Iterable[pulumi.Resource], *extra: Any) -> pulumi.Output[Any]:
    """An Output resolved once every resource is registered (return it from the test)."""
    return pulumi.Output.all(*[r.urn for r in resources], *extra)


# --- the comparison ---------------------------------------------------------------------------

PLANNED_FIELDS = ("type", "name", "parent", "custom", "object", "provider", "protect", "retainOnDelete",
                  "dependencies", "propertyDependencies", "aliases")
"""Fields of ``RegisterResourceRequest`` whose value the plan states."""
SDK_FIELDS = ("acceptSecrets", "acceptResources", "supportsPartialValues", "supportsResultReporting", "version",
              "additionalSecretOutputs", "hooks")
"""Fields the SDK sets on every registration, whatever the program says (see ``sdk_expected``)."""
SOURCE_FIELDS = ("sourcePosition", "stackTrace", "parentStackTraceHandle")
"""Where the registering call is in the program's source: for error messages, not compared."""
SDK_SECRET_OUTPUTS = {
    "pulumi:providers:aws": ["accessKey", "secretKey", "token"],
    "aws:kms/grant:Grant": ["grantToken"],
}
"""Outputs the provider SDK itself marks secret (pulumi_aws.Provider: its credentials)."""
SDK_TYPE_ALIASES = {
    # pulumi-aws v7 renamed the V2 bucket classes back; each carries its old type (Bucket twice).
    "aws:s3/bucket:Bucket": ["aws:s3/bucketV2:BucketV2", "aws:s3/bucketV2:BucketV2"],
    "aws:s3/bucketVersioning:BucketVersioning": ["aws:s3/bucketVersioningV2:BucketVersioningV2"],
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": [
        "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2"],
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": [
        "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2"],
    # pulumi-kubernetes: the API versions a Deployment or Ingress was served under before.
    "kubernetes:apps/v1:Deployment": ["kubernetes:apps/v1beta1:Deployment", "kubernetes:apps/v1beta2:Deployment",
                                      "kubernetes:extensions/v1beta1:Deployment"],
    "kubernetes:networking.k8s.io/v1:Ingress": ["kubernetes:extensions/v1beta1:Ingress",
                                                "kubernetes:networking.k8s.io/v1beta1:Ingress"],
}
"""Type aliases the provider SDKs add to every resource of a class (``Alias(type_=...)``): the
``aliases`` of a request are these plus the plan's former names, nothing else."""
_PACKAGES = {"aws": "pulumi_aws", "kubernetes": "pulumi_kubernetes"}


def sdk_version(type_token: str) -> str:
    """The version a custom resource's SDK sends: its package's (``pulumi:providers:aws`` → pulumi_aws)."""
    package = type_token.split(":")[2] if type_token.startswith("pulumi:providers:") else type_token.split(":")[0]
    return importlib.metadata.version(_PACKAGES[package])


def sdk_expected(r: PlannedResource) -> dict[str, Any]:
    """The exact value of each ``SDK_FIELDS`` field for a planned resource, as JSON."""
    expected: dict[str, Any] = {
        "acceptSecrets": True, "acceptResources": True, "supportsPartialValues": True,
        "supportsResultReporting": True,
        "hooks": {},  # an empty ResourceHooksBinding: no resource hooks
    }
    if not r.is_component:
        expected["version"] = sdk_version(r.type)
    if r.type in SDK_SECRET_OUTPUTS:
        expected["additionalSecretOutputs"] = SDK_SECRET_OUTPUTS[r.type]
    return expected


def _is_set(message: Any, f: FieldDescriptor) -> bool:
    """Whether a field differs from the protobuf default (unset, empty, false, 0, "")."""
    if f.label == FieldDescriptor.LABEL_REPEATED:
        return len(getattr(message, f.name)) > 0
    if f.has_presence:
        return bool(message.HasField(f.name))
    return bool(getattr(message, f.name) != f.default_value)


def _as_json(message: Any, f: FieldDescriptor) -> Any:
    """One field of a message as JSON (messages through ``json_format``)."""
    value = getattr(message, f.name)
    if f.type != FieldDescriptor.TYPE_MESSAGE:
        return list(value) if f.label == FieldDescriptor.LABEL_REPEATED else value
    if f.label == FieldDescriptor.LABEL_REPEATED:
        if f.message_type.GetOptions().map_entry:
            return {k: json_format.MessageToDict(v) if hasattr(v, "DESCRIPTOR") else v for k, v in value.items()}
        return [json_format.MessageToDict(v) for v in value]
    return json_format.MessageToDict(value)


def _drop_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_nulls(v) for v in value]
    return value


def _ints_like(engine: Any, planned: Any) -> Any:
    """``engine`` with floats turned back into ints where ``planned`` has an int."""
    if isinstance(planned, bool):
        return engine
    if isinstance(planned, int) and isinstance(engine, float) and engine == planned:
        return planned
    if isinstance(planned, dict) and isinstance(engine, dict):
        return {k: _ints_like(v, planned.get(k)) for k, v in engine.items()}
    if isinstance(planned, list) and isinstance(engine, list) and len(planned) == len(engine):
        return [_ints_like(e, p) for e, p in zip(engine, planned, strict=True)]
    return engine


def engine_inputs(reg: Registration, planned_inputs: Mapping[str, Any]) -> dict[str, Any]:
    inputs = dict(reg.inputs)
    if reg.type == "pulumi:providers:aws":
        for key, expected in AWS_PROVIDER_SDK_DEFAULTS.items():
            assert inputs.pop(key, None) == expected, f"{reg.name}: SDK default {key} is not {expected}"
        for key in AWS_PROVIDER_JSON_INPUTS:
            if key in inputs:
                assert isinstance(inputs[key], str), f"{reg.name}.{key} was not JSON-encoded"
                inputs[key] = json.loads(inputs[key])
    return _ints_like(inputs, _drop_nulls(dict(planned_inputs)))


def _references(value: Any, buckets: Mapping[str, str], key: str, r: PlannedResource) -> set[str]:
    """The planned resources an input's value is computed from (see the module docstring)."""
    deps = set(_PLACEHOLDER_REF.findall(json.dumps(value)))
    if key == "bucket" and r.type != BUCKET_TYPE and not r.is_component and isinstance(value, str) \
            and value in buckets:
        deps.add(buckets[value])
    return deps


def implicit_dependencies(r: PlannedResource, buckets: Mapping[str, str]) -> set[str]:
    """Resources the components reach through real Outputs (see the module docstring)."""
    return {d for key, value in r.inputs.items() for d in _references(value, buckets, key, r)}


def _sorted_aliases(specs: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(specs, key=canonical)  # the engine tries every alias: their order means nothing


def _alias_specs(r: PlannedResource) -> list[dict[str, Any]]:
    """The alias specs of a planned resource: the SDK's type aliases and, for each former name,
    what the SDK sends for ``pulumi.Alias(name=...)`` (the name, the current parent)."""
    return _sorted_aliases([*({"spec": {"type": t, "parentUrn": ""}} for t in SDK_TYPE_ALIASES.get(r.type, [])),
                            *({"spec": {"name": n, "parentUrn": ""}} for n in r.options.aliases)])


def plan_view(plan: Plan) -> dict[str, dict[str, Any]]:
    """Per resource, the request fields the plan states and the SDK's constants, as JSON."""
    buckets = {r.inputs["bucket"]: r.name for r in plan.resources if r.type == BUCKET_TYPE}
    out: dict[str, dict[str, Any]] = {}
    for r in plan.resources:
        inputs = _drop_nulls(dict(r.inputs))
        keys = list(inputs) + (list(AWS_PROVIDER_SDK_DEFAULTS) if r.type == "pulumi:providers:aws" else [])
        view: dict[str, Any] = {
            "type": r.type,
            "name": r.name,
            "parent": r.parent,
            "custom": not r.is_component,
            "object": inputs,
            "provider": r.provider,
            "protect": r.options.protect,
            "retainOnDelete": r.options.retain_on_delete,
            "dependencies": sorted(set(r.options.depends_on) | implicit_dependencies(r, buckets)),
            "propertyDependencies": {k: sorted(_references(inputs.get(k), buckets, k, r)) for k in sorted(keys)},
            "aliases": _alias_specs(r),
        }
        view.update(sdk_expected(r))
        out[r.name] = view
    return out


def _request_view(reg: Registration, planned: PlannedResource | None) -> dict[str, Any]:
    """Every field of the request that is set (PLANNED ones always), normalised like the plan."""
    request = reg.request
    view: dict[str, Any] = {
        "type": reg.type,
        "name": reg.name,
        "parent": reg.parent,
        "custom": reg.custom,
        "object": engine_inputs(reg, planned.inputs) if planned is not None else reg.inputs,
        "provider": reg.provider,
        "protect": reg.protect,
        "retainOnDelete": reg.retain_on_delete,
        "dependencies": sorted(reg.dependencies),
        "propertyDependencies": {k: sorted(_name_of(u) for u in v.urns)
                                 for k, v in sorted(request.propertyDependencies.items())},
        "aliases": _sorted_aliases(json_format.MessageToDict(a) for a in request.aliases),
    }
    for f in request.DESCRIPTOR.fields:
        if f.name not in PLANNED_FIELDS and f.name not in SOURCE_FIELDS and _is_set(request, f):
            view[f.name] = _as_json(request, f)
    return view


def engine_view(plan: Plan, registrations: Mapping[str, Registration]) -> dict[str, dict[str, Any]]:
    planned = plan.by_name()
    return {reg.name: _request_view(reg, planned.get(reg.name)) for reg in registrations.values()}


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, indent=1)


def differences(plan: Plan, registrations: Mapping[str, Registration]) -> list[str]:
    """One line per request field that differs from the plan: ``<name> <field>: plan …, engine …``."""
    expected, actual = plan_view(plan), engine_view(plan, registrations)
    lines = [f"{name}: not registered" for name in expected if name not in actual]
    lines += [f"{name}: registered but not planned" for name in actual if name not in expected]
    for name in (n for n in expected if n in actual):
        for key in sorted(set(expected[name]) | set(actual[name])):
            want, got = expected[name].get(key, "<default>"), actual[name].get(key, "<default>")
            if canonical(want) != canonical(got):
                lines.append(f"{name} {key}: plan {json.dumps(want)[:200]}, engine {json.dumps(got)[:200]}")
    return lines


def assert_conforms(plan: Plan, registrations: Mapping[str, Registration]) -> None:
    """What the engine received is exactly the plan: same resources, every request field equal."""
    lines = differences(plan, registrations)
    assert not lines, f"{len(lines)} request fields differ from the plan:\n" + "\n".join(lines[:20])
