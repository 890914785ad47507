"""The planner's type tokens live in one place (datamesh/resource_types.py), the pack's allowlist."""

from __future__ import annotations

import re
from pathlib import Path

from meshtree import EXAMPLE_DOMAINS, REPO, TODAY

from datamesh.plan import build_plan
from datamesh.resolve import load_mesh
from datamesh.resource_types import ALLOWED_TYPES, PLANNED_TYPES, PULUMI_STACK

TOKEN = re.compile(r"""["']((?:aws|kubernetes|datamesh):[A-Za-z0-9./-]*:[A-Z][A-Za-z0-9]*"""
                   r"""|pulumi:(?:providers|pulumi):\w+)["']""")


def test_every_planned_type_is_registered() -> None:
    mesh = load_mesh(str(EXAMPLE_DOMAINS), TODAY).mesh
    assert mesh is not None, "the example mesh must resolve without errors"
    for env in mesh.spec.environments:
        unregistered = sorted({r.type for r in build_plan(mesh, env).resources} - PLANNED_TYPES)
        assert unregistered == [], f"add these to datamesh/resource_types.py: {unregistered}"


def test_no_type_token_in_the_planner_outside_the_registry() -> None:
    """A type written as a literal in datamesh/plan/ must still be registered: the pack refuses
    anything else at deploy time (so a new planned type is one line in resource_types.py)."""
    sample = 'child("kubernetes:core/v1:ConfigMap", …); {"aws:s3:arn": arn}; t == "pulumi:providers:aws"'
    assert TOKEN.findall(sample) == ["kubernetes:core/v1:ConfigMap", "pulumi:providers:aws"]
    found = {(path.name, token) for path in sorted((REPO / "datamesh" / "plan").glob("*.py"))
             for token in TOKEN.findall(path.read_text(encoding="utf-8"))}
    assert sorted((name, token) for name, token in found if token not in PLANNED_TYPES) == []


def test_the_allowlist_is_the_planned_types_and_the_stack() -> None:
    assert PLANNED_TYPES | {PULUMI_STACK} == ALLOWED_TYPES
    assert PULUMI_STACK not in PLANNED_TYPES
    assert len(PLANNED_TYPES) == 27  # registering twice would hide a typo
    source = Path(REPO / "datamesh" / "resource_types.py").read_text(encoding="utf-8")
    assert len(re.findall(r"^[A-Z_]+ = _planned\(", source, re.MULTILINE)) == len(PLANNED_TYPES)


def test_every_planned_type_is_written_once_in_the_code_that_ships() -> None:
    """One vocabulary: plan, diff, policy, components, the program and the pack name a planned
    type through datamesh/resource_types.py, never as a literal of their own (a rename or a typo
    would otherwise split the mesh's idea of a type)."""
    sources = [*(REPO / "datamesh").rglob("*.py"), *(REPO / "components").glob("*.py"), REPO / "__main__.py",
               *(REPO / "policy_packs").rglob("*.py")]
    literals = sorted((str(path.relative_to(REPO)), token) for path in sources
                      if path.name != "resource_types.py"
                      for token in TOKEN.findall(path.read_text(encoding="utf-8")) if token in PLANNED_TYPES)
    assert literals == []
