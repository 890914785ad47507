"""The parse cache: output byte-identical to the uncached path, and never a way to a valid mesh.

Every CLI run here is in-process (``main``), so the same cache code runs as in the console script.
"""

from __future__ import annotations

import marshal
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from meshtree import EXAMPLE_DOMAINS, TODAY

from datamesh import loader, parsecache
from datamesh.cli.main import main

Capsys = pytest.CaptureFixture[str]
COMMANDS = (
    ["validate"],
    ["validate", "--format", "json"],
    ["plan", "--env", "dev", "--format", "json"],
    ["plan", "--env", "prod"],
    ["check", "--env", "prod", "--format", "json"],
)
SESSIONS = "playlist/products/listening-sessions.yaml"


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the streaming mesh in a git-like repository, with a cache outside it."""
    repo = tmp_path / "repo"
    shutil.copytree(EXAMPLE_DOMAINS, repo / "domains")
    (repo / ".git").mkdir()
    monkeypatch.setenv("MESH_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("MESH_CACHE", raising=False)
    return repo / "domains"


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The texts the loader parsed (cache misses and files with problems)."""
    seen: list[str] = []
    real = loader.read_yaml

    def counting(text: str):  # type: ignore[no-untyped-def]
        seen.append(text)
        return real(text)

    monkeypatch.setattr(loader, "read_yaml", counting)
    yield seen


def _run(capsys: Capsys, domains: Path, argv: list[str]) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main([*argv, "--domains", str(domains), "--today", TODAY.isoformat()])
    out, err = capsys.readouterr()
    return code, out, err


def _all_outputs(capsys: Capsys, domains: Path, monkeypatch: pytest.MonkeyPatch,
                 cache: bool) -> list[tuple[int, str, str]]:
    monkeypatch.setenv("MESH_CACHE", "on" if cache else "off")
    return [_run(capsys, domains, argv) for argv in COMMANDS]


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"fixture changed: {old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


EDITS: list[tuple[str, Callable[[Path], None], int]] = [
    # (step, edit, files the five cached commands parse: misses, and files with YAML problems)
    ("unchanged", lambda d: None, 19),  # cold: every file once
    ("description", lambda d: _edit(d / SESSIONS, "description: ", "description: Edited. "), 1),
    ("retention shortened", lambda d: _edit(d / SESSIONS, "days: ", "days: 1"), 1),
    ("YAML broken", lambda d: _edit(d / SESSIONS, "apiVersion:", "apiVersion: ["), len(COMMANDS)),
    ("YAML fixed, unknown key", lambda d: _edit(d / SESSIONS, "apiVersion: [", "colour: red\napiVersion:"), 1),
    ("key removed: the bytes of two steps ago", lambda d: _edit(d / SESSIONS, "colour: red\n", ""), 0),
    ("file removed", lambda d: (d / SESSIONS).unlink(), 0),
    ("file restored as at the start", lambda d: shutil.copy(EXAMPLE_DOMAINS / SESSIONS, d / SESSIONS), 0),
]


def test_cached_output_is_byte_identical_over_a_series_of_edits(
        capsys: Capsys, tree: Path, monkeypatch: pytest.MonkeyPatch, parses: list[str]) -> None:
    for name, edit, parsed in EDITS:
        edit(tree)
        uncached = _all_outputs(capsys, tree, monkeypatch, cache=False)
        parses.clear()
        cached = _all_outputs(capsys, tree, monkeypatch, cache=True)
        assert cached == uncached, f"after '{name}' the cached output differs"
        if name == "YAML broken":
            assert uncached[0][0] == 1 and "error DM002" in uncached[0][1]
        if name == "YAML fixed, unknown key":
            assert uncached[0][0] == 1 and "error DM100 colour" in uncached[0][1]
        assert len(parses) == parsed, f"after '{name}': {len(parses)} file(s) parsed"
    assert _run(capsys, tree, ["validate"])[0] == 0  # back to the fixture: valid again


def test_a_warm_cache_parses_nothing(capsys: Capsys, tree: Path, parses: list[str]) -> None:
    assert _run(capsys, tree, ["validate"])[0] == 0
    files = len(parses)
    assert files == 19  # the streaming mesh: mesh.yaml, 6 domains, 12 products
    parses.clear()
    assert _run(capsys, tree, ["validate"])[0] == 0
    assert parses == []


def test_a_cache_inside_the_repository_is_never_read(
        capsys: Capsys, tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A pull request could commit a cache mapping its invalid file to valid values."""
    planted = tree.parent / ".mesh-cache"
    monkeypatch.setenv("MESH_CACHE_DIR", str(planted))
    _edit(tree / SESSIONS, "apiVersion:", "colour: red\napiVersion:")
    clean = (EXAMPLE_DOMAINS / SESSIONS).read_bytes()
    forged_value, _ = parsecache_read(clean)
    key = parsecache.content_key((tree / SESSIONS).read_bytes())
    planted.mkdir()
    (planted / f"parsed-{parsecache.code_hash()}.marshal").write_bytes(marshal.dumps(
        {"format": parsecache.FORMAT, "code": parsecache.code_hash(), "entries": {key: forged_value}}))
    code, out, _ = _run(capsys, tree, ["validate"])
    assert code == 1 and "error DM100 colour" in out
    assert sorted(os.listdir(planted)) == [f"parsed-{parsecache.code_hash()}.marshal"]  # nothing written


def parsecache_read(raw: bytes) -> tuple[object, object]:
    from datamesh.yamlsource import read_yaml

    return read_yaml(raw.decode())


def test_a_corrupt_cache_is_ignored_and_replaced(capsys: Capsys, tree: Path, tmp_path: Path) -> None:
    cache_file = tmp_path / "cache" / f"parsed-{parsecache.code_hash()}.marshal"
    cache_file.parent.mkdir()
    cache_file.write_bytes(b"\x00not marshal at all")
    assert _run(capsys, tree, ["validate"])[0] == 0
    data = marshal.loads(cache_file.read_bytes())
    assert data["code"] == parsecache.code_hash() and len(data["entries"]) == 19


def test_turned_off_it_writes_nothing(capsys: Capsys, tree: Path, tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MESH_CACHE", "off")
    assert _run(capsys, tree, ["validate"])[0] == 0
    assert not (tmp_path / "cache").exists()


def test_caches_of_old_code_versions_are_pruned(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    folder.mkdir()
    for i in range(6):
        old = folder / f"parsed-old{i}.marshal"
        old.write_bytes(b"")
        os.utime(old, (1_000_000 + i, 1_000_000 + i))
    cache = parsecache.ParseCache(str(folder / f"parsed-{parsecache.code_hash()}.marshal"))
    cache.get(b"k")  # a miss, so there is something to save
    cache.put(b"k", {"a": 1})
    cache.save()
    assert sorted(os.listdir(folder)) == sorted(
        [f"parsed-{parsecache.code_hash()}.marshal", "parsed-old5.marshal", "parsed-old4.marshal",
         "parsed-old3.marshal"])


def test_the_code_hash_covers_every_source_file_of_the_package() -> None:
    """A changed rule anywhere in datamesh/ must start a new cache (the version string does not
    change when the code does): the hash reads every .py file under the package."""
    read: list[str] = []
    real_open = open

    def spying(path: str, *args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        read.append(os.path.relpath(path, os.path.dirname(parsecache.__file__)))
        return real_open(path, *args, **kwargs)  # type: ignore[call-overload]

    parsecache.code_hash.cache_clear()
    import builtins

    builtins.open, saved = spying, builtins.open  # type: ignore[assignment]
    try:
        parsecache.code_hash()
    finally:
        builtins.open = saved
    package = Path(parsecache.__file__).parent
    expected = sorted(str(p.relative_to(package)) for p in package.rglob("*.py") if "__pycache__" not in p.parts)
    assert sorted(read) == expected


def test_a_valid_mesh_composes_each_file_once(make_mesh: Callable[..., Path],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Positions keep only the text and compose it again when a problem needs one: a mesh
    without problems composes every file exactly once (keeping the node trees cost 440 MB at
    10,000 products; asking every request's position up front would compose every file twice)."""
    import yaml

    from datamesh import yamlsource
    from datamesh.resolve import load_mesh

    composed: list[str] = []
    real = yaml.compose

    def counting(text: str, Loader: object) -> object:
        composed.append(text)
        return real(text, Loader=Loader)  # type: ignore[arg-type]

    monkeypatch.setattr(yamlsource.yaml, "compose", counting)
    root = make_mesh()
    resolution = load_mesh(str(root), TODAY)
    assert resolution.mesh is not None and resolution.report.items == []
    files = sorted(str(p) for p in root.rglob("*.yaml"))
    assert len(composed) == len(files) == 6
    assert len(set(composed)) == 6


def test_requests_compose_no_file_again_unless_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    """The streaming mesh has 20-odd access requests; only files with a diagnostic (its pending
    requests) are composed a second time, to find the position."""
    import yaml

    from datamesh import yamlsource
    from datamesh.resolve import load_mesh

    composed: list[str] = []
    real = yaml.compose

    def counting(text: str, Loader: object) -> object:
        composed.append(text)
        return real(text, Loader=Loader)  # type: ignore[arg-type]

    monkeypatch.setattr(yamlsource.yaml, "compose", counting)
    resolution = load_mesh(str(EXAMPLE_DOMAINS), TODAY)
    reported = {d.file for d in resolution.report.items}
    assert resolution.mesh is not None and 0 < len(reported) < 19
    assert len(composed) == 19 + len(reported)


@pytest.mark.parametrize("data", [
    {"mesh": "acme", "resources": [{"a": 1, "b": [1, 2]}, {"c": None}], "empty": [], "n": 1.5, "d": {"x": "y"}},
    {"when": TODAY, "list": [TODAY, "é", "\u2028"]},
    {1: "int key", "s": 2},
    [1, {"a": 2}],
    "text",
    {},
])
def test_piped_json_is_written_in_pieces_byte_identical_to_json_dumps(data: object) -> None:
    import json

    from datamesh.cli.common import write_compact_json

    pieces: list[str] = []
    write_compact_json(data, pieces.append)
    assert "".join(pieces) == json.dumps(data, default=str)
