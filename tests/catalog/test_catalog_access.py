"""How to get access: the snippets are exact, and pasting them into the files they name does what
the catalog says (the mesh then grants, or leaves the request pending)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from catalogs import catalog_of, example_catalog
from meshtree import product_yaml

from datamesh.catalog import Snippet, access_request, how_to_get_access


def test_generic_instructions_for_an_approval_product() -> None:
    how = how_to_get_access(example_catalog().product("artist-payments/royalty-statements"))
    assert how.requestable and how.reason is None
    assert how.summary == ("Approval: the request stays pending (it creates nothing) until @daff/artist-payments "
                           "adds the consumer to sharing.approved of artist-payments/royalty-statements.")
    assert how.from_product == Snippet(
        "domains/<your-domain>/products/<your-product>.yaml", "inputs",
        "inputs:\n  - product: artist-payments/royalty-statements\n    purpose: <why your product reads it>\n",
        "the consumer domain")
    assert how.from_domain == Snippet(
        "domains/<your-domain>/domain.yaml", "consumes",
        "consumes:\n  - product: artist-payments/royalty-statements\n    purpose: <why your domain reads it>\n",
        "the consumer domain")
    assert how.approval == Snippet(
        "domains/artist-payments/products/royalty-statements.yaml", "sharing.approved",
        "sharing:\n  approved:\n    - domain: <your-domain>\n"
        "      until: YYYY-MM-DD   # required (restricted): at most 365 days ahead (mesh-restricted-grant-duration)\n"
        "      purpose: <why they may read it>\n", "@daff/artist-payments")
    assert how.external is not None and how.external.yaml == (
        "sharing:\n  approved:\n    - principal: arn:aws:iam::<account-id>:role/<role-name>\n"
        "      until: YYYY-MM-DD   # required (restricted): at most 365 days ahead (mesh-restricted-grant-duration)\n"
        "      purpose: <why the partner reads it>\n")


def test_generic_instructions_for_open_and_deprecated_products() -> None:
    catalog = example_catalog()
    open_how = how_to_get_access(catalog.product("listeners/signups"))
    assert open_how.approval is None
    assert open_how.summary == (
        "Open: a mesh domain that adds the request is granted read access once its pull request is merged and "
        "deployed; a partner outside the mesh needs an approval by @daff/onboarding.")
    deprecated = how_to_get_access(catalog.product("playlist/listening-sessions"))
    assert deprecated.summary.endswith(
        " It is deprecated (sunset 2028-01-31; its successor is playlist/listening-sessions-v2).")


def test_nothing_to_request_from_a_draft() -> None:
    how = how_to_get_access(example_catalog().product("playlist/mood-mixes"))
    assert (how.requestable, how.from_product, how.from_domain, how.approval, how.external) == (
        False, None, None, None, None)
    assert how.summary == ("playlist/mood-mixes cannot be requested: its status is draft: it grants nothing until "
                           "its owners set it active.")


@pytest.mark.parametrize(("key", "consumer", "product", "outcome", "message"), [
    ("listeners/signups", "artists", None, "granted-on-merge",
     "listeners/signups is open: artists reads it once the pull request is merged and deployed"),
    ("player/play-events", "partners", "partner-reports", "needs-approval",
     "the request stays pending until @daff/player approves it"),
    ("player/play-events", "playlist", None, "already-granted",
     "playlist already reads player/play-events until 2028-06-30, through access point daff-76cd21db-d060da51"),
    ("artist-payments/royalty-statements", "partners", None, "already-pending",
     "partners already requests artist-payments/royalty-statements; its approval expired on 2025-09-30: "
     "@daff/artist-payments extends its until"),
    ("partners/partner-reports", "artists", None, "already-pending",
     "artists already requests partners/partner-reports; partners-data@daff.example must approve it"),
    ("player/device-stats", "artists", None, "refused",
     "player/device-stats cannot be requested: it is retired: its access was removed (its data is kept until its "
     "retention ends)"),
    ("player/play-events", "player", None, "refused", "player owns player/play-events: a domain never requests its "
                                                      "own products"),
    ("player/play-events", "nobody", None, "refused",
     "there is no mesh domain 'nobody'; a partner outside the mesh is approved by @daff/player in sharing.approved "
     "(principal:)"),
    ("player/play-events", "partners", "nope", "refused", "domain partners has no product 'nope'"),
])
def test_access_request_outcomes(key: str, consumer: str, product: str | None, outcome: str, message: str) -> None:
    request = access_request(example_catalog(), key, consumer, product)
    assert (request.outcome, request.message) == (outcome, message)


def test_a_grant_expired_since_the_build_is_pending_again() -> None:
    later = example_catalog().as_of(date(2027, 11, 25))
    request = access_request(later, "artist-payments/royalty-statements", "artists")
    assert (request.outcome, request.message) == (
        "already-pending", "artists already requests artist-payments/royalty-statements; its approval expired on "
        "2027-11-24: @daff/artist-payments extends its until")


def test_a_purpose_cannot_change_the_yaml_structure() -> None:
    evil = 'x"\n  - product: evil/thing\n# '
    request = access_request(example_catalog(), "player/play-events", "partners", "partner-reports", evil)
    assert request.request is not None and request.approval is not None
    assert yaml.safe_load(request.request.yaml) == {"inputs": [{"product": "player/play-events", "purpose": evil}]}
    assert yaml.safe_load(request.approval.yaml) == {
        "sharing": {"approved": [{"domain": "partners", "until": "YYYY-MM-DD", "purpose": evil}]}}


def _append_under(path: Path, snippet: Snippet, replacements: dict[str, str]) -> None:
    text = snippet.yaml
    for old, new in replacements.items():
        text = text.replace(old, new)
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def test_following_the_snippets_grants_access(make_mesh: Any) -> None:
    """The consumer pastes its snippet (pending), then the producer pastes its line (granted)."""
    root = make_mesh()
    first = access_request(catalog_of(root), "alpha/events", "beta", "report", "weekly report")
    assert first.outcome == "needs-approval" and first.request is not None and first.approval is not None
    assert (first.request.file, first.approval.file) == (
        "domains/beta/products/report.yaml", "domains/alpha/products/events.yaml")
    _append_under(root.parent / first.request.file, first.request, {})
    pending = catalog_of(root)
    assert [p.consumer for p in pending.access("alpha/events").pending] == ["beta"]
    assert access_request(pending, "alpha/events", "beta").outcome == "already-pending"
    _append_under(root.parent / first.approval.file, first.approval, {"YYYY-MM-DD": "2027-06-30"})
    granted = catalog_of(root)
    assert [(g.consumer, g.until, g.purpose) for g in granted.access("alpha/events").current] == [
        ("beta", date(2027, 6, 30), "weekly report")]


def test_a_standing_approval_grants_on_merge(make_mesh: Any) -> None:
    root = make_mesh({"alpha/products/events.yaml": product_yaml(
        "events", "sharing:\n  approved:\n    - domain: gamma\n      until: 2027-01-31\n      purpose: audits\n")})
    catalog = catalog_of(root)
    assert [(a.domain, a.until, a.purpose) for a in catalog.product("alpha/events").standing_approvals] == [
        ("gamma", date(2027, 1, 31), "audits")]
    request = access_request(catalog, "alpha/events", "gamma")
    assert (request.outcome, request.message, request.approval) == (
        "granted-on-merge", "@acme/alpha already approved gamma until 2027-01-31: it reads alpha/events once the "
        "pull request is merged and deployed", None)
    assert request.request is not None and request.request.file == "domains/gamma/domain.yaml"
    assert access_request(catalog.as_of(date(2027, 2, 1)), "alpha/events", "gamma").outcome == "needs-approval"
