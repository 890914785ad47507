"""AWS size limits of every policy document in a plan: warn at 80 %, error at 100 %.

data.all's users hit these limits after a few dozen shares (ANCHORS.md, pain point 1). The
plan is designed so no document grows with grants; this check proves it for any mesh.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from datamesh import resource_types as types
from datamesh.diagnostics import Diagnostic, Report
from datamesh.plan.model import Plan, PlannedResource

WARN_RATIO = 0.8
MESH_FILE_KEY = "mesh.yaml"
"""The key of ``files`` naming mesh.yaml (no domain or product name contains a dot)."""


@dataclass(frozen=True, slots=True)
class Budget:
    what: str
    limit: int
    unit: str
    iam_counting: bool = False
    """IAM counts characters without whitespace; S3 and KMS count the document's bytes."""


BUCKET_POLICY = Budget("bucket policy", 20 * 1024, "bytes")
ACCESS_POINT_POLICY = Budget("access point policy", 20 * 1024, "bytes")
INLINE_ROLE_POLICIES = Budget("inline policies", 10_240, "characters", iam_counting=True)
TRUST_POLICY = Budget("role trust policy", 2_048, "characters", iam_counting=True)
KEY_POLICY = Budget("KMS key policy", 32 * 1024, "bytes")
ACCESS_POINTS = Budget("access points per account and region", 10_000, "access points")

_WHITESPACE = re.compile(r"\s+")


def document_size(document: str, budget: Budget) -> int:
    if budget.iam_counting:
        return len(_WHITESPACE.sub("", document))
    return len(document.encode())


def check_budgets(plan: Plan, files: dict[str, str] | None = None) -> list[Diagnostic]:
    """Diagnostics (DM400 warning, DM401 error) for every document near or over its limit.

    ``files`` maps a domain or ``<domain>/<product>`` to its spec file, and ``MESH_FILE_KEY`` to
    mesh.yaml, so a diagnostic points at the spec a team can change.
    """
    report = Report()
    files = files or {}
    role_totals: Counter[str] = Counter()
    role_owner: dict[str, PlannedResource] = {}
    ap_counts: Counter[tuple[str, str]] = Counter()
    providers = {r.name: r for r in plan.resources if r.is_provider}

    def measure(resource: PlannedResource, document: str, budget: Budget, subject: str) -> None:
        _judge(report, files, resource, document_size(document, budget), budget, subject)

    for r in plan.resources:
        inputs = r.inputs
        if r.type == types.BUCKET_POLICY:
            measure(r, inputs["policy"], BUCKET_POLICY, f"bucket {inputs['bucket']}")
        elif r.type == types.ACCESS_POINT:
            measure(r, inputs["policy"], ACCESS_POINT_POLICY, f"access point {inputs['name']}")
            provider = providers.get(r.provider or "")
            if provider is not None:
                account = provider.inputs["allowedAccountIds"][0]
                ap_counts[(account, provider.inputs["region"])] += 1
        elif r.type == types.KMS_KEY:
            measure(r, inputs["policy"], KEY_POLICY, r.name)
        elif r.type == types.IAM_ROLE:
            measure(r, inputs["assumeRolePolicy"], TRUST_POLICY, f"role {inputs['name']}")
            role_owner[inputs["name"]] = r
        elif r.type == types.IAM_ROLE_POLICY:
            role_totals[inputs["role"]] += document_size(inputs["policy"], INLINE_ROLE_POLICIES)
    for role, total in role_totals.items():
        owner = role_owner.get(role)
        if owner is not None:
            _judge(report, files, owner, total, INLINE_ROLE_POLICIES, f"role {role}")
    for (account, region), count in ap_counts.items():
        _judge(report, files, None, count, ACCESS_POINTS, f"account {account} in {region}")
    return report.items


def _judge(report: Report, files: dict[str, str], resource: PlannedResource | None, size: int,
           budget: Budget, subject: str) -> None:
    if size < WARN_RATIO * budget.limit:
        return
    code = "DM401" if size > budget.limit else "DM400"
    share = f"{size:,} of {budget.limit:,} {budget.unit} ({size / budget.limit:.0%})"
    where = ""
    if resource is not None:
        where = files.get(resource.product or "", files.get(resource.domain or "", ""))
    report.add(where or files.get(MESH_FILE_KEY, "mesh.yaml"), (1, 1), code, resource.name if resource else "-",
               f"{budget.what} of {subject}: {share}")
