"""Symbolic links under domains/ are never followed: each is one clean DM014 error, nothing is read
through it (issue 10 §5). A link can point anywhere — out of the reviewed tree, at `/`, at itself —
and a pull request can add one, so the loader refuses the class, not the examples.

The same rule holds for a git tree read from objects (mode 120000): see tests/diff/test_source.py.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from datamesh.cli.main import main

Capsys = pytest.CaptureFixture[str]

HINT = ("  hint: replace the link with the file or folder itself: links are never followed "
        "(one could point outside the reviewed tree)")


_opened: list[str] = []
_watching = False


def _audit(event: str, args: tuple[object, ...]) -> None:
    if _watching and event == "open" and args and isinstance(args[0], str | bytes | os.PathLike):
        _opened.append(os.fsdecode(args[0]))


sys.addaudithook(_audit)


@pytest.fixture
def opened() -> Iterator[list[str]]:
    """Every path this process opens during the test (builtin open and os.open alike)."""
    global _watching
    _opened.clear()
    _watching = True
    try:
        yield _opened
    finally:
        _watching = False


def validate(capsys: Capsys) -> tuple[int, str, str]:
    code = main(["validate", "--today", "2026-11-25"])
    out, err = capsys.readouterr()
    return code, out, err


def link_line(path: str, target: str) -> str:
    return (f"{path}:1:1: error DM014 -: symbolic link to {target!r}: not followed, nothing is read "
            f"through it\n{HINT}\n")


def test_symlink_loop_is_a_clean_error(capsys: Capsys, make_mesh: Callable[..., Path], in_dir: Path) -> None:
    root = make_mesh()
    os.symlink("self", root / "alpha/products/self")
    os.symlink("b", root / "alpha/a")
    os.symlink("a", root / "alpha/b")
    assert validate(capsys) == (1, link_line("domains/alpha/a", "b") + link_line("domains/alpha/b", "a")
                                + link_line("domains/alpha/products/self", "self")
                                + "invalid: 6 files, 3 error(s), 0 warning(s)\n", "")


def test_symlink_to_the_filesystem_root_is_not_walked(capsys: Capsys, make_mesh: Callable[..., Path],
                                                      in_dir: Path) -> None:
    root = make_mesh()
    os.symlink("/", root / "alpha/products/everything")
    os.symlink("/", root / "alpha/notes")
    assert validate(capsys) == (1, link_line("domains/alpha/notes", "/")
                                + link_line("domains/alpha/products/everything", "/")
                                + "invalid: 6 files, 2 error(s), 0 warning(s)\n", "")


def test_symlink_to_a_file_outside_the_tree_is_not_read(capsys: Capsys, make_mesh: Callable[..., Path],
                                                        in_dir: Path, opened: list[str]) -> None:
    root = make_mesh()
    secret = in_dir / "secret.yaml"
    secret.write_text("token: do-not-print-me\n")
    os.symlink(str(secret), root / "alpha/products/leak.yaml")
    opened.clear()  # only what mesh opens
    code, out, err = validate(capsys)
    assert (code, out, err) == (1, link_line("domains/alpha/products/leak.yaml", str(secret))
                                + "invalid: 6 files, 1 error(s), 0 warning(s)\n", "")
    assert "./domains/alpha/products/events.yaml" in opened  # the spy sees the loader's reads
    assert not [p for p in opened if p.endswith(("leak.yaml", "secret.yaml"))]


def test_symlinked_spec_files_and_folders(capsys: Capsys, make_mesh: Callable[..., Path], tmp_path: Path,
                                          in_dir: Path) -> None:
    """mesh.yaml, a domain.yaml and a whole domain folder as links: each refused once, and what they
    would have held is neither read nor reported as missing or unknown."""
    root = make_mesh({"mesh.yaml": None, "beta/domain.yaml": None})
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "gamma2/products").mkdir(parents=True)
    (elsewhere / "mesh.yaml").write_text("not: read\n")
    (elsewhere / "domain.yaml").write_text("not: read\n")
    os.symlink(str(elsewhere / "mesh.yaml"), root / "mesh.yaml")
    os.symlink(str(elsewhere / "domain.yaml"), root / "beta/domain.yaml")
    os.symlink(str(elsewhere / "gamma2"), root / "delta")
    os.symlink(str(elsewhere / "gamma2/products"), root / "gamma/products")
    code, out, err = validate(capsys)
    assert (code, err) == (1, "")
    assert out == (link_line("domains/beta/domain.yaml", str(elsewhere / "domain.yaml"))
                   + link_line("domains/delta", str(elsewhere / "gamma2"))
                   + link_line("domains/gamma/products", str(elsewhere / "gamma2/products"))
                   + link_line("domains/mesh.yaml", str(elsewhere / "mesh.yaml"))
                   + "invalid: 4 files, 4 error(s), 0 warning(s)\n")
