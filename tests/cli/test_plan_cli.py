"""`mesh plan` text: counts that agree with `mesh check`, and a scoped plan's own warnings."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from meshtree import EXAMPLE_ROOT

from datamesh.cli.main import main

Capsys = pytest.CaptureFixture[str]


def run(capsys: Capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def at_example(monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(EXAMPLE_ROOT)
    return EXAMPLE_ROOT


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_plan_and_check_count_the_same_resources(capsys: Capsys, at_example: Path, env: str) -> None:
    code, plan_text, _ = run(capsys, "plan", "--today", "2026-11-25", "--env", env)
    assert code == 0
    counted = re.match(r"(\d+) resources \((\d+) cloud resources, (\d+) read of the last deploy, (\d+) providers, "
                       r"(\d+) components\)", plan_text.splitlines()[1])
    assert counted is not None, plan_text.splitlines()[1]
    total, cloud, reads, providers, components = map(int, counted.groups())
    assert reads == 1 and plan_text.count("  StackReference  ") == 1
    assert cloud + reads + providers + components == total
    assert components == plan_text.count("  Domain  ") + plan_text.count("  DataProduct  ") + \
        plan_text.count("  AccessGrant  ") + plan_text.count("  DiscoveryEndpoint  ")
    by_type = plan_text.split("By type:\n")[1]
    assert sum(int(line.split()[0]) for line in by_type.splitlines()) == total
    code, check_text, _ = run(capsys, "check", "--today", "2026-11-25", "--env", env)
    assert code == 0
    assert f" rules over {total} resources " in check_text.splitlines()[-1]


def test_the_dev_plan_headline(capsys: Capsys, at_example: Path) -> None:
    _, out, _ = run(capsys, "plan", "--today", "2026-11-25")
    assert out.splitlines()[:2] == [
        "Plan for mesh daff, environment dev, evaluated 2026-11-25",
        "203 resources (159 cloud resources, 1 read of the last deploy, 8 providers, 35 components), 16 grants, "
        "2 pending requests"]


def test_the_whole_mesh_plan_shows_every_warning(capsys: Capsys, at_example: Path) -> None:
    _, out, _ = run(capsys, "plan", "--today", "2026-11-25")
    assert "Warnings (4):" in out


@pytest.mark.parametrize(("scope", "codes"), [
    ("player", []),
    ("partners", ["DM207", "DM300"]),
    ("artists", ["DM300"]),
    ("artist-payments", ["DM301"]),
    ("platform", []),
    ("artists,partners", ["DM207", "DM300", "DM300"]),
])
def test_a_scoped_plan_shows_only_its_domains_warnings(capsys: Capsys, at_example: Path, scope: str,
                                                       codes: list[str]) -> None:
    code, out, _ = run(capsys, "plan", "--today", "2026-11-25", "--scope", scope)
    assert code == 0
    shown = [line.split()[0] for line in out.split("Warnings (")[1].split("\n\n")[0].splitlines()[1:]] \
        if "Warnings (" in out else []
    assert shown == codes
