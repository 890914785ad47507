"""The catalog's JSON: exact bodies, the golden file of the example, and reading it back.

Regenerate the golden file with::

    UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/catalog
"""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from catalogs import catalog_of, example_catalog
from meshtree import REPO, product_yaml

from datamesh.catalog import (
    CatalogReadError,
    catalog_from_json,
    catalog_json,
    domain_json,
    dumps,
    facts_json,
    lineage_json,
    product_json,
    product_summary_json,
)

GOLDEN = Path(__file__).parent / "golden"
REGENERATE = "UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/catalog"


def check_golden(name: str, actual: str) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
    expected = path.read_text(encoding="utf-8") if path.exists() else None
    assert actual == expected, (
        f"{path.relative_to(REPO)} differs from the catalog; if the change is intended, regenerate it with "
        f"`{REGENERATE}` and review the diff")


def test_the_example_catalog_matches_its_golden_file() -> None:
    check_golden("example-dev.json", json.dumps(catalog_json(example_catalog()), indent=2) + "\n")


def test_equal_meshes_give_equal_bytes() -> None:
    assert dumps(catalog_json(example_catalog())) == dumps(catalog_json(example_catalog()))


def test_an_external_grant_and_a_pending_request_exactly() -> None:
    access = product_json(example_catalog(), "partners/partner-reports")["access"]
    assert {k: access[k] for k in ("mode", "approver", "requestable", "reason", "grants", "pending",
                                   "approved_not_requested")} == {
        "mode": "approval", "approver": "partners-data@daff.example", "requestable": True, "reason": None,
        "grants": [{
            "consumer": "arn:aws:iam::444455556666:role/yogaflow-reports", "kind": "external", "name": "yogaflow",
            "account": "444455556666", "principal": "arn:aws:iam::444455556666:role/yogaflow-reports",
            "until": "2028-06-30", "purpose": "yogaflow reads its own weekly report",
            "access_point": {
                "name": "daff-b083331a-f0aeee67",
                "arn": "arn:aws:s3:eu-west-1:110000000006:accesspoint/daff-b083331a-f0aeee67",
                "alias": "${partners/partner-reports.grant._ext-b083331a.access-point.alias}",
                "resource": "partners/partner-reports.grant._ext-b083331a.access-point",
                "known_after_deploy": ["alias"]},
            "state": "active"}],
        "pending": [{"consumer": "artists", "approver": "partners-data@daff.example", "expired_on": None,
                     "purpose": "see how partner campaigns feature our artists"}],
        "approved_not_requested": [],
    }


def test_a_product_that_cannot_be_requested_has_no_instructions() -> None:
    body = product_json(example_catalog(), "player/device-stats")
    assert body["access"]["how"] is None
    assert body["access"]["reason"] == (
        "it is retired: its access was removed (its data is kept until its retention ends)")
    assert (body["guarantees"], body["deprecation"], body["tags"]) == (None, None, [])


def test_guarantees_are_published_as_written() -> None:
    """Only the guarantees a spec writes appear, with the spec's values (no unit conversion)."""
    catalog = example_catalog()
    assert product_json(catalog, "partners/partner-reports")["guarantees"] == {"update_frequency": "weekly"}
    assert product_json(catalog, "listeners/signups")["guarantees"] == {
        "freshness": "15m", "update_frequency": "continuous"}
    assert product_json(catalog, "artists/artist-catalog")["guarantees"] == {
        "freshness": "1d", "update_frequency": "daily", "completeness": 1.0, "availability": 0.999}


def test_evaluated_keys_follow_the_evaluation_day() -> None:
    later = example_catalog().as_of(date(2027, 11, 25))
    body = product_json(later, "artist-payments/royalty-statements")
    assert [(g["consumer"], g["state"]) for g in body["access"]["grants"]] == [("artists", "expired")]
    assert [(p["consumer"], p["expired_on"]) for p in body["access"]["pending"]] == [
        ("artists", "2027-11-24"), ("partners", "2025-09-30")]
    info = catalog_json(later)["catalog"]
    assert (info["built_at"], info["evaluated_on"], info["valid_through"]) == ("2026-11-25", "2027-11-25", "2028-01-31")
    sunset = product_json(example_catalog().as_of(date(2028, 2, 1)), "playlist/listening-sessions")["deprecation"]
    assert sunset == {"sunset": "2028-01-31", "replaced_by": "playlist/listening-sessions-v2", "past_sunset": True}


def test_summary_domain_and_lineage_bodies() -> None:
    catalog = example_catalog()
    assert product_summary_json(catalog, "listeners/signups") == {
        "id": "listeners/signups", "domain": "listeners", "name": "signups", "version": "1.0.3",
        "description": "Every completed sign-up with its acquisition channel and plan.", "status": "active",
        "type": "source-aligned", "classification": "internal", "tags": ["listeners", "onboarding"],
        "owner": {"team": "Listener Onboarding", "email": "onboarding-data@daff.example", "github": "@daff/onboarding"},
        "mode": "open"}
    assert domain_json(catalog, "artists")["consumes"] == [
        {"product": "artist-payments/royalty-statements", "purpose": "answer artists' questions about their statements",
         "state": "granted"},
        {"product": "partners/partner-reports", "purpose": "see how partner campaigns feature our artists",
         "state": "pending"}]
    graph = lineage_json(catalog)
    assert [n["id"] for n in graph["nodes"] if n["kind"] == "domain"] == ["artists", "partners", "player", "playlist"]
    assert len([n for n in graph["nodes"] if n["kind"] == "product"]) == 12
    assert graph["edges"][0] == {
        "from": "artist-payments/royalty-statements", "to": "artists", "to_kind": "domain", "consumer": "artists",
        "via": "consumes", "purpose": "answer artists' questions about their statements", "state": "granted"}
    with pytest.raises(KeyError):
        domain_json(catalog, "nope")


def test_spec_text_is_data_not_markup(make_mesh: Any) -> None:
    """Descriptions are attacker-controlled: the JSON carries them verbatim (escaping is the renderer's)."""
    text = 'Sessions <script>alert("x")</script> & more'
    root = make_mesh({"alpha/products/events.yaml": product_yaml("events").replace("A test product.",
                                                                                    json.dumps(text))})
    catalog = catalog_of(root)
    assert product_json(catalog, "alpha/events")["description"] == text
    assert catalog_from_json(json.loads(dumps(catalog_json(catalog)))) == catalog


# --- reading back ----------------------------------------------------------------------------------


def test_the_evaluated_json_and_the_facts_read_back_to_the_same_catalog() -> None:
    catalog = example_catalog()
    assert catalog_from_json(json.loads(dumps(catalog_json(catalog)))) == catalog
    assert catalog_from_json(json.loads(dumps(facts_json(catalog)))) == catalog


def test_a_catalog_written_later_reads_back_its_stored_facts() -> None:
    """Pending requests derived from grants that expired after the build are not stored twice."""
    later = example_catalog().as_of(date(2027, 11, 25))
    again = catalog_from_json(json.loads(dumps(catalog_json(later))))
    assert again == later
    assert again.as_of(date(2026, 11, 25)) == example_catalog()


def test_the_facts_leave_out_every_evaluated_key() -> None:
    facts = facts_json(example_catalog())
    assert set(facts["catalog"]) == {"mesh", "environment", "environments", "built_at", "evaluated_on",
                                     "tool_version", "content_hash"}
    product = next(p for p in facts["products"] if p["id"] == "artist-payments/royalty-statements")
    assert "lineage" not in product and "how" not in product["access"]
    assert "state" not in product["access"]["grants"][0]
    assert set(facts["lineage"]) == {"edges"} and "state" not in facts["lineage"]["edges"][0]


@pytest.mark.parametrize(("data", "code", "message"), [
    ([], "DM600", "<t>: not a catalog of format datamesh-catalog/v1 (format: 'list')"),
    ({"format": "other/v9"}, "DM600", "<t>: not a catalog of format datamesh-catalog/v1 (format: 'other/v9')"),
])
def test_not_a_catalog(data: Any, code: str, message: str) -> None:
    with pytest.raises(CatalogReadError) as caught:
        catalog_from_json(data, "<t>")
    assert (caught.value.code, str(caught.value)) == (code, message)


def _broken(edit: Any) -> CatalogReadError:
    data = json.loads(dumps(catalog_json(example_catalog())))
    edit(data)
    with pytest.raises(CatalogReadError) as caught:
        catalog_from_json(data, "catalog.json")
    return caught.value


def test_a_malformed_catalog_names_the_path() -> None:
    err = _broken(lambda d: d["products"][3]["access"].pop("grants"))
    assert (err.code, err.message) == ("DM601", "$.products[3].access.grants: missing")
    assert err.format() == ("catalog.json:0:0: error DM601 -: $.products[3].access.grants: missing\n"
                            "  hint: rebuild it with `mesh catalog --output FILE` (or `--shards DIR`)")
    err = _broken(lambda d: d["products"][0]["retention"].update(days="400"))
    assert err.message == "$.products[0].retention.days: expected int, got str"
    err = _broken(lambda d: d["products"][0].update(status="gone"))
    assert err.message == "$.products[0].status: expected one of draft, active, deprecated, retired, got 'gone'"
    err = _broken(lambda d: d["catalog"].update(built_at="2026-13-01"))
    assert err.message == "$.catalog.built_at: expected a date YYYY-MM-DD, got '2026-13-01'"
    err = _broken(lambda d: d["products"][0]["retention"].update(days=True))
    assert err.message == "$.products[0].retention.days: expected int, got bool"
