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
    LIVE_DOMAINS,
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


# --- the users' mesh is not a fixture -------------------------------------------------------------
#
# domains/ belongs to the domain teams: their pull requests change it, and such a pull request
# must never turn `make test` red. Tests read fixture meshes under tests/ (meshtree.EXAMPLE_DOMAINS
# and friends); the live mesh is checked by what users run (`make demo`, the workflow). An audit
# hook sees every open/scandir/listdir of this process and every subprocess started, so a test that
# reads domains/ by any path (relative, absolute, through a helper) fails, naming what it read.

_LIVE = os.path.realpath(LIVE_DOMAINS)
_REPO_ROOT = os.path.dirname(_LIVE)
_live_reads: list[str] = []
_guarding = False


def _is_live(path: object, cwd: object = None) -> bool:
    """``path`` (relative: to ``cwd``, else this process's directory) is in the live domains/."""
    if isinstance(path, int):  # a file descriptor: its path was checked when it was opened
        return False
    try:
        text = os.fsdecode(path)  # type: ignore[arg-type]
        where = os.fsdecode(cwd) if cwd is not None else None  # type: ignore[arg-type]
    except TypeError:
        return False
    real = os.path.realpath(os.path.join(where, text) if where is not None else text)
    return real == _LIVE or real.startswith(_LIVE + os.sep)


def _reads_default_domains(args: object, cwd: object) -> bool:
    """A `mesh` process started in the repository root without --domains reads ./domains."""
    argv = [os.fsdecode(a) for a in args] if isinstance(args, list | tuple) else [os.fsdecode(args)]  # type: ignore[arg-type]
    where = os.path.realpath(os.fsdecode(cwd)) if cwd is not None else os.path.realpath(os.getcwd())  # type: ignore[arg-type]
    runs_mesh = any(a.endswith("mesh") or "datamesh.cli" in a for a in argv)
    return where == _REPO_ROOT and runs_mesh and not any(a.startswith("--domains") for a in argv)


def _audit(event: str, args: tuple[object, ...]) -> None:
    if not _guarding:
        return
    if event in ("open", "os.scandir", "os.listdir") and args and _is_live(args[0]):
        _live_reads.append(f"{event} {os.fsdecode(args[0])}")  # type: ignore[arg-type]
    elif event == "subprocess.Popen" and len(args) >= 3:
        argv, cwd = args[1], args[2]
        argv_list = argv if isinstance(argv, list | tuple) else [argv]
        # a relative argument names a path in the child's directory, not in ours
        if any(_is_live(a, cwd) for a in argv_list) or _reads_default_domains(argv, cwd):
            _live_reads.append(f"subprocess {argv!r} (cwd {cwd})")


sys.addaudithook(_audit)


@pytest.fixture(autouse=True)
def _no_test_reads_the_live_domains() -> Iterator[None]:
    global _guarding
    _live_reads.clear()
    _guarding = True
    try:
        yield
    finally:
        _guarding = False
    if _live_reads:
        reads = "\n  ".join(dict.fromkeys(_live_reads))
        pytest.fail(f"this test read the users' mesh (domains/); use a fixture mesh under tests/ "
                    f"(meshtree.EXAMPLE_DOMAINS, make_mesh):\n  {reads}", pytrace=False)
