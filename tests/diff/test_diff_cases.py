"""The proof of `mesh diff` and `mesh affected`: a scripted series of changes (tests/diff/cases.py)
on the streaming mesh in a temporary git repository, each compared with the commit it started from.

Each case has golden outputs in the three formats under tests/diff/golden (the base commit's id is
written as BASECOMMIT: it changes with every edit of the fixture mesh, the rest does not), and exact
assertions on what a reviewer must see: the access lines, the risk flags, the approvers and the
stacks `mesh affected` lists. Regenerate the goldens after an intended change with

    UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/diff

and review their diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from cases import CASES, make_repo
from gitrepo import GitRepo

from datamesh.cli.main import main

GOLDEN = Path(__file__).parent / "golden"
REGENERATE = "UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/diff"
TODAY = "2026-11-25"
EXTENSIONS = {"text": "txt", "markdown": "md", "json": "json"}


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def diff(capsys: pytest.CaptureFixture[str], fmt: str = "text", *extra: str) -> tuple[int, str]:
    code, out, err = run(capsys, "diff", "--base", "main", "--today", TODAY, "--format", fmt, *extra)
    assert err == ""
    return code, out


def diff_json(capsys: pytest.CaptureFixture[str], *extra: str) -> dict[str, Any]:
    code, out = diff(capsys, "json", *extra)
    data: dict[str, Any] = json.loads(out)
    assert data["summary"]["exit_code"] == code
    return data


def affected(capsys: pytest.CaptureFixture[str], *extra: str) -> list[str]:
    code, out, _ = run(capsys, "affected", "--base", "main", "--today", TODAY, *extra)
    assert code == 0
    return out.splitlines()


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> GitRepo:
    made = make_repo(tmp_path / "repo")
    monkeypatch.chdir(made.root)
    return made


def check_golden(name: str, text: str, commit: str) -> None:
    text = text.replace(commit, "BASECOMMIT").replace(commit[:12], "BASECOMMIT")
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.is_file(), f"no golden file tests/diff/golden/{name}: create it with `{REGENERATE}`"
    assert text == path.read_text(encoding="utf-8"), (
        f"mesh diff differs from tests/diff/golden/{name}: if the change is intended, regenerate with "
        f"`{REGENERATE}` and review the diff")


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("fmt", sorted(EXTENSIONS))
def test_each_change_matches_its_golden_output(repo, capsys, case, fmt):
    commit = repo.git("rev-parse", "main").strip()
    CASES[case](repo)
    code, out = diff(capsys, fmt)
    assert code == 0, out
    if fmt == "json":  # one line when piped: the golden is indented to be reviewable
        out = json.dumps(json.loads(out), indent=2, ensure_ascii=False) + "\n"
    check_golden(f"{case}.{EXTENSIONS[fmt]}", out, commit)


def access_lines(text: str) -> list[str]:
    """The lines of the text output's Access section."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Access ("))
    end = lines.index("", start)
    return lines[start:end]


def risks(data: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [(r["kind"], r["subject"], r["field"], r["before"], r["after"]) for r in data["risks"]]


def approvers(data: dict[str, Any]) -> dict[str, list[str]]:
    return {a["approver"]: a["reasons"] for a in data["approvers"]}


def test_approving_a_pending_request_grants_it_and_resolves_the_request(repo, capsys):
    CASES["approve-pending"](repo)
    _, text = diff(capsys)
    assert access_lines(text) == [
        "Access (1 gained, 0 lost, 0 end date(s) changed)",
        "  + artist-payments/royalty-statements → partners  until 2027-09-30",
    ]
    data = diff_json(capsys)
    assert data["pending"] == {"opened": [], "resolved": [
        {"product": "artist-payments/royalty-statements", "consumer": "partners",
         "approver": "@daff/artist-payments", "outcome": "approved"}]}
    assert risks(data) == []
    assert approvers(data) == {"@daff/artist-payments": [
        "1 file(s) under domains/artist-payments/ changed",
        "sharing.approved of artist-payments/royalty-statements changed (the producer's consent)"]}
    assert affected(capsys) == ["dev artist-payments", "prod artist-payments"]


def test_revoking_an_external_partner_is_one_lost_edge(repo, capsys):
    CASES["revoke-external"](repo)
    _, text = diff(capsys)
    assert access_lines(text) == [
        "Access (0 gained, 1 lost, 0 end date(s) changed)",
        "  - playlist/listening-sessions-v2 → arn:aws:iam::444455556666:role/yogaflow-reader (external)  "
        "until 2028-06-30",
    ]
    data = diff_json(capsys)
    assert data["access"]["lost"] == [{"product": "playlist/listening-sessions-v2",
                                       "consumer": "arn:aws:iam::444455556666:role/yogaflow-reader",
                                       "consumer_kind": "external", "until": "2028-06-30"}]
    assert [r["name"] for r in data["resources"]["removed"]] == [
        "playlist/listening-sessions-v2.grant._ext-cb20abf6",
        "playlist/listening-sessions-v2.grant._ext-cb20abf6.access-point",
        "playlist/listening-sessions-v2.grant._ext-cb20abf6.key-grant"]
    assert list(approvers(data)) == ["@daff/playlist"]
    assert affected(capsys) == ["dev playlist", "prod playlist"]


def test_extending_an_until_changes_the_end_date_and_the_policy_condition(repo, capsys):
    CASES["extend-until"](repo)
    _, text = diff(capsys)
    assert access_lines(text) == [
        "Access (0 gained, 0 lost, 1 end date(s) changed)",
        "  ~ listeners/listener-profiles → playlist  until 2027-11-24 → until 2027-11-25",
    ]
    data = diff_json(capsys)
    assert data["access"]["changed"] == [{"product": "listeners/listener-profiles", "consumer": "playlist",
                                          "consumer_kind": "domain", "before": "2027-11-24",
                                          "after": "2027-11-25"}]
    point = next(c for c in data["resources"]["changed"]
                 if c["name"] == "listeners/listener-profiles.grant.playlist.access-point")
    assert point["documents"] == [{"path": "policy", "other": [], "statements": [{
        "key": "ReadForGrantedConsumer", "change": "changed",
        "before": point["documents"][0]["statements"][0]["before"],
        "after": point["documents"][0]["statements"][0]["after"],
        "fields": [{"path": "Condition.DateLessThan.aws:CurrentTime", "change": "changed",
                    "before": "2027-11-25T00:00:00Z", "after": "2027-11-26T00:00:00Z"}]}]}]
    assert risks(data) == []
    assert data["policy"]["passed"] is True


def test_shortening_retention_is_flagged_with_from_and_to(repo, capsys):
    CASES["shorten-retention"](repo)
    data = diff_json(capsys)
    assert risks(data) == [
        ("retention-shortened", "player/play-events", "retention.days", 400, 200),
        ("retention-shortened", "player/play-events", "retention.noncurrent_days", 30, 7),
    ]
    assert data["access"] == {"gained": [], "lost": [], "changed": []}
    assert list(approvers(data)) == ["@daff/player"]
    assert affected(capsys) == ["dev player", "prod player"]


def test_retiring_a_product_revokes_its_grants_and_keeps_its_bucket(repo, capsys):
    CASES["retire-product"](repo)
    _, text = diff(capsys)
    assert access_lines(text) == [
        "Access (0 gained, 1 lost, 0 end date(s) changed)",
        "  - playlist/listening-sessions → artists  until 2028-01-31",
    ]
    data = diff_json(capsys)
    assert risks(data) == [("product-retired", "playlist/listening-sessions", "status", "deprecated", "retired")]
    assert data["summary"]["products"]["retired"] == ["playlist/listening-sessions"]
    assert "playlist/listening-sessions.bucket" not in [r["name"] for r in data["resources"]["removed"]]
    assert data["pending"]["opened"] == [{"product": "playlist/listening-sessions-v2", "consumer": "artists",
                                          "approver": "@daff/playlist", "expired_on": None}]
    assert list(approvers(data)) == ["@daff/artists", "@daff/playlist"]


def test_removing_a_product_file_is_flagged_and_its_resources_leave_the_stack(repo, capsys):
    CASES["remove-product"](repo)
    _, text = diff(capsys)
    assert access_lines(text) == [
        "Access (0 gained, 3 lost, 0 end date(s) changed)",
        # the product's inputs were partners' reads of two other products: they go with it
        "  - artists/artist-catalog → partners  no end date",
        "  - partners/partner-reports → arn:aws:iam::444455556666:role/yogaflow-reports (external)  until 2028-06-30",
        "  - playlist/listening-sessions-v2 → partners  until 2028-06-30",
    ]
    data = diff_json(capsys)
    assert risks(data) == [("product-removed", "partners/partner-reports", "-", "active", None)]
    assert data["risks"][0]["message"] == (
        "partners/partner-reports: file removed: its 1 grant(s) are revoked; the bucket and its data are "
        "retained in AWS but leave the stack, and `pulumi up` refuses while the bucket is protected "
        "(docs/deleting-data.md)")
    assert data["summary"]["products"]["removed"] == ["partners/partner-reports"]
    assert "partners/partner-reports.bucket" in [r["name"] for r in data["resources"]["removed"]]
    assert data["pending"]["resolved"] == [{"product": "partners/partner-reports", "consumer": "artists",
                                            "approver": "partners-data@daff.example", "outcome": "withdrawn"}]
    assert list(approvers(data)) == ["@daff/artists", "partners-data@daff.example"]
    assert affected(capsys) == ["dev artists", "dev partners", "dev playlist", "prod artists", "prod partners",
                                "prod playlist"]


def test_a_new_domain_is_approved_by_its_owner_and_the_platform_team(repo, capsys):
    CASES["add-domain"](repo)
    data = diff_json(capsys)
    assert data["summary"]["domains"]["added"] == ["podcasts"]
    assert data["summary"]["products"]["added"] == ["podcasts/episodes"]
    assert approvers(data) == {
        "@daff/podcasts": ["2 file(s) under domains/podcasts/ changed"],
        "@daff/platform": ["new domain podcasts (CODEOWNERS gives domains/podcasts/ to @daff/platform until it "
                           "lists the domain)"],
    }
    assert affected(capsys) == ["dev podcasts", "prod podcasts"]


def test_a_consumers_account_change_names_the_producers_whose_grants_follow_it(repo, capsys):
    CASES["change-account"](repo)
    data = diff_json(capsys)
    assert risks(data) == [("account-changed", "artist-payments", "aws.accounts.prod", "210000000005",
                            "210000000015")]
    assert data["risks"][0]["related"] == ["artists", "listeners", "player"]
    assert data["notes"] == ["an account changes in prod: this diff plans dev only; run "
                             "`mesh diff --base main --env prod` for prod's resources"]
    prod = diff_json(capsys, "--env", "prod")
    assert prod["summary"]["environment"] == "prod"
    assert prod["summary"]["resources"]["changed"] > 0
    # the producers' grants point at the consumer's new role: their stacks change too
    assert affected(capsys) == ["prod artist-payments", "prod artists", "prod listeners", "prod player"]


def test_a_change_of_code_only_says_the_plan_cannot_show_it(repo, capsys):
    CASES["change-code"](repo)
    code, text = diff(capsys)
    assert (code, text.splitlines()[1:]) == (0, [
        "! 1 file(s) outside domains/ changed: the plan diff cannot show their effect; `pulumi preview` does",
        "    components/bucket.py",
        "No changes under domains/: the plan is the same",
    ])
    data = diff_json(capsys)
    assert data["summary"]["outside"] == ["components/bucket.py"]
    assert data["summary"]["changed"] is True
    assert data["notes"][0] == ("1 file(s) outside domains/ changed: the plan diff cannot show their effect; "
                                "`pulumi preview` does")
    _, md = diff(capsys, "markdown")
    assert md.splitlines()[5:7] == [
        "> [!WARNING]",
        "> **1 file(s) outside `domains/` changed**: the plan diff cannot show their effect; `pulumi preview` "
        "does.",
    ]
    code, out, err = run(capsys, "affected", "--base", "main", "--today", TODAY)
    assert (code, out) == (0, "")
    assert err == ("mesh: note: 1 file(s) outside domains/ changed; the plans cannot show their effect (run "
                   "`pulumi preview` on every stack)\n")


def test_a_consumers_change_affects_the_producers_scope(repo, capsys):
    CASES["consume-open"](repo)
    data = diff_json(capsys)
    assert data["access"]["gained"] == [{"product": "player/skip-events", "consumer": "partners",
                                         "consumer_kind": "domain", "until": None}]
    assert data["summary"]["files"] == ["domains/partners/domain.yaml"]
    assert approvers(data) == {"partners-data@daff.example": ["1 file(s) under domains/partners/ changed"]}
    # only partners' file changed, but the access point is planned in player's stack
    assert affected(capsys) == ["dev player", "prod player"]
    code, out, _ = run(capsys, "affected", "--base", "main", "--today", TODAY, "--format", "json")
    assert code == 0
    assert out == json.dumps({"base": "main", "environments": {"dev": ["player"], "prod": ["player"]}, "matrix": [
        {"environment": "dev", "scope": "player", "stack": "dev-player"},
        {"environment": "prod", "scope": "player", "stack": "prod-player"}]}) + "\n"
