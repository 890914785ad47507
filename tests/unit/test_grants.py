"""Grant decisions (spec-v1 "What a grant is"), table-driven, with an injectable evaluation date.

Each case: the producer ``alpha/events`` and the consumer ``beta`` (its product ``report`` or its
``consumes``), the evaluation date, and the exact outcome: grants, pending requests and the
grant warnings (DM3xx) as ``mesh validate`` prints them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest
from meshtree import TODAY, domain_yaml, product_yaml

from datamesh.grants import Grant, PendingRequest, decide_grants
from datamesh.resolve import load_mesh

EVENTS = "domains/alpha/products/events.yaml"
REPORT = "domains/beta/products/report.yaml"
PARTNER = "arn:aws:iam::444455556666:role/reader"
YESTERDAY = date(2026, 11, 24)

REQUEST_BY_INPUT = {"beta/products/report.yaml": product_yaml("report", "inputs:\n  - product: alpha/events\n")}
REQUEST_BY_CONSUMES = {"beta/domain.yaml": domain_yaml("beta", "consumes:\n  - product: alpha/events\n")}

H_PENDING = "  hint: @acme/alpha adds `- domain: beta` (with `until`) to sharing.approved of alpha/events"
H_EXPIRED = "  hint: the producer extends `until`, or removes the approval"
H_NOTHING = "  hint: only active and deprecated products that are not private can be read by others"


def events(extra: str, **kw: object) -> dict[str, str]:
    return {"alpha/products/events.yaml": product_yaml("events", extra, **kw)}  # type: ignore[arg-type]


def approved(*items: str, mode: str = "approval") -> str:
    return f"sharing:\n  mode: {mode}\n  approved:\n" + "".join(items)


def dom(name: str, until: str | None = None) -> str:
    return f"    - domain: {name}\n" + (f"      until: {until}\n" if until else "")


def principal(arn: str, until: str | None = None) -> str:
    return f"    - principal: {arn}\n" + (f"      until: {until}\n" if until else "")


@dataclass
class Case:
    id: str
    files: dict[str, str]
    grants: list[Grant] = field(default_factory=list)
    pending: list[PendingRequest] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    today: date = TODAY


def pairs(*items: str) -> list[str]:
    return ["\n".join(items[i:i + 2]) for i in range(0, len(items), 2)]


CASES = [
    Case("open-and-requested-grants-without-end", {**REQUEST_BY_INPUT, **events("sharing:\n  mode: open\n")},
         grants=[Grant("alpha/events", "beta", "domain")]),
    Case("open-but-not-requested-grants-nothing", events("sharing:\n  mode: open\n")),
    Case("request-through-consumes", {**REQUEST_BY_CONSUMES, **events("sharing:\n  mode: open\n")},
         grants=[Grant("alpha/events", "beta", "domain")]),
    Case("inputs-and-consumes-give-one-grant",
         {**REQUEST_BY_INPUT, **REQUEST_BY_CONSUMES, **events("sharing:\n  mode: open\n")},
         grants=[Grant("alpha/events", "beta", "domain")]),
    Case("approved-without-until", {**REQUEST_BY_INPUT, **events(approved(dom("beta")))},
         grants=[Grant("alpha/events", "beta", "domain")]),
    Case("approved-until-later", {**REQUEST_BY_INPUT, **events(approved(dom("beta", "2027-06-30")))},
         grants=[Grant("alpha/events", "beta", "domain", date(2027, 6, 30))]),
    Case("until-is-inclusive", {**REQUEST_BY_INPUT, **events(approved(dom("beta", "2026-11-25")))},
         grants=[Grant("alpha/events", "beta", "domain", TODAY)]),
    Case("expired-the-day-before", {**REQUEST_BY_INPUT, **events(approved(dom("beta", "2026-11-24")))},
         pending=[PendingRequest("alpha/events", "beta", "@acme/alpha", YESTERDAY)],
         warnings=pairs(
             f"{EVENTS}:15:14: warning DM301 sharing.approved[0].until: approval of beta for alpha/events "
             "expired on 2026-11-24; @acme/alpha must renew or remove it", H_EXPIRED,
             f"{REPORT}:12:14: warning DM300 inputs[0].product: pending: beta requests alpha/events, its "
             "approval expired on 2026-11-24; @acme/alpha must approve",
             "  hint: @acme/alpha extends `until` of the approval of beta in sharing.approved of alpha/events")),
    Case("the-evaluation-date-decides", {**REQUEST_BY_INPUT, **events(approved(dom("beta", "2026-11-25")))},
         today=date(2026, 11, 26),
         pending=[PendingRequest("alpha/events", "beta", "@acme/alpha", TODAY)],
         warnings=pairs(
             f"{EVENTS}:15:14: warning DM301 sharing.approved[0].until: approval of beta for alpha/events "
             "expired on 2026-11-25; @acme/alpha must renew or remove it", H_EXPIRED,
             f"{REPORT}:12:14: warning DM300 inputs[0].product: pending: beta requests alpha/events, its "
             "approval expired on 2026-11-25; @acme/alpha must approve",
             "  hint: @acme/alpha extends `until` of the approval of beta in sharing.approved of alpha/events")),
    Case("requested-never-approved-is-pending", REQUEST_BY_INPUT,
         pending=[PendingRequest("alpha/events", "beta", "@acme/alpha")],
         warnings=pairs(
             f"{REPORT}:12:14: warning DM300 inputs[0].product: pending: beta requests alpha/events, not "
             "approved yet; @acme/alpha must approve", H_PENDING)),
    Case("approval-of-another-domain-is-not-for-beta",
         {**REQUEST_BY_CONSUMES, **events(approved(dom("gamma"))),
          "gamma/domain.yaml": domain_yaml("gamma", "consumes:\n  - product: alpha/events\n")},
         grants=[Grant("alpha/events", "gamma", "domain")],
         pending=[PendingRequest("alpha/events", "beta", "@acme/alpha")],
         warnings=pairs(
             "domains/beta/domain.yaml:14:14: warning DM300 consumes[0].product: pending: beta requests "
             "alpha/events, not approved yet; @acme/alpha must approve", H_PENDING)),
    Case("approver-is-the-email-without-github",
         {**REQUEST_BY_INPUT, "alpha/domain.yaml": domain_yaml("alpha", github=False)},
         pending=[PendingRequest("alpha/events", "beta", "alpha@acme.example")],
         warnings=pairs(
             f"{REPORT}:12:14: warning DM300 inputs[0].product: pending: beta requests alpha/events, not "
             "approved yet; alpha@acme.example must approve",
             "  hint: alpha@acme.example adds `- domain: beta` (with `until`) to sharing.approved of "
             "alpha/events")),
    Case("approval-nobody-requested", events(approved(dom("beta"))),
         warnings=pairs(
             f"{EVENTS}:14:7: warning DM304 sharing.approved[0]: beta is approved for alpha/events but never "
             "requests it; this creates nothing",
             "  hint: the consumer domain asks through an `inputs` entry or its `consumes`; or remove the "
             "approval")),
    Case("request-to-private", {**REQUEST_BY_INPUT, **events("sharing:\n  mode: private\n")},
         warnings=pairs(
             f"{REPORT}:12:14: warning DM302 inputs[0].product: request to alpha/events grants nothing: it is "
             "private (sharing.mode: private)", H_NOTHING)),
    Case("approvals-on-private", {**REQUEST_BY_INPUT, **events(approved(
        dom("beta"), principal(PARTNER), mode="private"))},
         warnings=pairs(
             f"{EVENTS}:14:5: warning DM303 sharing.approved: alpha/events is private: its 2 approval(s) grant "
             "nothing", "  hint: private products grant nothing: remove the approvals or change `sharing.mode`",
             f"{REPORT}:12:14: warning DM302 inputs[0].product: request to alpha/events grants nothing: it is "
             "private (sharing.mode: private)", H_NOTHING)),
    Case("request-to-draft", {**REQUEST_BY_INPUT, **events("status: draft\nsharing:\n  mode: open\n")},
         warnings=pairs(
             f"{REPORT}:12:14: warning DM302 inputs[0].product: request to alpha/events grants nothing: its "
             "status is draft", H_NOTHING)),
    Case("request-to-retired", {**REQUEST_BY_INPUT, **events("status: retired\n" + approved(dom("beta")))},
         warnings=pairs(
             f"{REPORT}:12:14: warning DM302 inputs[0].product: request to alpha/events grants nothing: its "
             "status is retired", H_NOTHING)),
    Case("retired-grants-no-external-principal", events("status: retired\n" + approved(principal(PARTNER)))),
    Case("deprecated-before-sunset-grants", {**REQUEST_BY_INPUT, **events(
        "status: deprecated\ndeprecation:\n  sunset: 2026-11-25\nsharing:\n  mode: open\n")},
         grants=[Grant("alpha/events", "beta", "domain")]),
    Case("deprecated-past-sunset-still-grants", {**REQUEST_BY_INPUT, **events(
        "status: deprecated\ndeprecation:\n  sunset: 2026-11-24\nsharing:\n  mode: open\n")},
         grants=[Grant("alpha/events", "beta", "domain")],
         warnings=pairs(
             f"{EVENTS}:13:11: warning DM305 deprecation.sunset: alpha/events is past its sunset (2026-11-24) "
             "and still grants access",
             "  hint: retire it: set `status: retired` (its data is kept, its access removed)")),
    Case("external-principal", events(approved(principal(PARTNER, "2027-01-31"))),
         grants=[Grant("alpha/events", PARTNER, "external", date(2027, 1, 31))]),
    Case("external-principal-until-today", events(approved(principal(PARTNER, "2026-11-25"))),
         grants=[Grant("alpha/events", PARTNER, "external", TODAY)]),
    Case("external-principal-expired", events(approved(principal(PARTNER, "2026-11-24"))),
         warnings=pairs(
             f"{EVENTS}:15:14: warning DM301 sharing.approved[0].until: approval of {PARTNER} for alpha/events "
             "expired on 2026-11-24; @acme/alpha must renew or remove it", H_EXPIRED)),
    Case("external-principal-on-open-product-needs-approval", events("sharing:\n  mode: open\n")),
    Case("restricted-with-dated-approval", {**REQUEST_BY_INPUT, **events(
        approved(dom("beta", "2027-06-30"), principal(PARTNER, "2027-01-31")), classification="restricted")},
         grants=[Grant("alpha/events", PARTNER, "external", date(2027, 1, 31)),
                 Grant("alpha/events", "beta", "domain", date(2027, 6, 30))]),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_grant_decisions(make_mesh: Callable[..., Path], tmp_path: Path, case: Case) -> None:
    resolution = load_mesh(str(make_mesh(case.files)), case.today)
    assert not resolution.report.errors, [d.format() for d in resolution.report.errors]
    assert resolution.decisions.grants == case.grants
    assert resolution.decisions.pending == case.pending
    warnings = [d.format(str(tmp_path)) for d in resolution.report.sorted() if d.code.startswith("DM3")]
    assert warnings == case.warnings


def test_decide_grants_directly_with_another_date(make_mesh: Callable[..., Path]) -> None:
    """``decide_grants`` is a pure function of the specs and the date (no report needed)."""
    files = {**REQUEST_BY_INPUT, **events(approved(dom("beta", "2027-06-30")))}
    resolution = load_mesh(str(make_mesh(files)), TODAY)
    assert resolution.mesh is not None, [d.format() for d in resolution.report.errors]
    mesh = resolution.mesh
    before = decide_grants(mesh.domains, mesh.products, mesh.sources, date(2027, 6, 30))
    after = decide_grants(mesh.domains, mesh.products, mesh.sources, date(2027, 7, 1))
    assert before.grants == [Grant("alpha/events", "beta", "domain", date(2027, 6, 30))]
    assert before.pending == []
    assert after.grants == []
    assert after.pending == [PendingRequest("alpha/events", "beta", "@acme/alpha", date(2027, 6, 30))]
    assert mesh.grants_of_product("alpha/events") == mesh.grants_of_consumer("beta") == before.grants


def test_example_mesh_decisions() -> None:
    """The bundled example: every kind of outcome once (grants, external, pending, expired)."""
    from meshtree import EXAMPLE_DOMAINS

    resolution = load_mesh(str(EXAMPLE_DOMAINS), TODAY)
    assert resolution.mesh is not None, [d.format() for d in resolution.report.errors]
    decided = [(g.product, g.consumer, g.until and g.until.isoformat()) for g in resolution.decisions.grants]
    assert decided == [
        ("artist-payments/royalty-statements", "artists", "2027-11-24"),
        ("artists/artist-catalog", "artist-payments", None),
        ("artists/artist-catalog", "partners", None),
        ("artists/artist-catalog", "playlist", None),
        ("artists/artist-popularity", "artist-payments", "2028-06-30"),
        ("listeners/listener-profiles", "artist-payments", "2027-11-24"),
        ("listeners/listener-profiles", "playlist", "2027-11-24"),
        ("listeners/signups", "player", None),
        ("partners/partner-reports", "arn:aws:iam::444455556666:role/yogaflow-reports", "2028-06-30"),
        ("player/play-events", "artist-payments", "2028-06-30"),
        ("player/play-events", "artists", None),
        ("player/play-events", "playlist", "2028-06-30"),
        ("player/skip-events", "playlist", None),
        ("playlist/listening-sessions", "artists", "2028-01-31"),
        ("playlist/listening-sessions-v2", "arn:aws:iam::444455556666:role/yogaflow-reader", "2028-06-30"),
        ("playlist/listening-sessions-v2", "partners", "2028-06-30"),
    ]
    assert resolution.decisions.pending == [
        PendingRequest("artist-payments/royalty-statements", "partners", "@daff/artist-payments",
                       date(2025, 9, 30)),
        PendingRequest("partners/partner-reports", "artists", "partners-data@daff.example"),
    ]
