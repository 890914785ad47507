"""The pure core: every module of ``datamesh`` imports without Pulumi (ARCHITECTURE.md)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

_IMPORT_ALL = """
import importlib, pkgutil, sys
sys.modules["pulumi"] = None  # importing pulumi (or any pulumi_* package) now fails
for name in ("pulumi_aws", "pulumi_kubernetes", "pulumi_policy"):
    sys.modules[name] = None
import datamesh
names = sorted(m.name for m in pkgutil.walk_packages(datamesh.__path__, "datamesh."))
for name in names:
    importlib.import_module(name)
loaded = sorted(m for m in sys.modules if m == "pulumi" or m.startswith("pulumi"))
print(len(names), [m for m in loaded if sys.modules[m] is not None])
"""


def test_every_datamesh_module_imports_without_pulumi() -> None:
    proc = subprocess.run([sys.executable, "-c", _IMPORT_ALL], capture_output=True, text=True, cwd=REPO)
    assert proc.returncode == 0, proc.stderr[-2000:]
    count, pulumi_modules = proc.stdout.split(" ", 1)
    assert int(count) > 50  # every module was walked, not just the package
    assert pulumi_modules.strip() == "[]"
