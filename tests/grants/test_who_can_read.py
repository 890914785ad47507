"""Who can read what: every (principal, product) pair evaluated through the planned policies.

The evaluator is principalmapper's local IAM authorization (NCC Group's Principal Mapper,
``principalmapper.querying``), not logic of this project. moto cannot do this: it ignores bucket
and access-point policies (ARCHITECTURE.md).

A read is ``s3:GetObject`` of an object in the product's bucket, then ``kms:Decrypt`` of its
data key. It is modelled the way AWS authorizes it:

- Through an access point (how every cross-account grant reads). The request's resource is the
  access point's object ARN. principalmapper's ``local_check_authorization_full`` evaluates it
  with the access point policy as the resource policy: for a caller of another account it needs
  an Allow in both the caller's identity policy and the access point policy. Then the bucket
  policy must allow the same request on the bucket's object ARN, with the condition keys S3 sets
  for access-point requests (``s3:DataAccessPointAccount``, ``s3:DataAccessPointArn``) and
  without an explicit Deny (``resource_policy_authorization``).
- Directly on the bucket: ``local_check_authorization_full`` with the bucket policy.
- KMS: the key policy path is evaluated by principalmapper (``local_check_authorization_full``
  with the key policy; for KMS even the key's own account needs the key policy). KMS *grants*
  are not policies and principalmapper does not model them, so the grant path is a documented
  check of the planned ``aws:kms/grant:Grant`` resources: a grant on the bucket's key whose
  ``granteePrincipal`` is the caller, whose operations include ``Decrypt`` and whose
  ``encryptionContextSubset`` is contained in the request's encryption context (with S3 Bucket
  Keys: ``{"aws:s3:arn": <bucket ARN>}``). The caller's own side of the grant path — its identity
  policy allowing ``kms:Decrypt`` with ``kms:ViaService`` and ``kms:EncryptionContext:aws:s3:arn``
  — is evaluated by principalmapper.
- Time: an access point policy of a grant with ``until`` allows only while ``aws:CurrentTime`` is
  before the day after ``until``. Every request passes ``aws:CurrentTime`` explicitly (else
  principalmapper fills in the wall clock): by default the last second of the plan's evaluation
  day, so grants ending that day still read; ``World.of(plan, now=…)`` evaluates at another instant.

Principals: every domain's consumer and producer role with its planned inline policies (so the
consumer roles of domains whose requests are pending or expired too), every external principal
named in any approval (active or not) and an unnamed role of a registered partner account, each
with the identity policy docs/access.md tells partners to attach, and a role of an account the
mesh does not know. External roles are evaluated a second time with an administrator's identity
policy (``s3:*`` and ``kms:*`` on everything): what they can read must not change, because the
producer's side alone decides.

Expected: the principals that can read through an access point are exactly the plan's grants;
the ones that can read directly are exactly the producers, each of its own non-retired products
(same account: their identity policy allows, the bucket policy does not deny). Nobody reads a
retired product (its bucket policy denies every data action to everyone); nobody writes through
an access point; plain HTTP is denied to everyone by the bucket policy.

Producers write by a bucket-name pattern (``<mesh>-<env>--<domain>--*``) limited to their own
account: every request carries ``aws:ResourceAccount`` (the account owning the bucket, which S3
sets on every request), so a bucket of the same name in another account is evaluated as such.
The pattern matches retired products too: their producers' direct access is evaluated with the
bucket policy, whose Deny (retained on delete) takes it back, even after the spec file is gone.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from datamesh.plan import Plan
from datamesh.plan.documents import BUCKET_LEVEL_ACTIONS, WRITE_OBJECT_ACTIONS, consumer_policy
from datamesh.plan.naming import access_point_prefix, bucket_prefix
from grants.evaluator import (
    Node,
    Policy,
    ResourcePolicyEvalResult,
    local_check_authorization,
    local_check_authorization_full,
    resource_policy_authorization,
)
from grants.support import (
    EXAMPLE_DOMAINS,
    EXTERNAL_ROLES,
    TODAY,
    Approval,
    DomainSpec,
    ProductSpec,
    Spec,
    account,
    concrete,
    key_arn,
    oracle_grants,
    plan_of,
    random_spec,
)

OBJECT = "data/part-00000.parquet"
UNKNOWN_ACCOUNT_ROLE = "arn:aws:iam::999988887777:role/intruder"
ADMIN = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["s3:*", "kms:*"], "Resource": "*"}]}

Pair = tuple[str, str]
"""(principal ARN, product key)."""


@dataclass(frozen=True)
class Product:
    key: str
    domain: str
    status: str
    bucket: str
    owner: str
    region: str
    bucket_policy: dict[str, Any]
    key_arn: str
    key_policy: dict[str, Any]
    bucket_keys: bool

    @property
    def bucket_arn(self) -> str:
        return f"arn:aws:s3:::{self.bucket}"

    @property
    def object_arn(self) -> str:
        return f"{self.bucket_arn}/{OBJECT}"

    @property
    def encryption_context(self) -> str:
        """With S3 Bucket Keys the data key's encryption context is the bucket ARN."""
        return self.bucket_arn if self.bucket_keys else self.object_arn


@dataclass(frozen=True)
class AccessPoint:
    arn: str
    bucket: str
    owner: str
    policy: dict[str, Any]


@dataclass
class World:
    """The planned resources that decide access, read out of one plan."""

    plan: Plan
    roles: dict[str, Node]
    products: dict[str, Product]
    access_points: list[AccessPoint]
    kms_grants: list[dict[str, Any]]
    now: str
    """``aws:CurrentTime`` of every request (ISO 8601 in UTC, with its ``Z``)."""

    @classmethod
    def of(cls, plan: Plan, now: str | None = None) -> World:
        by_name = plan.by_name()

        def account_region(provider: str | None) -> tuple[str, str]:
            inputs = by_name[provider or ""].inputs
            return inputs["allowedAccountIds"][0], inputs["region"]

        def doc(text: str) -> dict[str, Any]:
            return json.loads(concrete(plan, text))

        inline: dict[str, list[Policy]] = {}
        for r in plan.of_type("aws:iam/rolePolicy:RolePolicy"):
            inline.setdefault(r.inputs["role"], []).append(
                Policy(r.inputs["role"], r.inputs["name"], doc(r.inputs["policy"])))
        roles = {}
        for r in plan.of_type("aws:iam/role:Role"):
            acct, _ = account_region(r.provider)
            arn = f"arn:aws:iam::{acct}:role{r.inputs['path']}{r.inputs['name']}"
            roles[arn] = node(arn, inline.get(r.inputs["name"], []), doc(r.inputs["assumeRolePolicy"]))

        policies = {r.inputs["bucket"]: doc(r.inputs["policy"])
                    for r in plan.of_type("aws:s3/bucketPolicy:BucketPolicy")}
        encryption = {r.inputs["bucket"]: r.inputs["rules"][0] for r in plan.of_type(
            "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration")}
        keys = {r.domain: doc(r.inputs["policy"]) for r in plan.of_type("aws:kms/key:Key")}
        products = {}
        for r in plan.of_type("aws:s3/bucket:Bucket"):
            bucket, domain = r.inputs["bucket"], r.domain or ""
            acct, region = account_region(r.provider)
            rule = encryption[bucket]
            products[r.product or ""] = Product(
                key=r.product or "", domain=domain, status=r.inputs["tags"]["mesh:status"],
                bucket=bucket, owner=acct, region=region, bucket_policy=policies[bucket],
                key_arn=concrete(plan, rule["applyServerSideEncryptionByDefault"]["kmsMasterKeyId"]),
                key_policy=keys[domain], bucket_keys=rule["bucketKeyEnabled"])
        access_points = []
        for r in plan.of_type("aws:s3/accessPoint:AccessPoint"):
            acct, region = account_region(r.provider)
            access_points.append(AccessPoint(f"arn:aws:s3:{region}:{acct}:accesspoint/{r.inputs['name']}",
                                             r.inputs["bucket"], acct, doc(r.inputs["policy"])))
        kms_grants = [{**r.inputs, "keyId": concrete(plan, r.inputs["keyId"])}
                      for r in plan.of_type("aws:kms/grant:Grant")]
        return cls(plan, roles, products, access_points, kms_grants, now or last_second_of(plan.today))

    def access_points_of(self, product: Product) -> Iterator[AccessPoint]:
        return (ap for ap in self.access_points if ap.bucket == product.bucket)

    # --- S3 -------------------------------------------------------------------------------------

    def s3_via_access_point(self, who: Node, product: Product, action: str = "s3:GetObject",
                            secure: bool = True) -> bool:
        for ap in self.access_points_of(product):
            context = {"aws:SecureTransport": str(secure).lower(), "s3:DataAccessPointAccount": ap.owner,
                       "s3:DataAccessPointArn": ap.arn, "aws:ResourceAccount": ap.owner,
                       "aws:CurrentTime": self.now}
            if not local_check_authorization_full(who, action, f"{ap.arn}/object/{OBJECT}", context,
                                                  ap.policy, ap.owner):
                continue
            bucket = resource_policy_authorization(who, product.owner, product.bucket_policy, action,
                                                   product.object_arn, context)
            if bucket is ResourcePolicyEvalResult.DENY_MATCH:
                continue
            if bucket is ResourcePolicyEvalResult.NO_MATCH and not (
                    account_of(who) == product.owner
                    and local_check_authorization(who, action, product.object_arn, context)):
                continue
            return True
        return False

    def s3_direct(self, who: Node, product: Product, action: str = "s3:GetObject", secure: bool = True) -> bool:
        """A request by bucket name; S3 sets ``aws:ResourceAccount`` to the bucket owner's account."""
        return bool(local_check_authorization_full(who, action, product.object_arn,
                                                   {"aws:SecureTransport": str(secure).lower(),
                                                    "aws:ResourceAccount": product.owner,
                                                    "aws:CurrentTime": self.now},
                                                   product.bucket_policy, product.owner))

    # --- KMS ------------------------------------------------------------------------------------

    def kms_context(self, who: Node, product: Product) -> dict[str, str]:
        """The condition keys of the Decrypt S3 makes for the caller while serving a GetObject."""
        return {"kms:ViaService": f"s3.{product.region}.amazonaws.com",
                "kms:EncryptionContext:aws:s3:arn": product.encryption_context,
                "kms:CallerAccount": account_of(who), "aws:SecureTransport": "true",
                "aws:CurrentTime": self.now}

    def kms_via_key_policy(self, who: Node, product: Product) -> bool:
        context = self.kms_context(who, product)
        return bool(local_check_authorization_full(who, "kms:Decrypt", product.key_arn, context,
                                                   product.key_policy, product.owner))

    def kms_grant_names(self, who: Node, product: Product) -> bool:
        """The documented grant model: a planned grant on the bucket's key for exactly this caller."""
        request_context = {"aws:s3:arn": product.encryption_context}
        for g in self.kms_grants:
            subsets = [c.get("encryptionContextSubset", {}) for c in g.get("constraints", [])]
            if (g["keyId"] == product.key_arn and g["granteePrincipal"] == who.arn
                    and "Decrypt" in g["operations"]
                    and all(s.items() <= request_context.items() for s in subsets)):
                return True
        return False

    def kms_identity_allows(self, who: Node, product: Product) -> bool:
        context = self.kms_context(who, product)
        return bool(local_check_authorization(who, "kms:Decrypt", product.key_arn, context))

    def kms(self, who: Node, product: Product) -> bool:
        return self.kms_via_key_policy(who, product) or (
            self.kms_grant_names(who, product) and self.kms_identity_allows(who, product))

    # --- the matrix -----------------------------------------------------------------------------

    def readers(self, principals: list[Node]) -> tuple[set[Pair], set[Pair]]:
        """(pairs reading through an access point, pairs reading the bucket directly)."""
        via_ap, direct = set(), set()
        for who in principals:
            for product in self.products.values():
                kms = self.kms(who, product)
                if kms and self.s3_via_access_point(who, product):
                    via_ap.add((who.arn, product.key))
                if kms and self.s3_direct(who, product):
                    direct.add((who.arn, product.key))
        return via_ap, direct

    def consumer_arn(self, consumer: str) -> str:
        if consumer.startswith("arn:"):
            return consumer
        inputs = self.plan.by_name()[f"{consumer}.aws"].inputs
        return f"arn:aws:iam::{inputs['allowedAccountIds'][0]}:role/datamesh/{self.plan.mesh}-{consumer}-consumer"

    def producer_arn(self, domain: str) -> str:
        return self.consumer_arn(domain).removesuffix("-consumer") + "-producer"


def last_second_of(day: date) -> str:
    return f"{day.isoformat()}T23:59:59Z"


def account_of(who: Node) -> str:
    return who.arn.split(":")[4]


def node(arn: str, policies: list[Policy], trust: dict[str, Any] | None = None) -> Node:
    role_id = "AROA" + hashlib.sha256(arn.encode()).hexdigest()[:17].upper()
    return Node(arn, role_id, policies, [], trust or {}, None, 0, False, False, None, False, {})


def partner(arn: str, plan: Plan, admin: bool = False) -> Node:
    """An external role with what docs/access.md tells partners to attach (or an admin policy)."""
    documented = consumer_policy(access_point_prefix(plan.mesh, arn), bucket_prefix(plan.mesh, plan.environment))
    return node(arn, [Policy(arn, "mesh-read", ADMIN if admin else documented)])


def externals(plan: Plan, approved: set[str]) -> list[str]:
    unnamed = f"arn:aws:iam::{EXTERNAL_ROLES[0].split(':')[4]}:role/not-approved-anywhere"
    return sorted(approved | {unnamed, UNKNOWN_ACCOUNT_ROLE})


@dataclass
class Verdict:
    world: World
    principals: list[Node]
    expected: set[Pair]
    own: set[Pair]
    via_ap: set[Pair]
    direct: set[Pair]


def evaluate(plan: Plan, approved_principals: set[str], now: str | None = None) -> Verdict:
    world = World.of(plan, now)
    external = externals(plan, approved_principals)
    principals = [*world.roles.values(), *(partner(a, plan) for a in external)]
    expected = {(world.consumer_arn(g.consumer), g.product) for g in plan.grants}
    own = {(world.producer_arn(p.domain), p.key) for p in world.products.values() if p.status != "retired"}
    via_ap, direct = world.readers(principals)
    return Verdict(world, principals, expected, own, via_ap, direct)


def approved_principals_of_example() -> set[str]:
    from datamesh.resolve import load_mesh

    mesh = load_mesh(str(EXAMPLE_DOMAINS), TODAY).mesh
    assert mesh is not None, "the example mesh must resolve without errors"
    return {a.principal for p in mesh.products.values() for a in p.sharing.approved if a.principal}


SEEDS = (7, 2026)
MESHES = ["example-dev", "example-prod", *(f"generated-{seed}" for seed in SEEDS)]


class Meshes:
    """Each evaluated mesh, built once per module: the example (dev and prod) and two random
    meshes of 8 domains and 30 products (seeds 7 and 2026)."""

    def __init__(self, tmp: pytest.TempPathFactory) -> None:
        self.tmp = tmp
        self.done: dict[str, Verdict] = {}

    def __getitem__(self, name: str) -> Verdict:
        if name not in self.done:
            kind, _, arg = name.partition("-")
            if kind == "example":
                plan = plan_of(EXAMPLE_DOMAINS, arg, TODAY)
                self.done[name] = evaluate(plan, approved_principals_of_example())
            else:
                spec = random_spec(int(arg), n_domains=8, n_products=30)
                plan = plan_of(spec.write(self.tmp.mktemp(name)), "dev", TODAY)
                # The plan's grants are the spec's, restated independently of datamesh.grants.
                assert {(g.product, g.consumer) for g in plan.grants} == oracle_grants(spec, TODAY)
                approved = {a.principal for p in spec.products for a in p.approved if a.principal}
                self.done[name] = evaluate(plan, approved)
        return self.done[name]


@pytest.fixture(scope="module")
def meshes(tmp_path_factory: pytest.TempPathFactory) -> Meshes:
    return Meshes(tmp_path_factory)


@pytest.fixture(params=["dev", "prod"])
def example(request: pytest.FixtureRequest, meshes: Meshes) -> Verdict:
    return meshes[f"example-{request.param}"]


# --- the example mesh -------------------------------------------------------------------------


def test_example_readers_through_access_points_are_exactly_the_grants(example: Verdict) -> None:
    assert example.via_ap == example.expected
    assert len(example.expected) == 16
    # The matrix: 12 roles (6 domains) and 4 external principals, times 12 products.
    assert (len(example.principals), len(example.world.products)) == (16, 12)


def test_example_producers_read_their_own_live_products_directly_and_nothing_else(example: Verdict) -> None:
    assert example.direct == example.own


def test_example_who_can_read_spelled_out(example: Verdict) -> None:
    """The example's readers by role name, so a change of the example is reviewed here."""
    readable = {(arn.rsplit("/", 1)[1].removeprefix("daff-"), product) for arn, product in example.via_ap}
    assert readable == {
        ("artists-consumer", "artist-payments/royalty-statements"),
        ("artist-payments-consumer", "artists/artist-catalog"),
        ("partners-consumer", "artists/artist-catalog"),
        ("playlist-consumer", "artists/artist-catalog"),
        ("artist-payments-consumer", "artists/artist-popularity"),
        ("artist-payments-consumer", "listeners/listener-profiles"),
        ("playlist-consumer", "listeners/listener-profiles"),
        ("player-consumer", "listeners/signups"),
        ("yogaflow-reports", "partners/partner-reports"),
        ("artist-payments-consumer", "player/play-events"),
        ("artists-consumer", "player/play-events"),
        ("playlist-consumer", "player/play-events"),
        ("playlist-consumer", "player/skip-events"),
        ("artists-consumer", "playlist/listening-sessions"),  # deprecated: still grants
        ("yogaflow-reader", "playlist/listening-sessions-v2"),
        ("partners-consumer", "playlist/listening-sessions-v2"),
    }


def test_example_pending_and_expired_requesters_read_nothing_of_what_they_asked(example: Verdict) -> None:
    partners = example.world.consumer_arn("partners")
    artists = example.world.consumer_arn("artists")
    assert (partners, "artist-payments/royalty-statements") not in example.via_ap  # expired
    assert (artists, "partners/partner-reports") not in example.via_ap  # never approved


# --- a generated mesh -------------------------------------------------------------------------


@pytest.fixture(params=SEEDS)
def generated(request: pytest.FixtureRequest, meshes: Meshes) -> Verdict:
    return meshes[f"generated-{request.param}"]


def test_generated_readers_through_access_points_are_exactly_the_grants(generated: Verdict) -> None:
    assert generated.via_ap == generated.expected
    assert len(generated.world.products) == 30 and len(generated.principals) >= 16 + 2
    assert generated.expected, "the seed should produce grants"


def test_generated_producers_read_their_own_live_products_directly(generated: Verdict) -> None:
    assert generated.direct == generated.own


# --- properties of both -----------------------------------------------------------------------


@pytest.fixture(params=MESHES)
def verdict(request: pytest.FixtureRequest, meshes: Meshes) -> Verdict:
    return meshes[request.param]


def test_nobody_reads_a_retired_product(verdict: Verdict) -> None:
    retired = {p.key for p in verdict.world.products.values() if p.status == "retired"}
    assert retired, "the mesh should have a retired product"
    assert not {pair for pair in verdict.via_ap | verdict.direct if pair[1] in retired}


def test_the_kms_side_matches_the_s3_side(verdict: Verdict) -> None:
    """Every grant's consumer can decrypt (grant + its identity policy); no one else has a grant."""
    world = verdict.world
    for who in verdict.principals:
        for product in world.products.values():
            granted = (who.arn, product.key) in verdict.expected
            assert world.kms_grant_names(who, product) == granted, (who.arn, product.key)
            if granted:
                assert world.kms_identity_allows(who, product), (who.arn, product.key)
                assert not world.kms_via_key_policy(who, product) or account_of(who) == product.owner


def test_s3_alone_admits_only_grants_even_for_partner_administrators(verdict: Verdict) -> None:
    """A partner's own administrators may attach anything: the producer side still decides.
    Without the KMS side, through any access point: exactly the external grants."""
    world = verdict.world
    arns = [n.arn for n in verdict.principals if ":role/datamesh/" not in n.arn]
    admins = [partner(arn, world.plan, admin=True) for arn in arns]
    reads = {(who.arn, p.key) for who in admins for p in world.products.values()
             if world.s3_via_access_point(who, p) or world.s3_direct(who, p)}
    assert reads == {pair for pair in verdict.expected if pair[0] in arns}


def test_nobody_writes_or_deletes_through_an_access_point(verdict: Verdict) -> None:
    world = verdict.world
    for who in verdict.principals:
        for product in world.products.values():
            for action in ("s3:PutObject", "s3:DeleteObject", "s3:PutObjectAcl"):
                assert not world.s3_via_access_point(who, product, action), (who.arn, product.key, action)


def test_plain_http_is_denied_to_everyone(verdict: Verdict) -> None:
    world = verdict.world
    for product in world.products.values():
        for who in verdict.principals:
            context = {"aws:SecureTransport": "false", "s3:DataAccessPointAccount": product.owner}
            assert resource_policy_authorization(
                who, product.owner, product.bucket_policy, "s3:GetObject", product.object_arn,
                context) is ResourcePolicyEvalResult.DENY_MATCH
            assert not world.s3_via_access_point(who, product, secure=False)
            assert not world.s3_direct(who, product, secure=False)


def test_each_readers_access_point_carries_its_grants_end_date(verdict: Verdict) -> None:
    """The access point a reader uses is tagged with its grant's ``until`` for the policy pack."""
    plan = verdict.world.plan
    tags = {(r.inputs["tags"]["mesh:consumer"], r.inputs["tags"]["mesh:product"]): r.inputs["tags"]
            for r in plan.of_type("aws:s3/accessPoint:AccessPoint")}
    assert len(tags) == len(plan.grants)
    for g in plan.grants:
        assert tags[(g.consumer, g.product)]["mesh:grant-until"] == (g.until.isoformat() if g.until else "none")


def test_the_key_arn_placeholder_is_resolved_per_domain(example: Verdict) -> None:
    world = example.world
    assert key_arn(world.plan, "player").startswith("arn:aws:kms:eu-west-1:")
    assert all(p.key_arn == key_arn(world.plan, p.domain) for p in world.products.values())


def test_principalmapper_is_the_evaluator_not_a_stub() -> None:
    """Sanity of the evaluator itself on a textbook case: a cross-account caller needs both sides."""
    caller = node("arn:aws:iam::111111111111:role/r", [Policy("x", "p", ADMIN)])
    resource_policy = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:role/r"},
         "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}
    assert local_check_authorization_full(caller, "s3:GetObject", "arn:aws:s3:::b/k", {}, resource_policy,
                                          "222222222222")
    assert not local_check_authorization_full(caller, "s3:GetObject", "arn:aws:s3:::b/k", {},
                                              {"Version": "2012-10-17", "Statement": []}, "222222222222")
    bare = node("arn:aws:iam::111111111111:role/r", [])
    assert not local_check_authorization_full(bare, "s3:GetObject", "arn:aws:s3:::b/k", {}, resource_policy,
                                              "222222222222")



# --- time: AWS itself ends a grant on the day after its `until` -------------------------------

EXPIRING_PARTNER = "arn:aws:iam::444455556666:role/partner-reader"


def expiring_mesh_plan(root: Path) -> Plan:
    """alpha/events: beta until 2027-06-30 and a partner until 2027-01-31; alpha/feed is open
    (a grant without end); beta asks for both. Planned on TODAY, when every grant is live."""
    spec = Spec(
        domains=[DomainSpec("alpha", {e: account(1, e) for e in ("dev", "prod")}),
                 DomainSpec("beta", {e: account(2, e) for e in ("dev", "prod")},
                            consumes=["alpha/events", "alpha/feed"])],
        products=[ProductSpec("alpha", "events", approved=[
                      Approval(domain="beta", until=date(2027, 6, 30)),
                      Approval(principal=EXPIRING_PARTNER, until=date(2027, 1, 31))]),
                  ProductSpec("alpha", "feed", mode="open")],
    )
    return plan_of(spec.write(root), "dev", TODAY)


@pytest.mark.parametrize(("now", "beta_reads_events", "partner_reads_events"), [
    ("2026-11-25T23:59:59Z", True, True),    # the plan's evaluation day
    ("2027-01-30T12:00:00Z", True, True),    # the day before the partner's last day
    ("2027-01-31T23:59:59Z", True, True),    # the partner's last second (`until` is inclusive)
    ("2027-02-01T00:00:00Z", True, False),   # the partner's grant is over, by AWS's clock
    ("2027-06-29T12:00:00Z", True, False),   # the day before beta's last day
    ("2027-06-30T23:59:59Z", True, False),   # beta's last second
    ("2027-07-01T00:00:00Z", False, False),  # beta's grant is over too
    ("2030-01-01T00:00:00Z", False, False),
])
def test_the_access_point_policy_ends_a_grant_by_aws_clock(tmp_path: Path, now: str, beta_reads_events: bool,
                                                          partner_reads_events: bool) -> None:
    """Without any deployment: the plan still has every access point (it was made while the
    grants were live); only ``aws:CurrentTime`` moves, and the access point policy decides."""
    plan = expiring_mesh_plan(tmp_path)
    world = World.of(plan, now)
    beta = world.roles[world.consumer_arn("beta")]
    reader = partner(EXPIRING_PARTNER, plan)
    events, feed = world.products["alpha/events"], world.products["alpha/feed"]

    def ap_policy_allows(who: Node, product: Product) -> bool:
        """principalmapper on the access point policy alone, with aws:CurrentTime = ``now``."""
        [ap] = [ap for ap in world.access_points_of(product) if who.arn in json.dumps(ap.policy)]
        context = {"aws:SecureTransport": "true", "s3:DataAccessPointAccount": ap.owner,
                   "s3:DataAccessPointArn": ap.arn, "aws:CurrentTime": now}
        return bool(local_check_authorization_full(who, "s3:GetObject", f"{ap.arn}/object/{OBJECT}", context,
                                                   ap.policy, ap.owner))

    assert ap_policy_allows(beta, events) is beta_reads_events
    assert ap_policy_allows(reader, events) is partner_reads_events
    # ... and so the whole read (identity, access point, bucket policy and KMS grant) with it.
    assert world.kms(beta, events) and world.kms(reader, events)  # KMS alone would still say yes
    assert world.s3_via_access_point(beta, events) is beta_reads_events
    assert world.s3_via_access_point(reader, events) is partner_reads_events
    # A grant without `until` (open product) has no time condition: it never ends by itself.
    assert ap_policy_allows(beta, feed) and world.s3_via_access_point(beta, feed)


def test_example_readers_at_the_end_of_each_grant_are_the_grants_still_running(example: Verdict) -> None:
    """The example's whole matrix evaluated at the first instant after each grant's last day:
    the readers are exactly the grants whose `until` is absent or not yet passed."""
    plan = example.world.plan
    ends = sorted({g.until + timedelta(days=1) for g in plan.grants if g.until is not None})
    assert len(ends) >= 3
    for end in ends:
        later = evaluate(plan, approved_principals_of_example(), now=f"{end.isoformat()}T00:00:00Z")
        running = {(later.world.consumer_arn(g.consumer), g.product) for g in plan.grants
                   if g.until is None or g.until >= end}
        assert later.via_ap == running, end
        assert running < example.expected  # each end removes at least one reader
        assert later.direct == example.direct  # producers' own reads have no end


# --- producers: their own live products, in their own account, nothing else -----------------

PRODUCER_ACTIONS = [*WRITE_OBJECT_ACTIONS, *BUCKET_LEVEL_ACTIONS]
FOREIGN_ACCOUNT = UNKNOWN_ACCOUNT_ROLE.split(":")[4]
OPEN_BUCKET = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*"}]}
"""The policy of a bucket an attacker creates to receive data: anyone may do anything."""


def producer_may(world: World, who: Node, action: str, bucket: str, owner: str,
                 bucket_policy: dict[str, Any] | None = None) -> bool:
    """``action`` by ``who`` on bucket ``bucket`` of account ``owner`` (on one of its objects
    for object actions), by the bucket's name. Without ``bucket_policy``: the identity policy
    alone (the producer's own account, whose bucket policies add no Allow for it)."""
    arn = f"arn:aws:s3:::{bucket}"
    resource = f"{arn}/{OBJECT}" if action in WRITE_OBJECT_ACTIONS else arn
    context = {"aws:SecureTransport": "true", "aws:ResourceAccount": owner, "aws:CurrentTime": world.now}
    if bucket_policy is None:
        return bool(local_check_authorization(who, action, resource, context))
    return bool(local_check_authorization_full(who, action, resource, context, bucket_policy, owner))


def test_producers_write_exactly_their_own_live_products(verdict: Verdict) -> None:
    """Every producer action, every producer, every product, with the product's bucket policy:
    allowed exactly for the domain's own non-retired products. The identity policy's pattern
    matches the retired ones too; their bucket policy denies them."""
    world = verdict.world
    for domain in sorted({p.domain for p in world.products.values()}):
        who = world.roles[world.producer_arn(domain)]
        account = account_of(who)
        for product in world.products.values():
            own = product.domain == domain and product.status != "retired"
            mine = product.domain == domain
            for action in PRODUCER_ACTIONS:
                assert producer_may(world, who, action, product.bucket, product.owner,
                                    product.bucket_policy) is own, (domain, product.key, action)
                # Even with the bucket in the producer's own account, another domain's name is no match.
                assert producer_may(world, who, action, product.bucket, account,
                                    product.bucket_policy) is own, (domain, product.key, action)
                # The identity policy alone: the whole domain, retired products included.
                assert producer_may(world, who, action, product.bucket, account) is mine, (
                    domain, product.key, action)


def retired_world(root: Path, keep_file: bool) -> World:
    """alpha: ``events`` live and, while its file is kept, ``old`` retired; beta reads events."""
    products = [ProductSpec("alpha", "events", mode="open")]
    if keep_file:
        products.append(ProductSpec("alpha", "old", status="retired", mode="open"))
    spec = Spec(domains=[DomainSpec("alpha", {e: account(1, e) for e in ("dev", "prod")}),
                         DomainSpec("beta", {e: account(2, e) for e in ("dev", "prod")},
                                    consumes=["alpha/events"])],
                products=products)
    return World.of(plan_of(spec.write(root), "dev", TODAY))


def test_the_retained_bucket_policy_of_a_retired_product_denies_its_producer_after_the_file_is_gone(
        tmp_path: Path) -> None:
    """(a) of the design: the retired product's file is removed, its bucket and bucket policy
    stay in AWS (retained on delete). The producer policy planned *without* the file allows the
    domain's whole prefix, the retained bucket's name included; the retained bucket policy, planned
    while the product was retired, still denies every data action to the producer and anyone."""
    with_file = retired_world(tmp_path / "with", keep_file=True)
    without = retired_world(tmp_path / "without", keep_file=False)
    assert "alpha/old" not in without.products
    retained = with_file.products["alpha/old"]
    producer = without.roles[without.producer_arn("alpha")]
    # The producer policy does not change when the file goes: it never named the retired product.
    assert producer.attached_policies[0].policy_doc == \
        with_file.roles[with_file.producer_arn("alpha")].attached_policies[0].policy_doc
    actions = list(dict.fromkeys([*PRODUCER_ACTIONS, "s3:GetObject", "s3:GetObjectVersion", "s3:ListBucket"]))
    for action in actions:
        assert producer_may(without, producer, action, retained.bucket, retained.owner), action  # identity alone
        assert not producer_may(without, producer, action, retained.bucket, retained.owner,
                                retained.bucket_policy), action
    # Its bucket policy without the Deny (the product while it was live) would let it in: the
    # Deny, not some other statement, is what keeps it out.
    live_policy = {**retained.bucket_policy,
                   "Statement": [s for s in retained.bucket_policy["Statement"]
                                 if s["Sid"] != "DenyDataAccessRetired"]}
    assert len(live_policy["Statement"]) == 2
    for action in actions:
        assert producer_may(without, producer, action, retained.bucket, retained.owner, live_policy), action
    # Directly by name, with the retained policy: neither the producer nor beta; the live product
    # is untouched.
    beta = without.roles[without.consumer_arn("beta")]
    for who in (producer, beta):
        assert not without.s3_direct(who, retained)
    assert without.s3_direct(producer, without.products["alpha/events"])


def test_the_deployer_alone_is_exempted_from_the_retired_deny(example: Verdict) -> None:
    """The deployer role (no object permission; ``s3:ListBucket`` for its provider's HeadBucket)
    may still list a retired bucket; the same identity policy on any other role may not."""
    world = example.world
    [retired] = [p for p in world.products.values() if p.status == "retired"]
    listing = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["s3:ListBucket", "s3:GetBucketLocation"], "Resource": "*"}]}
    deployer = node(f"arn:aws:iam::{retired.owner}:role/{world.plan.mesh}-deployer", [Policy("d", "d", listing)])
    impostor = node(f"arn:aws:iam::{retired.owner}:role/{world.plan.mesh}-deployer-2", [Policy("d", "d", listing)])
    for action in ("s3:ListBucket", "s3:GetBucketLocation"):
        assert producer_may(world, deployer, action, retired.bucket, retired.owner, retired.bucket_policy)
        assert not producer_may(world, impostor, action, retired.bucket, retired.owner, retired.bucket_policy)


def test_a_producer_cannot_write_to_a_look_alike_bucket_in_another_account(example: Verdict) -> None:
    """Exfiltration: anyone may create ``daff-dev--playlist--<anything>`` in their own account and
    open it to everyone. The name matches the producer's pattern; the account does not."""
    world = example.world
    for product in world.products.values():
        if product.status == "retired":
            continue
        who = world.roles[world.producer_arn(product.domain)]
        prefix = product.bucket.rsplit("--", 1)[0]
        for bucket in (product.bucket, f"{prefix}--exfil"):
            for action in PRODUCER_ACTIONS:
                assert producer_may(world, who, action, bucket, product.owner), (bucket, action)  # control
                assert not producer_may(world, who, action, bucket, FOREIGN_ACCOUNT), (bucket, action)
                assert not producer_may(world, who, action, bucket, FOREIGN_ACCOUNT, OPEN_BUCKET), (
                    bucket, action)


def test_a_domain_named_like_the_start_of_another_gets_none_of_its_buckets(tmp_path: Path) -> None:
    """Domain ``a`` (pattern ``acme-dev--a--*``) and domain ``a-b`` (``acme-dev--a-b--*``):
    ``a``'s product ``b-c`` and ``a-b``'s product ``c`` share every character but the position
    of the double dash. Neither producer touches the other's bucket, even in its own account."""
    spec = Spec(
        domains=[DomainSpec("a", {e: account(1, e) for e in ("dev", "prod")}),
                 DomainSpec("a-b", {e: account(2, e) for e in ("dev", "prod")})],
        products=[ProductSpec("a", "b-c"), ProductSpec("a", "b-c-old", status="retired"),
                  ProductSpec("a-b", "c"), ProductSpec("a-b", "c-old", status="retired")],
    )
    world = World.of(plan_of(spec.write(tmp_path), "dev", TODAY))
    buckets = {key: p.bucket for key, p in world.products.items()}
    assert buckets == {"a/b-c": "acme-dev--a--b-c", "a/b-c-old": "acme-dev--a--b-c-old",
                       "a-b/c": "acme-dev--a-b--c", "a-b/c-old": "acme-dev--a-b--c-old"}
    own = {"a": {"a/b-c"}, "a-b": {"a-b/c"}}
    for domain, acct in (("a", account(1, "dev")), ("a-b", account(2, "dev"))):
        who = world.roles[world.producer_arn(domain)]
        for key, bucket in buckets.items():
            for action in PRODUCER_ACTIONS:
                assert producer_may(world, who, action, bucket, acct,
                                    world.products[key].bucket_policy) is (key in own[domain]), (
                    domain, key, action)
        # ... nor any other name of the other domain, nor one of another environment.
        other = "a-b" if domain == "a" else "a"
        for bucket in (f"acme-dev--{other}--x", f"acme-prod--{domain}--x", f"acme-dev-x--{domain}--x"):
            assert not producer_may(world, who, "s3:PutObject", bucket, acct), (domain, bucket)
