"""Pack config: the `--policy-pack-config` shape, precedence, facts, and exact errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from datamesh.policy import RULES, RULES_BY_ID, PackConfig, PolicyConfigError, load_pack_config, parse_pack_config

RETENTION = RULES_BY_ID["mesh-restricted-retention"]
PRINCIPALS = RULES_BY_ID["mesh-grant-principal-accounts"]


def problems(data: object) -> list[str]:
    with pytest.raises(PolicyConfigError) as info:
        parse_pack_config(data)
    return info.value.problems


def test_empty_config_is_the_defaults() -> None:
    config = parse_pack_config({})
    assert [config.level(r) for r in RULES] == [r.default_level for r in RULES]
    assert config.properties(RETENTION) == {"maxRetentionDays": {"restricted": 730}}


def test_levels_precedence_rule_then_all_then_default() -> None:
    config = parse_pack_config({"all": "advisory", "mesh-restricted-retention": "mandatory",
                                "mesh-bucket-tags": {"enforcementLevel": "disabled"}})
    assert config.level(RETENTION) == "mandatory"
    assert config.level(RULES_BY_ID["mesh-bucket-tags"]) == "disabled"
    assert config.level(RULES_BY_ID["mesh-bucket-versioning"]) == "advisory"


def test_remediate_enforces_like_mandatory() -> None:
    assert parse_pack_config({"mesh-bucket-tags": "remediate"}).level(RULES_BY_ID["mesh-bucket-tags"]) == "mandatory"


def test_properties_override_defaults() -> None:
    config = parse_pack_config({"mesh-restricted-retention": {"maxRetentionDays": {"restricted": 365}}})
    assert config.level(RETENTION) == "mandatory"
    assert config.properties(RETENTION) == {"maxRetentionDays": {"restricted": 365}}


def test_errors_are_all_reported() -> None:
    assert problems({
        "mesh-bucket-tag": "advisory",
        "all": {"enforcementLevel": "advisory", "maxRetentionDays": 1},
        "mesh-bucket-tags": "warn",
        "mesh-bucket-versioning": 3,
        "mesh-restricted-retention": {"maxRetentionDays": {"restricted": "two years"}, "maxDays": 3},
        "mesh-kms-key-rotation": {"maxRotationPeriodDays": 30},
        "mesh-grant-principal-accounts": {"meshAccounts": ["12345"]},
    }) == [
        "mesh-bucket-tag: not a rule of mesh-guardrails (rules: " + ", ".join(sorted(r.id for r in RULES)) + ")",
        "all: only enforcementLevel may be set for all rules",
        'mesh-bucket-tags: enforcement level must be one of advisory, mandatory, disabled, got "warn"',
        "mesh-bucket-versioning: expected an enforcement level or an object, got a number",
        'mesh-restricted-retention.maxRetentionDays.restricted: expected an integer, got a string',
        "mesh-restricted-retention.maxDays: not a setting of this rule (settings: enforcementLevel, "
        "maxRetentionDays)",
        "mesh-kms-key-rotation.maxRotationPeriodDays: must be >= 90, got 30",
        'mesh-grant-principal-accounts.meshAccounts[0]: "12345" does not match ^[0-9]{12}$',
    ]


def test_not_an_object() -> None:
    assert problems(["mesh-bucket-tags"]) == ["expected a JSON object mapping rule ids to settings"]


def test_with_facts_fills_only_rules_that_declare_them_and_keeps_given_accounts() -> None:
    base = parse_pack_config({"mesh-grant-principal-accounts": {"externalAccounts": ["555555555555"]}})
    config = base.with_facts({"meshAccounts": ["111111111111"], "externalAccounts": ["444455556666"]})
    assert config.properties(PRINCIPALS) == {"meshAccounts": ["111111111111"],
                                             "externalAccounts": ["444455556666", "555555555555"]}
    assert config.properties(RULES_BY_ID["mesh-provider-allowed-accounts"]) == {"meshAccounts": ["111111111111"]}
    assert config.properties(RULES_BY_ID["mesh-bucket-tags"]) == {}


def test_overridden_by() -> None:
    base = parse_pack_config({"mesh-bucket-tags": "advisory",
                              "mesh-restricted-retention": {"maxRetentionDays": {"restricted": 700}}})
    mine = parse_pack_config({"all": "advisory", "mesh-restricted-retention": "disabled"})
    merged = base.overridden_by(mine)
    assert merged.level(RETENTION) == "disabled"
    assert merged.properties(RETENTION) == {"maxRetentionDays": {"restricted": 700}}
    assert merged.all_level == "advisory"


def test_to_json_round_trips_and_spells_out_every_rule() -> None:
    config = PackConfig().with_facts({"meshAccounts": ["111111111111"], "externalAccounts": []})
    data = json.loads(json.dumps(config.to_json()))
    assert list(data) == [r.id for r in RULES]
    assert all(entry["enforcementLevel"] == "mandatory" for entry in data.values())
    assert parse_pack_config(data).to_json() == data


def test_load_pack_config_errors(tmp_path: Path) -> None:
    with pytest.raises(PolicyConfigError) as missing:
        load_pack_config(str(tmp_path / "absent.json"))
    assert missing.value.problems == ["cannot read: No such file or directory"]
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    with pytest.raises(PolicyConfigError) as invalid:
        load_pack_config(str(bad))
    assert invalid.value.problems[0].startswith("not valid JSON: ")
