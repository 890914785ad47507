"""Issue 10 §5, "crashes and sharp edges": each finding of the review, as the user meets it.

Every test here failed on the code before its fix (see the commit that adds it).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from meshtree import TODAY, product_yaml

from datamesh.cli.main import main
from datamesh.grants import Grant, PendingRequest, grant_order, pending_order
from datamesh.resolve import load_mesh

Capsys = pytest.CaptureFixture[str]
PARTNER = "arn:aws:iam::444455556666:role/reader"


def run(capsys: Capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# --- one partner approved twice, once with `until` and once without ------------------------------

TWICE = {"alpha/products/events.yaml": product_yaml("events", (
    "sharing:\n  approved:\n"
    f"    - principal: {PARTNER}\n      until: 2027-01-01\n"
    f"    - principal: {PARTNER}\n"))}


def test_a_partner_approved_twice_with_and_without_until_is_dm117_not_a_crash(
        capsys: Capsys, make_mesh: Callable[..., Path], in_dir: Path) -> None:
    """Was exit 3: sorting the two grants compared ``None`` with a date (TypeError)."""
    make_mesh(TWICE)
    assert run(capsys, "validate", "--today", "2026-11-25") == (1, (
        "domains/alpha/products/events.yaml:15:7: error DM117 sharing.approved[1]: grantee "
        f"'{PARTNER}' listed twice\n"
        "  hint: list each entry once\n"
        "invalid: 6 files, 1 error(s), 0 warning(s)\n"), "")


def test_a_repeated_approval_still_decides_one_grant_per_principal(make_mesh: Callable[..., Path]) -> None:
    """Grants are decided even when the mesh has errors (validate reports pending requests in the
    same run): one decision per (product, consumer), from the first active approval."""
    resolution = load_mesh(str(make_mesh(TWICE)), TODAY)
    assert resolution.decisions.grants == [Grant("alpha/events", PARTNER, "external", date(2027, 1, 1))]


def test_grants_and_pending_requests_sort_with_and_without_dates() -> None:
    """Open-ended (``None``) sorts after every date; nothing compares ``None`` with a date."""
    grants = [Grant("a/p", "c", "domain"), Grant("a/p", "c", "domain", date(2027, 1, 1)),
              Grant("a/o", "z", "domain")]
    assert sorted(grants, key=grant_order) == [grants[2], grants[1], grants[0]]
    pending = [PendingRequest("a/p", "c", "@x"), PendingRequest("a/p", "c", "@x", date(2026, 1, 1))]
    assert sorted(pending, key=pending_order) == [pending[1], pending[0]]
    with pytest.raises(TypeError):  # no field order any more: a bare sort fails on every input
        sorted(grants)  # type: ignore[type-var]


# --- dates are YYYY-MM-DD only --------------------------------------------------------------------

@pytest.mark.parametrize("today", ["20261125", "2026-W48-3", "2026-330", "2026-11-25T00:00", "２０２６-11-25",
                                   "2026-11-25\n", "2026-02-30"])
def test_today_accepts_only_yyyy_mm_dd(capsys: Capsys, make_mesh: Callable[..., Path], today: str) -> None:
    """Python 3.11's ``date.fromisoformat`` read the basic and week forms: ``--today`` took them."""
    root = make_mesh()
    code, out, err = run(capsys, "validate", "--domains", str(root), "--today", today)
    assert (code, out, err.splitlines()[-1]) == (
        2, "", f"mesh: error: argument --today: {today!r} is not a date YYYY-MM-DD")


def test_codeowners_today_is_a_date_too(capsys: Capsys, make_mesh: Callable[..., Path], in_dir: Path) -> None:
    """Was exit 3: the hidden ``--today`` of ``mesh codeowners`` reached the grant logic as text."""
    make_mesh()
    code, out, err = run(capsys, "codeowners", "--platform-owner", "@acme/platform", "--today", "2026-11-25",
                         "--output", "CODEOWNERS")
    assert (code, out, err) == (0, "wrote CODEOWNERS\n", "")
    code, out, err = run(capsys, "codeowners", "--platform-owner", "@acme/platform", "--today", "20261125")
    assert (code, out, err.splitlines()[-1]) == (
        2, "", "mesh: error: argument --today: '20261125' is not a date YYYY-MM-DD")


@pytest.mark.parametrize(("written", "message"), [
    ('"20270101"', "expected a date YYYY-MM-DD, got '20270101'"),
    ("2027-W01-1", "expected a date YYYY-MM-DD, got '2027-W01-1'"),
    ("2027-02-29", "'2027-02-29' is not a calendar date"),
])
def test_dates_in_specs_are_yyyy_mm_dd_only(make_mesh: Callable[..., Path], validate_tree: Callable[..., list[str]],
                                            written: str, message: str) -> None:
    root = make_mesh({"alpha/products/events.yaml": product_yaml(
        "events", f"sharing:\n  approved:\n    - principal: {PARTNER}\n      until: {written}\n")})
    assert validate_tree(root) == [
        f"domains/alpha/products/events.yaml:14:14: error DM106 sharing.approved[0].until: {message}\n"
        "  hint: write dates as YYYY-MM-DD, e.g. 2027-06-30"]


@pytest.mark.parametrize(("text", "parsed"), [
    ("2027-01-01", date(2027, 1, 1)), ("20270101", None), ("2027-W01-1", None), (" 2027-01-01", None),
    ("2027-13-01", None), (20270101, None)])
def test_the_policy_reads_grant_dates_as_yyyy_mm_dd_only(text: object, parsed: date | None) -> None:
    from datamesh.policy.values import parse_date

    assert parse_date(text) == parsed


# --- validation time is linear in a file's problems -------------------------------------------------

class _CountingEntries(list):  # type: ignore[type-arg]
    """A mapping node's (key, value) list that counts how often it is scanned."""

    scans = 0

    def __iter__(self):  # type: ignore[no-untyped-def]
        type(self).scans += 1
        return super().__iter__()


@pytest.mark.parametrize("unknown", [10, 1000])
def test_reporting_n_unknown_keys_scans_the_mapping_a_constant_number_of_times(
        monkeypatch: pytest.MonkeyPatch, unknown: int) -> None:
    """Was quadratic (19,000 unknown keys: 8.9 s): each reported key's position was found by
    scanning the whole mapping, twice. The position index is built once per mapping."""
    import yaml

    from datamesh import yamlsource
    from datamesh.diagnostics import Report
    from datamesh.loader import load_text
    from datamesh.spec.models import DataProduct

    real_read = yamlsource.read_yaml

    def read_counting(text: str):  # type: ignore[no-untyped-def]
        data, positions = real_read(text)
        root = positions._root
        assert isinstance(root, yaml.MappingNode)
        root.value = _CountingEntries(root.value)
        return data, positions

    monkeypatch.setattr("datamesh.loader.read_yaml", read_counting)
    _CountingEntries.scans = 0
    text = product_yaml("events") + "".join(f"unknown{i}: {i}\n" for i in range(unknown))
    report = Report()
    assert load_text("events.yaml", text, DataProduct, report) is None
    assert [d.code for d in report.items] == ["DM100"] * unknown
    assert report.items[-1].line == 10 + unknown  # positions still exact
    assert _CountingEntries.scans == 1
