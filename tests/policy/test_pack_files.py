"""The pack directory is a real pulumi-policy Python pack whose entry only builds the PolicyPack."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import yaml

PACK_DIR = Path(__file__).resolve().parents[2] / "policy_packs" / "mesh-guardrails"


def test_pulumi_policy_yaml() -> None:
    project = yaml.safe_load((PACK_DIR / "PulumiPolicy.yaml").read_text(encoding="utf-8"))
    assert project["name"] == "mesh-guardrails"
    assert project["runtime"] == {"name": "python", "options": {"toolchain": "pip", "virtualenv": "venv"}}
    assert project["version"] == "0.1.0"
    assert project["description"]


def test_requirements_install_the_sdk_and_this_repository() -> None:
    lines = [line.strip() for line in (PACK_DIR / "requirements.txt").read_text(encoding="utf-8").splitlines()
             if line.strip() and not line.startswith("#")]
    assert lines == ["pulumi>=3.140,<4", "pulumi-policy>=1.21,<2", "-e ../.."]
    assert (PACK_DIR / "../.." / "pyproject.toml").resolve() == PACK_DIR.parents[1] / "pyproject.toml"


def test_entry_only_builds_the_policy_pack() -> None:
    """__main__.py: imports, then one PolicyPack(...) call; never imported by tests."""
    tree = ast.parse((PACK_DIR / "__main__.py").read_text(encoding="utf-8"))
    body = [node for node in tree.body
            if not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant))]  # docstring
    imports = [node for node in body if isinstance(node, (ast.Import, ast.ImportFrom))]
    rest = [node for node in body if node not in imports]
    assert len(rest) == 1 and isinstance(rest[0], ast.Expr) and isinstance(rest[0].value, ast.Call)
    call = rest[0].value
    assert isinstance(call.func, ast.Name) and call.func.id == "PolicyPack"
    keywords = {k.arg: k.value for k in call.keywords}
    assert set(keywords) == {"name", "policies", "enforcement_level", "description"}
    policies = keywords["policies"]
    assert isinstance(policies, ast.Call) and isinstance(policies.func, ast.Name)
    assert policies.func.id == "build_policies" and not policies.args and not policies.keywords


def test_adapter_imports_neither_the_planner_nor_pydantic() -> None:
    """The pack's virtualenv needs only pulumi-policy and the pure rules."""
    code = (f"import sys; sys.path.insert(0, {str(PACK_DIR)!r}); import mesh_guardrails; "
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('pydantic', 'pulumi_aws') "
            "or m.startswith(('datamesh.plan', 'datamesh.resolve', 'datamesh.spec'))); print(bad)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
