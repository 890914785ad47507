"""Revocation is removal: a grant that ends leaves the plan, and only its resources leave.

Access in the mesh is the presence of an access point and a KMS grant; nothing else names a
consumer (bucket and key policies never grow with grants). So an expired, withdrawn or retired
grant must disappear from the plan, and the plan with the grant must differ from the plan
without it by exactly the grant's component, access point and KMS grant. Pulumi then deletes
them (the KMS grant is revoked, ``retireOnDelete: false``).

Pending requests (never approved, or approved and expired) create nothing and are shown, with
the approver, in ``mesh plan`` JSON ``pending`` and in the text output.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from datamesh.cli.main import main
from datamesh.plan import Plan
from grants.support import (
    EXAMPLE_DOMAINS,
    TODAY,
    Approval,
    DomainSpec,
    ProductSpec,
    Spec,
    account,
    plan_of,
)

PARTNER = "arn:aws:iam::444455556666:role/partner-reader"
UNTIL = date(2027, 6, 30)
BETA_GRANT = {"alpha/events.grant.beta", "alpha/events.grant.beta.access-point",
              "alpha/events.grant.beta.key-grant"}
PARTNER_GRANT = {"alpha/events.grant._ext-8c62422b", "alpha/events.grant._ext-8c62422b.access-point",
                 "alpha/events.grant._ext-8c62422b.key-grant"}

Capsys = pytest.CaptureFixture[str]


def base() -> Spec:
    """beta reads alpha/events (approved until 2027-06-30) and alpha/logs (open), so beta's
    consumer policy stays when one of the two grants goes; the partner reads alpha/events."""
    return Spec(
        domains=[
            DomainSpec("alpha", {e: account(1, e) for e in ("dev", "prod")}),
            DomainSpec("beta", {e: account(2, e) for e in ("dev", "prod")},
                       consumes=["alpha/events", "alpha/logs"]),
        ],
        products=[
            ProductSpec("alpha", "events", approved=[Approval(domain="beta", until=UNTIL),
                                                     Approval(principal=PARTNER, until=UNTIL)]),
            ProductSpec("alpha", "logs", mode="open"),
        ],
    )


def planned(tmp_path: Path, spec: Spec, today: date = TODAY, name: str = "mesh") -> Plan:
    return plan_of(spec.write(tmp_path / name), "dev", today)


def diff(before: Plan, after: Plan) -> tuple[set[str], set[str], set[str]]:
    """(removed, added, changed) logical names from ``before`` to ``after``."""
    old, new = before.by_name(), after.by_name()
    changed = {n for n in old.keys() & new.keys() if old[n] != new[n]}
    return old.keys() - new.keys(), new.keys() - old.keys(), changed


def test_base_plan_has_both_grants_of_events(tmp_path: Path) -> None:
    plan = planned(tmp_path, base())
    assert {(g.product, g.consumer) for g in plan.grants} == {
        ("alpha/events", "beta"), ("alpha/events", PARTNER), ("alpha/logs", "beta")}
    assert plan.by_name().keys() >= BETA_GRANT | PARTNER_GRANT


def test_approvals_expire_after_their_until_day(tmp_path: Path) -> None:
    """The same files, evaluated on the last day of the approval and the day after."""
    last_day = planned(tmp_path, base(), UNTIL, "last")
    day_after = planned(tmp_path, base(), date(2027, 7, 1), "after")
    removed, added, changed = diff(last_day, day_after)
    assert removed == BETA_GRANT | PARTNER_GRANT
    assert added == changed == set()
    assert {(g.product, g.consumer) for g in day_after.grants} == {("alpha/logs", "beta")}
    assert [(p.product, p.consumer, p.approver, p.expired_on) for p in day_after.pending] == [
        ("alpha/events", "beta", "@acme/alpha", UNTIL)]


def _variant(change: str) -> Spec:
    spec = base()
    events = spec.product("alpha/events")
    if change == "expired":
        events.approved[0] = Approval(domain="beta", until=date(2026, 11, 24))
    elif change == "approval withdrawn":
        events.approved = events.approved[1:]
    elif change == "request withdrawn":
        spec.domains[1].consumes = ["alpha/logs"]
    elif change == "partner expired":
        events.approved[1] = Approval(principal=PARTNER, until=date(2026, 11, 24))
    elif change == "partner withdrawn":
        events.approved = events.approved[:1]
    return spec


@pytest.mark.parametrize(("change", "gone"), [
    ("expired", BETA_GRANT),
    ("approval withdrawn", BETA_GRANT),
    ("request withdrawn", BETA_GRANT),
    ("partner expired", PARTNER_GRANT),
    ("partner withdrawn", PARTNER_GRANT),
])
def test_the_plan_without_a_grant_differs_by_exactly_its_resources(tmp_path: Path, change: str,
                                                                    gone: set[str]) -> None:
    before = planned(tmp_path, base(), name="before")
    after = planned(tmp_path, _variant(change), name="after")
    assert diff(before, after) == (gone, set(), set())
    assert not any(r.name.startswith(tuple(gone)) for r in after.resources)


def test_retiring_a_product_removes_all_its_grants_and_its_producers_write_access(tmp_path: Path) -> None:
    spec = base()
    spec.product("alpha/events").status = "retired"
    before = planned(tmp_path, base(), name="before")
    after = planned(tmp_path, spec, name="after")
    removed, added, changed = diff(before, after)
    assert removed == BETA_GRANT | PARTNER_GRANT
    assert added == set()
    # The bucket stays (with its data, lifecycle and TLS-only policy); its status changes, and its
    # (retained) bucket policy gains a Deny of every data action. The producer policy is unchanged.
    assert changed == {"alpha/events", "alpha/events.bucket", "alpha/events.policy"}
    assert after.by_name()["alpha/events.bucket"].inputs["tags"]["mesh:status"] == "retired"
    events = "arn:aws:s3:::acme-dev--alpha--events"
    bucket_before = json.loads(before.by_name()["alpha/events.policy"].inputs["policy"])
    bucket_after = json.loads(after.by_name()["alpha/events.policy"].inputs["policy"])
    assert bucket_after["Statement"][:2] == bucket_before["Statement"]
    assert len(bucket_after["Statement"]) == 3
    deny = bucket_after["Statement"][2]
    assert (deny["Sid"], deny["Effect"], deny["Principal"]) == ("DenyDataAccessRetired", "Deny", "*")
    assert deny["Resource"] == [events, f"{events}/*"]
    assert after.by_name()["alpha.producer-access"] == before.by_name()["alpha.producer-access"]
    assert [(g.product, g.consumer) for g in after.grants] == [("alpha/logs", "beta")]


def test_private_product_grants_nothing(tmp_path: Path) -> None:
    spec = base()
    spec.product("alpha/events").mode = "private"
    before = planned(tmp_path, base(), name="before")
    after = planned(tmp_path, spec, name="after")
    assert diff(before, after) == (BETA_GRANT | PARTNER_GRANT, set(), set())


def test_the_last_grant_of_a_consumer_also_removes_its_consumer_policy(tmp_path: Path) -> None:
    spec = base()
    spec.domains[1].consumes = ["alpha/events"]
    only_events = planned(tmp_path, spec, name="before")
    spec.product("alpha/events").approved = [Approval(principal=PARTNER, until=UNTIL)]
    nothing = planned(tmp_path, spec, name="after")
    assert diff(only_events, nothing) == (BETA_GRANT | {"beta.consumer-access"}, set(), set())
    assert "beta.consumer" in nothing.by_name()  # the role stays, reading nothing


def test_extending_an_approval_keeps_the_access_point_and_only_updates_its_until(tmp_path: Path) -> None:
    """Renewal changes the grant's end date in place: same logical and physical names."""
    renewed = base()
    renewed.product("alpha/events").approved[0] = Approval(domain="beta", until=date(2028, 6, 30))
    before = planned(tmp_path, base(), name="before")
    after = planned(tmp_path, renewed, name="after")
    assert diff(before, after) == (set(), set(), {"alpha/events.grant.beta",
                                                  "alpha/events.grant.beta.access-point"})
    old, new = (p.by_name()["alpha/events.grant.beta.access-point"].inputs for p in (before, after))
    assert {k: v for k, v in old.items() if k not in ("tags", "policy")} == {
        k: v for k, v in new.items() if k not in ("tags", "policy")}
    assert (old["tags"]["mesh:grant-until"], new["tags"]["mesh:grant-until"]) == ("2027-06-30", "2028-06-30")
    # AWS's own end of access moves with it: the policies differ only in their time condition.
    old_policy, new_policy = json.loads(old["policy"]), json.loads(new["policy"])
    assert [s.pop("Condition") for s in old_policy["Statement"]] == [
        {"DateLessThan": {"aws:CurrentTime": "2027-07-01T00:00:00Z"}}]
    assert [s.pop("Condition") for s in new_policy["Statement"]] == [
        {"DateLessThan": {"aws:CurrentTime": "2028-07-01T00:00:00Z"}}]
    assert old_policy == new_policy


# --- pending requests in `mesh plan` ----------------------------------------------------------


def pending_spec() -> Spec:
    """beta asks for alpha/events (approved, expired yesterday) and gamma/stats (never approved)."""
    spec = base()
    spec.domains.append(DomainSpec("gamma", {e: account(3, e) for e in ("dev", "prod")}))
    spec.products.append(ProductSpec("gamma", "stats"))
    spec.domains[1].consumes = ["alpha/events", "gamma/stats"]
    spec.product("alpha/events").approved[0] = Approval(domain="beta", until=date(2026, 11, 24))
    return spec


def plan_cli(capsys: Capsys, root: Path, *extra: str) -> tuple[int, str]:
    code = main(["plan", "--domains", str(root), "--today", TODAY.isoformat(), *extra])
    out, _ = capsys.readouterr()
    return code, out


def test_pending_requests_in_plan_json(tmp_path: Path, capsys: Capsys) -> None:
    root = pending_spec().write(tmp_path / "domains")
    code, out = plan_cli(capsys, root, "--format", "json")
    assert code == 0
    data: dict[str, Any] = json.loads(out)
    assert data["pending"] == [
        {"product": "alpha/events", "consumer": "beta", "approver": "@acme/alpha"},
        {"product": "gamma/stats", "consumer": "beta", "approver": "@acme/gamma"},
    ]
    assert data["grants"] == [{"product": "alpha/events", "consumer": PARTNER, "until": "2027-06-30"}]
    names = {r["name"] for r in data["resources"]}
    assert not any(".grant.beta" in n for n in names)
    assert "beta.consumer-access" not in names
    codes = sorted(w["code"] for w in data["warnings"])
    assert codes == ["DM300", "DM300", "DM301"]


def test_pending_requests_in_plan_text(tmp_path: Path, capsys: Capsys) -> None:
    root = pending_spec().write(tmp_path / "domains")
    code, out = plan_cli(capsys, root)
    assert code == 0
    assert "2 pending requests" in out.splitlines()[1]
    section = out.split("Pending requests (create nothing until approved):\n", 1)[1].split("\n\n", 1)[0]
    assert section.splitlines() == [
        "  beta requests alpha/events (approval expired 2026-11-24): @acme/alpha must approve",
        "  beta requests gamma/stats: @acme/gamma must approve",
    ]


def test_example_mesh_pending_requests_name_their_approvers(capsys: Capsys) -> None:
    code, out = plan_cli(capsys, EXAMPLE_DOMAINS, "--format", "json")
    assert code == 0
    assert json.loads(out)["pending"] == [
        {"product": "artist-payments/royalty-statements", "consumer": "partners",
         "approver": "@daff/artist-payments"},
        {"product": "partners/partner-reports", "consumer": "artists",
         "approver": "partners-data@daff.example"},  # partners has no owner.github: its email
    ]
    code, text = plan_cli(capsys, EXAMPLE_DOMAINS)
    assert ("  partners requests artist-payments/royalty-statements (approval expired 2025-09-30): "
            "@daff/artist-payments must approve") in text.splitlines()
    assert ("  artists requests partners/partner-reports: partners-data@daff.example must approve"
            in text.splitlines())
