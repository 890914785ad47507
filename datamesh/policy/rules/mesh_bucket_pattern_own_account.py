"""mesh-bucket-pattern-own-account: a bucket-name pattern in an identity policy stays in its account.

Bucket names are global: anyone can create ``<mesh>-<env>--<domain>--evil`` in their own
account. A producer policy writes its domain's buckets by one pattern
(``arn:aws:s3:::<mesh>-<env>--<domain>--*``), so without ``aws:ResourceAccount`` pinned to the
domain's own account, the producer's workloads could write the domain's data into a look-alike
bucket of another account. Every Allow statement of an identity policy (role policy, managed
policy, inline policy) that gives an S3 action on a resource that can match a bucket not named
exactly — ``*``, ``arn:aws:s3:::*``, a bucket-name wildcard, a wildcard region/account that a
bucket ARN would match, ``NotResource`` — carries ``StringEquals {"aws:ResourceAccount": <the
policy's own account>}``. Access point patterns (``…:accesspoint/…``) are not bucket names: the
access point policies decide who reads through them.
"""

from __future__ import annotations

from fnmatch import fnmatchcase

from datamesh.policy import model
from datamesh.policy.documents import Statement, condition_values, documents_of
from datamesh.policy.model import ResourceRule, ResourceView, RuleContext
from datamesh.policy.rules._accounts import unknown_account

ACCOUNT_KEY = "aws:ResourceAccount"
WILDCARDS = ("*", "?")


def _wild(text: str) -> bool:
    return any(c in text for c in WILDCARDS)


def _may_match_unnamed_bucket(resource: str) -> bool:
    """Whether an IAM resource pattern matches bucket ARNs (``arn:aws:s3:::<name>[/…]``) beyond
    one exact name."""
    if not _wild(resource):
        return False
    parts = resource.split(":", 5)
    if len(parts) < 6 or parts[0] != "arn":
        return True  # "*", "arn:*", …: matches every bucket
    service, region, account, rest = parts[2], parts[3], parts[4], parts[5]
    if not fnmatchcase("s3", service.lower()):
        return False
    if not (fnmatchcase("", region) and fnmatchcase("", account)):
        return False  # a bucket ARN has an empty region and account
    return _wild(rest.split("/", 1)[0])


def _s3_actions(st: Statement) -> bool:
    return st.not_action or any(fnmatchcase("s3", a.partition(":")[0].lower()) or a.strip() == "*"
                                for a in st.actions)


def _problem(st: Statement, account: str) -> str | None:
    if not st.allows or not _s3_actions(st):
        return None
    patterns = ["NotResource"] if st.not_resource else [r for r in st.resources if _may_match_unnamed_bucket(r)]
    if not patterns:
        return None
    values = condition_values(st.condition, "StringEquals", ACCOUNT_KEY)
    if values == [account]:
        return None
    got = f"it names {', '.join(values)}" if values else "it has none"
    return (f"{st.label} allows S3 actions on {', '.join(patterns)}, which matches buckets of any "
            f"account, without StringEquals {ACCOUNT_KEY} {account} ({got})")


def check(resource: ResourceView, ctx: RuleContext) -> list[str]:
    docs = [d for d in documents_of(resource.inputs, resource.type) if d.field != "assumeRolePolicy"]
    statements = [st for d in docs for st in d.statements()]
    risky = [st for st in statements if st.allows and _s3_actions(st)
             and (st.not_resource or any(_may_match_unnamed_bucket(r) for r in st.resources))]
    if not risky:
        return []
    if resource.account is None:
        return [unknown_account(f"the {ACCOUNT_KEY} condition of its bucket patterns")]
    return [p for st in risky if (p := _problem(st, resource.account)) is not None]


RULE = ResourceRule(
    id="mesh-bucket-pattern-own-account",
    description="An identity policy that allows S3 actions on a bucket-name pattern pins "
                "aws:ResourceAccount to its own account, so a look-alike bucket of another account "
                "never matches.",
    severity="high",
    remediation="Add Condition {StringEquals: {\"aws:ResourceAccount\": <the role's account>}} to the "
                "statement (the producer policy of the Domain component has it), or name the "
                "buckets exactly.",
    default_level="mandatory",
    types=frozenset({model.IAM_ROLE_POLICY, model.IAM_POLICY, model.IAM_ROLE}),
    check=check,
)
