"""Meta-tests: every rule is registered, documented, configurable and tested (cdk-nag style)."""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

import pytest

import datamesh.policy.rules as rules_package
from datamesh.policy import RULES, RULES_BY_ID, ResourceRule, StackRule
from datamesh.policy.model import LEVELS, SEVERITIES

HERE = Path(__file__).resolve().parent
RULE_MODULES = sorted(m.name for m in pkgutil.iter_modules(rules_package.__path__) if not m.name.startswith("_"))


def module_of(rule_id: str) -> str:
    return rule_id.replace("-", "_")


def test_every_rule_module_is_registered_once_under_its_id() -> None:
    assert sorted(module_of(r.id) for r in RULES) == RULE_MODULES
    assert len(RULES_BY_ID) == len(RULES)


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_rule_lives_in_the_module_named_by_its_id(rule: object) -> None:
    module = importlib.import_module(f"datamesh.policy.rules.{module_of(rule.id)}")  # type: ignore[attr-defined]
    assert module.RULE is rule
    assert rule.check.__module__ == module.__name__  # type: ignore[attr-defined]


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_rule_metadata(rule: object) -> None:
    from datamesh.policy import Rule

    assert isinstance(rule, Rule)
    assert rule.id.startswith("mesh-") and rule.id == rule.id.lower()
    assert rule.description.strip() and rule.description.endswith(".")
    assert rule.severity in SEVERITIES
    assert rule.remediation.strip() and rule.remediation.endswith(".")
    assert rule.default_level in LEVELS
    assert rule.kind in ("resource", "stack")
    if isinstance(rule, ResourceRule):
        assert rule.types, "a resource rule names the types it checks"
    else:
        assert isinstance(rule, StackRule) and rule.reads
    for name, schema in rule.config.items():
        assert name != "enforcementLevel"
        assert {"type", "default", "description"} <= set(schema), f"{rule.id}.{name}"
    assert set(rule.facts) <= set(rule.config)


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_rule_has_tests_with_a_baseline_and_violations(rule: object) -> None:
    path = HERE / f"test_rule_{module_of(rule.id)}.py"  # type: ignore[attr-defined]
    assert path.exists(), f"{rule.id} needs {path.name}"
    tree = ast.parse(path.read_text(encoding="utf-8"))
    constants = {t.id: node.value for node in tree.body if isinstance(node, ast.Assign)
                 for t in node.targets if isinstance(t, ast.Name)}
    assert isinstance(constants.get("RULE_ID"), ast.Constant) and constants["RULE_ID"].value == rule.id  # type: ignore[attr-defined]
    tests = {node.name for node in tree.body if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")}
    assert "test_compliant_baseline" in tests
    assert any(name.startswith("test_violation") for name in tests)


def test_no_stray_rule_test_files() -> None:
    files = sorted(p.name for p in HERE.glob("test_rule_*.py"))
    assert files == sorted(f"test_rule_{m}.py" for m in RULE_MODULES)


def test_spec_v1_default_global_policies() -> None:
    """Exactly those ids, mandatory by default, with spec-v1's thresholds."""
    retention = RULES_BY_ID["mesh-restricted-retention"]
    duration = RULES_BY_ID["mesh-restricted-grant-duration"]
    assert retention.default_level == duration.default_level == "mandatory"
    assert retention.defaults() == {"maxRetentionDays": {"restricted": 730}}
    assert duration.defaults() == {"maxGrantDays": {"restricted": 365}}


def test_defaults_table() -> None:
    """The documented defaults (docs/policies.md); a change here is a change of contract."""
    assert [(r.id, r.kind, r.severity, r.default_level) for r in RULES] == [
        ("mesh-restricted-retention", "resource", "high", "mandatory"),
        ("mesh-restricted-grant-duration", "resource", "high", "mandatory"),
        ("mesh-bucket-versioning", "resource", "high", "mandatory"),
        ("mesh-bucket-encryption", "resource", "high", "mandatory"),
        ("mesh-bucket-public-access-block", "resource", "critical", "mandatory"),
        ("mesh-bucket-ownership-enforced", "resource", "high", "mandatory"),
        ("mesh-bucket-tls-only", "resource", "high", "mandatory"),
        ("mesh-bucket-policy-delegation-only", "resource", "critical", "mandatory"),
        ("mesh-bucket-tags", "resource", "medium", "mandatory"),
        ("mesh-bucket-lifecycle", "resource", "high", "mandatory"),
        ("mesh-data-protected", "resource", "high", "mandatory"),
        ("mesh-grant-principal-accounts", "resource", "critical", "mandatory"),
        ("mesh-no-wildcard-principal", "resource", "critical", "mandatory"),
        ("mesh-no-service-principal", "resource", "critical", "mandatory"),
        ("mesh-no-wildcard-data-action", "resource", "high", "mandatory"),
        ("mesh-grant-read-only", "resource", "high", "mandatory"),
        ("mesh-grant-matches-spec", "resource", "critical", "mandatory"),
        ("mesh-kms-key-rotation", "resource", "medium", "mandatory"),
        ("mesh-key-policy-own-account", "resource", "critical", "mandatory"),
        ("mesh-trust-own-account", "resource", "critical", "mandatory"),
        ("mesh-bucket-pattern-own-account", "resource", "high", "mandatory"),
        ("mesh-provider-allowed-accounts", "resource", "high", "mandatory"),
        ("mesh-domain-account", "resource", "critical", "mandatory"),
        ("mesh-resource-types-allowed", "resource", "critical", "mandatory"),
        ("mesh-access-point-has-grant", "stack", "critical", "mandatory"),
        ("mesh-bucket-lifecycle-present", "stack", "high", "mandatory"),
        ("mesh-bucket-controls-present", "stack", "high", "mandatory"),
    ]


def test_docs_list_every_rule() -> None:
    docs = (HERE.parents[1] / "docs" / "policies.md").read_text(encoding="utf-8")
    missing = [r.id for r in RULES if f"`{r.id}`" not in docs]
    assert missing == []
