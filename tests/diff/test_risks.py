"""The pure risk classification: typed records from two sets of facts, no git, no rendering."""

from __future__ import annotations

from datamesh.diff.risks import DomainFacts, MeshFacts, ProductFacts, Risk, detect_risks


def product(**changes: object) -> ProductFacts:
    base: dict[str, object] = {"status": "active", "classification": "confidential", "version": "1.2.0",
                               "retention_days": 400, "noncurrent_days": 30, "archive_after_days": None}
    base.update(changes)
    return ProductFacts(**base)  # type: ignore[arg-type]


def facts(products: dict[str, ProductFacts] | None = None, domains: dict[str, DomainFacts] | None = None,
          grants: set[tuple[str, str]] | None = None, platform: dict[str, str] | None = None,
          region: str | None = "eu-west-1") -> MeshFacts:
    return MeshFacts(products or {}, domains or {}, platform or {}, region, frozenset(grants or ()))


def triples(risks: list[Risk]) -> list[tuple[object, ...]]:
    return [(r.kind, r.subject, r.field, r.before, r.after) for r in risks]


def test_nothing_changed_is_no_risk():
    same = facts({"a/p": product()}, {"a": DomainFacts({"dev": "1"}, "eu-west-1")})
    assert detect_risks(same, same) == []


def test_a_new_product_or_domain_risks_nothing():
    assert detect_risks(facts(), facts({"a/p": product()}, {"a": DomainFacts({"dev": "1"}, "eu-west-1")})) == []


def test_adding_noncurrent_days_below_the_default_is_shortening_from_30():
    risks = detect_risks(facts({"a/p": product()}), facts({"a/p": product(noncurrent_days=7)}))
    assert triples(risks) == [("retention-shortened", "a/p", "retention.noncurrent_days", 30, 7)]
    assert risks[0].message == ("a/p: retention.noncurrent_days shortened from 30 to 7: the next deploy expires "
                                "overwritten and deleted versions older than 7 days")


def test_lengthening_retention_is_no_risk():
    assert detect_risks(facts({"a/p": product()}), facts({"a/p": product(retention_days=800)})) == []


def test_classification_lowered_and_raised():
    lowered = detect_risks(facts({"a/p": product(classification="restricted")}),
                           facts({"a/p": product(classification="internal")}))
    assert triples(lowered) == [("classification-lowered", "a/p", "classification", "restricted", "internal")]
    assert detect_risks(facts({"a/p": product(classification="public")}),
                        facts({"a/p": product(classification="confidential")})) == []


def test_a_major_bump_is_breaking_a_minor_one_is_not():
    major = detect_risks(facts({"a/p": product(version="1.9.3")}), facts({"a/p": product(version="2.0.0")}))
    assert triples(major) == [("breaking-change", "a/p", "version", "1.9.3", "2.0.0")]
    assert detect_risks(facts({"a/p": product()}), facts({"a/p": product(version="1.3.0")})) == []


def test_retired_counts_the_grants_revoked():
    before = facts({"a/p": product()}, grants={("a/p", "b"), ("a/p", "c"), ("x/y", "b")})
    risks = detect_risks(before, facts({"a/p": product(status="retired")}))
    assert triples(risks) == [("product-retired", "a/p", "status", "active", "retired")]
    assert "its 2 grant(s) are revoked" in risks[0].message


def test_archive_moves_are_informational():
    risks = detect_risks(facts({"a/p": product()}), facts({"a/p": product(archive_after_days=90)}))
    assert triples(risks) == [("archive-changed", "a/p", "retention.archive_after_days", None, 90)]
    assert risks[0].informational
    assert risks[0].to_json()["informational"] is True


def test_a_region_change_of_a_domain_and_of_the_platform():
    before = facts(domains={"a": DomainFacts({"dev": "1"}, "eu-west-1")}, platform={"dev": "9"})
    after = facts(domains={"a": DomainFacts({"dev": "1"}, "eu-central-1")}, platform={"dev": "8"},
                  region="eu-central-1")
    assert triples(detect_risks(before, after)) == [
        ("region-changed", "a", "aws.region", "eu-west-1", "eu-central-1"),
        ("account-changed", "platform", "platform.accounts.dev", "9", "8"),
        ("region-changed", "platform", "platform.region", "eu-west-1", "eu-central-1"),
    ]


def test_a_producers_own_grants_are_not_named_for_its_account_change():
    before = facts(domains={"a": DomainFacts({"dev": "1"}, "r"), "b": DomainFacts({"dev": "2"}, "r")},
                   grants={("b/p", "a"), ("a/q", "a")})
    after = facts(domains={"a": DomainFacts({"dev": "3"}, "r"), "b": DomainFacts({"dev": "2"}, "r")},
                  grants={("b/p", "a"), ("a/q", "a")})
    (risk,) = detect_risks(before, after)
    assert (risk.kind, risk.related) == ("account-changed", ("b",))


def test_facts_survive_json_for_a_stack_output():
    original = facts({"a/p": product(archive_after_days=90)}, {"a": DomainFacts({"dev": "1"}, "eu-west-1")},
                     {("a/p", "b")}, {"dev": "9"})
    assert MeshFacts.from_json(original.to_json()) == original
