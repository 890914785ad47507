"""Every name and tag value the plan writes, checked against AWS's documented rules (DM411).

The spec types and the naming scheme make these valid by construction (``datamesh.awsrules``
holds the rules; the validators reject what could break them). This pass over the finished
plan is the safety net: a value AWS would refuse stops the plan before ``pulumi up`` with a
clear error instead of a failed deployment halfway through.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from datamesh import resource_types as types
from datamesh.awsrules import (
    bucket_name_problem,
    kms_alias_problem,
    role_name_problem,
    tag_value_problem,
)
from datamesh.diagnostics import Diagnostic, Report
from datamesh.plan.budgets import MESH_FILE_KEY
from datamesh.plan.model import PROVIDER_AWS, Plan, PlannedResource

_ACCESS_POINT_NAME = re.compile(r"[a-z0-9][a-z0-9-]{1,48}[a-z0-9]")
_KMS_GRANT_NAME = re.compile(r"[a-zA-Z0-9:/_-]{1,256}")
_ROLE_PATH = re.compile(r"/([A-Za-z0-9_+=,.@-]+/)*")


def _access_point_name_problem(name: str) -> str | None:
    """S3: 3-50 lowercase letters, digits and hyphens, starting and ending with a letter or digit,
    not starting ``xn--`` nor ending ``-s3alias``."""
    if not _ACCESS_POINT_NAME.fullmatch(name) or name.startswith("xn--") or name.endswith("-s3alias"):
        return "is not an access point name (3-50 of a-z 0-9 -, no xn-- prefix, no -s3alias suffix)"
    return None


def _kms_grant_name_problem(name: str) -> str | None:
    return None if _KMS_GRANT_NAME.fullmatch(name) else "is not a KMS grant name (1-256 of a-zA-Z0-9:/_-)"


def _role_path_problem(path: str) -> str | None:
    return None if len(path) <= 512 and _ROLE_PATH.fullmatch(path) else "is not an IAM path /…/"


_NAMES: dict[str, tuple[tuple[str, Callable[[str], str | None]], ...]] = {
    types.BUCKET: (("bucket", bucket_name_problem),),
    types.ACCESS_POINT: (("name", _access_point_name_problem),),
    types.IAM_ROLE: (("name", role_name_problem), ("path", _role_path_problem)),
    types.KMS_ALIAS: (("name", kms_alias_problem),),
    types.KMS_GRANT: (("name", _kms_grant_name_problem),),
}
"""Per resource type, the inputs that are AWS names and the rule each must meet."""


def _tags(r: PlannedResource) -> Mapping[str, Any]:
    tags = r.inputs.get("tags")
    if r.type == PROVIDER_AWS:
        default = r.inputs.get("defaultTags")
        tags = default.get("tags") if isinstance(default, Mapping) else None
    return tags if isinstance(tags, Mapping) else {}


def check_aws_values(plan: Plan, files: Mapping[str, str]) -> list[Diagnostic]:
    """DM411 for every planned tag value or AWS name that AWS would reject."""
    report = Report()
    # Tag values repeat across resources (the mesh, domain and product names): judge each once.
    tag_problems: dict[str, str | None] = {}
    for r in plan.resources:
        found: list[str] = []
        for key, value in _tags(r).items():
            if isinstance(value, str):
                if value in tag_problems:
                    problem = tag_problems[value]
                else:
                    problem = tag_problems[value] = tag_value_problem(value)
            else:
                problem = "is not text"
            if problem:
                found.append(f"tag {key} {value!r} {problem}")
        for field, rule in _NAMES.get(r.type, ()):
            value = r.inputs.get(field)
            problem = rule(value) if isinstance(value, str) else "is not text"
            if problem:
                found.append(f"{field} {value!r} {problem}")
        if not found:
            continue
        file = files.get(r.product or "", files.get(r.domain or "", files.get(MESH_FILE_KEY, "mesh.yaml")))
        for sentence in found:
            report.add(file, (1, 1), "DM411", r.name, f"{r.type} {r.name}: {sentence}")
    return report.items
