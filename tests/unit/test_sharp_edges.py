"""Issue 10 §5, "crashes and sharp edges": each finding of the review, as the user meets it.

Every test here failed on the code before its fix (see the commit that adds it).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from meshtree import ACCOUNTS, TODAY, domain_yaml, mesh_yaml, product_yaml

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
        root = positions._tree()  # composed on first use: the counting starts after it
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


# --- values that validated but AWS rejects at deploy ----------------------------------------------

H_TAG_OWNER = ("  hint: the owner's email is the mesh:owner tag of the domain's buckets, key and roles; AWS tag "
               "values allow at most 256 letters, digits, spaces and _ . : / = + - @, and may not start with aws:")
H_TAG_PRINCIPAL = ("  hint: the principal is written in the mesh:consumer tag of its access point; AWS tag values "
                   "allow at most 256 letters, digits, spaces and _ . : / = + - @, and may not start with aws:")
H_ROLE = ("  hint: an IAM role name is 1-64 ASCII letters, digits and _ + = , . @ -; its path /…/ (at most 512 "
          "characters) is made of such names (IAM's rules for CreateRole)")
H_PARTITION = "  hint: use a region of the aws partition, e.g. eu-west-1"
H_BUCKET = "  hint: S3 bucket names may not start with xn--, sthree-, amzn-s3-demo-; "
LONG_LOCAL = "a" * 250
ROLE = "arn:aws:iam::444455556666:role/"
PRINCIPAL_AT = "domains/alpha/products/events.yaml:13:18"


def _email(address: str) -> dict[str, str]:
    return {"alpha/domain.yaml": domain_yaml("alpha").replace("alpha@acme.example", address)}


def _principal(arn: str) -> dict[str, str]:
    return {"alpha/products/events.yaml": product_yaml(
        "events", f"sharing:\n  approved:\n    - principal: '{arn}'\n      until: 2027-01-01\n")}


AWS_VALUE_CASES = [
    ("email-with-a-character-tags-refuse", _email("alpha!ops@acme.example"), [
        "domains/alpha/domain.yaml:7:10: error DM119 owner.email: 'alpha!ops@acme.example' holds '!', which an "
        "AWS tag value does not allow", H_TAG_OWNER]),
    ("email-longer-than-a-tag-value", _email(f"{LONG_LOCAL}@acme.example"), [
        f"domains/alpha/domain.yaml:7:10: error DM119 owner.email: '{LONG_LOCAL}@acme.example' is 263 "
        "characters, more than the 256 of an AWS tag value", H_TAG_OWNER]),
    ("email-starting-with-aws-colon", _email("aws:ops@acme.example"), [
        "domains/alpha/domain.yaml:7:10: error DM119 owner.email: 'aws:ops@acme.example' starts with aws:, a "
        "prefix AWS reserves in tags", H_TAG_OWNER]),
    ("principal-with-a-non-ascii-letter", _principal(f"{ROLE}réader"), [
        f"{PRINCIPAL_AT}: error DM111 sharing.approved[0].principal: '{ROLE}réader' has a role name 'réader' "
        "that holds the non-ASCII character 'é', which IAM names do not allow", H_ROLE]),
    ("principal-of-another-partition", _principal("arn:aws-cn:iam::444455556666:role/reader"), [
        f"{PRINCIPAL_AT}: error DM120 sharing.approved[0].principal: 'arn:aws-cn:iam::444455556666:role/reader' "
        "is in the partition 'aws-cn'; this mesh plans the 'aws' partition and IAM never grants across "
        "partitions", "  hint: grant a role of the aws partition: arn:aws:iam::<account>:role/<name>"]),
    ("principal-with-an-empty-path-segment", _principal(f"{ROLE}team//reader"), [
        f"{PRINCIPAL_AT}: error DM111 sharing.approved[0].principal: '{ROLE}team//reader' has an empty segment "
        "(//) in its path", H_ROLE]),
    ("principal-with-dot-dot-in-its-path", _principal(f"{ROLE}../reader"), [
        f"{PRINCIPAL_AT}: error DM111 sharing.approved[0].principal: '{ROLE}../reader' has a '..' segment in "
        "its path", H_ROLE]),
    ("principal-with-a-wildcard-in-its-path", _principal(f"{ROLE}p*/reader"), [
        f"{PRINCIPAL_AT}: error DM111 sharing.approved[0].principal: '{ROLE}p*/reader' has a path segment 'p*' "
        "holding '*', which the paths of granted roles may not hold", H_ROLE]),
    ("principal-role-name-over-64", _principal(f"{ROLE}{'r' * 65}"), [
        f"{PRINCIPAL_AT}: error DM111 sharing.approved[0].principal: '{ROLE}{'r' * 65}' has a role name "
        f"'{'r' * 65}' that is 65 characters, at most 64 allowed", H_ROLE]),
    ("principal-path-over-512", _principal(f"{ROLE}{'p/' * 257}r"), [
        f"{PRINCIPAL_AT}: error DM111 sharing.approved[0].principal: '{ROLE}{'p/' * 257}r' has a path of 515 "
        "characters, at most 512 allowed", H_ROLE]),
    ("principal-valid-for-iam-but-not-as-a-tag", _principal(f"{ROLE}reader,ops"), [
        f"{PRINCIPAL_AT}: error DM119 sharing.approved[0].principal: '{ROLE}reader,ops' holds ',', which an AWS "
        "tag value does not allow", H_TAG_PRINCIPAL]),
    ("platform-region-of-another-partition",
     {"mesh.yaml": mesh_yaml().replace("region: eu-west-1", "region: cn-north-1")}, [
        "domains/mesh.yaml:7:11: error DM121 platform.region: region cn-north-1 is in the aws-cn partition; the "
        "mesh plans the aws partition only (every ARN it writes is arn:aws:…)", H_PARTITION]),
    ("domain-region-of-another-partition", {"alpha/domain.yaml": domain_yaml("alpha", "  region: us-gov-west-1\n")}, [
        "domains/alpha/domain.yaml:13:11: error DM121 aws.region: region us-gov-west-1 is in the aws-us-gov "
        "partition; the mesh plans the aws partition only (every ARN it writes is arn:aws:…)", H_PARTITION]),
    ("mesh-name-s3-reserves", {"mesh.yaml": mesh_yaml().replace("name: acme", "name: sthree")}, [
        "domains/mesh.yaml:3:7: error DM122 name: mesh name 'sthree': every bucket name starts with sthree-, and "
        "S3 reserves the prefix 'sthree-'", f"{H_BUCKET}choose another mesh name"]),
    ("mesh-name-kms-reserves", {"mesh.yaml": mesh_yaml().replace("name: acme", "name: aws")}, [
        "domains/mesh.yaml:3:7: error DM122 name: mesh name 'aws' makes every key alias (alias/aws/<domain>) "
        "start with alias/aws/, which KMS reserves for AWS managed keys",
        "  hint: KMS alias names may not start with alias/aws/; choose another mesh name"]),
    ("mesh-and-environment-s3-reserves", {
        "mesh.yaml": mesh_yaml(environments="[dev, s3-demo]",
                               accounts='{dev: "900000000001", s3-demo: "900000000002"}').replace(
            "name: acme", "name: amzn"),
        **{f"{d}/domain.yaml": domain_yaml(d, accounts={"dev": a, "s3-demo": b}) for d, (a, b) in ACCOUNTS.items()}}, [
        "domains/mesh.yaml:4:21: error DM122 environments[1]: mesh 'amzn' environment 's3-demo': every bucket "
        "name starts with 'amzn-s3-demo--', and S3 reserves the prefix 'amzn-s3-demo-'",
        f"{H_BUCKET}choose another environment name"]),
]


@pytest.mark.parametrize(("files", "expected"), [c[1:] for c in AWS_VALUE_CASES], ids=[c[0] for c in AWS_VALUE_CASES])
def test_values_aws_would_reject_are_rejected_at_validate(make_mesh: Callable[..., Path],
                                                          validate_tree: Callable[..., list[str]],
                                                          files: dict[str, str], expected: list[str]) -> None:
    """Each validated before and failed only at `pulumi up` (or named another partition)."""
    assert validate_tree(make_mesh(files)) == ["\n".join(expected[i:i + 2]) for i in range(0, len(expected), 2)]


@pytest.mark.parametrize("arn", [f"{ROLE}reader", f"{ROLE}team/sub.team/Reader_1+=.@-", f"{ROLE}{'r' * 64}",
                                 f"{ROLE}{'p/' * 100}r"])
def test_role_arns_within_the_rules_still_validate(make_mesh: Callable[..., Path],
                                                   validate_tree: Callable[..., list[str]], arn: str) -> None:
    assert validate_tree(make_mesh(_principal(arn))) == []
