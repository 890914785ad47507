"""Physical names must be unique where AWS requires it; the plan proves it before a deploy.

Bucket names are global; access point names are unique per account and region. The naming
scheme makes collisions impossible between valid slugs short of a hash collision, and this
check turns even that into a clear error (DM402) instead of a failed ``pulumi up``.
"""

from __future__ import annotations

from datamesh.diagnostics import Diagnostic, Report
from datamesh.plan.model import Plan

BUCKET = "aws:s3/bucket:Bucket"
ACCESS_POINT = "aws:s3/accessPoint:AccessPoint"


def check_unique_names(plan: Plan, files: dict[str, str]) -> list[Diagnostic]:
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
