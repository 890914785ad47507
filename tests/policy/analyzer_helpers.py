"""A stand-in for the Pulumi engine's side of the analyzer protocol, for the pack tests.

It turns resource views into the protobuf requests ``pulumi preview`` sends a policy pack:
camelCase ``Struct`` props (numbers become floats), an aws provider's lists JSON-encoded as the
Pulumi SDK sends them, URNs with the parent type chain, the ``protect`` option, and the
``--policy-pack-config`` as ``Configure``. The servicer is pulumi-policy's own
``_PolicyAnalyzerServicer``, given the pack's policies; ``__main__.py`` is never imported.
"""

from __future__ import annotations

import json
import re
import sys
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from google.protobuf import struct_pb2
from policy_helpers import TODAY
from pulumi.runtime import proto
from pulumi.runtime.proto import analyzer_pb2
from pulumi_policy import EnforcementLevel
from pulumi_policy.policy import _PolicyAnalyzerServicer

from datamesh.policy import ResourceView

PACK_DIR = Path(__file__).resolve().parents[2] / "policy_packs" / "mesh-guardrails"
sys.path.insert(0, str(PACK_DIR))
import mesh_guardrails  # noqa: E402  (the adapter; never the pack's __main__)

STACK, PROJECT = "dev", "datamesh"
LEVEL = {"advisory": proto.ADVISORY, "mandatory": proto.MANDATORY, "disabled": proto.DISABLED}
SEVERITY = {"low": proto.POLICY_SEVERITY_LOW, "medium": proto.POLICY_SEVERITY_MEDIUM,
            "high": proto.POLICY_SEVERITY_HIGH, "critical": proto.POLICY_SEVERITY_CRITICAL}


# --- an engine stand-in: requests as `pulumi preview` sends them ----------------------------------


def struct(data: Mapping[str, Any]) -> struct_pb2.Struct:
    s = struct_pb2.Struct()
    s.update(dict(data))
    return s


def provider_props(inputs: Mapping[str, Any]) -> dict[str, Any]:
    """The Pulumi SDK JSON-encodes an aws provider's non-string inputs."""
    return {k: v if isinstance(v, str) else json.dumps(v) for k, v in inputs.items()}


REGISTERED_OUTPUTS = {
    "datamesh:mesh:DataProduct": ("product", "bucket", "classification", "status", "retentionDays"),
    "datamesh:mesh:AccessGrant": ("product", "consumer", "consumerKind", "principal", "until", "classification"),
}
"""What components/ registers as outputs: its props (ARNs left out: unknown until deployed).
tests/components/test_components.py checks the components really register these."""


PLACEHOLDER = re.compile(r"\$\{([^{}]+)\.arn\}")


def key_arn(view: ResourceView) -> str:
    """The ARN AWS gives a created key: region and account of its provider, a generated id."""
    return f"arn:aws:kms:eu-west-1:{view.account}:key/{uuid.uuid5(uuid.NAMESPACE_URL, view.name)}"


def deployed(views: Sequence[ResourceView]) -> list[ResourceView]:
    """The views with the plan's ``${<key>.arn}`` placeholders replaced by the key ARNs: during
    ``pulumi up`` the engine hands the pack real values, never placeholders."""
    keys = {v.name: key_arn(v) for v in views if v.type == "aws:kms/key:Key"}

    def resolve(value: Any) -> Any:
        if isinstance(value, str):
            return PLACEHOLDER.sub(lambda m: keys.get(m.group(1), m.group(0)), value)
        if isinstance(value, Mapping):
            return {k: resolve(v) for k, v in value.items()}
        if isinstance(value, list):
            return [resolve(v) for v in value]
        return value

    return [replace(v, inputs=resolve(v.inputs)) for v in views]


class Engine:
    """Turns resource views into the analyzer requests of one stack.

    ``component_outputs``: stack policies see a component's registered outputs, not its props.
    ``"registered"`` models what components/ registers (``REGISTERED_OUTPUTS``); ``"props"``
    every prop; ``"none"`` a component that registers no outputs.
    """

    def __init__(self, views: Sequence[ResourceView], component_outputs: str = "registered") -> None:
        self.views = deployed(views)
        self.by_name = {v.name: v for v in self.views}
        self.component_outputs = component_outputs

    def urn(self, v: ResourceView) -> str:
        types = [v.type]
        parent = self.by_name.get(v.parent) if v.parent else None
        while parent is not None:
            types.insert(0, parent.type)
            parent = self.by_name.get(parent.parent) if parent.parent else None
        return f"urn:pulumi:{STACK}::{PROJECT}::{'$'.join(types)}::{v.name}"

    def props(self, v: ResourceView) -> dict[str, Any]:
        return provider_props(v.inputs) if v.type.startswith("pulumi:providers:") else dict(v.inputs)

    def outputs(self, v: ResourceView) -> dict[str, Any]:
        if not v.type.startswith("datamesh:") or self.component_outputs == "props":
            return self.props(v)
        if self.component_outputs == "none":
            return {}
        return {k: v.inputs[k] for k in REGISTERED_OUTPUTS.get(v.type, ()) if k in v.inputs}

    def provider(self, v: ResourceView) -> analyzer_pb2.AnalyzerProviderResource | None:
        p = self.by_name.get(v.provider) if v.provider else None
        if p is None:
            return None
        return analyzer_pb2.AnalyzerProviderResource(type=p.type, properties=struct(self.props(p)),
                                                     urn=self.urn(p), name=p.name)

    def options(self, v: ResourceView) -> analyzer_pb2.AnalyzerResourceOptions:
        parent = self.by_name.get(v.parent) if v.parent else None
        return analyzer_pb2.AnalyzerResourceOptions(protect=v.protect,
                                                    parent=self.urn(parent) if parent else "")

    def analyze_request(self, v: ResourceView) -> analyzer_pb2.AnalyzeRequest:
        request = analyzer_pb2.AnalyzeRequest(type=v.type, properties=struct(self.props(v)), urn=self.urn(v),
                                              name=v.name, options=self.options(v))
        p = self.provider(v)
        if p is not None:
            request.provider.CopyFrom(p)
        return request

    def stack_request(self) -> analyzer_pb2.AnalyzeStackRequest:
        resources = []
        for v in self.views:
            parent = self.by_name.get(v.parent) if v.parent else None
            r = analyzer_pb2.AnalyzerResource(type=v.type, properties=struct(self.outputs(v)), urn=self.urn(v),
                                              name=v.name, options=self.options(v),
                                              parent=self.urn(parent) if parent else "")
            p = self.provider(v)
            if p is not None:
                r.provider.CopyFrom(p)
            resources.append(r)
        return analyzer_pb2.AnalyzeStackRequest(resources=resources)


def servicer(today: date = TODAY) -> _PolicyAnalyzerServicer:
    policies = mesh_guardrails.build_policies(today=lambda: today)
    return _PolicyAnalyzerServicer(mesh_guardrails.PACK_NAME, "0.1.0", policies, EnforcementLevel.MANDATORY)


def configure(s: _PolicyAnalyzerServicer, config: Mapping[str, Any]) -> None:
    """What the CLI sends from --policy-pack-config: a level and properties per policy."""
    request = analyzer_pb2.ConfigureAnalyzerRequest()
    for rule_id, entry in config.items():
        level = entry if isinstance(entry, str) else entry.get("enforcementLevel", "mandatory")
        props = {} if isinstance(entry, str) else {k: v for k, v in entry.items() if k != "enforcementLevel"}
        request.policyConfig[rule_id].CopyFrom(
            analyzer_pb2.PolicyConfig(enforcementLevel=LEVEL[level], properties=struct(props)))
    s.Configure(request, None)
