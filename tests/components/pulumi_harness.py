"""Pulumi mocks that capture exactly what the engine would receive, and the Plan-vs-engine diff.

``MeshMocks.new_resource`` returns a resource's inputs as its outputs (so ``bucket.bucket`` is
the planned name) plus ``arn``: by default the plan's own placeholder ``${<name>.arn}``, so a
policy embedding a key's ARN resolves to the plan's text; ``arns`` may give real-looking ARNs
instead, to prove the components substitute the real Output rather than copying placeholders.

``CapturingMonitor`` wraps ``MockMonitor.RegisterResource``: its request carries what
``MockResourceArgs`` lacks — the parent URN, the provider reference (``<urn>::<id>``),
``protect``, ``retainOnDelete``, ``dependencies`` and ``custom``.

``engine_view`` / ``plan_view`` put both sides in one shape. The normalisations, each exact:

1. null inputs: the engine never receives a null property (the SDK drops it), so the plan side
   drops keys whose value is None (e.g. an AccessGrant's ``until`` when the grant has no end);
2. numbers: mocks deliver every number as a float, so an engine float is turned back into an
   int where the plan has an int at the same place (``json.dumps`` then compares types: a
   ``true`` never equals ``1``);
3. ``pulumi:providers:aws``: pulumi-aws JSON-encodes every non-string provider input
   (``AWS_PROVIDER_JSON_INPUTS``) and adds two defaults of its own (``AWS_PROVIDER_SDK_DEFAULTS``);
   the engine side is decoded and the defaults removed after checking their exact values.

Dependencies: the engine's ``dependencies`` are the plan's ``depends_on`` plus the implicit
ones the components create by passing real Outputs: every resource named by a placeholder in
the inputs (``${playlist.key.arn}`` → ``playlist.key``) and, for a bucket's settings and
access points, the bucket whose physical name is the ``bucket`` input.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi
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


def implicit_dependencies(r: PlannedResource, buckets: Mapping[str, str]) -> set[str]:
    """Resources the components reach through real Outputs (see the module docstring)."""
    deps = set(_PLACEHOLDER_REF.findall(json.dumps(r.inputs)))
    bucket = r.inputs.get("bucket")
    if r.type != BUCKET_TYPE and not r.is_component and isinstance(bucket, str) and bucket in buckets:
        deps.add(buckets[bucket])
    return deps


def plan_view(plan: Plan) -> dict[str, dict[str, Any]]:
    buckets = {r.inputs["bucket"]: r.name for r in plan.resources if r.type == BUCKET_TYPE}
    return {r.name: {
        "type": r.type,
        "parent": r.parent,
        "provider": r.provider,
        "custom": not r.is_component,
        "protect": r.options.protect,
        "retainOnDelete": r.options.retain_on_delete,
        "dependencies": sorted(set(r.options.depends_on) | implicit_dependencies(r, buckets)),
        "inputs": _drop_nulls(dict(r.inputs)),
    } for r in plan.resources}


def engine_view(plan: Plan, registrations: Mapping[str, Registration]) -> dict[str, dict[str, Any]]:
    planned = plan.by_name()
    return {reg.name: {
        "type": reg.type,
        "parent": reg.parent,
        "provider": reg.provider,
        "custom": reg.custom,
        "protect": reg.protect,
        "retainOnDelete": reg.retain_on_delete,
        "dependencies": sorted(reg.dependencies),
        "inputs": engine_inputs(reg, planned[reg.name].inputs) if reg.name in planned else reg.inputs,
    } for reg in registrations.values()}


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, indent=1)


def assert_conforms(plan: Plan, registrations: Mapping[str, Registration]) -> None:
    """What the engine received is exactly the plan: same resources, each field equal."""
    expected, actual = plan_view(plan), engine_view(plan, registrations)
    assert sorted((v["type"], k) for k, v in actual.items()) == \
        sorted((v["type"], k) for k, v in expected.items())
    differing = [name for name in expected if canonical(actual[name]) != canonical(expected[name])]
    if differing:
        first = differing[0]
        assert canonical(actual[first]) == canonical(expected[first]), \
            f"{len(differing)} resources differ from the plan, first {first}: {differing[:8]}"
