"""The exact policy documents and grant resources of a small mesh, asserted whole.

The mesh (``acme``, dev account 1000000000NN for domain NN):
- ``alpha`` (01) produces ``events`` (approval; ``beta`` approved until 2027-06-30, an external
  partner role until 2027-01-31), ``old`` (retired) and ``wip`` (draft, private);
- ``beta`` (02) asks for ``alpha/events`` in its ``consumes`` and produces ``report``;
- ``gamma`` (03) has no product and asks for nothing.

Expected names are written out literally (``f44e64e7`` is the first 8 hex digits of
sha256("beta"), ``af590bf5`` of sha256("dev/alpha/events")), so a change of naming or of any
statement fails here first.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from datamesh.plan import Options, Plan, PlannedResource
from datamesh.plan.documents import consumer_policy
from datamesh.plan.naming import access_point_prefix, h8
from grants.support import (
    EXAMPLE_DOMAINS,
    REPO,
    TODAY,
    Approval,
    DomainSpec,
    ProductSpec,
    Spec,
    account,
    documents,
    plan_of,
    random_spec,
)

PARTNER = "arn:aws:iam::444455556666:role/partner-reader"
ALPHA, BETA, GAMMA = "100000000001", "100000000002", "100000000003"
BUCKET = "arn:aws:s3:::acme-dev--alpha--events"
AP_NAME = "acme-f44e64e7-af590bf5"
AP_ARN = f"arn:aws:s3:eu-west-1:{ALPHA}:accesspoint/{AP_NAME}"
EXT_AP_NAME = "acme-8c62422b-af590bf5"
EXT_AP_ARN = f"arn:aws:s3:eu-west-1:{ALPHA}:accesspoint/{EXT_AP_NAME}"
BETA_CONSUMER = f"arn:aws:iam::{BETA}:role/datamesh/acme-beta-consumer"
READ = ["s3:GetObject", "s3:GetObjectVersion", "s3:ListBucket"]


def small_spec() -> Spec:
    return Spec(
        domains=[
            DomainSpec("alpha", {e: account(1, e) for e in ("dev", "prod")}),
            DomainSpec("beta", {e: account(2, e) for e in ("dev", "prod")}, consumes=["alpha/events"]),
            DomainSpec("gamma", {e: account(3, e) for e in ("dev", "prod")}),
        ],
        products=[
            ProductSpec("alpha", "events", classification="confidential", approved=[
                Approval(domain="beta", until=date(2027, 6, 30)),
                Approval(principal=PARTNER, until=date(2027, 1, 31)),
            ]),
            ProductSpec("alpha", "old", status="retired"),
            ProductSpec("alpha", "wip", status="draft", mode="private"),
            ProductSpec("beta", "report"),
        ],
    )


@pytest.fixture(scope="module")
def plan(tmp_path_factory: pytest.TempPathFactory) -> Plan:
    return plan_of(small_spec().write(tmp_path_factory.mktemp("documents")), "dev", TODAY)


def resource(plan: Plan, name: str) -> PlannedResource:
    return plan.by_name()[name]


def document(plan: Plan, name: str, prop: str = "policy") -> Any:
    """The parsed document, after checking it is stored compactly (as measured for budgets)."""
    text = resource(plan, name).inputs[prop]
    parsed = json.loads(text)
    assert text == json.dumps(parsed, separators=(",", ":"))
    return parsed


def test_the_plan_grants_exactly_beta_and_the_partner(plan: Plan) -> None:
    assert [(g.product, g.consumer, g.until) for g in plan.grants] == [
        ("alpha/events", PARTNER, date(2027, 1, 31)),
        ("alpha/events", "beta", date(2027, 6, 30)),
    ]
    assert plan.pending == []


def test_bucket_policy_denies_plain_http_and_delegates_reads_to_own_access_points(plan: Plan) -> None:
    assert resource(plan, "alpha/events.policy").inputs["bucket"] == "acme-dev--alpha--events"
    assert document(plan, "alpha/events.policy") == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [BUCKET, f"{BUCKET}/*"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            },
            {
                "Sid": "DelegateReadToOwnAccessPoints",
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": READ,
                "Resource": [BUCKET, f"{BUCKET}/*"],
                "Condition": {"StringEquals": {"s3:DataAccessPointAccount": ALPHA}},
            },
        ],
    }


@pytest.mark.parametrize("name", ["alpha/wip.policy", "beta/report.policy"])
def test_every_unretired_bucket_has_the_same_two_statements_whatever_its_status(plan: Plan, name: str) -> None:
    doc = document(plan, name)
    bucket = f"arn:aws:s3:::{resource(plan, name).inputs['bucket']}"
    owner = ALPHA if name.startswith("alpha") else BETA
    assert [s["Sid"] for s in doc["Statement"]] == ["DenyInsecureTransport", "DelegateReadToOwnAccessPoints"]
    assert all(s["Resource"] == [bucket, f"{bucket}/*"] for s in doc["Statement"])
    assert doc["Statement"][1]["Condition"] == {"StringEquals": {"s3:DataAccessPointAccount": owner}}


DATA = ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject", "s3:DeleteObject",
        "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts",
        "s3:ListBucket", "s3:GetBucketLocation", "s3:ListBucketMultipartUploads"]


def test_a_retired_buckets_policy_denies_every_data_action_to_everyone_but_the_deployer(plan: Plan) -> None:
    """The same two statements, and a Deny of every data action the mesh grants anyone (the
    producer's write and list, a grant's read) for Principal "*": the policy is retained on
    delete, so the Deny outlives the product's spec file. The deployer (no object permission)
    keeps ``s3:ListBucket``, which its provider's HeadBucket needs."""
    old = "arn:aws:s3:::acme-dev--alpha--old"
    assert resource(plan, "alpha/old.policy").options == Options(retain_on_delete=True)
    doc = document(plan, "alpha/old.policy")
    assert doc["Statement"][:2] == [
        {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
         "Resource": [old, f"{old}/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
        {"Sid": "DelegateReadToOwnAccessPoints", "Effect": "Allow", "Principal": {"AWS": "*"},
         "Action": READ, "Resource": [old, f"{old}/*"],
         "Condition": {"StringEquals": {"s3:DataAccessPointAccount": ALPHA}}},
    ]
    assert doc["Statement"][2] == {
        "Sid": "DenyDataAccessRetired",
        "Effect": "Deny",
        "Principal": "*",
        "Action": DATA,
        "Resource": [old, f"{old}/*"],
        "Condition": {"ArnNotEquals": {"aws:PrincipalArn": f"arn:aws:iam::{ALPHA}:role/acme-deployer"}},
    }
    assert set(READ) <= set(DATA)


def test_retiring_changes_the_bucket_policy_by_exactly_the_deny() -> None:
    from datamesh.plan.documents import bucket_policy

    live = bucket_policy("b", ALPHA)
    retired = bucket_policy("b", ALPHA, retired=True)
    assert retired["Statement"][:2] == live["Statement"]
    assert [s["Sid"] for s in retired["Statement"]] == [
        "DenyInsecureTransport", "DelegateReadToOwnAccessPoints", "DenyDataAccessRetired"]
    assert "Condition" not in retired["Statement"][2]  # without a deployer: nobody is exempted


def test_access_point_of_a_domain_grant(plan: Plan) -> None:
    ap = resource(plan, "alpha/events.grant.beta.access-point")
    assert (ap.type, ap.parent, ap.provider, ap.domain, ap.product) == (
        "aws:s3/accessPoint:AccessPoint", "alpha/events.grant.beta", "alpha.aws", "alpha", "alpha/events")
    # The consumer's role must exist before a policy names it.
    assert ap.options == Options(depends_on=("beta.consumer",))
    assert {k: v for k, v in ap.inputs.items() if k != "policy"} == {
        "bucket": "acme-dev--alpha--events",
        "name": AP_NAME,
        "publicAccessBlockConfiguration": {
            "blockPublicAcls": True, "blockPublicPolicy": True,
            "ignorePublicAcls": True, "restrictPublicBuckets": True,
        },
        "tags": {
            "mesh:domain": "alpha",
            "mesh:product": "alpha/events",
            "mesh:classification": "confidential",
            "mesh:consumer": "beta",
            "mesh:grant-until": "2027-06-30",
        },
    }
    assert document(plan, ap.name) == {
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "ReadForGrantedConsumer",
            "Effect": "Allow",
            "Principal": {"AWS": BETA_CONSUMER},
            "Action": READ,
            "Resource": [AP_ARN, f"{AP_ARN}/object/*"],
            # until 2027-06-30 inclusive: AWS ends access at the start of the next day (UTC)
            "Condition": {"DateLessThan": {"aws:CurrentTime": "2027-07-01T00:00:00Z"}},
        }],
    }


def test_access_point_of_an_external_grant_names_the_partner_role_only(plan: Plan) -> None:
    ap = resource(plan, "alpha/events.grant._ext-8c62422b.access-point")
    # The partner creates its role: nothing to wait for. The name it had before 0.2 is an alias.
    assert ap.options == Options(aliases=("alpha/events.grant.ext-8c62422b.access-point",))
    assert ap.inputs["name"] == EXT_AP_NAME
    assert ap.inputs["tags"]["mesh:consumer"] == PARTNER
    assert ap.inputs["tags"]["mesh:grant-until"] == "2027-01-31"
    assert document(plan, ap.name) == {
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "ReadForGrantedConsumer",
            "Effect": "Allow",
            "Principal": {"AWS": PARTNER},
            "Action": READ,
            "Resource": [EXT_AP_ARN, f"{EXT_AP_ARN}/object/*"],
            "Condition": {"DateLessThan": {"aws:CurrentTime": "2027-02-01T00:00:00Z"}},
        }],
    }


@pytest.mark.parametrize("approved", [
    pytest.param("open", id="open-product"),
    pytest.param([Approval(domain="beta")], id="approval-without-until"),
])
def test_access_point_of_a_grant_without_end_has_no_time_condition(tmp_path: Path, approved: Any) -> None:
    spec = small_spec()
    events = spec.product("alpha/events")
    events.mode, events.approved = ("open", []) if approved == "open" else ("approval", approved)
    plan = plan_of(spec.write(tmp_path), "dev", TODAY)
    ap = resource(plan, "alpha/events.grant.beta.access-point")
    assert ap.inputs["tags"]["mesh:grant-until"] == "none"
    assert document(plan, ap.name) == {
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "ReadForGrantedConsumer",
            "Effect": "Allow",
            "Principal": {"AWS": BETA_CONSUMER},
            "Action": READ,
            "Resource": [AP_ARN, f"{AP_ARN}/object/*"],
        }],
    }


@pytest.mark.parametrize(("slug", "consumer", "principal", "until", "ap_name"), [
    ("beta", "beta", BETA_CONSUMER, "2027-06-30", AP_NAME),
    ("_ext-8c62422b", PARTNER, PARTNER, "2027-01-31", EXT_AP_NAME),
])
def test_kms_grant_decrypt_only_for_the_consumer_on_this_bucket(
        plan: Plan, slug: str, consumer: str, principal: str, until: str, ap_name: str) -> None:
    grant = resource(plan, f"alpha/events.grant.{slug}.key-grant")
    assert (grant.type, grant.parent, grant.provider) == (
        "aws:kms/grant:Grant", f"alpha/events.grant.{slug}", "alpha.aws")
    assert grant.inputs == {
        "name": ap_name,
        "keyId": "${alpha.key.arn}",
        "granteePrincipal": principal,
        "operations": ["Decrypt"],
        "constraints": [{"encryptionContextSubset": {"aws:s3:arn": BUCKET}}],
        "retireOnDelete": False,
    }
    component = resource(plan, f"alpha/events.grant.{slug}")
    assert component.inputs == {
        "product": "alpha/events", "consumer": consumer,
        "consumerKind": "domain" if consumer == "beta" else "external", "principal": principal,
        "until": until, "classification": "confidential",
    }


def test_the_bucket_is_encrypted_with_bucket_keys_so_the_grant_constraint_matches(plan: Plan) -> None:
    """With S3 Bucket Keys the KMS encryption context is the bucket ARN: exactly the grant's
    ``encryptionContextSubset``. (Without them it would be the object ARN and no grant would match.)"""
    rules = resource(plan, "alpha/events.encryption").inputs["rules"]
    assert rules == [{
        "applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": "${alpha.key.arn}"},
        "bucketKeyEnabled": True,
    }]


def test_consumer_role_identity_policy(plan: Plan) -> None:
    policy = resource(plan, "beta.consumer-access")
    assert policy.options == Options(depends_on=("beta.consumer",))
    assert {k: v for k, v in policy.inputs.items() if k != "policy"} == {
        "role": "acme-beta-consumer", "name": "datamesh-consumer"}
    ap = "arn:aws:s3:*:*:accesspoint/acme-f44e64e7-*"
    assert document(plan, "beta.consumer-access") == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "ReadThroughGrantedAccessPoints",
                "Effect": "Allow",
                "Action": READ,
                "Resource": [ap, f"{ap}/object/*"],
            },
            {
                "Sid": "DecryptGrantedProductsViaS3",
                "Effect": "Allow",
                "Action": "kms:Decrypt",
                "Resource": "arn:aws:kms:*:*:key/*",
                "Condition": {"StringLike": {
                    "kms:ViaService": "s3.*.amazonaws.com",
                    "kms:EncryptionContext:aws:s3:arn": "arn:aws:s3:::acme-dev--*",
                }},
            },
        ],
    }


def test_a_domain_granted_nothing_has_no_consumer_policy(plan: Plan) -> None:
    names = plan.by_name()
    assert "alpha.consumer-access" not in names and "gamma.consumer-access" not in names
    assert "gamma.consumer" in names  # the role exists, with nothing to read


WRITE = ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject", "s3:DeleteObject",
         "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"]
LIST = ["s3:ListBucket", "s3:GetBucketLocation", "s3:ListBucketMultipartUploads"]
KEY_USE = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"]


def test_producer_policy_writes_the_domains_products_by_one_pattern(plan: Plan) -> None:
    """One bucket-name pattern for the domain (``--alpha--``: no other domain's names start so),
    only in the domain's own account. The retired ``old`` is not named: its own bucket policy
    denies it (see above)."""
    policy = resource(plan, "alpha.producer-access")
    assert policy.options == Options(depends_on=("alpha.producer",))
    assert {k: v for k, v in policy.inputs.items() if k != "policy"} == {
        "role": "acme-alpha-producer", "name": "datamesh-producer"}
    in_alpha = {"StringEquals": {"aws:ResourceAccount": ALPHA}}
    assert document(plan, "alpha.producer-access") == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "WriteDomainProducts",
                "Effect": "Allow",
                "Action": WRITE,
                "Resource": ["arn:aws:s3:::acme-dev--alpha--*/*"],
                "Condition": in_alpha,
            },
            {
                "Sid": "ListDomainProducts",
                "Effect": "Allow",
                "Action": LIST,
                "Resource": ["arn:aws:s3:::acme-dev--alpha--*"],
                "Condition": in_alpha,
            },
            {
                "Sid": "UseDomainKey",
                "Effect": "Allow",
                "Action": KEY_USE,
                "Resource": "${alpha.key.arn}",
            },
        ],
    }


def test_producer_policy_is_the_same_with_or_without_a_retired_product(plan: Plan) -> None:
    """alpha (a retired product) and beta (none) differ only by their names and accounts."""
    alpha = resource(plan, "alpha.producer-access").inputs["policy"]
    beta = resource(plan, "beta.producer-access").inputs["policy"]
    assert beta.replace("beta", "alpha").replace(BETA, ALPHA) == alpha
    assert "Deny" not in alpha and "old" not in alpha


# A mesh and environment of 20 characters each and a 12-character domain: the domain's prefix is
# 20+1+20+2+12+2 = 57 characters, longer than the 54 a cut name keeps, so cut names lose it.
LONG_PREFIX = f"{'m' * 20}-{'e' * 20}--{'d' * 12}--"


def test_producer_policy_lists_cut_bucket_names_that_lost_the_prefix() -> None:
    from datamesh.plan.documents import producer_policy
    from datamesh.plan.naming import bucket_name, domain_bucket_prefix

    assert domain_bucket_prefix("m" * 20, "e" * 20, "d" * 12) == LONG_PREFIX
    cut = bucket_name("m" * 20, "e" * 20, "d" * 12, "events-v2")
    assert len(cut) == 63 and not cut.startswith(LONG_PREFIX)
    doc = producer_policy(LONG_PREFIX, ALPHA, [cut], "k")
    # No live bucket has the prefix: no pattern; the cut one is listed.
    assert doc["Statement"][:2] == [
        {"Sid": "WriteDomainProducts", "Effect": "Allow", "Action": WRITE,
         "Resource": [f"arn:aws:s3:::{cut}/*"], "Condition": {"StringEquals": {"aws:ResourceAccount": ALPHA}}},
        {"Sid": "ListDomainProducts", "Effect": "Allow", "Action": LIST,
         "Resource": [f"arn:aws:s3:::{cut}"], "Condition": {"StringEquals": {"aws:ResourceAccount": ALPHA}}},
    ]
    assert [s["Sid"] for s in doc["Statement"]] == ["WriteDomainProducts", "ListDomainProducts", "UseDomainKey"]


def test_producer_policy_mixes_the_pattern_and_listed_cut_names() -> None:
    """Pattern first, then each live cut name that lost the prefix (a retired one is simply not
    passed, so not listed)."""
    from datamesh.plan.documents import producer_policy

    prefix = "acme-dev--alpha--"
    live = [f"{prefix}events", "acme-dev--alpha-cut-1a2b3c4d", f"{prefix}long-cut-0f0f0f0f"]
    doc = producer_policy(prefix, ALPHA, live, "k")
    write, listing, key = doc["Statement"]
    assert listing["Resource"] == [f"arn:aws:s3:::{prefix}*", "arn:aws:s3:::acme-dev--alpha-cut-1a2b3c4d"]
    assert write["Resource"] == [f"{r}/*" for r in listing["Resource"]]
    assert key["Sid"] == "UseDomainKey"


def test_producer_policy_of_a_domain_with_only_retired_products_only_uses_its_key(tmp_path: Path) -> None:
    spec = Spec([DomainSpec("alpha", {e: account(1, e) for e in ("dev", "prod")})],
                [ProductSpec("alpha", "old", status="retired")])
    doc = json.loads(plan_of(spec.write(tmp_path), "dev", TODAY).by_name()["alpha.producer-access"].inputs["policy"])
    assert [s["Sid"] for s in doc["Statement"]] == ["UseDomainKey"]


def test_producer_policy_of_a_domain_without_products_only_uses_its_key(plan: Plan) -> None:
    assert document(plan, "gamma.producer-access")["Statement"] == [{
        "Sid": "UseDomainKey",
        "Effect": "Allow",
        "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
        "Resource": "${gamma.key.arn}",
    }]


def test_key_policy_is_the_account_default_and_names_no_consumer(plan: Plan) -> None:
    key = resource(plan, "alpha.key")
    assert key.options == Options(protect=True, retain_on_delete=True)
    assert key.inputs["enableKeyRotation"] is True
    assert document(plan, "alpha.key") == {
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "AccountAdministersKeyThroughIam",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{ALPHA}:root"},
            "Action": "kms:*",
            "Resource": "*",
        }],
    }


@pytest.mark.parametrize(("domain", "acct"), [("alpha", ALPHA), ("beta", BETA), ("gamma", GAMMA)])
@pytest.mark.parametrize("kind", ["producer", "consumer"])
def test_roles_trust_only_their_own_domain_account(plan: Plan, domain: str, acct: str, kind: str) -> None:
    role = resource(plan, f"{domain}.{kind}")
    assert (role.type, role.parent, role.provider) == ("aws:iam/role:Role", domain, f"{domain}.aws")
    assert {k: v for k, v in role.inputs.items() if k not in ("assumeRolePolicy", "description")} == {
        "name": f"acme-{domain}-{kind}",
        "path": "/datamesh/",
        "maxSessionDuration": 3600,
        "tags": {"mesh:domain": domain, "mesh:owner": f"{domain}@acme.example"},
    }
    assert document(plan, role.name, "assumeRolePolicy") == {
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "DomainAccountAssumes",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{acct}:root"},
            "Action": "sts:AssumeRole",
        }],
    }


def test_prod_documents_use_the_prod_accounts_and_names(tmp_path: Path) -> None:
    plan = plan_of(small_spec().write(tmp_path), "prod", TODAY)
    ap_arn = f"arn:aws:s3:eu-west-1:{account(1, 'prod')}:accesspoint/acme-f44e64e7-130d7820"
    assert document(plan, "alpha/events.grant.beta.access-point")["Statement"][0] == {
        "Sid": "ReadForGrantedConsumer",
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{account(2, 'prod')}:role/datamesh/acme-beta-consumer"},
        "Action": READ,
        "Resource": [ap_arn, f"{ap_arn}/object/*"],
        "Condition": {"DateLessThan": {"aws:CurrentTime": "2027-07-01T00:00:00Z"}},
    }
    condition = document(plan, "beta.consumer-access")["Statement"][1]["Condition"]["StringLike"]
    assert condition["kms:EncryptionContext:aws:s3:arn"] == "arn:aws:s3:::acme-prod--*"
    assert resource(plan, "alpha/events.grant.beta.key-grant").inputs["constraints"] == [
        {"encryptionContextSubset": {"aws:s3:arn": "arn:aws:s3:::acme-prod--alpha--events"}}]


def test_retired_and_draft_products_have_no_grant_resources(plan: Plan) -> None:
    grant_children = [r.name for r in plan.resources if ".grant." in r.name]
    assert grant_children == [
        "alpha/events.grant._ext-8c62422b",
        "alpha/events.grant._ext-8c62422b.access-point",
        "alpha/events.grant._ext-8c62422b.key-grant",
        "alpha/events.grant.beta",
        "alpha/events.grant.beta.access-point",
        "alpha/events.grant.beta.key-grant",
    ]


# --- invariants over whole plans: the example (both environments) and a random mesh -----------


@pytest.fixture(scope="module", params=["example-dev", "example-prod", "random-dev"])
def any_plan(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Plan:
    kind, env = request.param.split("-")
    if kind == "example":
        return plan_of(EXAMPLE_DOMAINS, env, TODAY)
    return plan_of(random_spec(11).write(tmp_path_factory.mktemp("random")), env, TODAY)


def wildcard(principal: Any) -> bool:
    if principal == "*":
        return True
    values = principal.get("AWS", []) if isinstance(principal, dict) else []
    return "*" in ([values] if isinstance(values, str) else values)


def test_the_only_wildcard_allow_is_the_delegation_to_own_access_points(any_plan: Plan) -> None:
    by_name = any_plan.by_name()
    delegations = 0
    for type_token, name, doc in documents(any_plan):
        for statement in doc["Statement"]:
            if statement["Effect"] != "Allow" or not wildcard(statement.get("Principal", {})):
                continue
            resource = by_name[name]
            owner = by_name[resource.provider or ""].inputs["allowedAccountIds"][0]
            assert type_token == "aws:s3/bucketPolicy:BucketPolicy", name
            assert statement["Sid"] == "DelegateReadToOwnAccessPoints"
            assert statement["Condition"] == {"StringEquals": {"s3:DataAccessPointAccount": owner}}
            assert statement["Action"] == READ
            delegations += 1
    assert delegations == len(any_plan.of_type("aws:s3/bucketPolicy:BucketPolicy"))


def test_each_grant_has_one_access_point_and_one_kms_grant_naming_only_its_principal(any_plan: Plan) -> None:
    by_name = any_plan.by_name()
    for g in any_plan.grants:
        [component] = [r for r in any_plan.of_type("datamesh:mesh:AccessGrant")
                       if (r.inputs["product"], r.inputs["consumer"]) == (g.product, g.consumer)]
        principal = component.inputs["principal"]
        children = [r for r in any_plan.resources if r.parent == component.name]
        assert sorted(r.type for r in children) == ["aws:kms/grant:Grant", "aws:s3/accessPoint:AccessPoint"]
        ap = next(r for r in children if r.type == "aws:s3/accessPoint:AccessPoint")
        statements = json.loads(ap.inputs["policy"])["Statement"]
        assert [s["Principal"] for s in statements] == [{"AWS": principal}]
        # AWS itself ends access the day after `until`; a grant without end has no condition.
        end = [{"DateLessThan": {"aws:CurrentTime": f"{g.until + timedelta(days=1)}T00:00:00Z"}}] \
            if g.until else [None]
        assert [s.get("Condition") for s in statements] == end
        assert ap.inputs["bucket"] == by_name[f"{g.product}.bucket"].inputs["bucket"]
        key_grant = next(r for r in children if r.type == "aws:kms/grant:Grant")
        assert key_grant.inputs["granteePrincipal"] == principal
        assert key_grant.inputs["operations"] == ["Decrypt"]
    assert len(any_plan.of_type("aws:s3/accessPoint:AccessPoint")) == len(any_plan.grants)
    assert len(any_plan.of_type("aws:kms/grant:Grant")) == len(any_plan.grants)


def test_the_partner_policy_in_docs_access_md_is_the_generated_one() -> None:
    """docs/access.md tells partners the exact identity policy to attach: it must be what the mesh
    expects, i.e. the consumer policy for the partner's own access-point prefix."""
    text = (REPO / "docs" / "access.md").read_text(encoding="utf-8")
    marker = "<!-- partner-policy: daff dev arn:aws:iam::444455556666:role/yogaflow-reader -->\n```json\n"
    block = text.split(marker, 1)[1].split("```", 1)[0]
    arn = "arn:aws:iam::444455556666:role/yogaflow-reader"
    assert json.loads(block) == consumer_policy(access_point_prefix("daff", arn), "daff-dev--")
    # ... and the access point the document names is the one planned for that partner.
    plan = plan_of(EXAMPLE_DOMAINS, "dev", TODAY)
    ap = plan.by_name()[f"playlist/listening-sessions-v2.grant._ext-{h8(arn)}.access-point"]
    assert ap.inputs["name"] == "daff-cb20abf6-6a6d42a5"
    assert "accesspoint/daff-cb20abf6-6a6d42a5/" in text
