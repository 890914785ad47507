"""The largest policy documents of meshes with growing numbers of grants, against AWS limits.

    .venv/bin/python bench/bench_budgets.py [--sizes 10,100,1000]

Two shapes, each planned for real (spec files written to a temporary directory, then loaded,
resolved and planned exactly as ``mesh plan`` does):

- fan-in: N consumer domains read one product (N grants per product);
- fan-out: one consumer domain reads N products of producers owning 10 products each
  (N grants per consumer).

For each, the largest document of every kind, measured as AWS measures it (IAM: characters
without whitespace; S3 and KMS: bytes), its share of the AWS limit, the access points in the
busiest account, and the planning time. Every grant document must be the same size for every N
(the script exits 1 otherwise): grants add access points and KMS grants, never bytes to a policy.

A third table shows the producer's inline policy: one bucket-name pattern for the domain's
products, the same size for 1 or 1,000 live products and for 1 or 1,000 retired ones (a retired
product is closed by its own bucket policy, not by the producer's); it grows only with bucket
names cut before the domain's prefix ended (each listed; impossible unless mesh, environment and
domain names are long). The script exits 1 unless every row of that table has the same size.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections import Counter
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from datamesh.plan import Plan, build_plan  # noqa: E402
from datamesh.plan.budgets import (  # noqa: E402
    ACCESS_POINT_POLICY,
    ACCESS_POINTS,
    BUCKET_POLICY,
    INLINE_ROLE_POLICIES,
    KEY_POLICY,
    TRUST_POLICY,
    Budget,
    document_size,
)
from datamesh.resolve import load_mesh  # noqa: E402

TODAY = date(2026, 11, 25)
KINDS: list[tuple[str, str, str, Budget]] = [
    ("bucket", "aws:s3/bucketPolicy:BucketPolicy", "policy", BUCKET_POLICY),
    ("access point", "aws:s3/accessPoint:AccessPoint", "policy", ACCESS_POINT_POLICY),
    ("consumer", "aws:iam/rolePolicy:RolePolicy", "policy", INLINE_ROLE_POLICIES),
    ("producer", "aws:iam/rolePolicy:RolePolicy", "policy", INLINE_ROLE_POLICIES),
    ("key", "aws:kms/key:Key", "policy", KEY_POLICY),
    ("trust", "aws:iam/role:Role", "assumeRolePolicy", TRUST_POLICY),
]


def write(root: Path, domains: dict[str, list[str]], products: dict[str, list[str]]) -> None:
    """``domains``: name → products it consumes; ``products``: domain → its product names (open)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "mesh.yaml").write_text(
        "apiVersion: datamesh/v1\nkind: Mesh\nname: acme\nenvironments: [dev]\n"
        'platform:\n  accounts: {dev: "900000000001"}\n  region: eu-west-1\n', encoding="utf-8")
    for i, (name, consumes) in enumerate(sorted(domains.items()), start=1):
        folder = root / name
        (folder / "products").mkdir(parents=True, exist_ok=True)
        text = (f"apiVersion: datamesh/v1\nkind: Domain\nname: {name}\ndescription: Bench.\n"
                f'owner:\n  team: T\n  email: {name}@acme.example\n  github: "@acme/{name}"\n'
                f'aws:\n  accounts: {{dev: "{100000000000 + i}"}}\n')
        if consumes:
            text += "consumes:\n" + "".join(f"  - product: {ref}\n" for ref in consumes)
        (folder / "domain.yaml").write_text(text, encoding="utf-8")
        for product in products.get(name, []):
            (folder / "products" / f"{product}.yaml").write_text(
                f"apiVersion: datamesh/v1\nkind: DataProduct\nname: {product}\ndescription: Bench.\n"
                "version: 1.0.0\nclassification: internal\nretention:\n  days: 30\n"
                "schema:\n  format: parquet\nsharing:\n  mode: open\n", encoding="utf-8")


def fan_in(root: Path, n: int) -> None:
    consumers = {f"c{i:04d}": ["alpha/events"] for i in range(n)}
    write(root, {"alpha": [], **consumers}, {"alpha": ["events"]})


def fan_out(root: Path, n: int, per_domain: int = 10) -> None:
    refs = [f"d{i // per_domain:03d}/p{i:04d}" for i in range(n)]
    producers: dict[str, list[str]] = {}
    for ref in refs:
        domain, _, product = ref.partition("/")
        producers.setdefault(domain, []).append(product)
    write(root, {"reader": refs, **{d: [] for d in producers}}, producers)


def producer_of(root: Path, n: int) -> None:
    """One domain with n products of 30-character names (bucket names of 45 characters)."""
    write(root, {"alpha": []}, {"alpha": [f"p{i:04d}-" + "a" * 24 for i in range(n)]})


def retiring(root: Path, n: int) -> None:
    """producer_of(root, 1), plus n retired products of 30-character names."""
    producer_of(root, 1)
    for i in range(n):
        name = f"r{i:04d}-" + "a" * 24
        (root / "alpha" / "products" / f"{name}.yaml").write_text(
            f"apiVersion: datamesh/v1\nkind: DataProduct\nname: {name}\ndescription: Bench.\n"
            "version: 1.0.0\nstatus: retired\nclassification: internal\nretention:\n  days: 30\n"
            "schema:\n  format: parquet\nsharing:\n  mode: private\n", encoding="utf-8")


def plan(build: object, n: int) -> tuple[Plan, float]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "domains"
        build(root, n)  # type: ignore[operator]
        resolution = load_mesh(str(root), TODAY)
        assert resolution.mesh is not None, [d.format() for d in resolution.report.errors]
        started = time.perf_counter()
        result = build_plan(resolution.mesh, "dev")
        return result, time.perf_counter() - started


def largest(p: Plan) -> dict[str, int]:
    out = {}
    for kind, type_token, prop, budget in KINDS:
        resources = p.of_type(type_token)
        if kind in ("consumer", "producer"):
            resources = [r for r in resources if r.name.endswith(f".{kind}-access")]
        out[kind] = max((document_size(r.inputs[prop], budget) for r in resources), default=0)
    return out


def busiest_account(p: Plan) -> int:
    providers = {r.name: r.inputs["allowedAccountIds"][0] for r in p.resources if r.is_provider}
    counts = Counter(providers.get(r.provider or "") for r in p.of_type("aws:s3/accessPoint:AccessPoint"))
    return max(counts.values(), default=0)


def share(size: int, budget: Budget) -> str:
    return f"{size:>6,} {size / budget.limit:>4.0%}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10,100,1000", help="grants per product / per consumer")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    budgets = {kind: budget for kind, _, _, budget in KINDS}
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs; sizes as AWS counts them, "
          f"% of the limit (bucket/AP {BUCKET_POLICY.limit:,} B, role inline {INLINE_ROLE_POLICIES.limit:,} "
          f"ch, trust {TRUST_POLICY.limit:,} ch, key {KEY_POLICY.limit:,} B, "
          f"{ACCESS_POINTS.limit:,} APs per account and region)")
    header = (f"{'shape':<8} {'N':>5} {'grants':>6} {'resources':>9}  "
              + "  ".join(f"{k:>11}" for k in budgets) + f"  {'APs/acct':>8} {'plan s':>6}")
    print()
    print(header)
    print("-" * len(header))
    constant = True
    for shape, build in (("fan-in", fan_in), ("fan-out", fan_out)):
        first: dict[str, int] | None = None
        for n in sizes:
            p, seconds = plan(build, n)
            sizes_now = largest(p)
            grant_docs = {k: v for k, v in sizes_now.items() if k != "producer"}
            if first is None:
                first = grant_docs
            elif grant_docs != first:
                constant = False
            cells = "  ".join(f"{share(sizes_now[k], budgets[k]):>11}" for k in budgets)
            print(f"{shape:<8} {n:>5} {len(p.grants):>6} {len(p.resources):>9}  {cells}  "
                  f"{busiest_account(p):>8} {seconds:>6.2f}")
    print()
    print("producer policy (one pattern for the domain's products, live or retired)")
    print(f"{'live':>5} {'retired':>7} {'size':>7} {'share':>6}")
    producer_sizes: set[int] = set()
    for live, retired in ((1, 0), (10, 0), (100, 0), (1000, 0), (1, 1), (1, 10), (1, 100), (1, 1000)):
        p, _ = plan(producer_of, live) if not retired else plan(retiring, retired)
        size = largest(p)["producer"]
        producer_sizes.add(size)
        print(f"{live:>5} {retired:>7} {size:>7,} {size / INLINE_ROLE_POLICIES.limit:>6.0%}")
    if len(producer_sizes) != 1:
        constant = False
    print()
    verdict = "constant" if constant else "NOT constant"
    print(f"grant documents (bucket, access point, consumer, key, trust) across N, and the producer "
          f"policy across live and retired products: {verdict}")
    return 0 if constant else 1


if __name__ == "__main__":
    sys.exit(main())
