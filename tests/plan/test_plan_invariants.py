"""Direct assertions on the plan (spec-v1 "Invariants of the infrastructure"), per environment.

On the example mesh (domains/, 2026-11-25) and on a generated mesh of long names built to
stress S3's 63-character limit: bucket tags, lifecycle days, protect/retain flags, physical
names (length, validity, hashing, uniqueness), logical-name uniqueness and determinism.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from datamesh.mesh import ResolvedMesh
from datamesh.plan import Plan, build_plan, naming
from datamesh.resolve import load_mesh

REPO = Path(__file__).resolve().parents[2]
EXAMPLE_ROOT = REPO / "tests" / "fixtures" / "streaming"
EXAMPLE_DOMAINS = EXAMPLE_ROOT / "domains"
TODAY = date(2026, 11, 25)
BUCKET = "aws:s3/bucket:Bucket"
LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"
ACCESS_POINT = "aws:s3/accessPoint:AccessPoint"
KEY = "aws:kms/key:Key"
BUCKET_SETTINGS = {
    "aws:s3/bucketVersioning:BucketVersioning",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
    LIFECYCLE,
    "aws:s3/bucketPolicy:BucketPolicy",
}
S3_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$")


@pytest.fixture(scope="module")
def example() -> ResolvedMesh:
    resolution = load_mesh(str(EXAMPLE_DOMAINS), TODAY)
    assert resolution.mesh is not None, [d.format() for d in resolution.report.errors]
    return resolution.mesh


@pytest.fixture(scope="module", params=["dev", "prod"])
def plan(request: pytest.FixtureRequest, example: ResolvedMesh) -> Plan:
    return build_plan(example, request.param)


# --- buckets ------------------------------------------------------------------------------------


def test_every_product_has_one_bucket_with_the_mesh_tags(plan, example):
    buckets = {r.product: r for r in plan.of_type(BUCKET)}
    assert sorted(buckets) == sorted(example.products)  # retired and draft products too
    for key, product in example.products.items():
        domain = key.partition("/")[0]
        assert buckets[key].inputs["tags"] == {
            "mesh:domain": domain,
            "mesh:product": key,
            "mesh:classification": product.classification,
            "mesh:owner": example.domains[domain].owner.email,
            "mesh:status": product.status,
        }
        assert buckets[key].inputs["forceDestroy"] is False


def test_a_spot_check_of_one_bucket(example):
    plan = build_plan(example, "prod")
    bucket = plan.by_name()["playlist/listening-sessions.bucket"]
    assert bucket.inputs == {"bucket": "daff-prod--playlist--listening-sessions", "forceDestroy": False, "tags": {
        "mesh:domain": "playlist", "mesh:product": "playlist/listening-sessions",
        "mesh:classification": "confidential", "mesh:owner": "playlist-data@daff.example",
        "mesh:status": "deprecated"}}
    assert (bucket.parent, bucket.provider, bucket.domain) == (
        "playlist/listening-sessions", "playlist.aws", "playlist")


def test_lifecycle_expires_after_exactly_the_retention_days(plan, example):
    lifecycles = {r.product: r for r in plan.of_type(LIFECYCLE)}
    assert sorted(lifecycles) == sorted(example.products)
    for key, product in example.products.items():
        retention = product.retention
        [rule] = lifecycles[key].inputs["rules"]
        assert rule["status"] == "Enabled"
        assert rule["filter"] == {}  # every object
        assert rule["expiration"] == {"days": retention.days}
        assert rule["noncurrentVersionExpiration"] == {"noncurrentDays": retention.noncurrent_days}
        assert rule["abortIncompleteMultipartUpload"] == {"daysAfterInitiation": 7}
        if retention.archive_after_days is None:
            assert "transitions" not in rule
        else:
            assert rule["transitions"] == [{"days": retention.archive_after_days, "storageClass": "GLACIER_IR"}]


def test_lifecycle_spot_checks(example):
    by_name = build_plan(example, "dev").by_name()
    [sessions] = by_name["playlist/listening-sessions.lifecycle"].inputs["rules"]
    assert (sessions["expiration"], sessions["noncurrentVersionExpiration"], sessions["transitions"]) == (
        {"days": 400}, {"noncurrentDays": 30}, [{"days": 90, "storageClass": "GLACIER_IR"}])
    [retired] = by_name["player/device-stats.lifecycle"].inputs["rules"]
    assert (retired["expiration"], retired["noncurrentVersionExpiration"]) == ({"days": 90}, {"noncurrentDays": 30})
    assert "transitions" not in retired


def test_data_is_protected_and_retained_and_settings_are_retained(plan):
    for r in plan.resources:
        flags = (r.options.protect, r.options.retain_on_delete)
        if r.type in (BUCKET, KEY):
            assert flags == (True, True), r.name
        elif r.type in BUCKET_SETTINGS:
            assert flags == (False, True), r.name
        else:
            assert flags == (False, False), r.name


def test_bucket_settings_enforce_versioning_kms_and_no_public_access(plan):
    for r in plan.resources:
        i = r.inputs
        if r.type == "aws:s3/bucketVersioning:BucketVersioning":
            assert i["versioningConfiguration"] == {"status": "Enabled"}
        elif r.type == "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration":
            [rule] = i["rules"]
            assert rule["applyServerSideEncryptionByDefault"] == {
                "sseAlgorithm": "aws:kms", "kmsMasterKeyId": f"${{{r.domain}.key.arn}}"}
        elif r.type == "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock":
            assert [i[k] for k in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls",
                                   "restrictPublicBuckets")] == [True] * 4
        elif r.type == "aws:s3/bucketPolicy:BucketPolicy":
            deny = json.loads(i["policy"])["Statement"][0]
            assert (deny["Effect"], deny["Condition"]) == ("Deny", {"Bool": {"aws:SecureTransport": "false"}})
        elif r.type == LIFECYCLE:
            assert r.options.depends_on == (f"{r.product}.versioning",)


def test_a_retired_product_keeps_its_bucket_but_loses_its_access(example):
    plan = build_plan(example, "dev")
    names = plan.by_name()
    assert "player/device-stats.bucket" in names
    assert not [r for r in plan.resources if r.product == "player/device-stats" and r.type == ACCESS_POINT]
    producer = json.loads(names["player.producer-access"].inputs["policy"])
    assert names["player/device-stats.bucket"].inputs["bucket"] == "daff-dev--player--device-stats"
    # The domain's pattern matches the retired bucket's name; the producer policy names no retired
    # product: the bucket's own policy (retained on delete) denies every data action to everyone.
    assert producer["Statement"][0]["Resource"] == ["arn:aws:s3:::daff-dev--player--*/*"]
    assert not [s for s in producer["Statement"] if s["Effect"] == "Deny"]
    assert names["player/device-stats.policy"].options.retain_on_delete
    bucket_policy = json.loads(names["player/device-stats.policy"].inputs["policy"])
    [deny] = [s for s in bucket_policy["Statement"] if s["Sid"] == "DenyDataAccessRetired"]
    assert (deny["Effect"], deny["Principal"]) == ("Deny", "*")
    assert deny["Condition"] == {"ArnNotEquals": {"aws:PrincipalArn": "arn:aws:iam::110000000002:role/daff-deployer"}}
    assert deny["Resource"] == ["arn:aws:s3:::daff-dev--player--device-stats",
                                "arn:aws:s3:::daff-dev--player--device-stats/*"]
    granted = {a for s in producer["Statement"] if s["Effect"] == "Allow" for a in s["Action"] if a.startswith("s3:")}
    read = set(json.loads(names["player/device-stats.policy"].inputs["policy"])["Statement"][1]["Action"])
    assert set(deny["Action"]) == granted | read
    # Live products' bucket policies have no such Deny.
    assert [r.product for r in plan.of_type("aws:s3/bucketPolicy:BucketPolicy")
            if "DenyDataAccessRetired" in r.inputs["policy"]] == ["player/device-stats"]


def test_every_grant_has_exactly_one_access_point_naming_only_its_consumer(plan, example):
    points = plan.of_type(ACCESS_POINT)
    assert len(points) == len(plan.grants) == 16
    for grant in plan.grants:
        slug = naming.grant_slug(grant.consumer)
        [ap] = [r for r in points if r.name == f"{grant.product}.grant.{slug}.access-point"]
        principal = grant.consumer if grant.consumer.startswith("arn:") else naming.role_arn(
            example.account(grant.consumer, plan.environment), "daff", grant.consumer, "consumer")
        [statement] = json.loads(ap.inputs["policy"])["Statement"]
        assert statement["Principal"] == {"AWS": principal}
        assert ap.inputs["tags"]["mesh:consumer"] == grant.consumer
        assert ap.inputs["tags"]["mesh:grant-until"] == (grant.until.isoformat() if grant.until else "none")
    pending = {(p.product, p.consumer) for p in plan.pending}
    assert pending == {("artist-payments/royalty-statements", "partners"), ("partners/partner-reports", "artists")}
    for product, consumer in pending:
        assert not [r for r in points if r.name.startswith(f"{product}.grant.{consumer}.")]


def test_every_domain_resource_goes_through_its_own_accounts_provider(plan, example):
    providers = {r.name: r for r in plan.resources if r.is_provider}
    assert sorted(providers) == sorted(["_platform.aws", "_platform.discovery.k8s",
                                        *(f"{d}.aws" for d in example.domains)])
    for r in plan.resources:
        if r.domain is not None and not r.is_component and not r.is_provider:
            provider = providers[r.provider or ""]
            assert r.provider == f"{r.domain}.aws"
            assert provider.inputs["allowedAccountIds"] == [example.account(r.domain, plan.environment)]
            assert provider.inputs["region"] == example.region(r.domain)
            assert provider.inputs["assumeRoles"] == [{
                "roleArn": naming.deployer_role_arn(example.account(r.domain, plan.environment), "daff"),
                "sessionName": f"datamesh-daff-{plan.environment}"}]
    platform = providers["_platform.aws"].inputs
    assert platform["allowedAccountIds"] == [example.spec.platform.accounts[plan.environment]]


# --- names --------------------------------------------------------------------------------------


def test_logical_and_physical_names_are_unique_and_valid(plan):
    names = [r.name for r in plan.resources]
    assert len(names) == len(set(names))
    buckets = [r.inputs["bucket"] for r in plan.of_type(BUCKET)]
    assert len(buckets) == len(set(buckets))
    for r in plan.of_type(BUCKET):
        b = r.inputs["bucket"]
        assert 3 <= len(b) <= 63 and S3_NAME.match(b), b
        # "--" only as the two separators (slugs never hold it); no example name is long enough
        # to be cut and hashed, so each splits back into exactly its environment, domain, product.
        assert b.split("--") == [f"daff-{plan.environment}", r.domain, (r.product or "").partition("/")[2]], b
    points = [r.inputs["name"] for r in plan.of_type(ACCESS_POINT)]
    assert len(points) == len(set(points))
    assert all(3 <= len(p) <= 50 for p in points)


def test_environments_never_share_a_bucket(example):
    dev = {r.inputs["bucket"] for r in build_plan(example, "dev").of_type(BUCKET)}
    prod = {r.inputs["bucket"] for r in build_plan(example, "prod").of_type(BUCKET)}
    assert not dev & prod


def test_a_name_over_63_characters_is_cut_and_hashed():
    domain, product = "d" * 30, "p" * 40
    full = f"daff-prod--{domain}--{product}"
    assert len(full) == 83
    expected = f"{full[:54]}-{hashlib.sha256(full.encode()).hexdigest()[:8]}"
    assert naming.bucket_name("daff", "prod", domain, product) == expected
    assert len(expected) == 63 and S3_NAME.match(expected)


def test_a_cut_never_leaves_a_dangling_hyphen():
    # the 54th character is in the double hyphen between domain and product
    domain = "d" * (54 - len("daff-prod--") - 1)
    name = naming.bucket_name("daff", "prod", domain, "p" * 40)
    assert name == f"daff-prod--{domain}-{naming.h8(f'daff-prod--{domain}--' + 'p' * 40)}"
    assert len(name) == 62 and S3_NAME.match(name)


def test_names_are_unambiguous_across_domain_product_and_environment_boundaries():
    assert naming.bucket_name("acme", "dev", "a", "b-c") != naming.bucket_name("acme", "dev", "a-b", "c")
    assert naming.bucket_name("acme", "dev", "x-y", "p") != naming.bucket_name("acme", "dev-x", "y", "p")


def test_long_names_sharing_a_prefix_still_differ():
    a = naming.bucket_name("daff", "prod", "d" * 30, "shared-prefix-" + "x" * 25 + "a")
    b = naming.bucket_name("daff", "prod", "d" * 30, "shared-prefix-" + "x" * 25 + "b")
    assert a[:54] == b[:54] and a != b


def test_a_name_at_the_limit_is_kept_and_one_over_is_hashed():
    product63 = "p" * (63 - len("daff-prod--dom--"))
    assert naming.bucket_name("daff", "prod", "dom", product63) == f"daff-prod--dom--{product63}"
    assert len(naming.bucket_name("daff", "prod", "dom", product63 + "q")) == 63
    assert naming.bucket_name("daff", "prod", "dom", product63 + "q") != f"daff-prod--dom--{product63}q"[:63]


def test_a_reserved_s3_suffix_is_hashed_away():
    name = naming.bucket_name("daff", "dev", "logs", "s3alias")
    assert not name.endswith("-s3alias") and S3_NAME.match(name)


def write_long_named_mesh(root: Path, domains: int, products: int) -> Path:
    """Domains of 30 characters and products of 40 sharing long prefixes: every bucket is hashed."""
    (root / "mesh.yaml").parent.mkdir(parents=True, exist_ok=True)
    (root / "mesh.yaml").write_text(
        "apiVersion: datamesh/v1\nkind: Mesh\nname: longmeshname-abcdefg\nenvironments: [development, prod]\n"
        'platform: {accounts: {development: "900000000001", prod: "900000000002"}, region: eu-west-1}\n')
    for d in range(domains):
        name = f"domain-with-a-long-name-{d:06d}"
        assert len(name) == 30
        (root / name / "products").mkdir(parents=True)
        (root / name / "domain.yaml").write_text(
            f"apiVersion: datamesh/v1\nkind: Domain\nname: {name}\ndescription: D.\n"
            f'owner: {{team: T, email: t@x.example, github: "@x/t"}}\n'
            f'aws:\n  accounts: {{development: "1{d:011d}", prod: "2{d:011d}"}}\n')
        for p in range(products):
            product = f"product-with-a-very-long-shared-na-{p:05d}"
            assert len(product) == 40
            (root / name / "products" / f"{product}.yaml").write_text(
                f"apiVersion: datamesh/v1\nkind: DataProduct\nname: {product}\ndescription: P.\n"
                "version: 1.0.0\nclassification: internal\nretention: {days: 30}\nschema: {format: json}\n")
    return root


def test_a_mesh_of_long_names_gets_unique_valid_hashed_bucket_names(tmp_path):
    resolution = load_mesh(str(write_long_named_mesh(tmp_path / "domains", 4, 25)), TODAY)
    assert resolution.mesh is not None, [d.format() for d in resolution.report.errors]
    for env in ("development", "prod"):
        plan = build_plan(resolution.mesh, env)
        buckets = [r.inputs["bucket"] for r in plan.of_type(BUCKET)]
        assert len(buckets) == 100 == len(set(buckets))
        for b in buckets:
            assert len(b) == 63 and S3_NAME.match(b), b
            assert b.startswith(f"longmeshname-abcdefg-{env}--domain-with-a-long-")
        names = [r.name for r in plan.resources]
        assert len(names) == len(set(names))
        assert plan.errors == []


# --- determinism --------------------------------------------------------------------------------


def test_planning_twice_gives_the_same_plan(example):
    for env in ("dev", "prod"):
        assert build_plan(example, env).to_json() == build_plan(example, env).to_json()


def test_the_plan_does_not_depend_on_the_hash_seed():
    """Another process, another hash seed: the same bytes (no set or dict-order leak)."""
    outputs = []
    for seed in ("1", "2"):
        run = subprocess.run(
            [sys.executable, "-c", "import sys; from datamesh.cli.main import run; sys.exit(run())",
             "plan", "--today", "2026-11-25", "--format", "json", "--env", "prod"],
            cwd=EXAMPLE_ROOT, capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": seed}, check=False)
        assert run.returncode == 0, run.stderr
        outputs.append(run.stdout)
    assert len(json.loads(outputs[0])["resources"]) > 150
    assert outputs[0] == outputs[1]
