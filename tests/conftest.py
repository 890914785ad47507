"""Fixtures shared by every test directory; the spec helpers live in ``tests/meshtree.py``.

Test modules import helpers with ``from meshtree import ...``: ``import conftest`` is ambiguous
once several test directories have a conftest.py. The names below stay importable from this
file for helpers that load it by path.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest

_TESTS = str(Path(__file__).resolve().parent)
if _TESTS not in sys.path:  # pytest already put it there; helpers that load this file by path did not
    sys.path.append(_TESTS)

from meshtree import (  # noqa: E402
    ACCOUNTS,
    BASE_FILES,
    EXAMPLE_DOMAINS,
    MESH_YAML,
    REPO,
    TODAY,
    Files,
    domain_yaml,
    lines_of,
    mesh_yaml,
    product_yaml,
    write_tree,
)

from datamesh.resolve import load_mesh  # noqa: E402

__all__ = ["ACCOUNTS", "BASE_FILES", "EXAMPLE_DOMAINS", "MESH_YAML", "REPO", "TODAY", "Files", "domain_yaml",
           "lines_of", "mesh_yaml", "product_yaml", "write_tree"]


@pytest.fixture
def make_mesh(tmp_path: Path) -> Callable[..., Path]:
    """``make_mesh({"rel/path.yaml": text | None, ...}, base=True)`` → the ``domains`` dir.

    Files are written under ``tmp_path/domains``; run diagnostics with ``validate_tree``.
    """

    def make(files: Files | None = None, *, base: bool = True) -> Path:
        return write_tree(tmp_path / "domains", files or {}, base=base)

    return make


@pytest.fixture
def validate_tree(tmp_path: Path) -> Callable[..., list[str]]:
    """``validate_tree(root, today=TODAY)`` → formatted diagnostics relative to ``tmp_path``."""

    def run(root: Path, today: date = TODAY) -> list[str]:
        return lines_of(load_mesh(str(root), today), tmp_path)

    return run


@pytest.fixture
def in_dir(tmp_path: Path) -> Iterator[Path]:
    """Run the test with ``tmp_path`` as the current directory."""
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        yield tmp_path
    finally:
        os.chdir(old)
