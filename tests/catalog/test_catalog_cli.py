"""``mesh catalog``: output, files, exit codes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from catalogs import example_catalog
from meshtree import EXAMPLE_ROOT, product_yaml

from datamesh.catalog import catalog_from_json, catalog_json, dumps
from datamesh.cli.main import main

Capsys = pytest.CaptureFixture[str]


def run(capsys: Capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def at_repo(monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(EXAMPLE_ROOT)
    return EXAMPLE_ROOT


def test_catalog_json_is_the_catalog(capsys: Capsys, at_repo: Path) -> None:
    code, out, err = run(capsys, "catalog", "--domains", "domains", "--today", "2026-11-25")
    assert (code, err) == (0, "")
    assert json.loads(out) == catalog_json(example_catalog())


def test_catalog_of_another_environment_and_day(capsys: Capsys, at_repo: Path) -> None:
    code, out, _ = run(capsys, "catalog", "--domains", "domains", "--env", "prod", "--today", "2027-11-25")
    data = json.loads(out)
    assert code == 0
    assert (data["catalog"]["environment"], data["catalog"]["built_at"]) == ("prod", "2027-11-25")
    royalty = next(p for p in data["products"] if p["id"] == "artist-payments/royalty-statements")
    # Built on the day after the artists' approval ended: no grant, two pending requests.
    assert royalty["access"]["grants"] == []
    assert [(p["consumer"], p["expired_on"]) for p in royalty["access"]["pending"]] == [
        ("artists", "2027-11-24"), ("partners", "2025-09-30")]


def test_output_writes_the_catalog_file(capsys: Capsys, at_repo: Path, tmp_path: Path) -> None:
    target = tmp_path / "out" / "catalog.json"
    code, out, err = run(capsys, "catalog", "--domains", "domains", "--today", "2026-11-25", "--output", str(target))
    assert (code, out, err) == (0, "", "")
    catalog = example_catalog()
    assert target.read_bytes() == dumps(catalog_json(catalog)) + b"\n"
    assert catalog_from_json(json.loads(target.read_bytes())) == catalog
    assert [p.name for p in target.parent.iterdir()] == ["catalog.json"]  # no temporary file left


def test_text_listing(capsys: Capsys, at_repo: Path) -> None:
    code, out, _ = run(capsys, "catalog", "--domains", "domains", "--today", "2026-11-25", "--format", "text")
    assert code == 0
    assert out.splitlines() == [
        "Catalog of mesh daff, environment dev, evaluated 2026-11-25: 12 products in 6 domains",
        "  artist-payments/royalty-statements  1.0.0    active     restricted   approval 1 reader, 1 pending",
        "  artists/artist-catalog              5.0.1    active     public       open     3 readers",
        "  artists/artist-popularity           1.2.0    active     internal     approval 1 reader",
        "  listeners/listener-profiles         2.1.0    active     restricted   approval 2 readers",
        "  listeners/signups                   1.0.3    active     internal     open     1 reader",
        "  partners/partner-reports            1.3.0    active     confidential approval 1 reader, 1 pending",
        "  player/device-stats                 1.0.0    retired    internal     private  0 readers",
        "  player/play-events                  3.4.0    active     confidential approval 3 readers",
        "  player/skip-events                  1.1.0    active     internal     open     1 reader",
        "  playlist/listening-sessions         1.4.2    deprecated confidential approval 1 reader",
        "  playlist/listening-sessions-v2      2.0.0    active     confidential approval 2 readers",
        "  playlist/mood-mixes                 0.3.0    draft      internal     private  0 readers",
    ]


def test_an_invalid_mesh_exits_1(capsys: Capsys, make_mesh: Any, in_dir: Path) -> None:
    root = make_mesh({"alpha/products/events.yaml": product_yaml("events", days=0)})
    code, out, err = run(capsys, "catalog", "--domains", str(root))
    assert (code, out) == (1, "")
    assert err.splitlines()[-1] == "mesh: the mesh has 1 error(s); run `mesh validate` for details"


@pytest.mark.parametrize(("argv", "message"), [
    (["--env", "staging"], "mesh: error: --env staging: not an environment of mesh daff"),
    (["--format", "yaml"], None),
    (["--today", "tomorrow"], None),
])
def test_usage_errors_exit_2(capsys: Capsys, at_repo: Path, argv: list[str], message: str | None) -> None:
    code, out, err = run(capsys, "catalog", "--domains", "domains", *argv)
    assert (code, out) == (2, "")
    if message:
        assert err.splitlines()[0] == message


def test_shards_writes_the_configmap_files(capsys: Capsys, at_repo: Path, tmp_path: Path) -> None:
    from datamesh.catalog.shards import encode_shards, read_catalog

    target = tmp_path / "shards"
    code, out, err = run(capsys, "catalog", "--domains", "domains", "--today", "2026-11-25", "--shards", str(target))
    assert (code, out, err) == (0, "", "")
    catalog = example_catalog()
    files = encode_shards(catalog)
    assert {p.name: p.read_bytes() for p in target.iterdir()} == files
    assert read_catalog(target) == catalog


def test_shards_and_output_together(capsys: Capsys, at_repo: Path, tmp_path: Path) -> None:
    from datamesh.catalog.shards import read_catalog

    code, out, err = run(capsys, "catalog", "--domains", "domains", "--today", "2026-11-25",
                         "--shards", str(tmp_path / "shards"), "--output", str(tmp_path / "catalog.json"))
    assert (code, out, err) == (0, "", "")
    assert read_catalog(tmp_path / "shards") == read_catalog(tmp_path / "catalog.json") == example_catalog()
