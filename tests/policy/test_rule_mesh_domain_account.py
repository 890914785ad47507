"""mesh-domain-account: baseline, then each way a domain's resource leaves the domain's account."""

from __future__ import annotations

from dataclasses import replace

import pytest
from policy_helpers import ALPHA_ACCOUNT, BETA_ACCOUNT, PLATFORM_ACCOUNT, check, compliant_stack, key, provider, view

from datamesh.policy.rules.mesh_domain_account import NO_FACTS

RULE_ID = "mesh-domain-account"


def test_compliant_baseline() -> None:
    for resource in compliant_stack():
        assert check(RULE_ID, resource) == [], resource.name


def test_platform_resources_belong_to_the_platform_account() -> None:
    assert check(RULE_ID, provider("_platform.aws", PLATFORM_ACCOUNT)) == []
    bucket = view("aws:s3/bucket:Bucket", "_platform.catalog", {}, account=PLATFORM_ACCOUNT)
    assert check(RULE_ID, bucket) == []


def test_resources_of_no_aws_account_are_not_judged() -> None:
    assert check(RULE_ID, view("kubernetes:core/v1:Namespace", "_platform.discovery.namespace", {})) == []
    assert check(RULE_ID, view("datamesh:mesh:Domain", "zzz", {})) == []


def test_violation_provider_pinned_to_another_domains_account() -> None:
    assert check(RULE_ID, provider("alpha.aws", BETA_ACCOUNT)) == [
        f"the provider is pinned to account {BETA_ACCOUNT}, but alpha's account is {ALPHA_ACCOUNT}"]


def test_violation_resource_in_another_domains_account() -> None:
    assert check(RULE_ID, replace(key(), account=BETA_ACCOUNT)) == [
        f"the resource is deployed into account {BETA_ACCOUNT}, but alpha's account is {ALPHA_ACCOUNT}"]


def test_violation_tags_claim_another_domain() -> None:
    assert check(RULE_ID, replace(key(), domain="beta")) == [
        f"the resource is deployed into account {ALPHA_ACCOUNT}, but beta's account is {BETA_ACCOUNT}"]


@pytest.mark.parametrize("name", ["zzz.producer", "zzz/events.bucket", "gamma"])
def test_violation_owner_is_no_domain_of_the_mesh(name: str) -> None:
    owner = name.replace("/", ".").split(".")[0]
    assert check(RULE_ID, replace(key(), name=name, domain=None)) == [
        f"the logical name {name} belongs to no domain of the mesh ('{owner}'), yet the resource is deployed "
        f"into account {ALPHA_ACCOUNT}"]


def test_violation_no_facts_fails_closed_on_every_provider() -> None:
    assert check(RULE_ID, provider(), facts=False) == [NO_FACTS]
    assert check(RULE_ID, key(), facts=False) == []
    assert NO_FACTS.startswith("no facts: ")
