"""mesh-access-point-has-grant (stack): baseline, then each way an access point loses its grant."""

from __future__ import annotations

from dataclasses import replace

from policy_helpers import (
    access_point,
    ap_read,
    check_stack,
    compliant_stack,
    grant_component,
    key_grant,
    mutate,
    replaced,
    with_policy,
)

from datamesh.policy import ResourceView

RULE_ID = "mesh-access-point-has-grant"
AP = "alpha/events.grant.beta.access-point"
OUTSIDER = "arn:aws:iam::333333333333:role/reader"


def test_compliant_baseline() -> None:
    assert check_stack(RULE_ID, compliant_stack()) == []


def test_violation_access_point_without_grant() -> None:
    stray = replace(access_point(), name="alpha/events.stray", parent="alpha/events",
                    parent_type="datamesh:mesh:DataProduct")
    assert check_stack(RULE_ID, [*compliant_stack(), stray]) == [
        ("alpha/events.stray", "the access point is not part of an AccessGrant: no grant decided from the "
                               "spec backs it")]


def test_violation_grant_removed() -> None:
    stack = replaced(compliant_stack(), "alpha/events.grant.beta", None)
    assert check_stack(RULE_ID, stack) == [
        (AP, "the access point is not part of an AccessGrant: no grant decided from the spec backs it")]


def test_violation_grant_without_access_point_or_key_grant() -> None:
    stack = replaced(replaced(compliant_stack(), AP, None), "alpha/events.grant.beta.key-grant", None)
    assert check_stack(RULE_ID, stack) == [
        ("alpha/events.grant.beta", "the grant has 0 access points, expected exactly one"),
        ("alpha/events.grant.beta", "the grant has 0 KMS grants, expected exactly one")]


def test_violation_two_access_points() -> None:
    stack = [*compliant_stack(), replace(access_point(), name=f"{AP}-2")]
    assert check_stack(RULE_ID, stack) == [
        ("alpha/events.grant.beta", "the grant has 2 access points, expected exactly one")]


def test_violation_two_key_grants() -> None:
    stack = [*compliant_stack(), replace(key_grant(), name="alpha/events.grant.beta.key-grant-2")]
    assert check_stack(RULE_ID, stack) == [
        ("alpha/events.grant.beta", "the grant has 2 KMS grants, expected exactly one")]


def test_violation_consumer_tag_disagrees() -> None:
    stack = replaced(compliant_stack(), AP, mutate(access_point(), ["tags", "mesh:consumer"], "gamma"))
    assert check_stack(RULE_ID, stack) == [
        (AP, 'tag mesh:consumer is "gamma", but its grant alpha/events.grant.beta is for "beta"')]


def test_violation_product_tag_disagrees() -> None:
    stack = replaced(compliant_stack(), AP, mutate(access_point(), ["tags", "mesh:product"], "alpha/other"))
    assert check_stack(RULE_ID, stack) == [
        (AP, 'tag mesh:product is "alpha/other", but its grant alpha/events.grant.beta is for "alpha/events"')]


def test_violation_policy_names_another_principal() -> None:
    stack = replaced(compliant_stack(), AP, with_policy(access_point(), ap_read(), ap_read(OUTSIDER)))
    assert check_stack(RULE_ID, stack) == [
        (AP, f"the policy names {OUTSIDER}; the grant is for "
             "arn:aws:iam::222222222222:role/datamesh/acme-beta-consumer only")]


def ending(until: str) -> list[ResourceView]:
    """The baseline with the grant (prop and tag alike) ending on ``until``."""
    stack = replaced(compliant_stack(), "alpha/events.grant.beta", mutate(grant_component(), ["until"], until))
    return replaced(stack, AP, mutate(access_point(), ["tags", "mesh:grant-until"], until))


def test_violation_expired_grant() -> None:
    assert check_stack(RULE_ID, ending("2026-11-24")) == [
        (AP, "the grant ended on 2026-11-24 (evaluation date 2026-11-25) but its access point remains")]


def test_until_is_inclusive() -> None:
    assert check_stack(RULE_ID, ending("2026-11-25")) == []


def test_expiry_read_from_the_tag_when_the_grant_has_no_props() -> None:
    """At deploy time a component's outputs may lack its props: the tag still tells."""
    bare = replace(grant_component(), inputs={})
    stack = replaced(replaced(compliant_stack(), "alpha/events.grant.beta", bare), AP,
                     mutate(access_point(), ["tags", "mesh:grant-until"], "2026-01-01"))
    assert check_stack(RULE_ID, stack) == [
        (AP, "the grant ended on 2026-01-01 (evaluation date 2026-11-25) but its access point remains")]


def test_violation_access_point_on_another_bucket() -> None:
    stack = replaced(compliant_stack(), AP, mutate(access_point(), ["bucket"], "acme-dev-alpha-other"))
    assert check_stack(RULE_ID, stack) == [
        (AP, "the access point is on bucket acme-dev-alpha-other, not on its product's bucket "
             "acme-dev-alpha-events")]


def test_violation_until_tag_disagrees_with_the_grant() -> None:
    stack = replaced(compliant_stack(), AP, mutate(access_point(), ["tags", "mesh:grant-until"], "2027-12-31"))
    assert check_stack(RULE_ID, stack) == [
        (AP, 'tag mesh:grant-until is "2027-12-31", but its grant alpha/events.grant.beta ends "2027-06-30"')]


def test_violation_expired_tag_even_when_the_grant_says_otherwise() -> None:
    stack = replaced(compliant_stack(), AP, mutate(access_point(), ["tags", "mesh:grant-until"], "2026-01-01"))
    assert check_stack(RULE_ID, stack) == [
        (AP, 'tag mesh:grant-until is "2026-01-01", but its grant alpha/events.grant.beta ends "2027-06-30"'),
        (AP, "the grant ended on 2026-01-01 (evaluation date 2026-11-25) but its access point remains")]


def test_open_ended_grant_is_tagged_none() -> None:
    stack = replaced(compliant_stack(), "alpha/events.grant.beta", mutate(grant_component(), ["until"], None))
    stack = replaced(stack, AP, mutate(access_point(), ["tags", "mesh:grant-until"], "none"))
    assert check_stack(RULE_ID, stack) == []
