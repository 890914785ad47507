"""A saved plan (the JSON of ``mesh plan --format json``) read back as resource views.

So any plan — one ``mesh plan`` wrote, or one a review tool exported from a hand-edited
program — can be judged offline by the very rules the pack runs (``mesh check --plan``). Each
resource needs ``type`` and ``name`` (strings, names unique), ``inputs`` (an object), and may
give ``parent``/``provider`` (names of resources of the file), ``domain``/``product`` (strings or
null) and ``options`` ``{"protect", "retainOnDelete"}`` (booleans; an absent ``protect`` is
false, as it is for Pulumi; an absent ``retainOnDelete`` is unknown, as at deploy time). Every
problem of the file is collected (``PlanFileError``), never a traceback.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from datamesh.errors import ProblemsError
from datamesh.policy.model import ResourceView
from datamesh.policy.plan_views import views_of_plan

MAX_PROBLEMS = 20
"""A file broken everywhere is reported by its first problems, not thousands of lines."""


class PlanFileError(ProblemsError):
    """A saved plan (``mesh check --plan``) that is not one ``mesh plan --format json`` wrote;
    ``source`` is its path."""


@dataclass(frozen=True, slots=True)
class SavedOptions:
    protect: bool
    retain_on_delete: bool | None


@dataclass(frozen=True, slots=True)
class SavedResource:
    type: str
    name: str
    inputs: Mapping[str, Any]
    parent: str | None
    provider: str | None
    domain: str | None
    product: str | None
    options: SavedOptions


@dataclass(frozen=True, slots=True)
class SavedPlan:
    mesh: str
    """``mesh`` of the file, ``-`` when it gives none."""
    environment: str
    resources: list[SavedResource]

    def views(self) -> list[ResourceView]:
        return views_of_plan(self.resources)


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return "an object"


def _resource(i: int, raw: Any, problems: list[str]) -> SavedResource | None:
    where = f"resources[{i}]"
    if not isinstance(raw, dict):
        problems.append(f"{where}: expected an object, got {_kind(raw)}")
        return None
    before = len(problems)
    strings: dict[str, str | None] = {}
    for key in ("type", "name"):
        value = raw.get(key)
        if not isinstance(value, str) or not value:
            problems.append(f"{where}.{key}: expected a non-empty string, got {_kind(value)}")
        strings[key] = value if isinstance(value, str) else None
    for key in ("parent", "provider", "domain", "product"):
        value = raw.get(key)
        if value is not None and not isinstance(value, str):
            problems.append(f"{where}.{key}: expected a string or null, got {_kind(value)}")
        strings[key] = value if isinstance(value, str) else None
    inputs = raw.get("inputs")
    if not isinstance(inputs, dict):
        problems.append(f"{where}.inputs: expected an object, got {_kind(inputs)}")
    options = raw.get("options", {})
    protect, retain = False, None
    if not isinstance(options, dict):
        problems.append(f"{where}.options: expected an object, got {_kind(options)}")
    else:
        for key in ("protect", "retainOnDelete"):
            value = options.get(key)
            if value is not None and not isinstance(value, bool):
                problems.append(f"{where}.options.{key}: expected a boolean, got {_kind(value)}")
        protect = options.get("protect") is True
        retain = options.get("retainOnDelete") if isinstance(options.get("retainOnDelete"), bool) else None
    if len(problems) > before or not isinstance(inputs, dict):
        return None
    return SavedResource(
        type=strings["type"] or "", name=strings["name"] or "", inputs=inputs,
        parent=strings["parent"], provider=strings["provider"], domain=strings["domain"],
        product=strings["product"], options=SavedOptions(protect, retain))


def parse_plan(data: Any, path: str) -> SavedPlan:
    """The plan of a parsed JSON document; ``PlanFileError`` lists what is wrong with it."""
    if not isinstance(data, dict) or not isinstance(data.get("resources"), list):
        got = _kind(data) if not isinstance(data, dict) else f'"resources" {_kind(data.get("resources"))}'
        raise PlanFileError(path, [f'expected a JSON object with a "resources" list (the output of '
                                   f"`mesh plan --format json`), got {got}"])
    problems: list[str] = []
    for key in ("mesh", "environment"):
        if data.get(key) is not None and not isinstance(data.get(key), str):
            problems.append(f"{key}: expected a string, got {_kind(data.get(key))}")
    read: list[tuple[int, SavedResource]] = []
    first: dict[str, int] = {}
    for i, raw in enumerate(data["resources"]):
        resource = _resource(i, raw, problems)
        if resource is None:
            continue
        if resource.name in first:
            problems.append(f"resources[{i}].name: {json.dumps(resource.name)} is also the name of "
                            f"resources[{first[resource.name]}]; logical names are unique in a stack")
        else:
            first[resource.name] = i
        read.append((i, resource))
    names = {raw.get("name") for raw in data["resources"] if isinstance(raw, dict)}
    for i, r in read:
        for key, target in (("parent", r.parent), ("provider", r.provider)):
            if target is not None and target not in names:
                problems.append(f"resources[{i}].{key}: {json.dumps(target)} is not a resource of the plan")
    if problems:
        shown = problems[:MAX_PROBLEMS]
        if len(problems) > MAX_PROBLEMS:
            shown.append(f"… and {len(problems) - MAX_PROBLEMS} more problem(s)")
        raise PlanFileError(path, shown)
    return SavedPlan(mesh=data.get("mesh") or "-", environment=data.get("environment") or "-",
                     resources=[r for _, r in read])


def read_plan_file(path: str) -> SavedPlan:
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError as exc:
        raise PlanFileError(path, [f"cannot read: {exc.strerror or exc}"]) from None
    except UnicodeDecodeError as exc:
        raise PlanFileError(path, [f"not UTF-8 text: {exc.reason} at byte {exc.start}"]) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PlanFileError(f"{path}:{exc.lineno}:{exc.colno}", [f"not valid JSON: {exc.msg}"]) from None
    return parse_plan(data, path)
