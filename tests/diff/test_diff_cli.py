"""`mesh diff` and `mesh affected` at their edges: bad refs, no changes, a base without the mesh, an
invalid side, the platform team's files, one GitHub comment for a huge change, hostile names."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from cases import CASES, make_repo, replace
from gitrepo import GitRepo
from meshtree import EXAMPLE_DOMAINS

from datamesh.cli.main import main
from datamesh.diff.render_markdown import LIMIT, MARKER

TODAY = "2026-11-25"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def diff_json(capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, dict[str, Any]]:
    code, out, err = run(capsys, "diff", "--base", "main", "--today", TODAY, "--format", "json", *extra)
    assert err == ""
    return code, json.loads(out)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> GitRepo:
    made = make_repo(tmp_path / "repo")
    monkeypatch.chdir(made.root)
    return made


@pytest.mark.parametrize("command", ["diff", "affected"])
def test_a_bad_ref_is_a_usage_error_naming_it(repo, capsys, command):
    code, out, err = run(capsys, command, "--base", "no-such-branch")
    assert (code, out) == (2, "")
    assert err == (f"mesh: error: --base no-such-branch: not a commit of the repository {repo.root}\n"
                   "  hint: name a branch, tag or commit that exists locally; in CI fetch it first "
                   "(actions/checkout with fetch-depth: 0, or `git fetch origin main`)\n")


def test_a_ref_spelt_like_an_option_is_only_a_ref(repo, capsys):
    code, _, err = run(capsys, "diff", "--base=--output=/tmp/x")
    assert code == 2
    assert err.startswith("mesh: error: --base --output=/tmp/x: not a commit of the repository")


def test_domains_outside_a_repository_is_a_usage_error(tmp_path, capsys, monkeypatch):
    shutil.copytree(EXAMPLE_DOMAINS, tmp_path / "domains")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    code, _, err = run(capsys, "diff", "--base", "main")
    assert code == 2
    assert err.startswith("mesh: error: --domains ./domains: not inside a git repository")
    assert err.endswith("  hint: mesh diff and mesh affected compare with a commit: run them in a git checkout\n")


@pytest.mark.parametrize("fmt,expected", [
    ("text", "mesh diff daff dev: base main ({commit}) → working tree, evaluated 2026-11-25\nNo changes\n"),
    ("markdown", f"{MARKER}\n### mesh diff: `daff` `dev`\n\nBase `main` (`{{commit}}`) → this change, evaluated "
                 "2026-11-25.\n\n**No changes**\n"),
])
def test_an_unchanged_tree_says_no_changes(repo, capsys, fmt, expected):
    commit = repo.git("rev-parse", "main").strip()[:12]
    assert run(capsys, "diff", "--base", "main", "--today", TODAY, "--format", fmt) == (
        0, expected.format(commit=commit), "")


def test_an_unchanged_tree_in_json_has_every_key_and_nothing_in_them(repo, capsys):
    code, data = diff_json(capsys)
    assert code == 0
    assert list(data) == ["summary", "access", "pending", "risks", "resources", "approvers", "policy", "notes"]
    assert data["summary"]["changed"] is False
    assert data["access"] == {"gained": [], "lost": [], "changed": []}
    assert data["pending"] == {"opened": [], "resolved": []}
    assert (data["risks"], data["approvers"], data["notes"]) == ([], [], [])
    resources = data["resources"]
    assert (resources["added"], resources["changed"], resources["removed"]) == ([], [], [])
    assert data["policy"]["passed"] is True


def test_a_committed_change_is_compared_too(repo, capsys):
    repo.git("checkout", "-q", "-b", "shorten")
    CASES["shorten-retention"](repo)
    repo.commit("shorten")
    code, data = diff_json(capsys)
    assert code == 0
    assert data["summary"]["files"] == ["domains/player/products/play-events.yaml"]
    assert [r["kind"] for r in data["risks"]] == ["retention-shortened", "retention-shortened"]


def test_a_base_without_the_folder_is_an_empty_mesh(tmp_path, capsys, monkeypatch):
    repo = GitRepo(tmp_path / "repo")
    repo.write_file("README.md", "before the mesh\n")
    repo.commit("no mesh yet")
    shutil.copytree(EXAMPLE_DOMAINS, repo.domains)
    monkeypatch.chdir(repo.root)
    code, data = diff_json(capsys)
    assert code == 0
    assert data["notes"] == ["domains/ does not exist at base main: the base is an empty mesh, everything is new"]
    assert data["summary"]["domains"]["added"] == ["artist-payments", "artists", "listeners", "partners",
                                                   "player", "playlist"]
    assert data["summary"]["resources"]["removed"] == 0
    assert data["summary"]["resources"]["added"] == data["policy"]["resources"]
    assert data["access"]["lost"] == []
    assert run(capsys, "affected", "--base", "main", "--env", "dev")[1].splitlines() == [
        "dev artist-payments", "dev artists", "dev listeners", "dev partners", "dev platform", "dev player",
        "dev playlist"]


def test_an_invalid_head_exits_1_with_its_errors(repo, capsys):
    replace(repo, "player/products/play-events.yaml", "classification: confidential", "classification: secret")
    code, out, err = run(capsys, "diff", "--base", "main", "--today", TODAY)
    assert (code, err) == (1, "")
    lines = out.splitlines()
    assert "  resources: not compared: the head does not validate: it has no plan" in lines
    assert "  policy:    rejected: the head does not validate (1 error(s))" in lines
    errors = [line for line in lines if "error DM" in line]
    assert errors == [line for line in errors if line.startswith("  domains/player/products/play-events.yaml:")]
    assert len(errors) == 1
    code, out, err = run(capsys, "affected", "--base", "main", "--today", TODAY)
    assert (code, out) == (1, "")
    assert err.endswith("mesh: the mesh has 1 error(s); run `mesh validate` for details\n")


def test_the_base_errors_are_notes_and_never_the_exit_code(repo, capsys):
    replace(repo, "player/products/play-events.yaml", "classification: confidential", "classification: secret")
    repo.commit("a broken main")
    replace(repo, "player/products/play-events.yaml", "classification: secret", "classification: confidential")
    code, data = diff_json(capsys)
    assert code == 0
    assert data["notes"][0] == ("the base main has 1 error(s) under this code (listed below; only the head "
                                "decides the exit code)")
    assert re.fullmatch(r"base main: domains/player/products/play-events\.yaml:\d+:\d+: error DM\d+ "
                        r"classification: .*", data["notes"][1])
    assert data["resources"]["compared"] is False
    assert data["policy"]["passed"] is True
    # a base that cannot be planned: every scope of the head is affected
    assert len(run(capsys, "affected", "--base", "main", "--env", "dev")[1].splitlines()) == 7


def test_a_mandatory_violation_of_the_head_exits_1_and_is_new(repo, capsys):
    replace(repo, "listeners/products/listener-profiles.yaml",
            "    - domain: playlist\n      until: 2027-11-24", "    - domain: playlist\n      until: 2028-06-30")
    code, data = diff_json(capsys)
    assert code == 1
    assert data["summary"]["exit_code"] == 1
    assert [(v["rule"], v["level"], v["new"]) for v in data["policy"]["violations"]] == [
        ("mesh-restricted-grant-duration", "mandatory", True)]


def test_a_violation_the_base_already_had_is_not_new(repo, capsys):
    # The base is judged only when the head has findings; then each one says whether it is new.
    replace(repo, "listeners/products/listener-profiles.yaml",
            "    - domain: playlist\n      until: 2027-11-24", "    - domain: playlist\n      until: 2028-06-30")
    repo.commit("an over-long grant, already on main")
    replace(repo, "player/products/play-events.yaml", "\ndescription: ", "\ndescription: Edited. ")
    code, data = diff_json(capsys)
    assert code == 1
    assert [(v["rule"], v["new"]) for v in data["policy"]["violations"]] == [
        ("mesh-restricted-grant-duration", False)]


def test_the_policy_config_of_mesh_check_is_honoured(repo, capsys, tmp_path):
    replace(repo, "listeners/products/listener-profiles.yaml",
            "    - domain: playlist\n      until: 2027-11-24", "    - domain: playlist\n      until: 2028-06-30")
    config = tmp_path / "pack.json"
    config.write_text(json.dumps({"mesh-restricted-grant-duration": {"enforcementLevel": "advisory"}}))
    code, data = diff_json(capsys, "--policy-config", str(config))
    assert code == 0
    assert (data["policy"]["mandatory"], data["policy"]["advisory"]) == (0, 1)


def test_mesh_yaml_is_the_platform_teams_by_codeowners(repo, capsys):
    replace(repo, "mesh.yaml", "    replicas: 2", "    replicas: 3")
    code, data = diff_json(capsys)
    assert code == 0
    assert data["summary"]["mesh_changed"] is True
    assert data["approvers"] == [{"approver": "@daff/platform",
                                  "reasons": ["domains/mesh.yaml changed (mesh-wide: the platform team's)"]}]
    assert run(capsys, "affected", "--base", "main")[1].splitlines() == ["dev platform", "prod platform"]


def test_without_codeowners_mesh_yaml_goes_to_the_platform_team(repo, capsys):
    (repo.root / ".github/CODEOWNERS").unlink()
    repo.commit("no CODEOWNERS")
    replace(repo, "mesh.yaml", "    replicas: 2", "    replicas: 3")
    _, data = diff_json(capsys)
    assert [a["approver"] for a in data["approvers"]] == ["the platform team"]


def test_a_removed_domain_is_an_affected_scope(repo, capsys):
    CASES["add-domain"](repo)
    repo.commit("podcasts")
    shutil.rmtree(repo.domains / "podcasts")
    code, out, _ = run(capsys, "affected", "--base", "main", "--env", "prod", "--today", TODAY)
    assert (code, out) == (0, "prod platform\nprod podcasts\n")  # the catalog loses the domain too
    code, data = diff_json(capsys)
    assert code == 0
    assert data["summary"]["domains"]["removed"] == ["podcasts"]
    assert [(r["kind"], r["subject"]) for r in data["risks"]] == [("domain-removed", "podcasts"),
                                                                  ("product-removed", "podcasts/episodes")]


def test_affected_rejects_an_unknown_environment(repo, capsys):
    code, _, err = run(capsys, "affected", "--base", "main", "--env", "staging")
    assert code == 2
    assert err == "mesh: error: --env staging: not an environment of mesh daff\n  hint: choose one of: dev, prod\n"


def test_markdown_fits_one_comment_and_keeps_its_summary(repo, capsys):
    product = (EXAMPLE_DOMAINS / "player/products/skip-events.yaml").read_text()
    for i in range(150):  # ~1,000 resources added: far over one comment
        repo.write_file(f"domains/player/products/bulk-{i:03}.yaml",
                        product.replace("name: skip-events", f"name: bulk-{i:03}"))
    code, md, err = run(capsys, "diff", "--base", "main", "--today", TODAY, "--format", "markdown")
    assert (code, err) == (0, "")
    assert len(md) <= LIMIT
    lines = md.splitlines()
    assert lines[0] == MARKER
    assert "| Products | 150 added · 0 changed · 0 retired · 0 removed |" in lines
    assert any(line.startswith("| Resources | +") for line in lines)
    assert "| Policy (head) | ✅ passed" in md
    assert re.search(r"^_… \d+ more not shown here\._$", md, re.M)
    left = re.search(r"^_(\d+) detail line\(s\) left out to fit one comment \(65,536 characters\): run "
                     r"`mesh diff --base main --format json` for everything\._$", md, re.M)
    assert left is not None
    code, data = diff_json(capsys)
    assert len(data["resources"]["added"]) > int(left.group(1))  # json has everything


def test_names_from_files_cannot_forge_lines_or_mentions(repo, capsys):
    repo.write_file("evil\n! 0 risks @everyone.txt", "x\n")
    code, out, _ = run(capsys, "diff", "--base", "main", "--today", TODAY)
    assert code == 0
    assert "    evil\\n! 0 risks @everyone.txt" in out.splitlines()
    _, md, _ = run(capsys, "diff", "--base", "main", "--today", TODAY, "--format", "markdown")
    assert "> `evil\\n! 0 risks @everyone.txt`" in md.splitlines()


def test_environments_that_differ_are_noted_and_a_new_one_is_all_new(repo, capsys):
    replace(repo, "mesh.yaml", "environments: [dev, prod]", "environments: [dev, prod, staging]")
    replace(repo, "mesh.yaml", '    prod: "900000000002"\n', '    prod: "900000000002"\n    staging: "900000000003"\n')
    for domain in ("artist-payments", "artists", "listeners", "partners", "player", "playlist"):
        text = (repo.domains / domain / "domain.yaml").read_text()
        prod = next(line for line in text.splitlines() if line.strip().startswith("prod:"))
        replace(repo, f"{domain}/domain.yaml", prod + "\n", prod + "\n" + prod.replace("prod:", "staging:")
                .replace('"2', '"3') + "\n")
    code, data = diff_json(capsys)
    assert code == 0
    assert data["notes"] == ["the environments differ: base main has dev, prod; the head has dev, prod, staging "
                             "(this diff is for dev)"]
    code, data = diff_json(capsys, "--env", "staging")
    assert code == 0
    assert data["notes"][1] == ("base main has no environment 'staging' (its environments: dev, prod): "
                                "everything in staging is new")
    assert data["summary"]["resources"]["removed"] == 0
    assert data["summary"]["resources"]["added"] == data["policy"]["resources"]
    assert run(capsys, "affected", "--base", "main", "--env", "staging")[1].splitlines() == [
        "staging artist-payments", "staging artists", "staging listeners", "staging partners", "staging platform",
        "staging player", "staging playlist"]


def test_long_file_names_outside_cannot_push_the_summary_out_of_the_comment(repo, capsys):
    for i in range(25):
        repo.write_file(f"{i:02}{'x' * 250}/{'y' * 250}/{'z' * 250}.txt", "x\n")
    CASES["shorten-retention"](repo)
    _, md, _ = run(capsys, "diff", "--base", "main", "--today", TODAY, "--format", "markdown")
    warning = next(line for line in md.splitlines() if line.startswith("> `00"))
    assert warning.count("`, `") == 19 and warning.endswith(" and 5 more")
    assert len(warning) < 20 * 310
    assert "| Risks | ⚠️ 2 |" in md


def snapshot(git_dir: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(git_dir)): (p.stat().st_mtime_ns, p.stat().st_size)
            for p in git_dir.rglob("*") if p.is_file()}


def test_nothing_is_written_to_the_repository(repo, capsys):
    CASES["shorten-retention"](repo)
    repo.write_file("notes.txt", "untracked\n")
    before = snapshot(repo.root / ".git")
    for argv in (["diff", "--base", "main"], ["diff", "--base", "main", "--format", "markdown"],
                 ["affected", "--base", "main"]):
        assert run(capsys, *argv, "--today", TODAY)[0] == 0
    assert snapshot(repo.root / ".git") == before  # no index refresh, no lock, no object written


def test_a_mesh_at_the_top_of_the_repository(tmp_path, capsys, monkeypatch):
    repo = GitRepo(tmp_path / "repo")
    shutil.copytree(EXAMPLE_DOMAINS, repo.root, dirs_exist_ok=True)
    repo.commit("the mesh is the repository")
    monkeypatch.chdir(repo.root)
    changed = repo.root / "player" / "products" / "play-events.yaml"
    changed.write_text(changed.read_text().replace("  days: 400\n", "  days: 200\n"))
    code, data = diff_json(capsys, "--domains", ".")
    assert code == 0
    assert (data["summary"]["domains_path"], data["summary"]["files"], data["summary"]["outside"]) == (
        ".", ["player/products/play-events.yaml"], [])
    assert [(r["kind"], r["before"], r["after"]) for r in data["risks"]] == [("retention-shortened", 400, 200)]
    assert data["approvers"] == [{"approver": "@daff/player",
                                  "reasons": ["1 file(s) under player/ changed"]}]
