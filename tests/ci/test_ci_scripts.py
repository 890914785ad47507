"""The workflows' helper scripts (.github/scripts/) and the pre-commit configuration."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml
from meshtree import EXAMPLE_DOMAINS

from datamesh.cli.main import COMMANDS, build_parser

REPO = Path(__file__).resolve().parents[2]
SCRIPTS = REPO / ".github" / "scripts"
GIT = ["git", "-c", "user.email=ci@example.com", "-c", "user.name=ci"]


def script(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, SCRIPTS / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


stack_matrix = script("stack_matrix")
classify_preview = script("classify_preview")

DOMAINS = ["artist-payments", "artists", "listeners", "partners", "player", "playlist"]


def entries(env: str, scopes: list[str]) -> list[dict[str, str]]:
    return [{"environment": env, "scope": s, "stack": f"{env}-{s}"} for s in scopes]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A mesh repository: the streaming fixture as domains/, a program file, one commit."""
    root = tmp_path / "repo"
    shutil.copytree(EXAMPLE_DOMAINS, root / "domains")
    (root / "__main__.py").write_text("# the program\n")
    subprocess.run([*GIT, "init", "-q"], cwd=root, check=True)
    commit(root, "base")
    return root


def commit(root: Path, message: str) -> None:
    subprocess.run([*GIT, "add", "-A"], cwd=root, check=True)
    subprocess.run([*GIT, "commit", "-qm", message, "--allow-empty"], cwd=root, check=True)


def never_affected(base: str, root: Path) -> dict[str, Any]:
    raise AssertionError("mesh affected must not be asked")


# --- stack_matrix --------------------------------------------------------------------------------------


def test_all_lists_each_environment_times_each_domain_and_the_platform(repo):
    result = stack_matrix.select(repo, None, never_affected)
    assert result["reason"] == "every stack"
    dev, prod = entries("dev", [*DOMAINS, "platform"]), entries("prod", [*DOMAINS, "platform"])
    assert result["matrix"]["include"] == dev + prod
    assert (result["first"]["include"], result["rest"]["include"]) == (dev, prod)
    assert result["any"] is True


def test_a_spec_only_change_previews_what_mesh_affected_says_in_mesh_order(repo):
    path = repo / "domains" / "playlist" / "domain.yaml"
    path.write_text(path.read_text() + "\n")
    commit(repo, "spec")
    asked = []

    def affected(base: str, root: Path) -> dict[str, Any]:
        asked.append(base)
        return {"base": base, "environments": {"prod": ["playlist"], "dev": ["player", "playlist"]},
                "matrix": [*entries("prod", ["playlist"]), *entries("dev", ["playlist", "player"])]}

    result = stack_matrix.select(repo, "HEAD~1", affected)
    assert asked == ["HEAD~1"]
    assert result["reason"] == "the stacks whose plan differs from HEAD~1 (mesh affected)"
    assert result["matrix"]["include"] == [*entries("dev", ["player", "playlist"]), *entries("prod", ["playlist"])]
    assert result["first"]["include"] == entries("dev", ["player", "playlist"])
    assert result["rest"]["include"] == entries("prod", ["playlist"])


def test_the_script_reads_the_real_mesh_affected(repo, monkeypatch):
    """The interface end to end: the script runs `mesh affected --format json` and keeps its matrix."""
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}:{os.environ['PATH']}")
    path = repo / "domains" / "partners" / "domain.yaml"
    path.write_text(path.read_text().replace(
        "consumes:\n", "consumes:\n  - product: player/skip-events\n    purpose: skips per partner device\n"))
    commit(repo, "partners reads skip-events")
    result = stack_matrix.select(repo, "HEAD~1")
    assert result["reason"] == "the stacks whose plan differs from HEAD~1 (mesh affected)"
    # only partners' file changed; the grant's access point is planned in player's stack, and the
    # platform stack's catalog ConfigMaps show the new grant
    assert result["matrix"]["include"] == [*entries("dev", ["player", "platform"]),
                                           *entries("prod", ["player", "platform"])]


def test_documentation_counts_as_no_code(repo):
    (repo / "README.md").write_text("# hello\n")
    commit(repo, "docs")
    result = stack_matrix.select(repo, "HEAD~1", lambda base, root: {"matrix": []})
    assert (result["any"], result["matrix"], result["first"], result["rest"]) == (
        False, {"include": []}, {"include": []}, {"include": []})


def test_a_code_change_previews_every_stack(repo):
    (repo / "__main__.py").write_text("# changed\n")
    for i in range(6):
        (repo / f"module{i}.py").write_text("")
    commit(repo, "code")
    result = stack_matrix.select(repo, "HEAD~1", never_affected)
    assert result["reason"] == ("files outside domains/ changed (__main__.py, module0.py, module1.py, module2.py, "
                                "module3.py and 2 more): every stack")
    assert len(result["matrix"]["include"]) == 14


@pytest.mark.parametrize("base", ["0000000000000000000000000000000000000000", "no-such-branch"])
def test_a_base_that_is_no_commit_deploys_every_stack(repo, base):
    result = stack_matrix.select(repo, base, never_affected)
    assert result["reason"] == f"{base} is not a commit of this repository: every stack"
    assert len(result["matrix"]["include"]) == 14


def test_the_cli_writes_github_outputs_and_lists_environments(repo, tmp_path, monkeypatch, capsys):
    out = tmp_path / "github-output"
    monkeypatch.setenv("GITHUB_OUTPUT", str(out))
    assert stack_matrix.main(["--all", "--root", str(repo), "--github-output"]) == 0
    printed = json.loads(capsys.readouterr().out)
    lines = dict(line.split("=", 1) for line in out.read_text().splitlines())
    assert set(lines) == {"any", "reason", "matrix", "first", "rest"}
    assert lines["any"] == "true" and lines["reason"] == "every stack"
    assert json.loads(lines["matrix"]) == printed["matrix"] and " " not in lines["matrix"]
    assert stack_matrix.main(["--environments", "--root", str(repo)]) == 0
    assert capsys.readouterr().out == "dev\nprod\n"


def test_an_invalid_mesh_stops_with_a_pointer_to_mesh_validate(tmp_path):
    (tmp_path / "domains").mkdir()
    with pytest.raises(SystemExit, match=r"is invalid: run `mesh validate`"):
        stack_matrix.select(tmp_path, None)


# --- classify_preview ---------------------------------------------------------------------------------


def urn(types: str, name: str, stack: str = "dev-playlist") -> str:
    return f"urn:pulumi:{stack}::datamesh::{types}::{name}"


GRANT = "datamesh:mesh:Domain$datamesh:mesh:DataProduct$datamesh:mesh:AccessGrant"
AP = urn(f"{GRANT}$aws:s3/accessPoint:AccessPoint", "playlist/sessions.grant.artists.ap")
KMS_GRANT = urn(f"{GRANT}$aws:kms/grant:Grant", "playlist/sessions.grant.artists.kms")
COMPONENT = urn(GRANT, "playlist/sessions.grant.artists")
BUCKET_POLICY = urn("datamesh:mesh:Domain$datamesh:mesh:DataProduct$aws:s3/bucketPolicy:BucketPolicy",
                    "playlist/sessions.policy")
SAME = [{"op": "same", "urn": urn("pulumi:pulumi:Stack", "datamesh-dev-playlist")},
        {"op": "refresh", "urn": BUCKET_POLICY}, {"op": "read", "urn": BUCKET_POLICY}]


@pytest.mark.parametrize(("steps", "verdict"), [
    (SAME, "unchanged"),
    ([], "unchanged"),
    ([*SAME, {"op": "delete", "urn": AP}, {"op": "delete", "urn": KMS_GRANT}, {"op": "delete", "urn": COMPONENT}],
     "revocations"),
    ([{"op": "delete", "urn": AP}, {"op": "update", "urn": BUCKET_POLICY}], "drift"),
    ([{"op": "update", "urn": AP}], "drift"),  # an access point changed outside the mesh
    ([{"op": "create", "urn": AP}], "drift"),  # one deleted outside the mesh, or a grant not deployed
    ([{"op": "replace", "urn": KMS_GRANT}], "drift"),
    ([{"op": "delete", "urn": BUCKET_POLICY}], "drift"),
    ([{"op": "delete", "urn": urn("datamesh:mesh:Domain$aws:s3/accessPoint:AccessPoint", "x.grant.y")}], "drift"),
])
def test_only_deletions_of_access_grants_are_revocations(steps, verdict):
    assert classify_preview.classify({"steps": steps})[0] == verdict


def test_the_report_names_each_change(tmp_path, monkeypatch, capsys):
    preview = tmp_path / "preview.json"
    preview.write_text(json.dumps({"steps": [*SAME, {"op": "delete", "urn": AP}, {"op": "delete", "urn": COMPONENT}]}))
    out = tmp_path / "github-output"
    monkeypatch.setenv("GITHUB_OUTPUT", str(out))
    assert classify_preview.main([str(preview), "--stack", "dev-playlist", "--github-output"]) == 0
    assert capsys.readouterr().out == (
        "### `dev-playlist`: only expired or removed grants: applying\n\n"
        "| operation | resource |\n|---|---|\n"
        "| delete | `playlist/sessions.grant.artists.ap` (aws:s3/accessPoint:AccessPoint) |\n"
        "| delete | `playlist/sessions.grant.artists` (datamesh:mesh:AccessGrant) |\n")
    assert out.read_text() == "verdict=revocations\n"


@pytest.mark.parametrize("text", ["not json", "[]", '{"steps": [{"op": "same"}]}'])
def test_a_file_that_is_not_a_preview_is_exit_2(tmp_path, capsys, text):
    preview = tmp_path / "preview.json"
    preview.write_text(text)
    assert classify_preview.main([str(preview), "--stack", "s"]) == 2
    assert "not the JSON of `pulumi preview --json`" in capsys.readouterr().err


# --- pre-commit --------------------------------------------------------------------------------------------


def test_the_pre_commit_hooks_run_existing_mesh_commands_when_specs_change():
    config = yaml.safe_load((REPO / ".pre-commit-config.yaml").read_text())
    [local] = config["repos"]
    assert local["repo"] == "local"
    hooks = {h["id"]: h for h in local["hooks"]}
    assert set(hooks) == {"mesh-validate", "mesh-codeowners"}
    for hook in hooks.values():
        argv = hook["entry"].split()
        assert argv[0] == "mesh" and argv[1] in COMMANDS
        build_parser(only=argv[1]).parse_args(argv[1:])  # every option exists (else exit 2)
        assert hook["language"] == "system" and hook["pass_filenames"] is False
    assert hooks["mesh-validate"]["entry"] == "mesh validate"
    assert hooks["mesh-codeowners"]["entry"] == "mesh codeowners --platform-owner @daff/platform --check"
    assert re.search(hooks["mesh-validate"]["files"], "domains/playlist/products/sessions.yaml")
    assert not re.search(hooks["mesh-validate"]["files"], "components/domain.py")
    assert re.search(hooks["mesh-codeowners"]["files"], ".github/CODEOWNERS")


def test_pre_commit_accepts_the_configuration():
    exe = shutil.which("pre-commit", path=str(Path(sys.executable).parent))
    assert exe, "pre-commit is a dev dependency: run `make .venv/.dev`"
    done = subprocess.run([exe, "validate-config", ".pre-commit-config.yaml"], cwd=REPO,
                          capture_output=True, text=True)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


# --- the documentation names what exists ------------------------------------------------------------


def test_docs_ci_names_only_mesh_commands_and_files_that_exist():
    text = (REPO / "docs" / "ci.md").read_text()
    named = set(re.findall(r"`mesh ([a-z][a-z-]*)", text))
    assert named == {"diff", "affected", "validate", "codeowners", "check", "policy-config"}
    assert named <= set(COMMANDS)
    for link in re.findall(r"\]\((\.\./[^)#]+)", text):
        assert (REPO / "docs" / link).resolve().exists(), link
