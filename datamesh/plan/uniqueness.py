"""Names must be unique where AWS or Pulumi requires it; the plan proves it before a deploy.

Bucket names are global; access point names are unique per account and region; logical names
are unique in a stack (Pulumi refuses a second resource with the same URN). The naming scheme
makes collisions impossible between valid slugs short of a hash collision (docs/resources.md),
and these checks turn even that into a clear error (DM402, DM410) instead of a failed
``pulumi up``.
"""

from __future__ import annotations

from datamesh import resource_types as types
from datamesh.diagnostics import Diagnostic, Report
from datamesh.plan.model import Plan, PlannedResource

BUCKET = types.BUCKET
ACCESS_POINT = types.ACCESS_POINT


def check_unique_logical_names(plan: Plan, files: dict[str, str]) -> list[Diagnostic]:
    """DM410 for every resource whose logical name an earlier resource of the plan already has."""
    report = Report()
    seen: dict[str, PlannedResource] = {}
    for r in plan.resources:
        first = seen.setdefault(r.name, r)
        if first is not r:
            report.add(files.get(r.product or "", files.get(r.domain or "", "mesh.yaml")), (1, 1), "DM410",
                       r.name, f"logical name {r.name!r} ({r.type}) is also the name of an earlier {first.type}")
    return report.items


def check_unique_names(plan: Plan, files: dict[str, str]) -> list[Diagnostic]:
    """DM402 for two buckets (or two access points of one account and region) of one name."""
    report = Report()
    providers = {r.name: r for r in plan.resources if r.is_provider}
    seen: dict[tuple[str, ...], str] = {}
    for r in plan.resources:
        if r.type == BUCKET:
            key: tuple[str, ...] = ("bucket", r.inputs["bucket"])
        elif r.type == ACCESS_POINT:
            provider = providers.get(r.provider or "")
            account = provider.inputs["allowedAccountIds"][0] if provider else ""
            region = provider.inputs["region"] if provider else ""
            key = ("access point", account, region, r.inputs["name"])
        else:
            continue
        first = seen.setdefault(key, r.name)
        if first != r.name:
            report.add(files.get(r.product or "", files.get(r.domain or "", "mesh.yaml")), (1, 1), "DM402",
                       r.name, f"{key[0]} name {key[-1]!r} of {r.name} is also the name of {first}")
    return report.items
