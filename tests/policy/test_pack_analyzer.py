"""The mesh-guardrails pack through pulumi-policy's own analyzer machinery (see analyzer_helpers).

``pulumi preview --policy-pack`` talks to the pack over gRPC: ``GetAnalyzerInfo``, ``Configure``
(the ``--policy-pack-config``), then ``Analyze`` per resource and ``AnalyzeStack`` once. Here the
very servicer ``PolicyPack`` would serve (``_PolicyAnalyzerServicer``) gets the pack's policies
from ``mesh_guardrails.build_policies()`` and real protobuf requests: camelCase ``Struct`` props
(numbers become floats), an aws provider's lists JSON-encoded as the Pulumi SDK sends them,
parent URNs, the ``protect`` option. ``__main__.py`` is never imported: ``PolicyPack(...)``
starts a server and never returns.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from analyzer_helpers import LEVEL, SEVERITY, Engine, configure, mesh_guardrails, servicer
from google.protobuf import json_format
from policy_helpers import (
    EXAMPLE_DOMAINS,
    FACTS,
    TODAY,
    access_point,
    ap_read,
    bucket,
    bucket_policy,
    compliant_stack,
    delegation,
    encryption,
    grant_component,
    key,
    lifecycle,
    mutate,
    product_component,
    provider,
    replaced,
    versioning,
    with_policy,
)
from pulumi.runtime import proto
from pulumi.runtime.proto import analyzer_pb2
from pulumi_policy.policy import _PolicyAnalyzerServicer
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from datamesh.plan import build_plan
from datamesh.policy import RULES, RULES_BY_ID, PackConfig, ResourceView, evaluate
from datamesh.policy.facts import mesh_facts
from datamesh.policy.plan_views import views_of_plan
from datamesh.resolve import load_mesh

Diagnostic = tuple[str, str, str]
"""(policy, resource name, level)"""


def diagnostics(s: _PolicyAnalyzerServicer, views: Iterable[ResourceView],
                component_outputs: str = "registered") -> list[tuple[str, analyzer_pb2.AnalyzeDiagnostic]]:
    """Every diagnostic with the resource it is about: the analyzed resource for ``Analyze``
    (the engine attaches it), the diagnostic's URN for ``AnalyzeStack``."""
    engine = Engine(list(views), component_outputs)
    found: list[tuple[str, analyzer_pb2.AnalyzeDiagnostic]] = []
    for v in engine.views:
        found.extend((v.name, d) for d in s.Analyze(engine.analyze_request(v), None).diagnostics)
    for d in s.AnalyzeStack(engine.stack_request(), None).diagnostics:
        found.append((mesh_guardrails.split_urn(d.urn)[1] or "", d))
    return found


def verdicts(s: _PolicyAnalyzerServicer, views: Iterable[ResourceView],
             component_outputs: str = "registered") -> set[Diagnostic]:
    names = {0: "advisory", 1: "mandatory"}
    return {(d.policyName, name, names[d.enforcementLevel])
            for name, d in diagnostics(s, views, component_outputs)}


def offline(views: Sequence[ResourceView], config: PackConfig | None = None, today: date = TODAY) -> set[Diagnostic]:
    evaluation = evaluate(views, (config or PackConfig()).with_facts(FACTS), today)
    return {(v.rule, v.resource or "", v.level) for v in evaluation.violations}


def deploy_time(views: Sequence[ResourceView]) -> list[ResourceView]:
    """What the analyzer can know: retainOnDelete is not in its protocol."""
    return [replace(v, retain_on_delete=None) for v in views]


# --- the pack as the CLI sees it ------------------------------------------------------------------


def test_analyzer_info_describes_every_rule() -> None:
    info = servicer().GetAnalyzerInfo(None, None)
    assert info.name == "mesh-guardrails" and info.supportsConfig
    assert [p.name for p in info.policies] == [r.id for r in RULES]
    for policy, rule in zip(info.policies, RULES, strict=True):
        assert policy.description == rule.description
        assert policy.enforcementLevel == LEVEL[rule.default_level]
        assert policy.severity == SEVERITY[rule.severity]
        assert policy.remediation_steps == rule.remediation
        assert policy.policy_type == (proto.PolicyType.POLICY_TYPE_RESOURCE if rule.kind == "resource"
                                      else proto.PolicyType.POLICY_TYPE_STACK)
        schema = json_format.MessageToDict(policy.configSchema.properties)
        assert schema == json.loads(json.dumps(rule.config)), rule.id


def test_compliant_stack_gets_no_diagnostic() -> None:
    s = servicer()
    configure(s, PackConfig().with_facts(FACTS).to_json())
    assert verdicts(s, compliant_stack()) == set()


def test_example_mesh_passes_under_the_generated_pack_config() -> None:
    """`mesh policy-config --env dev` output, then every resource of the example's dev stack."""
    mesh = load_mesh(str(EXAMPLE_DOMAINS), TODAY).mesh
    assert mesh is not None, "the example mesh must resolve without errors"
    s = servicer()
    configure(s, PackConfig().with_facts(mesh_facts(mesh, "dev")).to_json())
    views = views_of_plan(build_plan(mesh, "dev").resources)
    assert diagnostics(s, views) == []


AP = "alpha/events.grant.beta.access-point"
OUTSIDER = "arn:aws:iam::333333333333:role/reader"
MUTATIONS: dict[str, Any] = {
    "versioning suspended": lambda st: replaced(
        st, "alpha/events.versioning", mutate(versioning(), ["versioningConfiguration", "status"], "Suspended")),
    "AES256 encryption": lambda st: replaced(
        st, "alpha/events.encryption",
        mutate(encryption(), ["rules", 0, "applyServerSideEncryptionByDefault", "sseAlgorithm"], "AES256")),
    "bucket unprotected": lambda st: replaced(st, "alpha/events.bucket", replace(bucket(), protect=False)),
    "bucket untagged": lambda st: replaced(st, "alpha/events.bucket", mutate(bucket(), ["tags"], {})),
    "lifecycle without abort": lambda st: replaced(
        st, "alpha/events.lifecycle", mutate(lifecycle(), ["rules", 0, "abortIncompleteMultipartUpload"], None)),
    "restricted kept 1000 days": lambda st: replaced(
        st, "alpha/events", mutate(product_component(), ["retentionDays"], 1000)),
    "restricted grant for two years": lambda st: replaced(replaced(
        st, AP, mutate(access_point(), ["tags", "mesh:grant-until"], "2028-11-25")),
        "alpha/events.grant.beta", mutate(grant_component(), ["until"], "2028-11-25")),
    "grant to an outsider": lambda st: replaced(st, AP, with_policy(access_point(), ap_read(OUTSIDER))),
    "wildcard write on an access point": lambda st: replaced(
        st, AP, with_policy(access_point(), ap_read() | {"Action": "s3:*"})),
    "delegation without condition": lambda st: replaced(
        st, "alpha/events.policy", with_policy(bucket_policy(), delegation() | {"Condition": {}})),
    "key rotation off": lambda st: replaced(st, "alpha.key", mutate(key(), ["enableKeyRotation"], False)),
    # Every resource of the provider then lives in an unknown account, offline as at deploy time.
    "provider not pinned": lambda st: [replace(r, account=None) if r.provider == "alpha.aws" else r for r in
                                       replaced(st, "alpha.aws", mutate(provider(), ["allowedAccountIds"], None))],
    "lifecycle removed": lambda st: replaced(st, "alpha/events.lifecycle", None),
    "versioning removed": lambda st: replaced(st, "alpha/events.versioning", None),
    "access point outside any grant": lambda st: replaced(
        st, AP, replace(access_point(), parent="alpha/events", parent_type="datamesh:mesh:DataProduct")),
    "grant tag expired": lambda st: replaced(
        st, AP, mutate(access_point(), ["tags", "mesh:grant-until"], "2026-01-01")),
}


@pytest.mark.parametrize("case", sorted(MUTATIONS))
def test_same_verdicts_through_the_analyzer_as_offline(case: str) -> None:
    """Given the same facts, the pack and `mesh check` agree on every (rule, resource, level)."""
    stack = deploy_time(MUTATIONS[case](compliant_stack()))
    expected = offline(stack)
    assert expected, "each mutation breaks at least one rule"
    s = servicer()
    configure(s, PackConfig().with_facts(FACTS).to_json())
    assert verdicts(s, stack, component_outputs="props") == expected


@pytest.mark.parametrize("case", sorted(MUTATIONS))
def test_with_the_outputs_components_register_nothing_is_lost_at_deploy_time(case: str) -> None:
    """Components register their props as outputs (stack policies see only outputs), so the
    deployed pack also makes the stack findings that compare with a component's props."""
    stack = deploy_time(MUTATIONS[case](compliant_stack()))
    s = servicer()
    configure(s, PackConfig().with_facts(FACTS).to_json())
    assert verdicts(s, stack) == offline(stack)


def test_without_props_in_the_outputs_the_prop_comparisons_would_be_lost() -> None:
    """Why the components register their props: a stack rule then sees an outsider's grant."""
    stack = deploy_time(MUTATIONS["grant to an outsider"](compliant_stack()))
    s = servicer()
    configure(s, PackConfig().with_facts(FACTS).to_json())
    lost = ("mesh-access-point-has-grant", AP, "mandatory")
    assert lost in offline(stack)
    assert lost in verdicts(s, stack)
    assert lost not in verdicts(s, stack, component_outputs="none")


def test_violation_message_carries_scope_and_remediation() -> None:
    s = servicer()
    configure(s, PackConfig().with_facts(FACTS).to_json())
    stack = MUTATIONS["bucket unprotected"](compliant_stack())
    ((name, d),) = diagnostics(s, stack)
    rule = RULES_BY_ID["mesh-data-protected"]
    assert (name, d.policyName, d.policyPackName, d.enforcementLevel, d.severity) == (
        "alpha/events.bucket", "mesh-data-protected", "mesh-guardrails", proto.MANDATORY,
        proto.POLICY_SEVERITY_HIGH)
    assert d.message == (f"{rule.description}\nalpha/events: the protect option is off: `pulumi up` may "
                         f"delete it\nremediation: {rule.remediation}")


def test_untagged_resources_are_named_by_the_engine_not_the_message() -> None:
    """A bucket's versioning carries no mesh tag: at deploy time the URN names it, not the product."""
    s = servicer()
    configure(s, PackConfig().with_facts(FACTS).to_json())
    ((name, d),) = diagnostics(s, MUTATIONS["versioning suspended"](compliant_stack()))
    assert name == "alpha/events.versioning"
    assert d.message.splitlines()[1] == 'versioningConfiguration.status is "Suspended", expected "Enabled"'


def test_levels_and_thresholds_from_the_pack_config() -> None:
    s = servicer()
    config = PackConfig().with_facts(FACTS).to_json()
    config["mesh-bucket-versioning"]["enforcementLevel"] = "disabled"
    config["mesh-bucket-tags"]["enforcementLevel"] = "advisory"
    config["mesh-restricted-retention"]["maxRetentionDays"] = {"restricted": 365}
    configure(s, config)
    stack = MUTATIONS["versioning suspended"](MUTATIONS["bucket untagged"](compliant_stack()))
    assert verdicts(s, stack) == {("mesh-bucket-tags", "alpha/events.bucket", "advisory"),
                                  ("mesh-restricted-retention", "alpha/events", "mandatory")}


def test_config_without_defaults_still_gets_them() -> None:
    """If the CLI sends only the properties given, the rule's documented defaults fill the rest."""
    s = servicer()
    configure(s, {"mesh-grant-principal-accounts": {"meshAccounts": FACTS["meshAccounts"],
                                                    "externalAccounts": FACTS["externalAccounts"]}})
    stack = MUTATIONS["restricted kept 1000 days"](compliant_stack())
    assert verdicts(s, stack) == {("mesh-restricted-retention", "alpha/events", "mandatory"),
                                  ("mesh-bucket-lifecycle-present", "alpha/events.lifecycle", "mandatory"),
                                  # the grant facts were not sent: fail closed
                                  ("mesh-grant-matches-spec", AP, "mandatory"),
                                  ("mesh-grant-matches-spec", "alpha/events.grant.beta.key-grant", "mandatory"),
                                  ("mesh-domain-account", "alpha.aws", "mandatory"),
                                  ("mesh-domain-account", "beta.aws", "mandatory")}


def test_without_pack_config_grants_cannot_be_verified() -> None:
    """Deploying without `mesh policy-config` fails closed, and says how to fix it."""
    s = servicer()
    found = {(d.policyName, name) for name, d in diagnostics(s, compliant_stack())}
    assert {name for rule, name in found if rule == "mesh-grant-principal-accounts"} == {
        "alpha.key", "alpha.producer", "alpha.consumer", "alpha/events.policy", AP,
        "alpha/events.grant.beta.key-grant"}
    assert {name for rule, name in found if rule == "mesh-grant-matches-spec"} == {
        AP, "alpha/events.grant.beta.key-grant"}
    assert {name for rule, name in found if rule == "mesh-domain-account"} == {"alpha.aws", "beta.aws"}
    assert {rule for rule, _ in found} == {"mesh-grant-principal-accounts", "mesh-grant-matches-spec",
                                           "mesh-domain-account"}


def test_evaluation_date_is_the_pack_clock() -> None:
    s = servicer(today=date(2026, 6, 1))
    configure(s, PackConfig().with_facts(FACTS).to_json())
    assert verdicts(s, compliant_stack()) == {("mesh-restricted-grant-duration", AP, "mandatory")}


def test_unknown_values_during_preview_are_reported_not_crashed() -> None:
    """A key ARN is unknown until the key exists: the policy says so (advisory) and runs at `up`."""
    s = servicer()
    configure(s, PackConfig().with_facts(FACTS).to_json())
    unknown = mutate(encryption(), ["rules", 0, "applyServerSideEncryptionByDefault", "kmsMasterKeyId"],
                     UNKNOWN_STRING_VALUE)
    (d,) = s.Analyze(Engine(replaced(compliant_stack(), unknown.name, unknown)).analyze_request(unknown),
                     None).diagnostics
    assert (d.policyName, d.enforcementLevel) == ("mesh-bucket-encryption", proto.ADVISORY)
    assert d.message == ("can't run policy 'mesh-bucket-encryption' from policy pack 'mesh-guardrails@v0.1.0' "
                         "during preview: string value at .rules.0.applyServerSideEncryptionByDefault."
                         "kmsMasterKeyId can't be known during preview")


def test_split_urn() -> None:
    assert mesh_guardrails.split_urn(
        "urn:pulumi:dev::datamesh::datamesh:mesh:Domain$datamesh:mesh:DataProduct$aws:s3/bucket:Bucket::a/b.bucket"
    ) == ("aws:s3/bucket:Bucket", "a/b.bucket")
    assert mesh_guardrails.split_urn("not-a-urn") == (None, None)
