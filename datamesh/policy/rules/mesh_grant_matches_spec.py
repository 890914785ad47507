"""mesh-grant-matches-spec: every access point and KMS grant is a grant the specs decided.

The expected grants are facts of the pack config, which the deploy workflow writes from the
specs (``mesh policy-config``): never the program's own tags or component outputs, which whoever
edits the program controls. Each grant is keyed by its access point's name (its KMS grant has
the same name) and says which product, which consumer and principal, until when; each product
says its bucket, its account, its domain's key (the key's logical name) and its classification.

An access point matches its grant when it is named by one, is on the product's bucket in the
product's account, its policy allows only the grant's principal and — when the grant has an
``until`` — only until then (``DateLessThan aws:CurrentTime`` no later than the day after
``until``, 00:00 UTC), its mesh tags agree with the facts (they feed
``mesh-restricted-grant-duration``), and the grant has not ended. A KMS grant matches when it
is named by one, is in the product's account, gives the grant's principal only the product's
bucket (an ``aws:s3:arn`` encryption-context constraint), on the domain's key (offline: the
placeholder of that key; at deploy time: a key ARN of the product's account), and the grant has
not ended.

Without facts (the pack run without ``--policy-pack-config``) no grant can be verified: every
access point and KMS grant is a violation saying so (fail closed). ``mesh check`` always has
the facts: it reads the specs.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from datamesh.policy import model
from datamesh.policy.documents import condition_values, documents_of
from datamesh.policy.model import ResourceRule, ResourceView, RuleContext
from datamesh.policy.values import (
    account_of_arn,
    get_path,
    items,
    mapping,
    parse_date,
    placeholder_target,
    shown,
    tags_of,
    text,
)

NO_FACTS = ("no facts: run `mesh policy-config --env ENV -o FILE` and deploy with "
            "--policy-pack-config FILE; the expected grants come from the specs, so without them no "
            "access point or KMS grant can be verified")

_STRING = {"type": "string"}
GRANT_SCHEMA: Mapping[str, Any] = {
    "type": "object",
    "properties": {"product": _STRING, "consumer": _STRING, "principal": _STRING,
                   "until": {"type": ["string", "null"]}},
    "required": ["product", "consumer", "principal", "until"],
}
PRODUCT_SCHEMA: Mapping[str, Any] = {
    "type": "object",
    "properties": {"bucket": _STRING, "account": {"type": "string", "pattern": "^[0-9]{12}$"},
                   "key": _STRING, "classification": _STRING},
    "required": ["bucket", "account", "key", "classification"],
}


class _Facts:
    __slots__ = ("grants", "products")

    def __init__(self, grants: Mapping[str, Any], products: Mapping[str, Any]) -> None:
        self.grants = grants
        self.products = products


def _facts(ctx: RuleContext) -> _Facts | None:
    if text(ctx.config.get("environment")) is None:
        return None
    return _Facts(mapping(ctx.config.get("grants")) or {}, mapping(ctx.config.get("products")) or {})


def _end_of(until: date) -> datetime:
    """Access ends at the start of the day after ``until`` (inclusive), UTC."""
    return datetime.combine(until + timedelta(days=1), time(0, 0), UTC)


def _parse_time(value: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def _lookup(resource: ResourceView, facts: _Facts, what: str
            ) -> tuple[str, Mapping[str, Any], str, Mapping[str, Any]] | str:
    """(name, grant, product key, product) of the resource's grant, or the problem."""
    name = text(resource.inputs.get("name"))
    if name is None:
        return f"name is {shown(resource.inputs.get('name'))}: the {what} cannot be matched to a grant of the specs"
    grant = mapping(facts.grants.get(name))
    if grant is None:
        return (f"the {what} {name} is not a grant of the specs: no approved and requested grant has "
                f"this name")
    key = text(grant.get("product")) or ""
    product = mapping(facts.products.get(key))
    if product is None:
        return f"the facts name no product {shown(key)} for grant {name}: regenerate them with `mesh policy-config`"
    return name, grant, key, product


def _common(resource: ResourceView, grant: Mapping[str, Any], key: str, product: Mapping[str, Any],
            ctx: RuleContext) -> tuple[list[str], date | None]:
    """Account and expiry, shared by access points and KMS grants; also the grant's ``until``."""
    problems: list[str] = []
    account = text(product.get("account"))
    if resource.account != account:
        where = f"account {resource.account}" if resource.account else "an unknown account"
        problems.append(f"it is deployed into {where}, but {key} lives in account {account}")
    raw_until = grant.get("until")
    until = parse_date(raw_until)
    consumer = text(grant.get("consumer")) or "?"
    if raw_until is not None and until is None:
        problems.append(f"the facts give grant until {shown(raw_until)}, not a YYYY-MM-DD date")
    elif until is not None and until < ctx.today:
        problems.append(f"the grant of {key} to {consumer} ended on {until.isoformat()} (evaluation "
                        f"date {ctx.today.isoformat()}), so it must be withdrawn")
    return problems, until


def _check_access_point(resource: ResourceView, facts: _Facts, ctx: RuleContext) -> list[str]:
    found = _lookup(resource, facts, "access point")
    if isinstance(found, str):
        return [found]
    _, grant, key, product = found
    problems, until = _common(resource, grant, key, product, ctx)
    bucket, got_bucket = text(product.get("bucket")), text(resource.inputs.get("bucket"))
    if got_bucket != bucket:
        problems.append(f"the access point is on bucket {shown(got_bucket)}, but the grant is on "
                        f"{key}'s bucket {bucket}")
    principal = text(grant.get("principal"))
    docs = documents_of(resource.inputs, resource.type)
    if not docs or docs[0].parsed is None:
        problems.append("policy is absent or not a JSON policy document, so whom it allows cannot be verified")
    else:
        end = _end_of(until) if until is not None else None
        for st in docs[0].statements():
            if not st.allows:
                continue
            if st.not_principal:
                problems.append(f"{st.label} is an Allow with NotPrincipal; the grant is for {principal} only")
                continue
            others = sorted({value for _, value in st.principals if value != principal})
            if others or not st.principals:
                problems.append(f"{st.label} allows {', '.join(others) or 'no principal'}; the grant "
                                f"is for {principal} only")
            if end is not None:
                problems.extend(_end_problems(st.label, st.condition, end, until))
    problems.extend(_tag_problems(tags_of(resource.inputs), grant, key, product))
    return problems


def _end_problems(label: str, condition: Mapping[str, Any], end: datetime, until: date | None) -> list[str]:
    values = condition_values(condition, "DateLessThan", "aws:CurrentTime")
    want = end.strftime("%Y-%m-%dT%H:%M:%SZ")
    if not values:
        return [f"{label} has no aws:CurrentTime end (DateLessThan); the grant ends "
                f"{until.isoformat() if until else '?'}, so access must end by {want}"]
    times = [_parse_time(v) for v in values]
    if any(t is None or t > end for t in times):
        return [f"{label} ends access at {', '.join(values)}, after the grant's end {want}"]
    return []


def _tag_problems(tags: Mapping[str, Any], grant: Mapping[str, Any], key: str,
                  product: Mapping[str, Any]) -> list[str]:
    until = text(grant.get("until"))
    expected = (("mesh:product", key), ("mesh:consumer", text(grant.get("consumer"))),
                ("mesh:grant-until", until or "none"),
                ("mesh:classification", text(product.get("classification"))))
    return [f"tag {tag} is {shown(tags.get(tag))}, but the specs say {shown(want)}"
            for tag, want in expected if tags.get(tag) != want]


def _check_kms_grant(resource: ResourceView, facts: _Facts, ctx: RuleContext) -> list[str]:
    found = _lookup(resource, facts, "KMS grant")
    if isinstance(found, str):
        return [found]
    _, grant, key, product = found
    problems, _ = _common(resource, grant, key, product, ctx)
    principal = text(grant.get("principal"))
    got = text(resource.inputs.get("granteePrincipal"))
    if got != principal:
        problems.append(f"granteePrincipal is {shown(got)}; the grant is for {principal}")
    problems.extend(_key_problems(resource, product, key))
    bucket = text(product.get("bucket")) or ""
    if not _limited_to_bucket(resource.inputs.get("constraints"), bucket):
        problems.append(f"constraints do not limit the grant to the encryption context aws:s3:arn "
                        f"arn:aws:s3:::{bucket}: it would decrypt every object under the key")
    return problems


def _key_problems(resource: ResourceView, product: Mapping[str, Any], key: str) -> list[str]:
    key_id = text(resource.inputs.get("keyId"))
    want_key, account = text(product.get("key")), text(product.get("account"))
    if key_id is None:
        return [f"keyId is {shown(resource.inputs.get('keyId'))}, expected the key {want_key} of {key}'s domain"]
    target = placeholder_target(key_id)
    if target is not None:
        return [] if target == want_key else [f"keyId {key_id} is not the key {want_key} of {key}'s domain"]
    key_account = account_of_arn(key_id)
    if key_account is None:
        return [f"keyId {key_id} is not a key ARN, so its account cannot be verified"]
    if key_account != account:
        return [f"keyId {key_id} is a key of account {key_account}, not of {key}'s account {account}"]
    return []


def _limited_to_bucket(constraints: Any, bucket: str) -> bool:
    """Every constraint pins ``aws:s3:arn`` to the product's bucket (and there is one)."""
    entries = items(constraints)
    if not entries:
        return False
    for entry in entries:
        contexts = [mapping(get_path(entry, k)) for k in ("encryptionContextSubset", "encryptionContextEquals")]
        arns = [c.get("aws:s3:arn") for c in contexts if c is not None]
        if not arns or any(not (isinstance(a, str) and a.startswith("arn:") and a.endswith(f":s3:::{bucket}"))
                           for a in arns):
            return False
    return True


def check(resource: ResourceView, ctx: RuleContext) -> list[str]:
    facts = _facts(ctx)
    if facts is None:
        return [NO_FACTS]
    if resource.type == model.KMS_GRANT:
        return _check_kms_grant(resource, facts, ctx)
    return _check_access_point(resource, facts, ctx)


RULE = ResourceRule(
    id="mesh-grant-matches-spec",
    description="Every access point and KMS grant belongs to a grant the specs decided (pack config "
                "facts from `mesh policy-config`, not the program's tags) and matches its consumer, "
                "bucket, account, key and end date.",
    severity="critical",
    remediation="Give access only through the spec (sharing.approved and inputs/consumes) and deploy "
                "the program unchanged; regenerate the pack config with `mesh policy-config --env "
                "ENV` from the same specs.",
    default_level="mandatory",
    config={
        "environment": {
            "type": "string", "default": "",
            "description": "The environment the facts describe; written by `mesh policy-config`. "
                           "Empty: no facts, and every access point and KMS grant is a violation.",
        },
        "grants": {
            "type": "object", "additionalProperties": GRANT_SCHEMA, "default": {},
            "description": "The grants the specs decide, by access point name (its KMS grant has "
                           "the same name): product, consumer, principal ARN, until (or null); "
                           "written by `mesh policy-config`.",
        },
        "products": {
            "type": "object", "additionalProperties": PRODUCT_SCHEMA, "default": {},
            "description": "Each granted product's bucket, account, domain key (logical name) and "
                           "classification; written by `mesh policy-config`.",
        },
    },
    facts=("environment", "grants", "products"),
    types=frozenset({model.ACCESS_POINT, model.KMS_GRANT}),
    check=check,
)
