"""``mesh check`` and ``mesh policy-config``: exit codes and exact output."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from policy_helpers import EXAMPLE_DOMAINS, domain_yaml, product_yaml

from datamesh.cli.main import main
from datamesh.policy import RULES, RULES_BY_ID, parse_pack_config

Capsys = pytest.CaptureFixture[str]
TODAY = "2026-11-25"
RETENTION_FIX = RULES_BY_ID["mesh-restricted-retention"].remediation


def product_component(root: Path, key: str) -> str:
    """The logical name the planner gives the DataProduct component of ``key``."""
    from datetime import date

    from datamesh.plan import build_plan
    from datamesh.resolve import load_mesh

    mesh = load_mesh(str(root), date.fromisoformat(TODAY)).mesh
    assert mesh is not None, "the example mesh must resolve without errors"
    return next(r.name for r in build_plan(mesh, "dev").resources
                if r.type == "datamesh:mesh:DataProduct" and r.product == key)


def run(capsys: Capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def breaking_mesh(make_mesh: Callable[..., Path]) -> Path:
    """Valid, but alpha/events is restricted and kept 1000 days."""
    return make_mesh({
        "alpha/products/events.yaml": product_yaml("events", classification="restricted", days=1000),
        "beta/domain.yaml": domain_yaml("beta"),
    })


def test_example_mesh_passes(capsys: Capsys) -> None:
    for env in ("dev", "prod"):
        code, out, err = run(capsys, "check", "--domains", str(EXAMPLE_DOMAINS), "--env", env, "--today", TODAY)
        assert (code, err) == (0, "")
        assert out == (f"passed: 0 mandatory and 0 advisory violation(s); 27 of 27 rules over "
                       f"{out.split(' rules over ')[1].split()[0]} resources (daff {env}, {TODAY})\n")


def test_validate_passes_but_check_rejects(capsys: Capsys, breaking_mesh: Path) -> None:
    code, out, _ = run(capsys, "validate", "--domains", str(breaking_mesh), "--today", TODAY)
    assert code == 0 and out.startswith("valid:")
    code, out, err = run(capsys, "check", "--domains", str(breaking_mesh), "--today", TODAY)
    assert (code, err) == (1, "")
    name = product_component(breaking_mesh, "alpha/events")
    assert out.splitlines() == [
        f"mandatory high mesh-restricted-retention {name} alpha/events: retention.days is 1000, a "
        "restricted product keeps data at most 730 days",
        f"  remediation: {RETENTION_FIX}",
        "rejected: 1 mandatory and 0 advisory violation(s); 27 of 27 rules over "
        f"{out.split(' rules over ')[1].split()[0]} resources (acme dev, {TODAY})",
    ]


def test_policy_config_can_make_a_rule_advisory(capsys: Capsys, breaking_mesh: Path, tmp_path: Path) -> None:
    config = tmp_path / "levels.json"
    config.write_text(json.dumps({"mesh-restricted-retention": "advisory"}), encoding="utf-8")
    code, out, _ = run(capsys, "check", "--domains", str(breaking_mesh), "--today", TODAY,
                       "--policy-config", str(config))
    assert code == 0
    name = product_component(breaking_mesh, "alpha/events")
    assert out.splitlines()[0].startswith(f"advisory high mesh-restricted-retention {name} alpha/events:")
    assert out.splitlines()[-1].startswith("passed: 0 mandatory and 1 advisory violation(s); 27 of 27 rules")


def test_policy_config_thresholds(capsys: Capsys, breaking_mesh: Path, tmp_path: Path) -> None:
    config = tmp_path / "thresholds.json"
    config.write_text(json.dumps({"mesh-restricted-retention": {"maxRetentionDays": {"restricted": 1000}},
                                  "mesh-bucket-tags": "disabled"}), encoding="utf-8")
    code, out, _ = run(capsys, "check", "--domains", str(breaking_mesh), "--today", TODAY,
                       "--policy-config", str(config))
    assert code == 0
    assert out.startswith("passed: 0 mandatory and 0 advisory violation(s); 26 of 27 rules")


def test_json_format(capsys: Capsys, breaking_mesh: Path) -> None:
    code, out, _ = run(capsys, "check", "--domains", str(breaking_mesh), "--today", TODAY, "--format", "json")
    data = json.loads(out)
    assert code == 1
    assert {k: data[k] for k in ("mesh", "environment", "today", "passed", "mandatory", "advisory", "errors")} == {
        "mesh": "acme", "environment": "dev", "today": TODAY, "passed": False, "mandatory": 1, "advisory": 0,
        "errors": []}
    assert [r["id"] for r in data["rules"]] == [r.id for r in RULES]
    assert data["violations"] == [{
        "rule": "mesh-restricted-retention", "level": "mandatory", "severity": "high",
        "resource": product_component(breaking_mesh, "alpha/events"), "type": "datamesh:mesh:DataProduct",
        "domain": "alpha",
        "product": "alpha/events",
        "message": "retention.days is 1000, a restricted product keeps data at most 730 days",
        "remediation": RETENTION_FIX}]


def test_malformed_policy_config_is_a_usage_error(capsys: Capsys, tmp_path: Path) -> None:
    config = tmp_path / "bad.json"
    config.write_text(json.dumps({"mesh-retention": "advisory", "mesh-bucket-tags": "off"}), encoding="utf-8")
    code, out, err = run(capsys, "check", "--domains", str(EXAMPLE_DOMAINS), "--policy-config", str(config))
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        f"mesh: error: --policy-config {config}: mesh-retention: not a rule of mesh-guardrails (rules: "
        + ", ".join(sorted(r.id for r in RULES)) + ")",
        '  mesh-bucket-tags: enforcement level must be one of advisory, mandatory, disabled, got "off"',
        "  hint: see docs/policies.md for the rules and their settings",
    ]


def test_invalid_mesh_is_rejected_before_checking(capsys: Capsys, make_mesh: Callable[..., Path]) -> None:
    root = make_mesh({"alpha/products/events.yaml": product_yaml("events", days=-1)})
    code, out, err = run(capsys, "check", "--domains", str(root), "--today", TODAY)
    assert (code, out) == (1, "")
    assert err.splitlines()[-1] == "mesh: the mesh has 1 error(s); run `mesh validate` for details"


def test_unknown_env_is_a_usage_error(capsys: Capsys) -> None:
    code, _, err = run(capsys, "check", "--domains", str(EXAMPLE_DOMAINS), "--env", "staging")
    assert code == 2 and "--env staging: not an environment of mesh daff" in err


def test_policy_config_writes_the_pack_config(capsys: Capsys, tmp_path: Path) -> None:
    code, out, err = run(capsys, "policy-config", "--domains", str(EXAMPLE_DOMAINS), "--env", "prod")
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert list(data) == [r.id for r in RULES]
    principals = data["mesh-grant-principal-accounts"]
    assert principals["enforcementLevel"] == "mandatory"
    assert principals["externalAccounts"] == ["444455556666"]
    assert "900000000002" in principals["meshAccounts"] and "900000000001" not in principals["meshAccounts"]
    assert data["mesh-restricted-retention"] == {"enforcementLevel": "mandatory",
                                                 "maxRetentionDays": {"restricted": 730}}
    assert data["mesh-restricted-grant-duration"] == {"enforcementLevel": "mandatory",
                                                      "maxGrantDays": {"restricted": 365}}
    parse_pack_config(data)  # `mesh check --policy-config` takes the same file


def test_policy_config_merges_overrides_into_a_file(capsys: Capsys, tmp_path: Path) -> None:
    overrides = tmp_path / "platform.json"
    overrides.write_text(json.dumps({"mesh-bucket-tags": "advisory",
                                     "mesh-restricted-grant-duration": {"maxGrantDays": {"restricted": 180}}}),
                         encoding="utf-8")
    target = tmp_path / "pack-config.json"
    code, out, _ = run(capsys, "policy-config", "--domains", str(EXAMPLE_DOMAINS), "--policy-config",
                       str(overrides), "--output", str(target))
    assert (code, out) == (0, "")
    data = json.loads(target.read_text(encoding="utf-8"))
    assert data["mesh-bucket-tags"] == {"enforcementLevel": "advisory"}
    assert data["mesh-restricted-grant-duration"] == {"enforcementLevel": "mandatory",
                                                      "maxGrantDays": {"restricted": 180}}


def test_check_with_the_generated_config_agrees(capsys: Capsys, tmp_path: Path) -> None:
    target = tmp_path / "pack-config.json"
    assert run(capsys, "policy-config", "--domains", str(EXAMPLE_DOMAINS), "-o", str(target))[0] == 0
    code, out, _ = run(capsys, "check", "--domains", str(EXAMPLE_DOMAINS), "--today", TODAY,
                       "--policy-config", str(target))
    assert code == 0 and out.startswith("passed: 0 mandatory and 0 advisory")


def test_scope_checks_one_domain_stack(capsys: Capsys, breaking_mesh: Path) -> None:
    code, out, _ = run(capsys, "check", "--domains", str(breaking_mesh), "--today", TODAY, "--scope", "beta")
    assert code == 0 and out.startswith("passed: 0 mandatory")
    code, out, _ = run(capsys, "check", "--domains", str(breaking_mesh), "--today", TODAY, "--scope", "alpha")
    assert code == 1 and "mesh-restricted-retention" in out


def test_summary_counts_plan_errors_as_a_rejection() -> None:
    from datamesh.cli.check import summary
    from datamesh.policy import Evaluation

    evaluation = Evaluation(resources=3, levels={"mesh-bucket-tags": "mandatory", "mesh-bucket-versioning": "disabled"})
    assert summary("acme", "dev", TODAY, evaluation) == (
        "passed: 0 mandatory and 0 advisory violation(s); 1 of 2 rules over 3 resources (acme dev, 2026-11-25)")
    assert summary("acme", "dev", TODAY, evaluation, plan_errors=2) == (
        "rejected: 0 mandatory and 0 advisory violation(s), and 2 plan error(s) on stderr; 1 of 2 rules "
        "over 3 resources (acme dev, 2026-11-25)")
