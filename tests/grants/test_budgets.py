"""Policy-size budgets: no document grows with grants, and oversized ones are reported.

data.all's users hit IAM and bucket-policy size limits after a few dozen shares (ANCHORS.md §4,
pain point 1). Here each grant is an access point with its own one-principal policy and one KMS
grant, and a consumer reads through its own access points by one ARN pattern. So:

- 200 consumers of one product and one consumer of 500 products plan documents of exactly the
  same sizes as one consumer of one product, all far below their AWS limits;
- a producer writes its domain's products by one bucket-name pattern: 500 products in one domain
  plan the same producer policy as one, and so do 500 retired products (each is closed by its
  own bucket policy); only bucket names cut before the domain's prefix ended are listed;
- ``check_budgets`` warns (DM400) from 80 % of a limit and errors (DM401) above it;
- ``mesh validate`` reports both, for every environment (spec-v1: "in validate/plan").
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from datamesh.cli.main import main
from datamesh.plan import Plan, PlannedResource
from datamesh.plan.budgets import (
    ACCESS_POINT_POLICY,
    BUCKET_POLICY,
    INLINE_ROLE_POLICIES,
    KEY_POLICY,
    MESH_FILE_KEY,
    TRUST_POLICY,
    Budget,
    check_budgets,
    document_size,
)
from grants.support import EXAMPLE_DOMAINS, TODAY, DomainSpec, ProductSpec, Spec, account, plan_of

Capsys = pytest.CaptureFixture[str]

KINDS: dict[str, tuple[str, str, Budget]] = {
    # kind: (resource type, input holding the document, budget)
    "bucket": ("aws:s3/bucketPolicy:BucketPolicy", "policy", BUCKET_POLICY),
    "access point": ("aws:s3/accessPoint:AccessPoint", "policy", ACCESS_POINT_POLICY),
    "key": ("aws:kms/key:Key", "policy", KEY_POLICY),
    "trust": ("aws:iam/role:Role", "assumeRolePolicy", TRUST_POLICY),
    "role policy": ("aws:iam/rolePolicy:RolePolicy", "policy", INLINE_ROLE_POLICIES),
}


def largest(plan: Plan) -> dict[str, int]:
    """The largest document of each kind in the plan, measured as AWS measures it."""
    out: dict[str, int] = {}
    for kind, (type_token, prop, budget) in KINDS.items():
        sizes = [document_size(r.inputs[prop], budget) for r in plan.of_type(type_token)]
        out[kind] = max(sizes)
    return out


def fan_in(consumers: int) -> Spec:
    """``consumers`` domains (c001…) all reading the open product alpha/events."""
    names = [f"c{i:03d}" for i in range(1, consumers + 1)]
    domains = [DomainSpec("alpha", {e: account(1, e) for e in ("dev", "prod")})]
    domains += [DomainSpec(n, {e: account(i + 2, e) for e in ("dev", "prod")}, consumes=["alpha/events"])
                for i, n in enumerate(names)]
    return Spec(domains, [ProductSpec("alpha", "events", mode="open")])


def fan_out(products: int, per_domain: int = 10) -> Spec:
    """One consumer domain ``reader`` reading ``products`` open products (p000…) of producers
    d00…, ``per_domain`` products each."""
    n_domains = (products + per_domain - 1) // per_domain
    keys = [f"d{i // per_domain:02d}/p{i:03d}" for i in range(products)]
    domains = [DomainSpec("reader", {e: account(1, e) for e in ("dev", "prod")}, consumes=keys)]
    domains += [DomainSpec(f"d{i:02d}", {e: account(i + 2, e) for e in ("dev", "prod")})
                for i in range(n_domains)]
    return Spec(domains, [ProductSpec(k.split("/")[0], k.split("/")[1], mode="open") for k in keys])


@pytest.fixture(scope="module")
def fan_in_plans(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Plan]:
    return {n: plan_of(fan_in(n).write(tmp_path_factory.mktemp(f"in{n}")), "dev", TODAY) for n in (1, 200)}


@pytest.fixture(scope="module")
def fan_out_plans(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Plan]:
    return {n: plan_of(fan_out(n, per_domain=10).write(tmp_path_factory.mktemp(f"out{n}")), "dev", TODAY)
            for n in (1, 500)}


def test_200_consumers_of_one_product(fan_in_plans: dict[int, Plan]) -> None:
    one, many = fan_in_plans[1], fan_in_plans[200]
    assert len(many.grants) == 200
    assert len(many.of_type("aws:s3/accessPoint:AccessPoint")) == 200
    assert len(many.of_type("aws:kms/grant:Grant")) == 200
    assert len(many.of_type("aws:s3/bucketPolicy:BucketPolicy")) == 1
    # Every document of 200 grants is exactly as large as with one grant...
    assert largest(many) == largest(one)
    # ... the product's bucket and key policies are byte for byte the same ...
    for name in ("alpha/events.policy", "alpha.key", "alpha.producer-access"):
        assert many.by_name()[name] == one.by_name()[name]
    # ... and nothing is near a limit.
    assert check_budgets(many) == []


def test_one_consumer_of_500_products(fan_out_plans: dict[int, Plan]) -> None:
    one, many = fan_out_plans[1], fan_out_plans[500]
    assert len(many.grants) == 500
    assert {g.consumer for g in many.grants} == {"reader"}
    assert many.by_name()["reader.consumer-access"] == one.by_name()["reader.consumer-access"]
    # Producers here own 10 products (1 in the one-product mesh): their policy is one pattern too.
    assert largest(many) == largest(one)
    assert many.by_name()["d00.producer-access"] == one.by_name()["d00.producer-access"]
    consumer = INLINE_ROLE_POLICIES
    assert document_size(many.by_name()["reader.consumer-access"].inputs["policy"], consumer) == \
        document_size(one.by_name()["reader.consumer-access"].inputs["policy"], consumer)
    assert check_budgets(many) == []


@pytest.mark.parametrize("which", ["fan_in_plans", "fan_out_plans"])
def test_every_document_is_far_below_its_limit(which: str, request: pytest.FixtureRequest) -> None:
    plans: dict[int, Plan] = request.getfixturevalue(which)
    for kind, size in largest(max(plans.items())[1]).items():
        # The largest role policy is a producer's (749 characters, whatever its products).
        assert size < KINDS[kind][2].limit * 0.15, (kind, size)


# --- check_budgets on hand-made plans --------------------------------------------------------


def sized(n: int) -> str:
    """A JSON document of exactly ``n`` characters (no whitespace)."""
    text = '{"x":"' + "a" * (n - 8) + '"}'
    assert len(text) == n
    return text


PROVIDER = PlannedResource(type="pulumi:providers:aws", name="alpha.aws", domain="alpha",
                           inputs={"region": "eu-west-1", "allowedAccountIds": ["100000000001"]})
FILES = {"alpha": "domains/alpha/domain.yaml", "alpha/events": "domains/alpha/products/events.yaml",
         MESH_FILE_KEY: "domains/mesh.yaml"}


def one_document(kind: str, size: int) -> list[PlannedResource]:
    if kind == "bucket":
        return [PlannedResource(type="aws:s3/bucketPolicy:BucketPolicy", name="alpha/events.policy",
                                domain="alpha", product="alpha/events",
                                inputs={"bucket": "acme-dev--alpha--events", "policy": sized(size)})]
    if kind == "access point":
        return [PROVIDER, PlannedResource(
            type="aws:s3/accessPoint:AccessPoint", name="alpha/events.grant.beta.access-point",
            provider="alpha.aws", domain="alpha", product="alpha/events",
            inputs={"name": "acme-f44e64e7-af590bf5", "policy": sized(size)})]
    if kind == "key":
        return [PlannedResource(type="aws:kms/key:Key", name="alpha.key", domain="alpha",
                                inputs={"policy": sized(size)})]
    role = PlannedResource(type="aws:iam/role:Role", name="alpha.producer", domain="alpha",
                           inputs={"name": "acme-alpha-producer", "assumeRolePolicy": sized(100)})
    if kind == "trust":
        return [with_inputs(role, assumeRolePolicy=sized(size))]
    # role policy: two inline policies whose sizes add up to ``size``
    half = size // 2
    return [role] + [
        PlannedResource(type="aws:iam/rolePolicy:RolePolicy", name=f"alpha.producer-{i}", domain="alpha",
                        inputs={"role": "acme-alpha-producer", "policy": sized(n)})
        for i, n in enumerate((half, size - half))]


def with_inputs(r: PlannedResource, **inputs: str) -> PlannedResource:
    return PlannedResource(type=r.type, name=r.name, domain=r.domain, inputs={**r.inputs, **inputs})


def judged(resources: list[PlannedResource]) -> list[tuple[str, str, str, str]]:
    plan = Plan(mesh="acme", environment="dev", today=TODAY, resources=resources)
    return [(d.code, d.severity, d.file, d.field) for d in check_budgets(plan, FILES)]


EXPECTED_AT = {
    "bucket": ("domains/alpha/products/events.yaml", "alpha/events.policy"),
    "access point": ("domains/alpha/products/events.yaml", "alpha/events.grant.beta.access-point"),
    "key": ("domains/alpha/domain.yaml", "alpha.key"),
    "trust": ("domains/alpha/domain.yaml", "alpha.producer"),
    "role policy": ("domains/alpha/domain.yaml", "alpha.producer"),
}


@pytest.mark.parametrize("kind", list(KINDS))
def test_thresholds_warn_at_80_percent_and_fail_above_the_limit(kind: str) -> None:
    limit = KINDS[kind][2].limit
    warn_from = -(-limit * 4 // 5)  # ceil(0.8 * limit)
    file, field = EXPECTED_AT[kind]
    assert judged(one_document(kind, warn_from - 1)) == []
    assert judged(one_document(kind, warn_from)) == [("DM400", "warning", file, field)]
    assert judged(one_document(kind, limit)) == [("DM400", "warning", file, field)]  # AWS accepts it
    assert judged(one_document(kind, limit + 1)) == [("DM401", "error", file, field)]


def test_messages_say_what_how_big_and_the_limit() -> None:
    plan = Plan(mesh="acme", environment="dev", today=TODAY,
                resources=one_document("bucket", 16_384) + one_document("role policy", 10_241))
    assert [(d.code, d.message) for d in check_budgets(plan, FILES)] == [
        ("DM400", "bucket policy of bucket acme-dev--alpha--events: 16,384 of 20,480 bytes (80%)"),
        ("DM401", "inline policies of role acme-alpha-producer: 10,241 of 10,240 characters (100%)"),
    ]


def test_iam_documents_are_measured_without_whitespace() -> None:
    spaced = json.dumps(json.loads(sized(2_049)), indent=4)  # 2,049 characters of content
    assert len(spaced) > 2_049
    role = one_document("trust", 100)[0]
    assert judged([with_inputs(role, assumeRolePolicy=spaced)]) == [
        ("DM401", "error", "domains/alpha/domain.yaml", "alpha.producer")]
    assert document_size(spaced, BUCKET_POLICY) == len(spaced)  # S3 counts every byte


def test_access_points_per_account_and_region() -> None:
    def aps(n: int) -> list[PlannedResource]:
        return [PROVIDER] + [
            PlannedResource(type="aws:s3/accessPoint:AccessPoint", name=f"ap{i}", provider="alpha.aws",
                            inputs={"name": f"ap{i}", "policy": "{}"}) for i in range(n)]

    assert judged(aps(7_999)) == []
    assert judged(aps(8_000)) == [("DM400", "warning", "domains/mesh.yaml", "-")]
    assert judged(aps(10_001)) == [("DM401", "error", "domains/mesh.yaml", "-")]
    plan = Plan(mesh="acme", environment="dev", today=TODAY, resources=aps(10_001))
    assert check_budgets(plan, FILES)[0].message == (
        "access points per account and region of account 100000000001 in eu-west-1: "
        "10,001 of 10,000 access points (100%)")


# --- mesh validate and mesh plan report them -------------------------------------------------


def one_domain(products: int, retired: int = 0) -> Spec:
    """alpha produces ``products`` live products (p000…, normal names) and ``retired`` retired
    ones with 40-character names (r000-aaa…)."""
    live = [ProductSpec("alpha", f"p{i:03d}") for i in range(products)]
    gone = [ProductSpec("alpha", f"r{i:03d}-" + "a" * 35, status="retired") for i in range(retired)]
    return Spec([DomainSpec("alpha", {e: account(1, e) for e in ("dev", "prod")})], live + gone)


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_500_products_in_one_domain_plan_the_same_producer_policy_as_one(tmp_path: Path, env: str) -> None:
    one, many = (plan_of(one_domain(n).write(tmp_path / f"p{n}"), env, TODAY) for n in (1, 500))
    assert len(many.of_type("aws:s3/bucket:Bucket")) == 500
    policy_one = one.by_name()["alpha.producer-access"].inputs["policy"]
    policy_many = many.by_name()["alpha.producer-access"].inputs["policy"]
    assert policy_many == policy_one  # byte for byte: one pattern, no bucket named
    assert f"acme-{env}--alpha--p000" not in policy_many
    assert document_size(policy_many, INLINE_ROLE_POLICIES) < INLINE_ROLE_POLICIES.limit * 0.1
    assert check_budgets(many) == []


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_500_retired_products_plan_the_same_producer_policy_as_one(tmp_path: Path, env: str) -> None:
    """Retired products are closed by their own (retained) bucket policy: the producer policy
    names none of them, so it does not grow with them either."""
    one, many = (plan_of(one_domain(1, n).write(tmp_path / f"r{n}"), env, TODAY) for n in (1, 500))
    assert len(many.of_type("aws:s3/bucket:Bucket")) == 501
    policy_one = one.by_name()["alpha.producer-access"].inputs["policy"]
    policy_many = many.by_name()["alpha.producer-access"].inputs["policy"]
    assert policy_many == policy_one  # byte for byte
    live = plan_of(one_domain(1).write(tmp_path / "live"), env, TODAY)
    assert policy_many == live.by_name()["alpha.producer-access"].inputs["policy"]  # as with none
    assert "r000" not in policy_many and "Deny" not in policy_many
    retired_policy = json.loads(many.by_name()[f"alpha/r499-{'a' * 35}.policy"].inputs["policy"])
    assert retired_policy["Statement"][-1]["Sid"] == "DenyDataAccessRetired"
    assert check_budgets(many) == []


def validate(capsys: Capsys, root: Path, *extra: str) -> tuple[int, str]:
    code = main(["validate", "--domains", str(root), "--today", TODAY.isoformat(), *extra])
    return code, capsys.readouterr().out


def budget_lines(out: str) -> list[str]:
    return [line for line in out.splitlines() if " DM40" in line]


def role_limit(monkeypatch: pytest.MonkeyPatch, limit: int) -> None:
    """No spec makes a policy grow any more: lower the inline-policy limit instead.
    ``check_budgets`` reads the module's ``INLINE_ROLE_POLICIES`` when it runs."""
    monkeypatch.setattr("datamesh.plan.budgets.INLINE_ROLE_POLICIES",
                        Budget("inline policies", limit, "characters", iam_counting=True))


# alpha's producer policy (its only inline policy) is 749 characters in dev, 751 in prod
# (bucket names `acme-<env>--alpha--*`).
@pytest.mark.parametrize("jobs", ["1", "2"])  # one process, or an environment per core: the same lines
@pytest.mark.parametrize(("limit", "code", "diagnostics"), [
    (1_000, 0, []),
    (900, 0, [("warning DM400", "749 of 900 characters (83%)"),
              ("warning DM400", "751 of 900 characters (83%)")]),
    (750, 1, [("warning DM400", "749 of 750 characters (100%)"),
              ("error DM401", "751 of 750 characters (100%)")]),
])
def test_validate_reports_budgets_for_every_environment(tmp_path: Path, capsys: Capsys,
                                                        monkeypatch: pytest.MonkeyPatch, limit: int,
                                                        code: int, diagnostics: list[tuple[str, str]],
                                                        jobs: str) -> None:
    root = one_domain(1).write(tmp_path / "domains")
    role_limit(monkeypatch, limit)
    monkeypatch.setenv("MESH_JOBS", jobs)
    exit_code, out = validate(capsys, root)
    assert exit_code == code
    file = str(root / "alpha" / "domain.yaml")
    assert budget_lines(out) == [  # dev, then prod
        f"{file}:1:1: {severity} alpha.producer: inline policies of role acme-alpha-producer: {share}"
        for severity, share in diagnostics]


def test_validate_json_counts_budget_errors(tmp_path: Path, capsys: Capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    root = one_domain(1).write(tmp_path / "domains")
    role_limit(monkeypatch, 700)
    code, out = validate(capsys, root, "--format", "json")
    data = json.loads(out)
    assert code == 1 and data["valid"] is False
    assert [p["code"] for p in data["problems"] if p["code"].startswith("DM4")] == ["DM401", "DM401"]


def test_validate_of_an_invalid_mesh_reports_its_errors_and_no_budget(tmp_path: Path, capsys: Capsys,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """A mesh with errors has no plan: its oversized policy is measured once the errors are fixed."""
    spec = one_domain(1)
    spec.domains[0].consumes = ["nowhere/nothing"]
    role_limit(monkeypatch, 700)
    code, out = validate(capsys, spec.write(tmp_path / "domains"))
    assert code == 1
    assert budget_lines(out) == []
    assert " error DM200 consumes[0].product: nowhere/nothing: there is no domain 'nowhere'" in out


def test_plan_fails_with_the_budget_error(tmp_path: Path, capsys: Capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    root = one_domain(1).write(tmp_path / "domains")
    role_limit(monkeypatch, 700)
    code = main(["plan", "--domains", str(root), "--today", TODAY.isoformat(), "--env", "prod"])
    _, err = capsys.readouterr()
    assert code == 1
    assert ("error DM401 alpha.producer: inline policies of role acme-alpha-producer: "
            "751 of 700 characters (107%)") in err


def test_the_example_mesh_is_far_below_every_budget(capsys: Capsys) -> None:
    code, out = validate(capsys, EXAMPLE_DOMAINS)
    assert code == 0 and budget_lines(out) == []
