"""Golden snapshots of the example mesh's plan (domains/, evaluated on 2026-11-25).

Each snapshot is the plan's JSON (exactly what ``mesh plan --today 2026-11-25 --format json``
prints from the repository root) plus the ``depends_on`` of every resource that has one (not part of the
JSON contract, but part of what the Pulumi program registers). A snapshot only proves that
something changed: review the diff. Regenerate with

    UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/plan
"""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from datamesh.plan import Plan, build_plan
from datamesh.resolve import load_mesh

REPO = Path(__file__).resolve().parents[2]
EXAMPLE_ROOT = REPO / "tests" / "fixtures" / "streaming"
EXAMPLE_DOMAINS = EXAMPLE_ROOT / "domains"
GOLDEN = Path(__file__).resolve().parent / "golden"
TODAY = date(2026, 11, 25)
REGENERATE = "UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/plan"
CASES = {
    "example-dev": ("dev", None),
    "example-prod": ("prod", None),
    "example-prod-platform": ("prod", ["platform"]),
    "example-prod-playlist": ("prod", ["playlist"]),
}


def example_plan(env: str, scope: list[str] | None) -> Plan:
    """The plan as ``mesh plan`` shows it: the mesh's warnings first, then the plan's own."""
    resolution = load_mesh(str(EXAMPLE_DOMAINS), TODAY)
    assert resolution.mesh is not None, [d.format() for d in resolution.report.errors]
    plan = build_plan(resolution.mesh, env, scope)
    plan.warnings = [*resolution.report.warnings, *plan.warnings]
    return plan


def snapshot(plan: Plan) -> dict[str, Any]:
    return {
        "plan": plan.to_json(cwd=str(EXAMPLE_ROOT)),
        "dependsOn": {r.name: list(r.options.depends_on) for r in plan.resources if r.options.depends_on},
    }


def render(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2, sort_keys=False) + "\n"


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_example_plan_matches_its_golden_snapshot(case):
    env, scope = CASES[case]
    text = render(snapshot(example_plan(env, scope)))
    path = GOLDEN / f"{case}.json"
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(text)
    assert path.is_file(), f"no golden file {path.name}: create it with `{REGENERATE}`"
    assert text == path.read_text(), (
        f"the plan of {case} differs from tests/plan/golden/{path.name}: if the change is intended, "
        f"regenerate with `{REGENERATE}` and review the diff")
