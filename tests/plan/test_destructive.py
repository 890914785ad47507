"""datamesh/plan/destructive.py: the pure half of §4's deploy-time refusal (the program's half is
tests/components/test_destructive_deploy.py)."""

from __future__ import annotations

import pytest

from datamesh.diff.risks import DomainFacts, MeshFacts, ProductFacts, Risk
from datamesh.plan.destructive import (
    Acknowledgement,
    Judgement,
    acknowledge_commands,
    change_of,
    deploy_risks,
    judge,
    parse_acknowledgements,
    previous_facts,
    value_text,
)

EVENTS = ProductFacts("active", "internal", "1.0.0", 400, 30)


def facts(days: int = 400, beta_account: str = "100000000002", gamma_region: str = "eu-west-1",
          products: bool = True) -> MeshFacts:
    return MeshFacts({"alpha/events": ProductFacts("active", "internal", "1.0.0", days, 30)} if products else {},
                     {"alpha": DomainFacts({"dev": "100000000001"}, "eu-west-1"),
                      "beta": DomainFacts({"dev": beta_account}, ""),
                      "gamma": DomainFacts({"dev": "100000000003"}, gamma_region)},
                     grants=frozenset({("alpha/events", "beta")}))


def test_a_domain_the_stack_does_not_deploy_counts_for_its_account_alone():
    """alpha's stack: beta (a consumer) moving account is refused here; gamma is not deployed
    here, so its region is another stack's business."""
    risks = deploy_risks(facts(), facts(beta_account="100000000088", gamma_region="eu-central-1"), ["alpha"])
    assert [(r.kind, r.subject, r.field, r.related) for r in risks] == [
        ("account-changed", "beta", "aws.accounts.dev", ("alpha",))]


def test_informational_and_review_only_changes_are_not_refused():
    old = MeshFacts({"alpha/events": EVENTS})
    new = MeshFacts({"alpha/events": ProductFacts("active", "public", "2.0.0", 800, 60, 90)})
    assert deploy_risks(old, new, ["alpha"]) == []


def test_the_acknowledged_change_names_field_or_removal_and_values_as_text():
    removed = Risk("product-removed", "alpha/events", "-", "active", None, "m")
    shortened = Risk("retention-shortened", "alpha/events", "retention.days", 400, 1, "m")
    assert (change_of(removed), value_text(removed.before), value_text(removed.after)) == (
        "product-removed", "active", "removed")
    assert (change_of(shortened), value_text(shortened.before), value_text(shortened.after)) == (
        "retention.days", "400", "1")


def test_judge_matches_exactly_and_reports_the_rest():
    risk = Risk("retention-shortened", "alpha/events", "retention.days", 400, 1, "m")
    exact = Acknowledgement(0, "alpha/events", "retention.days", "400", "1")
    other = Acknowledgement(1, "alpha/events", "retention.days", "400", "2")
    assert judge([risk], [other, exact]) == Judgement((), ((risk, exact),), (other,))
    assert judge([risk], [other]) == Judgement((risk,), (), (other,))


def test_numbers_and_strings_of_the_config_compare_as_text():
    acks = parse_acknowledgements([{"subject": "alpha/events", "change": "retention.days", "from": 400, "to": "1"}])
    assert acks == [Acknowledgement(0, "alpha/events", "retention.days", "400", "1")]


@pytest.mark.parametrize(("raw", "message"), [
    ({"subject": "x"}, "datamesh:acknowledge must be a list of {subject, change, from, to}, got {'subject': 'x'}"),
    (["alpha"], "datamesh:acknowledge[0] must have exactly the keys subject, change, from, to; got 'alpha'"),
    ([{"subject": "a", "change": "c", "from": "1", "to": "2", "until": "2027-01-01"}],
     "datamesh:acknowledge[0] must have exactly the keys subject, change, from, to; got {'subject': 'a', "
     "'change': 'c', 'from': '1', 'to': '2', 'until': '2027-01-01'}"),
    ([{"subject": "a", "change": "c", "from": True, "to": "2"}],
     "datamesh:acknowledge[0].from must be a non-empty string or number; got True"),
    ([{"subject": "", "change": "c", "from": "1", "to": "2"}],
     "datamesh:acknowledge[0].subject must be a non-empty string or number; got ''"),
    ([{"subject": "a", "change": ["c"], "from": "1", "to": "2"}],
     "datamesh:acknowledge[0].change must be a non-empty string or number; got ['c']"),
])
def test_a_malformed_acknowledgement_names_the_entry(raw, message):
    with pytest.raises(ValueError) as e:
        parse_acknowledgements(raw)
    assert str(e.value) == message


def test_the_commands_continue_after_the_existing_entries():
    risk = Risk("account-changed", "beta", "aws.accounts.prod", "1", "2", "m")
    assert acknowledge_commands([risk], 3, "prod") == [
        "pulumi config set --stack prod --path 'datamesh:acknowledge[3].subject' 'beta'",
        "pulumi config set --stack prod --path 'datamesh:acknowledge[3].change' 'aws.accounts.prod'",
        "pulumi config set --stack prod --path 'datamesh:acknowledge[3].from' '1'",
        "pulumi config set --stack prod --path 'datamesh:acknowledge[3].to' '2'"]


def test_previous_facts_round_trip_and_first_deploy():
    assert previous_facts(None) is None and previous_facts({}) is None and previous_facts({"meshFacts": None}) is None
    assert previous_facts({"meshFacts": facts().to_json()}) == facts()
    with pytest.raises(ValueError, match=r"^the stack output meshFacts of the last deploy is unreadable \(KeyError"):
        previous_facts({"meshFacts": {"products": {"alpha/events": {"status": "active"}}}})
