"""mesh-bucket-lifecycle-present (stack): baseline, then each way a bucket loses its lifecycle."""

from __future__ import annotations

from dataclasses import replace

from policy_helpers import check_stack, compliant_stack, lifecycle, mutate, product_component, replaced

RULE_ID = "mesh-bucket-lifecycle-present"


def test_compliant_baseline() -> None:
    assert check_stack(RULE_ID, compliant_stack()) == []


def test_violation_no_lifecycle() -> None:
    stack = replaced(compliant_stack(), "alpha/events.lifecycle", None)
    assert check_stack(RULE_ID, stack) == [
        ("alpha/events.bucket", "the bucket has no BucketLifecycleConfiguration: nothing in it ever expires")]


def test_violation_lifecycle_of_another_bucket() -> None:
    other = mutate(lifecycle(), ["bucket"], "acme-dev-alpha-other")
    stack = replaced(compliant_stack(), "alpha/events.lifecycle", other)
    assert check_stack(RULE_ID, stack) == [
        ("alpha/events.bucket", "the bucket has no BucketLifecycleConfiguration: nothing in it ever expires")]


def test_violation_two_lifecycles() -> None:
    stack = [*compliant_stack(), replace(lifecycle(), name="alpha/events.lifecycle-2")]
    assert check_stack(RULE_ID, stack) == [
        ("alpha/events.bucket", "the bucket has 2 lifecycle configurations (alpha/events.lifecycle, "
                                "alpha/events.lifecycle-2); S3 keeps only one")]


def test_violation_expiry_differs_from_retention() -> None:
    stack = replaced(compliant_stack(), "alpha/events", mutate(product_component(), ["retentionDays"], 365))
    assert check_stack(RULE_ID, stack) == [
        ("alpha/events.lifecycle", "expires current objects after 730 days, but the product's "
                                   "retention.days is 365")]


def test_unknown_bucket_value_matches_by_parent() -> None:
    """At deploy time a companion's bucket may be an unknown value: its parent decides."""
    unknown = mutate(lifecycle(), ["bucket"], None)
    assert check_stack(RULE_ID, replaced(compliant_stack(), "alpha/events.lifecycle", unknown)) == []


def test_without_retention_days_only_presence_is_checked() -> None:
    """At deploy time a component's outputs may lack retentionDays."""
    bare = replace(product_component(), inputs={"bucket": "acme-dev-alpha-events"})
    stack = replaced(compliant_stack(), "alpha/events", bare)
    assert check_stack(RULE_ID, stack) == []
