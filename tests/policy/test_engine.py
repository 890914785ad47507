"""The offline engine: dispatch by type, levels from config, order, and the violation format."""

from __future__ import annotations

from dataclasses import replace

from policy_helpers import FACTS, TODAY, compliant_stack, mutate, replaced, versioning

from datamesh.policy import RULES, PackConfig, Violation, evaluate, parse_pack_config

BROKEN_VERSIONING = mutate(versioning(), ["versioningConfiguration", "status"], "Suspended")


def run(resources: list, config: dict | None = None):  # type: ignore[no-untyped-def,type-arg]
    return evaluate(resources, parse_pack_config(config or {}).with_facts(FACTS), TODAY)


def test_compliant_stack_passes_with_every_rule_at_its_default() -> None:
    evaluation = run(compliant_stack())
    assert evaluation.violations == []
    assert evaluation.passed
    assert evaluation.resources == len(compliant_stack())
    assert evaluation.levels == {r.id: r.default_level for r in RULES}


def test_a_violation_names_rule_level_severity_resource_and_product() -> None:
    evaluation = run(replaced(compliant_stack(), "alpha/events.versioning", BROKEN_VERSIONING))
    assert evaluation.violations == [Violation(
        rule="mesh-bucket-versioning", level="mandatory", severity="high",
        resource="alpha/events.versioning", type="aws:s3/bucketVersioning:BucketVersioning",
        scope="alpha/events", message='versioningConfiguration.status is "Suspended", expected "Enabled"',
        remediation=RULES[2].remediation)]
    assert evaluation.passed is False
    assert evaluation.violations[0].format() == (
        "mandatory high mesh-bucket-versioning alpha/events.versioning alpha/events: "
        'versioningConfiguration.status is "Suspended", expected "Enabled"\n'
        f"  remediation: {RULES[2].remediation}")


def test_json_form_splits_domain_and_product() -> None:
    evaluation = run(replaced(compliant_stack(), "alpha/events.versioning", BROKEN_VERSIONING))
    assert evaluation.violations[0].to_json() == {
        "rule": "mesh-bucket-versioning", "level": "mandatory", "severity": "high",
        "resource": "alpha/events.versioning", "type": "aws:s3/bucketVersioning:BucketVersioning",
        "domain": "alpha", "product": "alpha/events",
        "message": 'versioningConfiguration.status is "Suspended", expected "Enabled"',
        "remediation": RULES[2].remediation}


def test_domain_level_resources_name_their_domain() -> None:
    stack = [mutate(r, ["enableKeyRotation"], False) if r.name == "alpha.key" else r for r in compliant_stack()]
    (violation,) = run(stack).violations
    assert (violation.rule, violation.scope) == ("mesh-kms-key-rotation", "alpha")
    assert violation.to_json()["domain"] == "alpha" and violation.to_json()["product"] is None


def test_advisory_violations_do_not_reject() -> None:
    stack = replaced(compliant_stack(), "alpha/events.versioning", BROKEN_VERSIONING)
    evaluation = run(stack, {"mesh-bucket-versioning": "advisory"})
    assert [(v.rule, v.level) for v in evaluation.violations] == [("mesh-bucket-versioning", "advisory")]
    assert evaluation.passed


def test_disabled_rules_do_not_run() -> None:
    stack = replaced(compliant_stack(), "alpha/events.versioning", BROKEN_VERSIONING)
    evaluation = run(stack, {"mesh-bucket-versioning": {"enforcementLevel": "disabled"}})
    assert evaluation.violations == []
    assert evaluation.levels["mesh-bucket-versioning"] == "disabled"


def test_all_sets_every_level_and_a_rule_entry_wins() -> None:
    stack = replaced(compliant_stack(), "alpha/events.versioning", BROKEN_VERSIONING)
    stack = [replace(r, protect=False) if r.name == "alpha/events.bucket" else r for r in stack]
    evaluation = run(stack, {"all": "advisory", "mesh-data-protected": "mandatory"})
    assert [(v.rule, v.level) for v in evaluation.violations] == [
        ("mesh-data-protected", "mandatory"), ("mesh-bucket-versioning", "advisory")]


def test_violations_in_resource_order_then_rule_order() -> None:
    stack = compliant_stack()
    stack = replaced(stack, "alpha/events.versioning", BROKEN_VERSIONING)
    bad_bucket = replace(mutate(next(r for r in stack if r.name == "alpha/events.bucket"),
                                ["tags", "mesh:owner"], ""), protect=False)
    stack = replaced(stack, "alpha/events.bucket", bad_bucket)
    stack = [r for r in stack if r.name != "alpha/events.lifecycle"]
    assert [(v.resource, v.rule) for v in run(stack).violations] == [
        ("alpha/events.bucket", "mesh-bucket-tags"),
        ("alpha/events.bucket", "mesh-data-protected"),
        ("alpha/events.bucket", "mesh-bucket-lifecycle-present"),
        ("alpha/events.versioning", "mesh-bucket-versioning"),
    ]


def test_resources_no_rule_applies_to_are_ignored() -> None:
    from datamesh.policy import ResourceView

    other = ResourceView(type="kubernetes:core/v1:Namespace", name="ns", inputs={"metadata": {"name": "x"}})
    assert run([other]).violations == []


def test_config_thresholds_reach_the_rules() -> None:
    evaluation = run(compliant_stack(), {"mesh-restricted-retention": {"maxRetentionDays": {"restricted": 365}}})
    assert [(v.rule, v.resource, v.message) for v in evaluation.violations] == [
        ("mesh-restricted-retention", "alpha/events",
         "retention.days is 730, a restricted product keeps data at most 365 days")]


def test_without_facts_the_principal_and_grant_rules_fail_closed() -> None:
    from datamesh.policy.rules import mesh_domain_account
    from datamesh.policy.rules.mesh_grant_matches_spec import NO_FACTS

    evaluation = evaluate(compliant_stack(), PackConfig(), TODAY)
    assert {v.rule for v in evaluation.violations} == {"mesh-grant-principal-accounts", "mesh-grant-matches-spec",
                                                       "mesh-domain-account"}
    assert [(v.resource, v.message) for v in evaluation.violations if v.rule == "mesh-domain-account"] == [
        ("alpha.aws", mesh_domain_account.NO_FACTS), ("beta.aws", mesh_domain_account.NO_FACTS)]
    assert [(v.resource, v.message) for v in evaluation.violations if v.rule == "mesh-grant-matches-spec"] == [
        ("alpha/events.grant.beta.access-point", NO_FACTS), ("alpha/events.grant.beta.key-grant", NO_FACTS)]
    assert NO_FACTS.startswith("no facts: run `mesh policy-config")
