"""The Pulumi program's guards: stack config, and refusing to deploy an invalid mesh or plan."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pulumi
import pytest
import yaml

from datamesh.diagnostics import Diagnostic
from datamesh.plan import Plan

REPO = Path(__file__).resolve().parents[2]
EXAMPLE_DOMAINS = REPO / "tests" / "fixtures" / "streaming" / "domains"
TODAY = date(2026, 11, 25)


@pytest.mark.parametrize(("raw", "scope"), [
    (None, None),
    ("", None),
    ("  ", None),
    ("[]", None),
    ('["playlist"]', ["playlist"]),
    ('["platform", "player"]', ["platform", "player"]),
    ("playlist", ["playlist"]),
    ("player, artists,", ["player", "artists"]),
])
def test_scope_config_is_a_list_or_comma_separated(program, raw, scope):
    assert program["read_scope"](raw) == scope


@pytest.mark.parametrize("raw", ["[1, 2]", "[playlist", '["a", {"b": 1}]'])
def test_a_scope_that_is_not_a_list_of_names_is_refused(program, raw):
    with pytest.raises(pulumi.RunError, match=r"datamesh:scope must be a list of names"):
        program["read_scope"](raw)


def write_invalid_mesh(root: Path) -> Path:
    domains = root / "domains"
    (domains / "alpha").mkdir(parents=True)
    (domains / "mesh.yaml").write_text(
        "apiVersion: datamesh/v1\nkind: Mesh\nname: acme\nenvironments: [dev]\n"
        'platform: {accounts: {dev: "900000000001"}, region: eu-west-1}\n')
    (domains / "alpha" / "domain.yaml").write_text(
        "apiVersion: datamesh/v1\nkind: Domain\nname: alpha\ndescription: A.\n"
        "owner: {team: A, email: a@acme.example}\naws:\n  accounts: {dev: 100000000001}\n")
    return domains


def test_an_invalid_mesh_logs_its_diagnostics_and_deploys_nothing(program, new_engine, tmp_path):
    domains = write_invalid_mesh(tmp_path)
    engine = new_engine()
    with pytest.raises(pulumi.RunError, match=r"the mesh in .* is invalid \(1 errors above\): nothing deployed"):
        program["deploy"](domains, TODAY)
    errors = [m for level, m in engine.logs if level == "error"]
    assert len(errors) == 1
    assert "domains/alpha/domain.yaml:7:" in errors[0]
    assert "quote" in errors[0]  # the account id must be a quoted string
    assert engine.registrations() == {}


def test_an_unknown_environment_is_a_clean_error(program, new_engine):
    new_engine(stack="staging")
    with pytest.raises(pulumi.RunError, match=r"environment 'staging' is not one of dev, prod; "
                                              r"set datamesh:environment / datamesh:scope"):
        program["plan_stack"](TODAY, EXAMPLE_DOMAINS)


def test_an_unknown_scope_is_a_clean_error(program, new_engine):
    new_engine(config={"datamesh:scope": "playlist,nosuch"})
    with pytest.raises(pulumi.RunError, match=r"scope names unknown domain\(s\): nosuch"):
        program["plan_stack"](TODAY, EXAMPLE_DOMAINS)


@pytest.mark.parametrize("raw", ["evil", "./evil/../evil", "tests/fixtures/streaming/domains", "/tmp/domains", ".."])
def test_the_stack_config_cannot_point_the_program_at_another_tree(program, new_engine, raw):
    """A copy of domains/ elsewhere, approving itself, would deploy grants no producer reviewed."""
    engine = new_engine(config={"datamesh:domains": raw})
    with pytest.raises(pulumi.RunError, match=r"datamesh:domains is .*: this program deploys only the "
                                              r"repository's own domains/"):
        program["main"]()
    assert engine.registrations() == {}


@pytest.mark.parametrize("raw", ["./domains", "domains", "domains/"])
def test_the_repository_domains_is_the_program_s_mesh(program, new_engine, raw):
    new_engine(config={"datamesh:domains": raw})
    assert program["mesh_dir"](pulumi.Config("datamesh")) == REPO / "domains"
    new_engine()
    assert program["mesh_dir"](pulumi.Config("datamesh")) == REPO / "domains"


def test_a_plan_with_errors_is_refused(program, new_engine):
    engine = new_engine()
    over = Diagnostic(file="domains/alpha/domain.yaml", line=1, col=1, severity="error", code="DM401",
                      field="alpha.consumer", message="inline policies of a role: 10,300 of 10,240")
    plan = Plan(mesh="acme", environment="dev", today=TODAY, errors=[over])
    with pytest.raises(pulumi.RunError, match=r"the plan of dev has 1 errors above: nothing deployed"):
        program["check_plan"](plan)
    assert [level for level, _ in engine.logs] == ["error"]
    assert "DM401" in engine.logs[0][1]


def test_the_example_stacks_configure_the_program(program):
    project = yaml.safe_load((REPO / "Pulumi.yaml").read_text())
    assert project["name"] == "datamesh"  # config keys datamesh:* are the project's own
    assert project["runtime"] == {"name": "python", "options": {"toolchain": "pip", "virtualenv": ".venv"}}
    assert (REPO / "__main__.py").is_file()  # Pulumi's default `main`: the project directory
    for env in ("dev", "prod"):
        stack = yaml.safe_load((REPO / f"Pulumi.{env}.yaml").read_text())["config"]
        assert stack["datamesh:environment"] == env
        assert "datamesh:domains" not in stack  # the program deploys the repository's domains/
        assert stack["pulumi:disable-default-providers"] == ["*"]
