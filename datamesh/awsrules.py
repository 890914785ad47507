"""AWS's documented rules for the values the planner writes: tags, bucket names, role ARNs.

One leaf module (no imports from the rest of ``datamesh``) that the spec types, the resolver
and the planner all use, so "valid at validate" and "accepted by AWS at deploy" are the same
rule. Each rule cites where AWS documents it; each ``*_problem`` function returns why a value
breaks the rule (a sentence for a diagnostic), or ``None``.

- Tag values (IAM ``Tag``, S3 ``PutBucketTagging``, the common rule of the tagging guide):
  at most 256 Unicode characters; only letters, numbers, white space and ``_ . : / = + - @``
  (the API pattern ``^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$``); the ``aws:`` prefix is reserved.
- General purpose S3 bucket names (S3 User Guide, "General purpose bucket naming rules"):
  3-63 characters of ``a-z 0-9 . -``, beginning and ending with a letter or number, no ``..``,
  not an IP address, not starting ``xn--``, ``sthree-``, ``amzn-s3-demo-``, not ending
  ``-s3alias``, ``--ol-s3``, ``.mrap``, ``--x-s3``, ``--table-s3``; and (account regional
  namespaces) a global name may not end like ``-<12-digit account>-<region>-an``.
- IAM role names and paths (IAM ``CreateRole``, "IAM identifiers"): a name is 1-64 characters
  of ASCII letters, digits and ``_ + = , . @ -``; a path is ``/`` or ``/…/``, at most 512
  characters. AWS allows any printable ASCII inside a path; this project accepts, in the paths
  of the role ARNs it writes into policies, only the name characters, segment by segment (no
  empty ``//`` segment, no ``.`` or ``..``): such a path means the same to every reader.
- KMS aliases (KMS ``CreateAlias``): ``alias/`` then ``a-zA-Z0-9/_-``, at most 256 characters;
  ``alias/aws/`` is reserved for AWS managed keys.
- Partitions: an ARN names its partition (``arn:aws:``, ``arn:aws-cn:`` …); IAM never grants
  across partitions. This project plans the ``aws`` partition only: every ARN it writes is
  ``arn:aws:…``, so regions and principals of other partitions are rejected.
"""

from __future__ import annotations

import re
import unicodedata

PARTITION = "aws"
"""The partition every planned ARN names."""

TAG_VALUE_MAX = 256
TAG_VALUE_SYMBOLS = "_.:/=+-@"
TAG_RULE = (f"AWS tag values allow at most {TAG_VALUE_MAX} letters, digits, spaces and "
            f"{' '.join(TAG_VALUE_SYMBOLS)}, and may not start with aws:")

BUCKET_MIN, BUCKET_MAX = 3, 63
BUCKET_RESERVED_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
BUCKET_RESERVED_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")
_ACCOUNT_REGIONAL_SUFFIX = re.compile(r".*-[0-9]{12}-[a-z]{2}(-[a-z]+)+-[0-9]+-an")
_BUCKET_CHARS = re.compile(r"[a-z0-9.-]+")
_IP_ADDRESS = re.compile(r"[0-9]{1,3}(\.[0-9]{1,3}){3}")

ROLE_NAME_MAX = 64
ROLE_PATH_MAX = 512
_IAM_NAME = re.compile(r"[A-Za-z0-9_+=,.@-]+")
ROLE_RULE = (f"an IAM role name is 1-{ROLE_NAME_MAX} ASCII letters, digits and _ + = , . @ -; "
             f"its path /…/ (at most {ROLE_PATH_MAX} characters) is made of such names")

KMS_RESERVED_ALIAS_PREFIX = "alias/aws/"
_KMS_ALIAS = re.compile(r"alias/[A-Za-z0-9/_-]+")
KMS_ALIAS_MAX = 256

_ROLE_ARN = re.compile(r"arn:(?P<partition>[^:]*):iam::(?P<account>[^:]*):role(?P<rest>/.*)", re.DOTALL)
_ACCOUNT = re.compile(r"[0-9]{12}")


def _is_tag_char(char: str) -> bool:
    return char in TAG_VALUE_SYMBOLS or unicodedata.category(char)[0] in "LZN"


_PLAIN_TAG_VALUE = re.compile(r"[A-Za-z0-9 _.:/=+@-]*")
"""ASCII values every tag value may hold: the common case, checked without a per-character loop
(a 10,000-product plan holds 270,000 tag values)."""


def tag_value_problem(value: str) -> str | None:
    """Why AWS would reject ``value`` as a tag value, or None."""
    if len(value) <= TAG_VALUE_MAX and _PLAIN_TAG_VALUE.fullmatch(value) and value[:4].lower() != "aws:":
        return None
    if len(value) > TAG_VALUE_MAX:
        return f"is {len(value)} characters, more than the {TAG_VALUE_MAX} of an AWS tag value"
    bad = sorted({c for c in value if not _is_tag_char(c)})
    if bad:
        shown = " ".join(repr(c) for c in bad)
        return f"holds {shown}, which an AWS tag value does not allow"
    if value[:4].lower() == "aws:":
        return "starts with aws:, a prefix AWS reserves in tags"
    return None


def bucket_name_problem(name: str) -> str | None:
    """Why S3 would reject ``name`` as a general purpose bucket name, or None."""
    if not BUCKET_MIN <= len(name) <= BUCKET_MAX:
        return f"is {len(name)} characters; S3 bucket names have {BUCKET_MIN}-{BUCKET_MAX}"
    if not _BUCKET_CHARS.fullmatch(name):
        return "holds characters other than a-z 0-9 . -"
    if not (name[0].isalnum() and name[-1].isalnum()):
        return "must begin and end with a letter or a digit"
    if ".." in name:
        return "holds two adjacent periods"
    if _IP_ADDRESS.fullmatch(name):
        return "is formatted as an IP address"
    prefix = next((p for p in BUCKET_RESERVED_PREFIXES if name.startswith(p)), None)
    if prefix:
        return f"starts with {prefix}, a prefix S3 reserves"
    suffix = next((s for s in BUCKET_RESERVED_SUFFIXES if name.endswith(s)), None)
    if suffix:
        return f"ends with {suffix}, a suffix S3 reserves"
    if ends_like_account_regional(name):
        return "ends like -<account>-<region>-an, the suffix of S3 account regional namespaces"
    return None


def ends_like_account_regional(name: str) -> bool:
    """Whether a name ends like an account regional bucket (``…-111122223333-us-west-2-an``)."""
    return _ACCOUNT_REGIONAL_SUFFIX.fullmatch(name) is not None


def reserved_bucket_prefix(prefix: str) -> str | None:
    """The reserved prefix S3 would see at the start of every bucket starting with ``prefix``."""
    return next((p for p in BUCKET_RESERVED_PREFIXES if prefix.startswith(p)), None)


def kms_alias_problem(alias: str) -> str | None:
    """Why KMS would reject ``alias`` as an alias name, or None."""
    if alias.startswith(KMS_RESERVED_ALIAS_PREFIX):
        return f"starts with {KMS_RESERVED_ALIAS_PREFIX}, which KMS reserves for AWS managed keys"
    if len(alias) > KMS_ALIAS_MAX or not _KMS_ALIAS.fullmatch(alias):
        return f"is not alias/ then at most {KMS_ALIAS_MAX - 6} of a-z A-Z 0-9 / _ -"
    return None


def role_name_problem(name: str) -> str | None:
    """Why IAM would reject ``name`` as a role name ("is 65 characters …"), or None."""
    if not 1 <= len(name) <= ROLE_NAME_MAX:
        return f"is {len(name)} characters, at most {ROLE_NAME_MAX} allowed"
    if not _IAM_NAME.fullmatch(name):
        return f"holds {_first_bad(name)}, which IAM names do not allow"
    return None


def _first_bad(text: str) -> str:
    char = next(c for c in text if not _IAM_NAME.fullmatch(c))
    return f"the non-ASCII character {char!r}" if ord(char) > 127 else repr(char)


def partition_of_region(region: str) -> str:
    """The partition of a region code: ``cn-north-1`` → ``aws-cn``, ``us-gov-west-1`` →
    ``aws-us-gov``, the isolated ``*-iso*`` regions → ``aws-iso*``, others ``aws``."""
    if region.startswith("cn-"):
        return "aws-cn"
    if "-gov-" in region:
        return "aws-us-gov"
    iso = re.search(r"-iso([a-z]?)-", region)
    if iso:
        return f"aws-iso-{iso.group(1)}" if iso.group(1) else "aws-iso"
    return "aws"


def role_arn_problem(arn: str) -> tuple[str, str] | None:
    """Why ``arn`` is not the ARN of an IAM role this project can grant to, or None.

    Returns ``(kind, sentence)``: kind ``shape`` (not a role ARN IAM accepts), ``partition``
    (another partition than ``PARTITION``) or ``tag`` (valid for IAM, but the ARN is written
    as a tag value, which AWS would reject).
    """
    match = _ROLE_ARN.fullmatch(arn)
    if match is None:
        return "shape", "is not an IAM role ARN arn:aws:iam::<account>:role/<name>"
    if not _ACCOUNT.fullmatch(match["account"]):
        return "shape", f"names the account {match['account']!r}, not 12 digits"
    *path, name = match["rest"].split("/")[1:]
    problem = role_name_problem(name)
    if problem:
        return "shape", f"has a role name {name!r} that {problem}"
    path_text = "/" + "".join(f"{segment}/" for segment in path)
    if len(path_text) > ROLE_PATH_MAX:
        return "shape", f"has a path of {len(path_text)} characters, at most {ROLE_PATH_MAX} allowed"
    for segment in path:
        if segment in ("", ".", ".."):
            shown = "an empty segment (//)" if segment == "" else f"a {segment!r} segment"
            return "shape", f"has {shown} in its path"
        if not _IAM_NAME.fullmatch(segment):
            return "shape", (f"has a path segment {segment!r} holding {_first_bad(segment)}, which the "
                             "paths of granted roles may not hold")
    if match["partition"] != PARTITION:
        return "partition", (f"is in the partition {match['partition']!r}; this mesh plans the "
                             f"{PARTITION!r} partition and IAM never grants across partitions")
    tag = tag_value_problem(arn)
    if tag:
        return "tag", tag
    return None
