"""Constrained value types of spec-v1, each failing with a stable code and a hint.

Validators raise ``PydanticCustomError`` whose *type* is the diagnostic code (``DM105``) and
whose context carries the hint; ``datamesh.loader`` turns them into diagnostics.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, WithJsonSchema
from pydantic_core import PydanticCustomError

from datamesh.awsrules import PARTITION, ROLE_RULE, TAG_RULE, partition_of_region, role_arn_problem, tag_value_problem

SLUG = r"[a-z][a-z0-9]*(-[a-z0-9]+)*"
_SLUG_RE = re.compile(SLUG)
ACCOUNT_RE = re.compile(r"[0-9]{12}")
_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_SEMVER_RE = re.compile(
    r"(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)"
    r"(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?"
)
_DURATION_RE = re.compile(r"[1-9][0-9]*[mhd]")
_IAM_NAME = r"[A-Za-z0-9_+=,.@-]"
_ROLE_ARN_SCHEMA = rf"arn:{PARTITION}:iam::[0-9]{{12}}:role/({_IAM_NAME}+/)*{_IAM_NAME}{{1,64}}"
"""What editors check as you type; ``datamesh.awsrules.role_arn_problem`` is the full rule."""
_REGION_RE = re.compile(r"[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-[0-9]")
_EMAIL_RE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
GITHUB_RE = re.compile(r"@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(/[A-Za-z0-9._-]+)?")
_K8S_LABEL_RE = re.compile(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")
_HOST_RE = re.compile(r"(?=.{1,253}$)([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")


def _fail(code: str, message: str, hint: str | None = None) -> PydanticCustomError:
    return PydanticCustomError(code, message, {"hint": hint} if hint else {})


def _show(value: Any) -> str:
    if isinstance(value, str):
        return repr(value)
    if value is None:
        return "nothing"
    if isinstance(value, (dict, list)):
        return "a mapping" if isinstance(value, dict) else "a list"
    return repr(value)


def _slug(kind: str, max_len: int) -> Any:
    def check(value: Any) -> Any:
        if not isinstance(value, str):
            raise _fail("DM104", f"{kind} name must be a string, got {_show(value)}")
        if len(value) > max_len:
            raise _fail("DM104", f"{kind} name {value!r} is {len(value)} characters, at most {max_len} allowed",
                        f"shorten the name to {max_len} characters")
        if not _SLUG_RE.fullmatch(value):
            raise _fail("DM104", f"{kind} name {value!r} is not a slug")
        return value

    return BeforeValidator(check)


def _schema(pattern: str, **extra: Any) -> WithJsonSchema:
    """The JSON Schema of a validated string, so editors flag mistakes as you type."""
    return WithJsonSchema({"type": "string", "pattern": f"^{pattern}$", **extra})


MeshName = Annotated[str, _slug("mesh", 20), _schema(SLUG, maxLength=20)]
DomainName = Annotated[str, _slug("domain", 30), _schema(SLUG, maxLength=30)]
ProductName = Annotated[str, _slug("product", 40), _schema(SLUG, maxLength=40)]
EnvironmentName = Annotated[str, _slug("environment", 20), _schema(SLUG, maxLength=20)]


def _account(value: Any) -> Any:
    if isinstance(value, (bool, int, float)):
        raise _fail("DM105", f"account id must be a quoted string, got the unquoted number {value!r}")
    if not isinstance(value, str) or not ACCOUNT_RE.fullmatch(value):
        raise _fail("DM105", f"account id must be exactly 12 digits, got {_show(value)}")
    return value


AccountId = Annotated[str, BeforeValidator(_account), _schema("[0-9]{12}")]


def iso_date(text: str) -> date:
    """``YYYY-MM-DD`` (ASCII digits) naming a real day; ``ValueError`` otherwise.

    The one parser of dates given as text (specs, ``--today``): Python 3.11's
    ``date.fromisoformat`` alone also reads ``20260601`` and ``2026-W48-3``, which spec-v1
    does not allow.
    """
    if not _DATE_RE.fullmatch(text):
        raise ValueError(f"{text!r} is not a date YYYY-MM-DD")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a calendar date") from None


def _date(value: Any) -> Any:
    if isinstance(value, date):
        return value
    if isinstance(value, str) and _DATE_RE.fullmatch(value):
        try:
            return iso_date(value)
        except ValueError as exc:
            raise _fail("DM106", str(exc)) from None
    raise _fail("DM106", f"expected a date YYYY-MM-DD, got {_show(value)}")


SpecDate = Annotated[date, BeforeValidator(_date), WithJsonSchema({"type": "string", "format": "date"})]


def _semver(value: Any) -> Any:
    if isinstance(value, str) and _SEMVER_RE.fullmatch(value):
        return value
    hint = None if isinstance(value, str) else 'quote it when YAML reads it as a number: version: "1.0.0"'
    raise _fail("DM108", f"expected a semantic version MAJOR.MINOR.PATCH, got {_show(value)}", hint)


SemVer = Annotated[str, BeforeValidator(_semver), _schema(_SEMVER_RE.pattern)]


def _duration(value: Any) -> Any:
    if isinstance(value, str) and _DURATION_RE.fullmatch(value):
        return value
    raise _fail("DM109", f"expected a duration like 15m, 1h or 1d, got {_show(value)}")


Duration = Annotated[str, BeforeValidator(_duration), _schema(_DURATION_RE.pattern)]


def _role_arn(value: Any) -> Any:
    if not isinstance(value, str):
        raise _fail("DM111", f"expected an IAM role ARN, got {_show(value)}")
    problem = role_arn_problem(value)
    if problem is None:
        return value
    kind, sentence = problem
    if kind == "partition":
        raise _fail("DM120", f"{value!r} {sentence}",
                    f"grant a role of the {PARTITION} partition: arn:{PARTITION}:iam::<account>:role/<name>")
    if kind == "tag":
        raise _fail("DM119", f"{value!r} {sentence}",
                    f"the principal is written in the mesh:consumer tag of its access point; {TAG_RULE}")
    if sentence.startswith("is not an IAM role ARN"):
        raise _fail("DM111", f"expected an IAM role ARN, got {_show(value)}")
    raise _fail("DM111", f"{value!r} {sentence}", f"{ROLE_RULE} (IAM's rules for CreateRole)")


RoleArn = Annotated[str, BeforeValidator(_role_arn), _schema(_ROLE_ARN_SCHEMA)]


def role_arn_account(arn: str) -> str:
    """The 12-digit account of a validated role ARN (``arn:aws:iam::<account>:role/…``)."""
    return arn.split(":", 5)[4]


def _product_ref(value: Any) -> Any:
    if isinstance(value, str) and "/" in value:
        domain, _, product = value.partition("/")
        if _SLUG_RE.fullmatch(domain) and _SLUG_RE.fullmatch(product):
            return value
    raise _fail("DM112", f"expected <domain>/<product>, got {_show(value)}")


ProductRef = Annotated[str, BeforeValidator(_product_ref), _schema(f"{SLUG}/{SLUG}")]


def _pattern(code: str, regex: re.Pattern[str], what: str, hint: str) -> Any:
    def check(value: Any) -> Any:
        if isinstance(value, str) and regex.fullmatch(value):
            return value
        raise _fail(code, f"expected {what}, got {_show(value)}", hint)

    return BeforeValidator(check), _schema(regex.pattern)


def _region(value: Any) -> Any:
    if not (isinstance(value, str) and _REGION_RE.fullmatch(value)):
        raise _fail("DM118", f"expected an AWS region, got {_show(value)}", "e.g. eu-west-1")
    partition = partition_of_region(value)
    if partition != PARTITION:
        raise _fail("DM121", f"region {value} is in the {partition} partition; the mesh plans the "
                             f"{PARTITION} partition only (every ARN it writes is arn:{PARTITION}:…)",
                    f"use a region of the {PARTITION} partition, e.g. eu-west-1")
    return value


Region = Annotated[str, BeforeValidator(_region), _schema(_REGION_RE.pattern)]
Email = Annotated[str, *_pattern("DM118", _EMAIL_RE, "an email address", "e.g. team-data@example.com")]


def _tag_safe_email(value: Any) -> Any:
    if not (isinstance(value, str) and _EMAIL_RE.fullmatch(value)):
        raise _fail("DM118", f"expected an email address, got {_show(value)}", "e.g. team-data@example.com")
    problem = tag_value_problem(value)
    if problem:
        raise _fail("DM119", f"{value!r} {problem}",
                    f"the owner's email is the mesh:owner tag of the domain's buckets, key and roles; {TAG_RULE}")
    return value


OwnerEmail = Annotated[str, BeforeValidator(_tag_safe_email), _schema(_EMAIL_RE.pattern, maxLength=256)]
"""An email address that is also a valid AWS tag value (it is written in ``mesh:owner`` tags)."""
GitHubHandle = Annotated[
    str,
    *_pattern("DM118", GITHUB_RE, "a GitHub user or team",
              'e.g. "@org/team" (quote it: @ cannot start a plain YAML value)'),
]
KubernetesName = Annotated[
    str, *_pattern("DM118", _K8S_LABEL_RE, "a Kubernetes name", "lowercase letters, digits and dashes, at most 63")
]
HostName = Annotated[str, *_pattern("DM118", _HOST_RE, "a DNS host name", "e.g. catalog.example.com")]


def _text(value: Any) -> Any:
    if isinstance(value, str) and value.strip():
        return value
    raise _fail("DM102", f"expected non-empty text, got {_show(value)}")


Text = Annotated[str, BeforeValidator(_text), WithJsonSchema({"type": "string", "minLength": 1})]
"""Free text that may not be empty."""

Tag = Annotated[str, _slug("tag", 40), _schema(SLUG, maxLength=40)]
Ratio = Annotated[float, Field(ge=0.0, le=1.0)]
"""A fraction between 0 and 1 inclusive."""
PositiveDays = Annotated[int, Field(ge=1, le=36500)]
"""A number of days between 1 and 36,500 (100 years)."""
