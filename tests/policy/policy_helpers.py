"""A compliant mesh stack built by hand, and helpers to break it one field at a time.

The inputs are written exactly as pulumi-aws v7 receives them (camelCase), independently of
the planner, so a rule test fails if a rule stops accepting the real shape. One producer domain
(``alpha``, account 111111111111) with one restricted product ``alpha/events`` granted to the
mesh domain ``beta`` (account 222222222222) until 2027-06-30.
"""

from __future__ import annotations

import copy
import importlib.util
import json
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import Any

from datamesh.policy import RULES_BY_ID, Finding, ResourceRule, ResourceView, RuleContext, StackRule, StackView

TODAY = date(2026, 11, 25)
REPO = Path(__file__).resolve().parents[2]
EXAMPLE_DOMAINS = REPO / "tests" / "fixtures" / "streaming" / "domains"


def _root_conftest() -> ModuleType:
    """tests/conftest.py's spec helpers, by path: ``import conftest`` is ambiguous once several
    test directories have a conftest.py."""
    spec = importlib.util.spec_from_file_location("tests_root_conftest", REPO / "tests" / "conftest.py")
    assert spec is not None and spec.loader is not None, "tests/conftest.py must be loadable"
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_conftest = _root_conftest()
domain_yaml = _conftest.domain_yaml
product_yaml = _conftest.product_yaml
assert _conftest.TODAY == TODAY
PLATFORM_ACCOUNT = "900000000001"
ALPHA_ACCOUNT = "111111111111"
BETA_ACCOUNT = "222222222222"
EXTERNAL_ACCOUNT = "444455556666"
MESH_ACCOUNTS = [ALPHA_ACCOUNT, BETA_ACCOUNT, PLATFORM_ACCOUNT]
BUCKET = "acme-dev-alpha-events"
BUCKET_ARN = f"arn:aws:s3:::{BUCKET}"
KEY_ARN = f"arn:aws:kms:eu-west-1:{ALPHA_ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
AP_NAME = "acme-1a2b3c4d-5e6f7a8b"
AP_ARN = f"arn:aws:s3:eu-west-1:{ALPHA_ACCOUNT}:accesspoint/{AP_NAME}"
BETA_CONSUMER = f"arn:aws:iam::{BETA_ACCOUNT}:role/datamesh/acme-beta-consumer"

GRANT_FACTS: dict[str, Any] = {
    "environment": "dev",
    "grants": {AP_NAME: {"product": "alpha/events", "consumer": "beta", "principal": BETA_CONSUMER,
                         "until": "2027-06-30"}},
    "products": {"alpha/events": {"bucket": BUCKET, "account": ALPHA_ACCOUNT, "key": "alpha.key",
                                  "classification": "restricted"}},
}
"""What `mesh policy-config` would write for the baseline: its one grant, from the specs."""
DOMAIN_ACCOUNTS: dict[str, str] = {"_platform": PLATFORM_ACCOUNT, "alpha": ALPHA_ACCOUNT, "beta": BETA_ACCOUNT}
FACTS: dict[str, Any] = {"meshAccounts": MESH_ACCOUNTS, "externalAccounts": [EXTERNAL_ACCOUNT],
                         "domainAccounts": DOMAIN_ACCOUNTS, **GRANT_FACTS}

DELETE = object()
"""``mutate(..., DELETE)`` removes the key."""


def doc(*statements: Mapping[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def tls_deny(bucket_arn: str = BUCKET_ARN) -> dict[str, Any]:
    return {
        "Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
        "Resource": [bucket_arn, f"{bucket_arn}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def delegation(account: str = ALPHA_ACCOUNT) -> dict[str, Any]:
    return {
        "Sid": "DelegateReadToOwnAccessPoints", "Effect": "Allow", "Principal": {"AWS": "*"},
        "Action": ["s3:GetObject", "s3:GetObjectVersion", "s3:ListBucket"],
        "Resource": [BUCKET_ARN, f"{BUCKET_ARN}/*"],
        "Condition": {"StringEquals": {"s3:DataAccessPointAccount": account}},
    }


GRANT_END = "2027-07-01T00:00:00Z"
"""The baseline grant ends 2027-06-30 (inclusive): AWS ends access at the next midnight, UTC."""


def ap_read(principal: str = BETA_CONSUMER, end: str | None = GRANT_END) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "Sid": "ReadForGrantedConsumer", "Effect": "Allow", "Principal": {"AWS": principal},
        "Action": ["s3:GetObject", "s3:GetObjectVersion", "s3:ListBucket"],
        "Resource": [AP_ARN, f"{AP_ARN}/object/*"],
    }
    if end is not None:
        statement["Condition"] = {"DateLessThan": {"aws:CurrentTime": end}}
    return statement


def view(type_token: str, name: str, inputs: Mapping[str, Any], **kw: Any) -> ResourceView:
    return ResourceView(type=type_token, name=name, inputs=inputs, **kw)


def _alpha(type_token: str, name: str, inputs: Mapping[str, Any], parent: str, parent_type: str,
           product: str | None = "alpha/events", **kw: Any) -> ResourceView:
    return view(type_token, name, inputs, parent=parent, parent_type=parent_type, provider="alpha.aws",
                domain="alpha", product=product, account=ALPHA_ACCOUNT, **kw)


PRODUCT = "datamesh:mesh:DataProduct"
GRANT = "datamesh:mesh:AccessGrant"
DOMAIN = "datamesh:mesh:Domain"


def provider(name: str = "alpha.aws", account: str = ALPHA_ACCOUNT) -> ResourceView:
    return view("pulumi:providers:aws", name, {
        "region": "eu-west-1",
        "allowedAccountIds": [account],
        "assumeRoles": [{"roleArn": f"arn:aws:iam::{account}:role/acme-deployer",
                         "sessionName": "datamesh-acme-dev"}],
        "defaultTags": {"tags": {"mesh:managed-by": "datamesh"}},
    }, parent=name.split(".")[0], parent_type=DOMAIN, domain=name.split(".")[0])


def product_component() -> ResourceView:
    return view(PRODUCT, "alpha/events", {
        "product": "alpha/events", "bucket": BUCKET, "classification": "restricted",
        "status": "active", "retentionDays": 730,
    }, parent="alpha", parent_type=DOMAIN, domain="alpha", product="alpha/events")


def bucket() -> ResourceView:
    return _alpha("aws:s3/bucket:Bucket", "alpha/events.bucket", {
        "bucket": BUCKET,
        "forceDestroy": False,
        "tags": {"mesh:domain": "alpha", "mesh:product": "alpha/events",
                 "mesh:classification": "restricted", "mesh:owner": "alpha@acme.example",
                 "mesh:status": "active"},
    }, "alpha/events", PRODUCT, protect=True, retain_on_delete=True)


def versioning() -> ResourceView:
    return _alpha("aws:s3/bucketVersioning:BucketVersioning", "alpha/events.versioning", {
        "bucket": BUCKET, "versioningConfiguration": {"status": "Enabled"},
    }, "alpha/events", PRODUCT, retain_on_delete=True)


ENCRYPTION = ("aws:s3/bucketServerSideEncryptionConfiguration:"
              "BucketServerSideEncryptionConfiguration")


def encryption() -> ResourceView:
    return _alpha(ENCRYPTION, "alpha/events.encryption", {
        "bucket": BUCKET,
        "rules": [{
            "applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": KEY_ARN},
            "bucketKeyEnabled": True,
        }],
    }, "alpha/events", PRODUCT, retain_on_delete=True)


def public_access() -> ResourceView:
    return _alpha("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "alpha/events.public-access", {
        "bucket": BUCKET, "blockPublicAcls": True, "blockPublicPolicy": True,
        "ignorePublicAcls": True, "restrictPublicBuckets": True,
    }, "alpha/events", PRODUCT, retain_on_delete=True)


def ownership() -> ResourceView:
    return _alpha("aws:s3/bucketOwnershipControls:BucketOwnershipControls", "alpha/events.ownership", {
        "bucket": BUCKET, "rule": {"objectOwnership": "BucketOwnerEnforced"},
    }, "alpha/events", PRODUCT, retain_on_delete=True)


def lifecycle() -> ResourceView:
    return _alpha("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
                  "alpha/events.lifecycle", {
                      "bucket": BUCKET,
                      "rules": [{
                          "id": "mesh-retention",
                          "status": "Enabled",
                          "filter": {},
                          "expiration": {"days": 730},
                          "noncurrentVersionExpiration": {"noncurrentDays": 30},
                          "abortIncompleteMultipartUpload": {"daysAfterInitiation": 7},
                          "transitions": [{"days": 90, "storageClass": "GLACIER_IR"}],
                      }],
                  }, "alpha/events", PRODUCT, retain_on_delete=True)


def bucket_policy() -> ResourceView:
    return _alpha("aws:s3/bucketPolicy:BucketPolicy", "alpha/events.policy", {
        "bucket": BUCKET, "policy": doc(tls_deny(), delegation()),
    }, "alpha/events", PRODUCT, retain_on_delete=True)


def grant_component() -> ResourceView:
    return view(GRANT, "alpha/events.grant.beta", {
        "product": "alpha/events", "consumer": "beta", "consumerKind": "domain",
        "principal": BETA_CONSUMER, "until": "2027-06-30", "classification": "restricted",
    }, parent="alpha/events", parent_type=PRODUCT, domain="alpha", product="alpha/events")


def access_point() -> ResourceView:
    return _alpha("aws:s3/accessPoint:AccessPoint", "alpha/events.grant.beta.access-point", {
        "bucket": BUCKET,
        "name": AP_NAME,
        "policy": doc(ap_read()),
        "publicAccessBlockConfiguration": {"blockPublicAcls": True, "blockPublicPolicy": True,
                                           "ignorePublicAcls": True, "restrictPublicBuckets": True},
        "tags": {"mesh:domain": "alpha", "mesh:product": "alpha/events",
                 "mesh:classification": "restricted", "mesh:consumer": "beta",
                 "mesh:grant-until": "2027-06-30"},
    }, "alpha/events.grant.beta", GRANT)


def key_grant() -> ResourceView:
    return _alpha("aws:kms/grant:Grant", "alpha/events.grant.beta.key-grant", {
        "name": AP_NAME,
        "keyId": KEY_ARN,
        "granteePrincipal": BETA_CONSUMER,
        "operations": ["Decrypt"],
        "constraints": [{"encryptionContextSubset": {"aws:s3:arn": BUCKET_ARN}}],
        "retireOnDelete": True,
    }, "alpha/events.grant.beta", GRANT)


def key() -> ResourceView:
    return _alpha("aws:kms/key:Key", "alpha.key", {
        "description": "Encrypts the data products of domain alpha",
        "enableKeyRotation": True,
        "deletionWindowInDays": 30,
        "policy": doc({"Sid": "AccountAdministersKeyThroughIam", "Effect": "Allow",
                       "Principal": {"AWS": f"arn:aws:iam::{ALPHA_ACCOUNT}:root"},
                       "Action": "kms:*", "Resource": "*"}),
        "tags": {"mesh:domain": "alpha"},
    }, "alpha", DOMAIN, product=None, protect=True, retain_on_delete=True)


def role(kind: str = "producer") -> ResourceView:
    return _alpha("aws:iam/role:Role", f"alpha.{kind}", {
        "name": f"acme-alpha-{kind}", "path": "/datamesh/",
        "assumeRolePolicy": doc({"Sid": "DomainAccountAssumes", "Effect": "Allow",
                                 "Principal": {"AWS": f"arn:aws:iam::{ALPHA_ACCOUNT}:root"},
                                 "Action": "sts:AssumeRole"}),
        "maxSessionDuration": 3600,
    }, "alpha", DOMAIN, product=None)


def producer_policy() -> ResourceView:
    return _alpha("aws:iam/rolePolicy:RolePolicy", "alpha.producer-access", {
        "role": "acme-alpha-producer", "name": "datamesh-producer",
        "policy": doc(
            {"Sid": "WriteDomainProducts", "Effect": "Allow",
             "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], "Resource": [f"{BUCKET_ARN}/*"]},
            {"Sid": "UseDomainKey", "Effect": "Allow",
             "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*"],
             "Resource": KEY_ARN}),
    }, "alpha", DOMAIN, product=None)


def consumer_policy() -> ResourceView:
    ap = "arn:aws:s3:*:*:accesspoint/acme-1a2b3c4d-*"
    return view("aws:iam/rolePolicy:RolePolicy", "beta.consumer-access", {
        "role": "acme-beta-consumer", "name": "datamesh-consumer",
        "policy": doc(
            {"Sid": "ReadThroughGrantedAccessPoints", "Effect": "Allow",
             "Action": ["s3:GetObject", "s3:GetObjectVersion", "s3:ListBucket"],
             "Resource": [ap, f"{ap}/object/*"]},
            {"Sid": "DecryptGrantedProductsViaS3", "Effect": "Allow", "Action": "kms:Decrypt",
             "Resource": "arn:aws:kms:*:*:key/*",
             "Condition": {"StringLike": {"kms:ViaService": "s3.*.amazonaws.com"}}}),
    }, parent="beta", parent_type=DOMAIN, provider="beta.aws", domain="beta", account=BETA_ACCOUNT)


def compliant_stack() -> list[ResourceView]:
    """Every resource of the baseline mesh, in plan order."""
    return [
        view(DOMAIN, "alpha", {"domain": "alpha", "account": ALPHA_ACCOUNT, "region": "eu-west-1"},
             domain="alpha"),
        provider(), key(), role("producer"), role("consumer"), producer_policy(),
        product_component(), bucket(), versioning(), encryption(), public_access(), ownership(),
        lifecycle(), bucket_policy(), grant_component(), access_point(), key_grant(),
        view(DOMAIN, "beta", {"domain": "beta", "account": BETA_ACCOUNT, "region": "eu-west-1"},
             domain="beta"),
        provider("beta.aws", BETA_ACCOUNT), consumer_policy(),
    ]


# --- breaking things ------------------------------------------------------------------------


def mutate(resource: ResourceView, path: Sequence[str | int], value: Any) -> ResourceView:
    """A copy of ``resource`` with ``inputs[path…]`` set to ``value`` (or removed: ``DELETE``)."""
    inputs = copy.deepcopy(dict(resource.inputs))
    target: Any = inputs
    for key in path[:-1]:
        target = target[key]
    if value is DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return replace(resource, inputs=inputs)


def with_policy(resource: ResourceView, *statements: Mapping[str, Any], field: str = "policy") -> ResourceView:
    return mutate(resource, [field], doc(*statements))


def context(rule_id: str, today: date = TODAY, config: Mapping[str, Any] | None = None,
            facts: bool = True) -> RuleContext:
    rule = RULES_BY_ID[rule_id]
    props = rule.defaults()
    if facts:
        props.update({k: v for k, v in FACTS.items() if k in rule.facts})
    props.update(config or {})
    return RuleContext(today=today, config=props)


def check(rule_id: str, resource: ResourceView, **kw: Any) -> list[str]:
    rule = RULES_BY_ID[rule_id]
    assert isinstance(rule, ResourceRule)
    assert rule.applies_to(resource.type), f"{rule_id} does not apply to {resource.type}"
    return rule.check(resource, context(rule_id, **kw))


def check_stack(rule_id: str, resources: Sequence[ResourceView], **kw: Any) -> list[tuple[str | None, str]]:
    rule = RULES_BY_ID[rule_id]
    assert isinstance(rule, StackRule)
    findings: list[Finding] = rule.check(StackView(list(resources)), context(rule_id, **kw))
    return [(f.resource.name if f.resource else None, f.message) for f in findings]


def replaced(resources: Sequence[ResourceView], name: str, new: ResourceView | None) -> list[ResourceView]:
    """The stack with resource ``name`` replaced by ``new`` (removed when None)."""
    assert any(r.name == name for r in resources), name
    return [new if r.name == name else r for r in resources if r.name != name or new is not None]
