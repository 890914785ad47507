"""The ``mesh`` command line: exit codes, output shapes, golden output, scaffolds, generated files.

The golden file of the example mesh is regenerated with::

    UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/cli
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from meshtree import EXAMPLE_DOMAINS, EXAMPLE_ROOT, REPO, domain_yaml, product_yaml

from datamesh.cli.main import main

GOLDEN = Path(__file__).parent / "golden"
REGENERATE = "UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/cli"

Capsys = pytest.CaptureFixture[str]


def run(capsys: Capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def check_golden(name: str, actual: str) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
    expected = path.read_text(encoding="utf-8") if path.exists() else None
    assert actual == expected, (
        f"{path.relative_to(REPO)} differs from the output; if the change is intended, regenerate it "
        f"with `{REGENERATE}` and review the diff")


@pytest.fixture
def at_repo(monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run from the fixture repository's root, as the documented commands run from a checkout's."""
    monkeypatch.chdir(EXAMPLE_ROOT)
    return EXAMPLE_ROOT


# --- mesh validate ---------------------------------------------------------------------------------


def test_validate_example_golden(capsys: Capsys, at_repo: Path) -> None:
    code, out, err = run(capsys, "validate", "--domains", "domains", "--today", "2026-11-25")
    assert (code, err) == (0, "")
    check_golden("validate_example.txt", out)


def test_validate_example_expected_warnings_only(capsys: Capsys, at_repo: Path) -> None:
    """The example shows the pending, expired and no-github warnings, and nothing accidental."""
    code, out, _ = run(capsys, "validate", "--domains", "domains", "--today", "2026-11-25", "--format", "json")
    report = json.loads(out)
    assert code == 0
    assert sorted(p["code"] for p in report["problems"]) == ["DM207", "DM300", "DM300", "DM301"]


def test_example_stays_valid_for_a_year(capsys: Capsys) -> None:
    """Dates in the example are far enough ahead: run without --today (today in UTC), it shows
    the same four warnings until 2027-11-24."""
    for today in ("2026-11-25", "2027-06-30", "2027-11-24"):
        code, out, _ = run(capsys, "validate", "--domains", str(EXAMPLE_DOMAINS), "--today", today)
        assert code == 0
        assert out.endswith("valid: 19 files, 0 error(s), 4 warning(s)\n"), (today, out)


def test_validate_json_shape(capsys: Capsys, make_mesh: Callable[..., Path], in_dir: Path) -> None:
    make_mesh({"alpha/products/events.yaml": product_yaml("events", "status: deprecated\n"),
               "gamma/domain.yaml": domain_yaml("gamma", github=False)})
    code, out, err = run(capsys, "validate", "--format", "json", "--today", "2026-11-25")
    assert (code, err) == (1, "")
    assert json.loads(out) == {
        "valid": False,
        "files": 6,
        "errors": 1,
        "warnings": 1,
        "problems": [
            {"file": "domains/alpha/products/events.yaml", "line": 11, "column": 9, "severity": "error",
             "code": "DM114", "field": "deprecation",
             "message": "status is deprecated but there is no deprecation block",
             "hint": "add `deprecation: {sunset: YYYY-MM-DD}` (and `replaced_by` if there is a successor)"},
            {"file": "domains/gamma/domain.yaml", "line": 6, "column": 3, "severity": "warning",
             "code": "DM207", "field": "owner.github",
             "message": "domain gamma has no owner.github: CODEOWNERS cannot require its review",
             "hint": "add `owner.github: \"@org/team\"` so CODEOWNERS can require the owner's review"},
        ],
    }


def test_validate_text_invalid(capsys: Capsys, make_mesh: Callable[..., Path], in_dir: Path) -> None:
    make_mesh({"alpha/products/events.yaml": product_yaml("events", days=0)})
    code, out, err = run(capsys, "validate", "--today", "2026-11-25")
    assert (code, err) == (1, "")
    assert out == (
        "domains/alpha/products/events.yaml:8:9: error DM107 retention.days: must be >= 1, got 0\n"
        "  hint: use a number inside the allowed range\n"
        "invalid: 6 files, 1 error(s), 0 warning(s)\n")


def test_validate_clean_mesh(capsys: Capsys, make_mesh: Callable[..., Path], in_dir: Path) -> None:
    make_mesh()
    assert run(capsys, "validate") == (0, "valid: 6 files, 0 error(s), 0 warning(s)\n", "")


def test_files_outside_cwd_are_absolute(capsys: Capsys, make_mesh: Callable[..., Path], tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_mesh({"alpha/products/events.yaml": product_yaml("events", days=0)})
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    code, out, _ = run(capsys, "validate", "--domains", str(root))
    assert code == 1
    assert out.startswith(f"{root}/alpha/products/events.yaml:8:9: error DM107 ")


def test_validate_checks_every_environment_whatever_env(capsys: Capsys, make_mesh: Callable[..., Path],
                                                        in_dir: Path) -> None:
    make_mesh({"gamma/domain.yaml": domain_yaml("gamma", accounts={"dev": "100000000003"})})
    code, out, _ = run(capsys, "validate", "--env", "dev")
    assert code == 1
    assert "error DM202 aws.accounts: domain gamma has no account for environment 'prod'" in out


# --- exit codes ----------------------------------------------------------------------------------------

USAGE_CASES = [
    ("bad-today", ["validate", "--domains", str(EXAMPLE_DOMAINS), "--today", "2026-02-30"],
     "mesh: error: argument --today: '2026-02-30' is not a date YYYY-MM-DD\n"),
    ("missing-domains-dir", ["validate", "--domains", "/nonexistent/domains"],
     "mesh: error: --domains /nonexistent/domains: not a directory\n"
     "  hint: point --domains at the folder that holds mesh.yaml\n"),
    ("unknown-option", ["validate", "--frobnicate"], "mesh: error: unrecognized arguments: --frobnicate\n"),
    ("bad-format", ["validate", "--format", "xml"],
     "mesh: error: argument --format: invalid choice: 'xml' (choose from 'text', 'json')\n"),
    ("unknown-command", ["frobnicate"], None),
    ("no-command", [], "mesh: error: the following arguments are required: COMMAND\n"),
]


@pytest.mark.parametrize(("argv", "message"), [c[1:] for c in USAGE_CASES], ids=[c[0] for c in USAGE_CASES])
def test_usage_errors_exit_2(capsys: Capsys, argv: list[str], message: str | None) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert "Traceback" not in err
    if message is not None:
        assert err.endswith(message), err
    else:
        assert "mesh: error: argument COMMAND: invalid choice: 'frobnicate'" in err


def test_internal_error_exits_3_without_traceback(capsys: Capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    import datamesh.cli.validate as validate

    def boom(*_: object, **__: object) -> None:
        raise RuntimeError("kaboom")

    monkeypatch.setattr(validate, "load_mesh", boom)
    monkeypatch.delenv("MESH_DEBUG", raising=False)
    code, out, err = run(capsys, "validate", "--domains", str(EXAMPLE_DOMAINS))
    assert (code, out) == (3, "")
    assert err == ("mesh: internal error: RuntimeError: kaboom\n"
                   "  hint: this is a bug in mesh; rerun with MESH_DEBUG=1 and report the traceback\n")


def test_version(capsys: Capsys) -> None:
    from datamesh import __version__

    assert run(capsys, "--version") == (0, f"mesh {__version__}\n", "")


# --- mesh new ----------------------------------------------------------------------------------------

NEW_DOMAIN = ["new", "domain", "delta", "--account", "dev=100000000004", "--account", "prod=200000000004",
              "--email", "delta@acme.example", "--github", "@acme/delta"]


def test_new_domain_writes_a_valid_file(capsys: Capsys, make_mesh: Callable[..., Path], in_dir: Path) -> None:
    make_mesh()
    code, out, err = run(capsys, *NEW_DOMAIN)
    assert (code, out, err) == (0, "created domains/delta/domain.yaml\n"
                                   "next: give domains/delta/ to @acme/delta in CODEOWNERS (its review is the "
                                   "producer's consent):\n"
                                   "  mesh codeowners --domains ./domains --platform-owner @YOUR-ORG/PLATFORM-TEAM\n",
                                "")
    text = (in_dir / "domains/delta/domain.yaml").read_text()
    assert text.startswith("# yaml-language-server: $schema=../../schemas/domain.schema.json\n")
    assert '    dev: "100000000004"\n    prod: "200000000004"\n' in text
    assert run(capsys, "validate") == (0, "valid: 7 files, 0 error(s), 0 warning(s)\n", "")


def test_new_domain_refuses_to_overwrite(capsys: Capsys, make_mesh: Callable[..., Path], in_dir: Path) -> None:
    make_mesh()
    assert run(capsys, *NEW_DOMAIN)[0] == 0
    before = (in_dir / "domains/delta/domain.yaml").read_text()
    code, out, err = run(capsys, *NEW_DOMAIN[:-2])
    assert (code, out) == (2, "")
    assert err == ("mesh: error: domains/delta/domain.yaml already exists\n"
                   "  hint: mesh new never overwrites; edit the file instead\n")
    assert (in_dir / "domains/delta/domain.yaml").read_text() == before


def test_new_domain_without_an_account_per_environment(capsys: Capsys, make_mesh: Callable[..., Path],
                                                       in_dir: Path) -> None:
    make_mesh()
    code, out, err = run(capsys, "new", "domain", "delta", "--account", "dev=100000000004",
                         "--email", "delta@acme.example")
    assert (code, out) == (2, "")
    assert err == ("mesh: error: mesh new domain delta: missing an account for prod\n"
                   "  hint: mesh new domain delta --account prod=<12 digits> [--github @org/team]\n")
    assert not (in_dir / "domains/delta").exists()


class Terminal(io.StringIO):
    """Answers typed on a terminal: ``input()`` reads them, ``isatty()`` is true."""

    def isatty(self) -> bool:
        return True


def test_new_domain_asks_on_a_terminal(capsys: Capsys, make_mesh: Callable[..., Path], in_dir: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """`mesh new domain NAME` as the README writes it: the questions, a retry on a bad answer."""
    make_mesh()
    (in_dir / ".github").mkdir()
    (in_dir / ".github" / "CODEOWNERS").write_text("* @acme/platform\n/domains/alpha/ @acme/alpha\n")
    monkeypatch.setattr("sys.stdin", Terminal("delta@acme.example\n1234\n100000000004\n200000000004\n@acme/delta\n"))
    monkeypatch.setattr("sys.stdout.isatty", lambda: True)
    code, out, err = run(capsys, "new", "domain", "delta")
    assert (code, err) == (0, "")
    assert out == ("New domain delta (Ctrl-C to cancel; the flags --email, --account, --github skip these "
                   "questions)\n"
                   "owner email (the team's address): "
                   "dev AWS account (12 digits): "
                   "  expected exactly 12 digits, got '1234'\n"
                   "dev AWS account (12 digits): "
                   "prod AWS account (12 digits): "
                   'owner GitHub team, e.g. "@org/team" (Enter to skip): '
                   "created domains/delta/domain.yaml\n"
                   "next: give domains/delta/ to @acme/delta in CODEOWNERS (its review is the producer's "
                   "consent):\n"
                   "  mesh codeowners --domains ./domains --platform-owner @acme/platform\n")
    text = (in_dir / "domains/delta/domain.yaml").read_text()
    assert '  email: delta@acme.example\n  github: "@acme/delta"' in text
    assert '    dev: "100000000004"\n    prod: "200000000004"\n' in text
    assert run(capsys, "validate")[0] == 0


@pytest.mark.parametrize(("argv", "message"), [
    (["new", "domain", "Delta", "--account", "dev=100000000004", "--email", "d@acme.example"],
     "mesh: error: 'Delta' is not a valid domain name\n  hint: use a lowercase slug like artist-payments\n"),
    (["new", "domain", "delta", "--account", "dev=1234", "--email", "d@acme.example"],
     "mesh: error: --account dev=1234: expected ENV=ACCOUNT with a 12-digit account\n"
     "  hint: e.g. --account dev=111111111111\n"),
    (["new", "product", "zeta/thing"],
     "mesh: error: there is no domain 'zeta'\n  hint: create it first: mesh new domain zeta ...\n"),
    (["new", "product", "alpha"],
     "mesh: error: 'alpha' is not DOMAIN/NAME\n  hint: e.g. mesh new product player/play-events\n"),
    (["new", "domain", "delta", "--account", "dev=100000000004", "--account", "prod=200000000004"],
     "mesh: error: mesh new domain delta: missing the owner's email\n"
     "  hint: mesh new domain delta --email delta-data@example.com [--github @org/team]\n"),
], ids=["bad-name", "bad-account", "unknown-domain", "not-a-ref", "missing-email"])
def test_new_usage_errors(capsys: Capsys, make_mesh: Callable[..., Path], in_dir: Path,
                          argv: list[str], message: str) -> None:
    make_mesh()
    code, out, err = run(capsys, *argv)
    assert (code, out) == (2, "")
    assert err.endswith(message), err


def test_new_domain_with_shared_account_is_written_with_the_warning(
        capsys: Capsys, make_mesh: Callable[..., Path], in_dir: Path) -> None:
    make_mesh()
    code, out, err = run(capsys, "new", "domain", "delta", "--account", "dev=100000000001",
                         "--account", "prod=200000000004", "--email", "delta@acme.example",
                         "--github", "@acme/delta")
    assert (code, out.splitlines()[0]) == (0, "created domains/delta/domain.yaml")
    assert err == ("domains/delta/domain.yaml:14:10: warning DM205 aws.accounts.dev: account 100000000001 is "
                   "shared in dev by alpha and delta\n"
                   "  hint: give each domain its own account: isolation then rests on IAM inside one account\n")


def test_new_product_writes_a_valid_file(capsys: Capsys, make_mesh: Callable[..., Path], in_dir: Path) -> None:
    make_mesh()
    code, out, err = run(capsys, "new", "product", "alpha/clicks", "--classification", "restricted",
                         "--retention-days", "400")
    assert (code, out, err) == (0, "created domains/alpha/products/clicks.yaml\n", "")
    text = (in_dir / "domains/alpha/products/clicks.yaml").read_text()
    assert text.startswith("# yaml-language-server: $schema=../../../schemas/data-product.schema.json\n")
    assert "classification: restricted" in text
    assert run(capsys, "validate") == (0, "valid: 7 files, 0 error(s), 0 warning(s)\n", "")
    code, out, err = run(capsys, "new", "product", "alpha/clicks")
    assert (code, out) == (2, "")
    assert err == ("mesh: error: domains/alpha/products/clicks.yaml already exists\n"
                   "  hint: mesh new never overwrites; edit the file instead\n")


def test_new_product_in_the_example_mesh(capsys: Capsys, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    shutil.copytree(EXAMPLE_DOMAINS, tmp_path / "domains")
    monkeypatch.chdir(tmp_path)
    assert run(capsys, "new", "product", "player/buffering-events")[0] == 0
    code, out, _ = run(capsys, "validate", "--today", "2026-11-25")
    assert (code, out.splitlines()[-1]) == (0, "valid: 20 files, 0 error(s), 4 warning(s)")


# --- generated files ----------------------------------------------------------------------------------


def test_committed_schemas_are_in_sync(capsys: Capsys) -> None:
    """The schema sync test: schemas/ equals what the models generate."""
    code, out, err = run(capsys, "schema", "--check", "--output", str(REPO / "schemas"))
    assert (code, out, err) == (0, "", ""), "schemas/ is stale: run `.venv/bin/mesh schema --output schemas`"


def test_schema_check_reports_stale_files(capsys: Capsys, in_dir: Path) -> None:
    assert run(capsys, "schema", "--output", "out")[0] == 0
    (in_dir / "out/domain.schema.json").write_text("{}\n")
    code, out, err = run(capsys, "schema", "--check", "--output", "out")
    assert (code, out) == (1, "")
    assert err == "out/domain.schema.json: out of date; run `mesh schema --output out`\n"


def test_codes_equal_docs_errors_md(capsys: Capsys) -> None:
    code, out, err = run(capsys, "codes")
    assert (code, err) == (0, "")
    assert out == (REPO / "docs/errors.md").read_text(encoding="utf-8"), (
        "docs/errors.md is stale: run `.venv/bin/mesh codes > docs/errors.md`")
