"""The planner and the policy engine read the mesh as a model, never the loader's types.

Where a value was written (file, line, column) lives in the mesh's ``SourceMap``; the loader
(``datamesh.loader``, and ``datamesh.resolve`` which drives it) stays on the reading side. The
check follows every import of a module, those inside functions and ``TYPE_CHECKING`` blocks
too, through every ``datamesh`` module it reaches.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "datamesh"
FORBIDDEN = {"datamesh.loader"}


def _module_file(name: str) -> Path | None:
    path = REPO.joinpath(*name.split("."))
    if (path / "__init__.py").is_file():
        return path / "__init__.py"
    if path.with_suffix(".py").is_file():
        return path.with_suffix(".py")
    return None


def _with_packages(name: str) -> list[str]:
    """Importing ``a.b.c`` runs ``a``, ``a.b`` and ``a.b.c``."""
    parts = name.split(".")
    return [".".join(parts[: i + 1]) for i in range(len(parts))]


@cache
def _direct_imports(name: str) -> frozenset[str]:
    file = _module_file(name)
    assert file is not None, name
    found: set[str] = set()
    for node in ast.walk(ast.parse(file.read_text(), str(file))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module is not None and node.level == 0:
            found.add(node.module)
            # ``from datamesh.plan import naming`` imports the module datamesh.plan.naming
            found.update(f"{node.module}.{alias.name}" for alias in node.names
                         if _module_file(f"{node.module}.{alias.name}") is not None)
    return frozenset(m for name in found if name.startswith("datamesh")
                     for m in _with_packages(name) if _module_file(m) is not None)


def _reached(start: str) -> dict[str, str]:
    """Every ``datamesh`` module ``start`` imports, directly or not, with who imports it."""
    importer: dict[str, str] = {}
    todo = [start]
    while todo:
        current = todo.pop()
        for imported in _direct_imports(current):
            if imported not in importer and imported != start:
                importer[imported] = current
                todo.append(imported)
    return importer


def _chain(importer: dict[str, str], start: str, end: str) -> str:
    chain = [end]
    while chain[-1] != start:
        chain.append(importer[chain[-1]])
    return " -> ".join(reversed(chain))


def _modules_of(package: str) -> list[str]:
    root = PACKAGE / package
    return sorted(".".join(p.relative_to(REPO).with_suffix("").parts).removesuffix(".__init__")
                  for p in root.rglob("*.py"))


PLANNER_AND_POLICY = [*_modules_of("plan"), *_modules_of("policy")]


def test_the_walk_sees_the_modules_it_checks() -> None:
    assert "datamesh.plan.build" in PLANNER_AND_POLICY
    assert "datamesh.policy.engine" in PLANNER_AND_POLICY
    assert "datamesh.policy.rules.mesh_bucket_tags" in PLANNER_AND_POLICY


def test_the_walk_finds_the_loader_where_it_is_imported() -> None:
    """A check that cannot fail proves nothing: the resolver does import the loader."""
    importer = _reached("datamesh.resolve")
    assert "datamesh.loader" in importer
    assert _chain(importer, "datamesh.resolve", "datamesh.loader") == "datamesh.resolve -> datamesh.loader"


@pytest.mark.parametrize("module", PLANNER_AND_POLICY)
def test_never_imports_the_loader(module: str) -> None:
    importer = _reached(module)
    leaks = sorted(FORBIDDEN & {module, *importer})
    assert leaks == [], [_chain(importer, module, leak) for leak in leaks]
