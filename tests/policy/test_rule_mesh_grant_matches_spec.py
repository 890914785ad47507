"""mesh-grant-matches-spec: baseline, then each way an access point or KMS grant leaves its grant.

The facts are the pack config's (policy_helpers.GRANT_FACTS: what `mesh policy-config` writes
for the baseline's one grant), never the resources' own tags.
"""

from __future__ import annotations

import copy
from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from policy_helpers import (
    ALPHA_ACCOUNT,
    AP_NAME,
    BETA_CONSUMER,
    BUCKET,
    GRANT_FACTS,
    access_point,
    ap_read,
    check,
    key_grant,
    mutate,
    with_policy,
)

from datamesh.policy.rules.mesh_grant_matches_spec import NO_FACTS

RULE_ID = "mesh-grant-matches-spec"
OUTSIDER = "arn:aws:iam::333333333333:role/reader"


def facts(**changes: Any) -> dict[str, Any]:
    """The baseline facts with the grant's fields changed (``product__…`` changes the product)."""
    changed = copy.deepcopy(GRANT_FACTS)
    for key, value in changes.items():
        if key.startswith("product__"):
            changed["products"]["alpha/events"][key.removeprefix("product__")] = value
        else:
            changed["grants"][AP_NAME][key] = value
    return changed


def test_compliant_baseline() -> None:
    assert check(RULE_ID, access_point()) == []
    assert check(RULE_ID, key_grant()) == []


def test_an_earlier_end_than_the_grant_is_fine() -> None:
    assert check(RULE_ID, with_policy(access_point(), ap_read(end="2027-01-01T00:00:00Z"))) == []


def test_an_open_ended_grant_needs_no_end() -> None:
    ap = mutate(with_policy(access_point(), ap_read(end=None)), ["tags", "mesh:grant-until"], "none")
    assert check(RULE_ID, ap, config=facts(until=None)) == []


def test_plan_placeholder_of_the_domain_key_is_the_key() -> None:
    assert check(RULE_ID, mutate(key_grant(), ["keyId"], "${alpha.key.arn}")) == []


# --- without facts: fail closed ------------------------------------------------------------------


@pytest.mark.parametrize("resource", [access_point(), key_grant()], ids=["access point", "KMS grant"])
def test_violation_no_facts(resource: Any) -> None:
    assert check(RULE_ID, resource, facts=False) == [NO_FACTS]
    assert NO_FACTS.startswith("no facts: run `mesh policy-config")


def test_violation_facts_name_no_product() -> None:
    broken = facts()
    broken["products"] = {}
    assert check(RULE_ID, access_point(), config=broken) == [
        'the facts name no product "alpha/events" for grant acme-1a2b3c4d-5e6f7a8b: regenerate them with '
        "`mesh policy-config`"]


# --- access points --------------------------------------------------------------------------------


def test_violation_access_point_not_a_grant_of_the_specs() -> None:
    assert check(RULE_ID, mutate(access_point(), ["name"], "acme-1a2b3c4d-00000000")) == [
        "the access point acme-1a2b3c4d-00000000 is not a grant of the specs: no approved and requested grant "
        "has this name"]


def test_violation_access_point_without_a_name() -> None:
    assert check(RULE_ID, mutate(access_point(), ["name"], None)) == [
        "name is absent: the access point cannot be matched to a grant of the specs"]


def test_violation_access_point_current_time_end_removed() -> None:
    """Issue 10 §2: an access point whose aws:CurrentTime end was removed while its grant has
    until passed all 19 rules."""
    assert check(RULE_ID, with_policy(access_point(), ap_read(end=None))) == [
        'policy statement "ReadForGrantedConsumer" has no aws:CurrentTime end (DateLessThan); the grant ends '
        "2027-06-30, so access must end by 2027-07-01T00:00:00Z"]


@pytest.mark.parametrize("end", ["2027-07-01T00:00:01Z", "2028-01-01T00:00:00Z", "not a time",
                                 "2027-07-01T00:00:00"])
def test_violation_access_point_ends_after_the_grant(end: str) -> None:
    assert check(RULE_ID, with_policy(access_point(), ap_read(end=end))) == [
        f'policy statement "ReadForGrantedConsumer" ends access at {end}, after the grant\'s end '
        "2027-07-01T00:00:00Z"]


def test_violation_access_point_for_another_principal() -> None:
    assert check(RULE_ID, with_policy(access_point(), ap_read(), ap_read(OUTSIDER) | {"Sid": "Extra"})) == [
        f'policy statement "Extra" allows {OUTSIDER}; the grant is for {BETA_CONSUMER} only']


def test_violation_access_point_for_everyone() -> None:
    st = ap_read() | {"Principal": "*"}
    assert check(RULE_ID, with_policy(access_point(), st)) == [
        f'policy statement "ReadForGrantedConsumer" allows *; the grant is for {BETA_CONSUMER} only']


def test_violation_access_point_not_principal() -> None:
    st = {k: v for k, v in ap_read().items() if k != "Principal"} | {"NotPrincipal": {"AWS": OUTSIDER}}
    assert check(RULE_ID, with_policy(access_point(), st)) == [
        f'policy statement "ReadForGrantedConsumer" is an Allow with NotPrincipal; the grant is for '
        f"{BETA_CONSUMER} only"]


def test_violation_access_point_policy_not_json() -> None:
    assert check(RULE_ID, mutate(access_point(), ["policy"], "nope")) == [
        "policy is absent or not a JSON policy document, so whom it allows cannot be verified"]


def test_violation_access_point_on_another_bucket() -> None:
    assert check(RULE_ID, mutate(access_point(), ["bucket"], "acme-dev-alpha-other")) == [
        f'the access point is on bucket "acme-dev-alpha-other", but the grant is on alpha/events\'s bucket {BUCKET}']


def test_violation_access_point_in_another_account() -> None:
    assert check(RULE_ID, replace(access_point(), account="222222222222")) == [
        f"it is deployed into account 222222222222, but alpha/events lives in account {ALPHA_ACCOUNT}"]


def test_violation_access_point_of_an_ended_grant() -> None:
    assert check(RULE_ID, access_point(), today=date(2027, 7, 1)) == [
        "the grant of alpha/events to beta ended on 2027-06-30 (evaluation date 2027-07-01), so it must be "
        "withdrawn"]


def test_the_grant_end_is_inclusive() -> None:
    assert check(RULE_ID, access_point(), today=date(2027, 6, 30)) == []


@pytest.mark.parametrize(("tag", "value", "want"), [
    ("mesh:consumer", "gamma", '"beta"'),
    ("mesh:grant-until", "2026-12-31", '"2027-06-30"'),
    ("mesh:grant-until", "none", '"2027-06-30"'),
    ("mesh:product", "alpha/other", '"alpha/events"'),
    ("mesh:classification", "internal", '"restricted"'),
])
def test_violation_access_point_tag_disagrees_with_the_specs(tag: str, value: str, want: str) -> None:
    """The tags feed mesh-restricted-grant-duration: they must say what the specs say."""
    assert check(RULE_ID, mutate(access_point(), ["tags", tag], value)) == [
        f'tag {tag} is "{value}", but the specs say {want}']


def test_violation_facts_until_not_a_date() -> None:
    assert check(RULE_ID, key_grant(), config=facts(until="someday")) == [
        'the facts give grant until "someday", not a YYYY-MM-DD date']


# --- KMS grants -------------------------------------------------------------------------------------


def test_violation_kms_grant_outside_any_grant() -> None:
    """Issue 10 §2: an extra aws:kms/grant:Grant outside any AccessGrant passed all 19 rules."""
    extra = mutate(mutate(key_grant(), ["name"], "extra-read"), ["granteePrincipal"], OUTSIDER)
    assert check(RULE_ID, extra) == [
        "the KMS grant extra-read is not a grant of the specs: no approved and requested grant has this name"]


def test_violation_kms_grant_to_another_principal() -> None:
    assert check(RULE_ID, mutate(key_grant(), ["granteePrincipal"], OUTSIDER)) == [
        f'granteePrincipal is "{OUTSIDER}"; the grant is for {BETA_CONSUMER}']


@pytest.mark.parametrize(("key_id", "message"), [
    ("arn:aws:kms:eu-west-1:222222222222:key/abcd", "keyId arn:aws:kms:eu-west-1:222222222222:key/abcd is a key "
     f"of account 222222222222, not of alpha/events's account {ALPHA_ACCOUNT}"),
    ("${beta-key.arn}", "keyId ${beta-key.arn} is not the key alpha.key of alpha/events's domain"),
    ("1234abcd-12ab", "keyId 1234abcd-12ab is not a key ARN, so its account cannot be verified"),
    (None, "keyId is absent, expected the key alpha.key of alpha/events's domain"),
])
def test_violation_kms_grant_key(key_id: str | None, message: str) -> None:
    assert check(RULE_ID, mutate(key_grant(), ["keyId"], key_id)) == [message]


NOT_LIMITED = (f"constraints do not limit the grant to the encryption context aws:s3:arn arn:aws:s3:::{BUCKET}: "
               "it would decrypt every object under the key")


@pytest.mark.parametrize("constraints", [
    None,
    [],
    [{"encryptionContextSubset": {"aws:s3:arn": "arn:aws:s3:::acme-dev-alpha-other"}}],
    [{"encryptionContextSubset": {"aws:s3:arn": f"arn:aws:s3:::{BUCKET}"}},
     {"encryptionContextSubset": {"team": "alpha"}}],
    [{"encryptionContextEquals": {"other": "x"}}],
])
def test_violation_kms_grant_constraints(constraints: Any) -> None:
    assert check(RULE_ID, mutate(key_grant(), ["constraints"], constraints)) == [NOT_LIMITED]


def test_encryption_context_equals_limits_the_grant_too() -> None:
    equals = [{"encryptionContextEquals": {"aws:s3:arn": f"arn:aws:s3:::{BUCKET}"}}]
    assert check(RULE_ID, mutate(key_grant(), ["constraints"], equals)) == []


def test_violation_kms_grant_in_an_unknown_account() -> None:
    assert check(RULE_ID, replace(key_grant(), account=None)) == [
        f"it is deployed into an unknown account, but alpha/events lives in account {ALPHA_ACCOUNT}"]


def test_violation_kms_grant_of_an_ended_grant() -> None:
    assert check(RULE_ID, key_grant(), today=date(2027, 7, 1)) == [
        "the grant of alpha/events to beta ended on 2027-06-30 (evaluation date 2027-07-01), so it must be "
        "withdrawn"]
