"""Generate a valid synthetic mesh of any size, for benchmarks and load tests.

    .venv/bin/python bench/generate_mesh.py --products 1000 --domains 100 --out bench/out/domains

The mesh is deterministic for a given ``--seed`` and validates with no error at
``--today 2026-11-25`` (the default evaluation date of the benchmarks); warnings are pending
requests only. Products look like real ones: schemas of 4-14 columns in every format, several
classifications and statuses, guarantees, lineage across domains (``inputs`` and ``consumes``)
with the matching dated approvals, and external partner principals.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
from dataclasses import dataclass, field

TOPICS = [
    "listeners", "player", "playlist", "artists", "artist-payments", "partners", "search", "ads",
    "podcasts", "billing", "catalog", "recommendations", "social", "devices", "labels", "concerts",
    "lyrics", "radio", "charts", "support",
]
NOUNS = [
    "events", "sessions", "profiles", "statements", "snapshots", "metrics", "orders", "clicks",
    "impressions", "payouts", "tracks", "episodes", "subscriptions", "invoices", "contracts", "tickets",
]
COLUMN_TYPES = ["string", "long", "int", "double", "boolean", "timestamp", "date", "decimal(12,2)"]
FORMATS = ["parquet", "parquet", "iceberg", "avro", "json", "csv"]
CLASSIFICATIONS = ["internal", "internal", "confidential", "confidential", "public", "restricted"]
TYPES = ["source-aligned", "aggregate", "consumer-aligned"]
PARTNERS = [("444455556666", "yogaflow"), ("444455556667", "runbeat"), ("444455556668", "carplay-maker")]
UNTIL = ["2027-06-30", "2027-09-30", "2027-11-24", "2028-03-31", "2028-06-30"]
RESTRICTED_UNTIL = ["2027-03-31", "2027-06-30", "2027-11-24"]
"""Restricted grants end within 365 days of 2026-11-25 (mesh-restricted-grant-duration)."""


@dataclass
class Product:
    domain: str
    name: str
    classification: str
    status: str
    mode: str
    fmt: str
    columns: list[tuple[str, str, bool, bool]]
    inputs: list[str] = field(default_factory=list)
    approved: list[tuple[str, str | None]] = field(default_factory=list)
    """(domain name or principal ARN, until or None)."""
    replaced_by: str | None = None

    @property
    def ref(self) -> str:
        return f"{self.domain}/{self.name}"

    @property
    def grants(self) -> bool:
        return self.status in ("active", "deprecated") and self.mode != "private"


def domain_names(count: int) -> list[str]:
    names = []
    for i in range(count):
        base = TOPICS[i % len(TOPICS)]
        names.append(base if i < len(TOPICS) else f"{base}-{i // len(TOPICS) + 1}")
    return names


def build(products: int, domains: int, seed: int) -> tuple[list[str], list[Product], dict[str, list[str]]]:
    rng = random.Random(seed)
    names = domain_names(domains)
    catalog: list[Product] = []
    for i in range(products):
        domain = names[i % domains]
        number = i // domains + 1
        classification = rng.choice(CLASSIFICATIONS)
        status = rng.choices(["active", "deprecated", "draft", "retired"], weights=[88, 5, 4, 3])[0]
        mode = "approval" if classification == "restricted" else rng.choice(["open", "approval", "approval",
                                                                            "private"])
        columns = []
        for c in range(rng.randint(4, 14)):
            pii = classification == "restricted" and c % 3 == 1
            columns.append((f"col-{c}".replace("-", "_"), rng.choice(COLUMN_TYPES), c < 2, pii))
        catalog.append(Product(domain, f"{rng.choice(NOUNS)}-{number}", classification, status, mode,
                               rng.choice(FORMATS), columns))
    # A deprecated product names a successor in its domain where one exists.
    by_domain: dict[str, list[Product]] = {}
    for p in catalog:
        by_domain.setdefault(p.domain, []).append(p)
    for p in catalog:
        if p.status == "deprecated":
            successors = [q for q in by_domain[p.domain] if q is not p and q.status == "active"]
            p.replaced_by = successors[0].ref if successors else None
    # Lineage: each product reads 0-3 granting products of other domains; the producer approves
    # most requests (dated when restricted) and leaves some pending.
    readable = [p for p in catalog if p.grants]
    consumes: dict[str, list[str]] = {n: [] for n in names}
    requested: set[tuple[str, str]] = set()

    def request(consumer: str, target: Product) -> None:
        if (consumer, target.ref) in requested:
            return
        requested.add((consumer, target.ref))
        if target.mode == "approval" and rng.random() < 0.9:
            restricted = target.classification == "restricted"
            until = rng.choice(RESTRICTED_UNTIL) if restricted else rng.choice([*UNTIL, None])
            target.approved.append((consumer, until))

    for p in catalog:
        for target in rng.sample(readable, k=min(len(readable), rng.randint(0, 3))):
            if target.domain != p.domain and target.ref not in p.inputs:
                p.inputs.append(target.ref)
                request(p.domain, target)
    for name in names:
        for target in rng.sample(readable, k=min(len(readable), rng.randint(0, 2))):
            if target.domain != name and target.ref not in consumes[name]:
                consumes[name].append(target.ref)
                request(name, target)
    for p in readable:
        if p.mode == "approval" and rng.random() < 0.08:
            account, partner = rng.choice(PARTNERS)
            p.approved.append((f"arn:aws:iam::{account}:role/{partner}-reader",
                               rng.choice(RESTRICTED_UNTIL if p.classification == "restricted" else UNTIL)))
    return names, catalog, consumes


def render_mesh() -> str:
    partners = "".join(f'  - id: "{account}"\n    name: {name}\n    contact: data@{name}.example\n'
                       for account, name in PARTNERS)
    return (
        "# yaml-language-server: $schema=../../../schemas/mesh.schema.json\n"
        "apiVersion: datamesh/v1\nkind: Mesh\nname: synth\nenvironments: [dev, prod]\n"
        'platform:\n  accounts:\n    dev: "900000000001"\n    prod: "900000000002"\n  region: eu-west-1\n'
        f"external_accounts:\n{partners}"
        "discovery:\n  kubernetes:\n    image: ghcr.io/synth/mesh-discovery:1.0.0\n"
        "    host: catalog.synth.example\n"
    )


def render_domain(index: int, name: str, consumes: list[str]) -> str:
    lines = [
        "# yaml-language-server: $schema=../../../../schemas/domain.schema.json",
        "apiVersion: datamesh/v1", "kind: Domain", f"name: {name}",
        f"description: The {name.replace('-', ' ')} domain of the synthetic mesh.",
        "owner:", f"  team: {name.replace('-', ' ').title()}", f"  email: {name}-data@synth.example",
        f'  github: "@synth/{name}"',
        "aws:", "  accounts:", f'    dev: "1{index:011d}"', f'    prod: "2{index:011d}"',
    ]
    if consumes:
        lines.append("consumes:")
        for ref in consumes:
            lines += [f"  - product: {ref}", "    purpose: ad-hoc analysis"]
    return "\n".join(lines) + "\n"


def render_product(p: Product, rng: random.Random) -> str:
    days = rng.choice([30, 90, 180, 400, 730]) if p.classification == "restricted" else rng.choice(
        [30, 90, 365, 400, 1095, 3650])
    lines = [
        "# yaml-language-server: $schema=../../../../../schemas/data-product.schema.json",
        "apiVersion: datamesh/v1", "kind: DataProduct", f"name: {p.name}",
        f"description: Synthetic {p.name.rsplit('-', 1)[0]} of the {p.domain} domain, refreshed hourly.",
        f"version: {rng.randint(0, 4)}.{rng.randint(0, 20)}.{rng.randint(0, 9)}",
        f"status: {p.status}", f"type: {rng.choice(TYPES)}", f"classification: {p.classification}",
        f"tags: [{p.domain}, {p.name.rsplit('-', 1)[0]}]",
        "retention:", f"  days: {days}",
    ]
    if days > 90 and rng.random() < 0.5:
        lines.append(f"  archive_after_days: {days // 3}")
    lines += [
        "  noncurrent_days: 30",
        "guarantees:", f"  freshness: {rng.choice(['15m', '1h', '1d'])}", "  update_frequency: hourly",
        f"  completeness: {rng.choice([0.95, 0.99, 0.999])}", f"  availability: {rng.choice([0.99, 0.995])}",
        "schema:", f"  format: {p.fmt}", "  fields:",
    ]
    for name, kind, required, pii in p.columns:
        extra = (", required: true" if required else "") + (", pii: true" if pii else "")
        lines.append(f'    - {{name: {name}, type: "{kind}"{extra}, description: Column {name}}}')
    if p.inputs:
        lines.append("inputs:")
        for ref in p.inputs:
            lines += [f"  - product: {ref}", f"    purpose: builds {p.name} from {ref}"]
    lines += ["sharing:", f"  mode: {p.mode}"]
    if p.approved and p.mode == "approval":
        lines.append("  approved:")
        for grantee, until in p.approved:
            key = "principal" if grantee.startswith("arn:") else "domain"
            lines.append(f"    - {key}: {grantee}")
            if until:
                lines.append(f"      until: {until}")
    if p.status == "deprecated":
        lines += ["deprecation:", "  sunset: 2028-01-31"]
        if p.replaced_by:
            lines.append(f"  replaced_by: {p.replaced_by}")
    return "\n".join(lines) + "\n"


def generate(out: str, products: int, domains: int, seed: int = 1) -> int:
    """Write the mesh into ``out`` (replaced if it exists); returns the number of files."""
    if domains < 2 or products < 1:
        raise ValueError("need at least 2 domains and 1 product")
    names, catalog, consumes = build(products, domains, seed)
    if os.path.exists(out):
        shutil.rmtree(out)
    os.makedirs(out)
    rng = random.Random(seed + 1)
    with open(os.path.join(out, "mesh.yaml"), "w", encoding="utf-8") as handle:
        handle.write(render_mesh())
    for i, name in enumerate(names, start=1):
        os.makedirs(os.path.join(out, name, "products"))
        with open(os.path.join(out, name, "domain.yaml"), "w", encoding="utf-8") as handle:
            handle.write(render_domain(i, name, consumes[name]))
    for p in catalog:
        with open(os.path.join(out, p.domain, "products", f"{p.name}.yaml"), "w", encoding="utf-8") as handle:
            handle.write(render_product(p, rng))
    return 1 + len(names) + len(catalog)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--products", type=int, default=1000, help="number of data products (default 1000)")
    parser.add_argument("--domains", type=int, default=100, help="number of domains (default 100)")
    parser.add_argument("--out", default="bench/out/domains", help="output directory (replaced)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    args = parser.parse_args(argv)
    files = generate(args.out, args.products, args.domains, args.seed)
    sys.stdout.write(f"wrote {files} files to {args.out}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
