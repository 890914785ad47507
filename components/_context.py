"""What every component needs while materialising one Plan: the resources made so far.

A Plan names its resources by logical name and writes references to them as known values:
a bucket as its physical name, a KMS key's ARN as the placeholder ``${<key>.arn}``. The
``StackContext`` turns those back into the real Pulumi objects, so the engine sees the true
dependency graph:

- ``provider_of`` / ``options`` / ``component_options``: the provider, ``protect``,
  ``retain_on_delete``, ``depends_on`` and ``aliases`` (former names) of a planned resource,
  exactly as the plan says;
- ``value``: a placeholder → the real ``Output`` (``key.arn``); any other value unchanged;
- ``document``: a JSON policy embedding placeholders → ``Output[str]``, re-serialised with the
  planner's own ``documents.to_json`` so the text is byte for byte the plan's once resolved;
- ``bucket``: a bucket's physical name → the bucket resource's ``bucket`` output when that
  bucket is in this stack (so its settings wait for it), else the name.

``expect`` checks a planned input mapping has exactly the keys a builder materialises: an
input added to the planner but not to a component fails loudly (``PlanMismatch``) instead of
being silently dropped.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

import pulumi

from datamesh.plan import PlannedResource
from datamesh.plan.documents import to_json

_PLACEHOLDER = re.compile(r"^\$\{(?P<name>[^{}]+)\.(?P<prop>[A-Za-z][A-Za-z0-9]*)\}$")
_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")

R = TypeVar("R", bound=pulumi.Resource)


class PlanMismatch(Exception):
    """The plan holds something the components do not know how to materialise exactly."""


def expect(where: str, inputs: Mapping[str, Any], required: Iterable[str],
           optional: Iterable[str] = ()) -> Mapping[str, Any]:
    """``inputs`` itself, once checked to hold every ``required`` key and nothing unexpected."""
    required = tuple(required)
    allowed = set(required) | set(optional)
    missing = [k for k in required if k not in inputs]
    unknown = sorted(set(inputs) - allowed)
    if missing or unknown:
        parts = []
        if missing:
            parts.append(f"missing {', '.join(missing)}")
        if unknown:
            parts.append(f"not materialised: {', '.join(unknown)}")
        raise PlanMismatch(f"{where}: {'; '.join(parts)}")
    return inputs


class StackContext:
    """Logical name → materialised resource, for the resources of one plan (one stack)."""

    def __init__(self, planned: Iterable[PlannedResource] = ()) -> None:
        self.resources: dict[str, pulumi.Resource] = {}
        self.planned: dict[str, PlannedResource] = {r.name: r for r in planned}
        self._buckets: dict[str, pulumi.Output[str]] = {}

    def add(self, name: str, resource: R) -> R:
        if name in self.resources:
            raise PlanMismatch(f"{name}: materialised twice")
        self.resources[name] = resource
        return resource

    def __getitem__(self, name: str) -> pulumi.Resource:
        try:
            return self.resources[name]
        except KeyError:
            where = "planned but not materialised yet" if name in self.planned else "not in this stack"
            raise PlanMismatch(f"{name}: {where}") from None

    def add_bucket(self, physical_name: str, output: pulumi.Output[str]) -> None:
        self._buckets[physical_name] = output

    # --- options ------------------------------------------------------------------------------

    def provider_of(self, planned: PlannedResource) -> pulumi.ProviderResource | None:
        if planned.provider is None:
            return None
        provider = self[planned.provider]
        if not isinstance(provider, pulumi.ProviderResource):
            raise PlanMismatch(f"{planned.name}: its provider {planned.provider} is not a provider")
        return provider

    def depends_on(self, planned: PlannedResource) -> list[pulumi.Resource]:
        """The plan's ``depends_on`` that are in this stack (a scoped plan already leaves out the
        others); one that is planned here must have been materialised first."""
        return [self[name] for name in planned.options.depends_on
                if name in self.planned or name in self.resources]

    def options(self, planned: PlannedResource, parent: pulumi.Resource | None) -> pulumi.ResourceOptions:
        """``parent``, provider, protect, retain_on_delete, depends_on and aliases, as planned."""
        return pulumi.ResourceOptions(
            parent=parent,
            provider=self.provider_of(planned),
            protect=planned.options.protect,
            retain_on_delete=planned.options.retain_on_delete,
            depends_on=self.depends_on(planned) or None,
            aliases=aliases(planned),
        )

    def component_options(self, planned: PlannedResource,
                          opts: pulumi.ResourceOptions | None) -> pulumi.ResourceOptions:
        """A component's ``opts`` (its parent) with the options the plan states for it."""
        return pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(
            protect=planned.options.protect,
            retain_on_delete=planned.options.retain_on_delete,
            depends_on=self.depends_on(planned) or None,
            aliases=aliases(planned),
        ))

    # --- values -------------------------------------------------------------------------------

    def output(self, placeholder: str) -> pulumi.Output[Any]:
        """``${<name>.<prop>}`` → the ``prop`` output of the resource named ``name``."""
        match = _PLACEHOLDER.match(placeholder)
        if match is None:
            raise PlanMismatch(f"{placeholder!r} is not a placeholder")
        resource = self[match["name"]]
        attr = _CAMEL.sub("_", match["prop"]).lower()
        value = getattr(resource, attr, None)
        if not isinstance(value, pulumi.Output):
            raise PlanMismatch(f"{placeholder}: {match['name']} has no output {attr}")
        return value

    def value(self, value: Any) -> Any:
        """A placeholder → its ``Output``; anything else unchanged."""
        if isinstance(value, str) and value.startswith("${"):
            return self.output(value)
        return value

    def bucket(self, physical_name: str) -> pulumi.Input[str]:
        return self._buckets.get(physical_name, physical_name)

    def document(self, text: str) -> pulumi.Input[str]:
        """A JSON document of the plan; where it embeds placeholders, an ``Output`` of the same
        compact JSON with each placeholder replaced by the real value."""
        if "${" not in text:
            return text
        doc = json.loads(text)
        if to_json(doc) != text:
            raise PlanMismatch(f"document is not in the planner's compact form: {text[:80]}")
        refs = sorted(set(_placeholders(doc)))
        outputs = [self.output(ref) for ref in refs]

        def render(values: list[Any]) -> str:
            return to_json(_substitute(doc, dict(zip(refs, values, strict=True))))

        return pulumi.Output.all(*outputs).apply(render)


def aliases(planned: PlannedResource) -> list[pulumi.Input[str | pulumi.Alias]] | None:
    """The plan's former names as Pulumi aliases (same type, same parent, same stack)."""
    return [pulumi.Alias(name=name) for name in planned.options.aliases] or None


def _placeholders(node: Any) -> Iterable[str]:
    if isinstance(node, str):
        if _PLACEHOLDER.match(node):
            yield node
        elif "${" in node:
            raise PlanMismatch(f"{node!r}: a placeholder must be a whole value")
    elif isinstance(node, dict):
        for v in node.values():
            yield from _placeholders(v)
    elif isinstance(node, list):
        for v in node:
            yield from _placeholders(v)


def _substitute(node: Any, values: Mapping[str, Any]) -> Any:
    if isinstance(node, str):
        return values.get(node, node)
    if isinstance(node, dict):
        return {k: _substitute(v, values) for k, v in node.items()}
    if isinstance(node, list):
        return [_substitute(v, values) for v in node]
    return node
