"""`mesh check --plan FILE`: what it refuses (usage errors naming the file and the problem) and what
it does without facts (the grant-matching rules fail closed, as the pack does without a config)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from analyzer_helpers import configure, servicer
from policy_helpers import EXAMPLE_DOMAINS, TODAY
from test_pack_analyzer import verdicts

from datamesh.cli.main import main
from datamesh.plan import build_plan
from datamesh.policy.plan_file import parse_plan
from datamesh.policy.rules.mesh_grant_matches_spec import NO_FACTS
from datamesh.resolve import load_mesh

Capsys = pytest.CaptureFixture[str]
HINT = "  hint: expected the JSON of `mesh plan --format json`\n"


@pytest.fixture(scope="module")
def plan_json() -> dict[str, Any]:
    """The streaming example's dev plan, as `mesh plan --format json` writes it."""
    mesh = load_mesh(str(EXAMPLE_DOMAINS), TODAY).mesh
    assert mesh is not None, "the example mesh must resolve without errors"
    data: dict[str, Any] = json.loads(json.dumps(build_plan(mesh, "dev").to_json()))
    return data


def check(capsys: Capsys, *args: str) -> tuple[int, str, str]:
    code = main(["check", *args, "--today", TODAY.isoformat()])
    out, err = capsys.readouterr()
    return code, out, err


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "plan.json"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(("text", "problem"), [
    ("[]", 'expected a JSON object with a "resources" list (the output of `mesh plan --format json`), got a list'),
    ('{"resources": {}}', 'expected a JSON object with a "resources" list (the output of `mesh plan --format json`), '
                          'got "resources" an object'),
    ('{"resources": [7]}', "resources[0]: expected an object, got a number"),
    ('{"resources": [{"type": "aws:s3/bucket:Bucket", "name": "b", "inputs": []}]}',
     "resources[0].inputs: expected an object, got a list"),
    ('{"resources": [{"type": 3, "name": "b", "inputs": {}}]}',
     "resources[0].type: expected a non-empty string, got a number"),
    ('{"resources": [{"type": "t", "name": "b", "inputs": {}, "options": {"protect": "yes"}}]}',
     "resources[0].options.protect: expected a boolean, got a string"),
    ('{"resources": [{"type": "t", "name": "b", "inputs": {}}, {"type": "t", "name": "b", "inputs": {}}]}',
     'resources[1].name: "b" is also the name of resources[0]; logical names are unique in a stack'),
    ('{"resources": [{"type": "t", "name": "b", "inputs": {}, "parent": "nowhere"}]}',
     'resources[0].parent: "nowhere" is not a resource of the plan'),
    ('{"mesh": 1, "resources": []}', "mesh: expected a string, got a number"),
])
def test_a_malformed_plan_is_a_usage_error_naming_the_file_and_the_problem(
        capsys: Capsys, tmp_path: Path, text: str, problem: str) -> None:
    path = write(tmp_path, text)
    assert check(capsys, "--plan", str(path)) == (2, "", f"mesh: error: --plan {path}: {problem}\n{HINT}")


def test_every_problem_of_the_file_is_listed(capsys: Capsys, tmp_path: Path) -> None:
    path = write(tmp_path, '{"resources": [{"type": 3, "name": "a", "inputs": {}}, {"name": "b", "type": "x"}]}')
    assert check(capsys, "--plan", str(path)) == (2, "", (
        f"mesh: error: --plan {path}: resources[0].type: expected a non-empty string, got a number\n"
        f"  resources[1].inputs: expected an object, got null\n{HINT}"))


def test_invalid_json_names_line_and_column(capsys: Capsys, tmp_path: Path) -> None:
    path = write(tmp_path, '{"resources": [\n  1,\n')
    assert check(capsys, "--plan", str(path)) == (2, "", f"mesh: error: --plan {path}:3:1: not valid JSON: "
                                                         f"Expecting value\n{HINT}")


def test_a_missing_file_is_a_usage_error(capsys: Capsys, tmp_path: Path) -> None:
    path = tmp_path / "absent.json"
    assert check(capsys, "--plan", str(path)) == (
        2, "", f"mesh: error: --plan {path}: cannot read: No such file or directory\n{HINT}")


def test_options_of_the_specs_do_not_apply_to_a_saved_plan(capsys: Capsys, tmp_path: Path) -> None:
    path = write(tmp_path, '{"resources": []}')
    assert check(capsys, "--plan", str(path), "--env", "dev", "--domains", "d") == (2, "", (
        "mesh: error: --plan judges the saved plan as it is: --domains, --env does not apply\n"
        "  hint: the plan file names its own mesh and environment; give the facts with --policy-config "
        "(`mesh policy-config --env ENV` writes them)\n"))


def test_without_facts_every_grant_fails_closed_offline_and_at_deploy_time(
        capsys: Capsys, tmp_path: Path, plan_json: dict[str, Any]) -> None:
    path = write(tmp_path, json.dumps(plan_json))
    code, out, err = check(capsys, "--plan", str(path), "--format", "json")
    result = json.loads(out)
    grant_parts = sorted(r["name"] for r in plan_json["resources"]
                         if r["type"] in ("aws:s3/accessPoint:AccessPoint", "aws:kms/grant:Grant"))
    assert len(grant_parts) == 32, "the example has 16 grants, each an access point and a KMS grant"
    no_facts = sorted(v["resource"] for v in result["violations"]
                      if v["rule"] == "mesh-grant-matches-spec" and v["message"] == NO_FACTS)
    assert (code, err, result["passed"]) == (1, "", False)
    assert no_facts == grant_parts
    assert {v["level"] for v in result["violations"]} == {"mandatory"}
    # the pack, configured with nothing, gives the same verdicts
    s = servicer()
    configure(s, {})
    offline = {(v["rule"], v["resource"], v["level"]) for v in result["violations"]}
    assert verdicts(s, parse_plan(plan_json, "plan.json").views()) == offline
