"""Meshes for the grant tests, written as spec files into a temporary directory.

``Spec`` is a plain description of a mesh (domains, products, requests, approvals) that
renders to the YAML of spec-v1, so a test can build a mesh of any size or shape and still go
through the real loader, resolver and planner. ``random_spec`` builds a seeded random mesh and
``oracle_grants`` restates spec-v1 "What a grant is" on the description, independently of
``datamesh.grants``.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from datamesh.mesh import ResolvedMesh
from datamesh.plan import Plan, build_plan
from datamesh.resolve import load_mesh

REPO = Path(__file__).resolve().parents[2]
EXAMPLE_DOMAINS = REPO / "tests" / "fixtures" / "streaming" / "domains"
TODAY = date(2026, 11, 25)
"""The evaluation date of the tests and of the example (as in tests/conftest.py, which is not
imported: several test folders have a conftest module of that name)."""

MESH = "acme"
ENVS = ("dev", "prod")
PLATFORM = {"dev": "900000000001", "prod": "900000000002"}
REGION = "eu-west-1"
PARTNER_A = "444455556666"
PARTNER_B = "555566667777"
EXTERNALS = ((PARTNER_A, "partner-a"), (PARTNER_B, "partner-b"))


def account(index: int, env: str) -> str:
    """The account of domain number ``index`` in ``env``: 1000000000NN (dev), 2000000000NN (prod)."""
    return f"{'1' if env == 'dev' else '2'}{index:011d}"


@dataclass
class Approval:
    domain: str | None = None
    principal: str | None = None
    until: date | None = None


@dataclass
class ProductSpec:
    domain: str
    name: str
    status: str = "active"
    mode: str = "approval"
    classification: str = "internal"
    inputs: list[str] = field(default_factory=list)
    approved: list[Approval] = field(default_factory=list)
    sunset: date | None = None

    @property
    def key(self) -> str:
        return f"{self.domain}/{self.name}"


@dataclass
class DomainSpec:
    name: str
    accounts: dict[str, str]
    consumes: list[str] = field(default_factory=list)


@dataclass
class Spec:
    domains: list[DomainSpec]
    products: list[ProductSpec]
    externals: tuple[tuple[str, str], ...] = EXTERNALS

    def product(self, key: str) -> ProductSpec:
        return next(p for p in self.products if p.key == key)

    def files(self) -> dict[str, str]:
        files = {"mesh.yaml": mesh_yaml(self.externals)}
        for d in self.domains:
            files[f"{d.name}/domain.yaml"] = domain_yaml(d)
        for p in self.products:
            files[f"{p.domain}/products/{p.name}.yaml"] = product_yaml(p)
        return files

    def write(self, root: Path) -> Path:
        for rel, text in self.files().items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        return root


def mesh_yaml(externals: tuple[tuple[str, str], ...] = EXTERNALS) -> str:
    lines = ["apiVersion: datamesh/v1", "kind: Mesh", f"name: {MESH}",
             f"environments: [{', '.join(ENVS)}]", "platform:",
             "  accounts: {" + ", ".join(f'{e}: "{a}"' for e, a in PLATFORM.items()) + "}",
             f"  region: {REGION}"]
    if externals:
        lines.append("external_accounts:")
        lines += [f'  - {{id: "{ident}", name: {name}}}' for ident, name in externals]
    return "\n".join(lines) + "\n"


def domain_yaml(d: DomainSpec) -> str:
    lines = ["apiVersion: datamesh/v1", "kind: Domain", f"name: {d.name}",
             f"description: The {d.name} domain.", "owner:", f"  team: {d.name}",
             f"  email: {d.name}@acme.example", f'  github: "@acme/{d.name}"', "aws:", "  accounts:"]
    lines += [f'    {env}: "{acct}"' for env, acct in d.accounts.items()]
    if d.consumes:
        lines.append("consumes:")
        lines += [f"  - product: {ref}" for ref in d.consumes]
    return "\n".join(lines) + "\n"


def product_yaml(p: ProductSpec) -> str:
    lines = ["apiVersion: datamesh/v1", "kind: DataProduct", f"name: {p.name}",
             "description: A generated product.", "version: 1.0.0", f"status: {p.status}",
             f"classification: {p.classification}", "retention:", "  days: 30",
             "schema:", "  format: parquet"]
    if p.inputs:
        lines.append("inputs:")
        lines += [f"  - product: {ref}" for ref in p.inputs]
    lines += ["sharing:", f"  mode: {p.mode}"]
    if p.approved:
        lines.append("  approved:")
        for a in p.approved:
            who = f"domain: {a.domain}" if a.domain else f"principal: {a.principal}"
            lines.append(f"    - {who}")
            if a.until is not None:
                lines.append(f"      until: {a.until.isoformat()}")
    if p.status == "deprecated":
        lines += ["deprecation:", f"  sunset: {(p.sunset or date(2027, 1, 1)).isoformat()}"]
    return "\n".join(lines) + "\n"


def resolve(root: Path, today: date = TODAY) -> ResolvedMesh:
    """Load and resolve ``root``; the mesh must have no error."""
    resolution = load_mesh(str(root), today)
    errors = [d.format() for d in resolution.report.errors]
    assert resolution.mesh is not None and not errors, errors
    return resolution.mesh


def plan_of(root: Path, env: str = "dev", today: date = TODAY) -> Plan:
    return build_plan(resolve(root, today), env)


# --- a seeded random mesh ---------------------------------------------------------------------

EXTERNAL_ROLES = (
    f"arn:aws:iam::{PARTNER_A}:role/partner-a-reader",
    f"arn:aws:iam::{PARTNER_A}:role/partner-a-analytics",
    f"arn:aws:iam::{PARTNER_B}:role/partner-b-reader",
)


def random_spec(seed: int, n_domains: int = 8, n_products: int = 30, today: date = TODAY) -> Spec:
    """A valid mesh with every kind of outcome: open/approval/private, all four statuses,
    approvals unexpired, expiring today, expired and absent, unrequested approvals, external
    principals, and two domains sharing an account in dev (allowed, a warning)."""
    rng = random.Random(seed)
    names = [f"dom{i}" for i in range(n_domains)]
    domains = [DomainSpec(n, {env: account(i + 1, env) for env in ENVS}) for i, n in enumerate(names)]
    if n_domains >= 2:
        domains[-1].accounts["dev"] = domains[-2].accounts["dev"]  # DM205: same account in dev
    products: list[ProductSpec] = []
    for i in range(n_products):
        domain = names[i % n_domains] if i < n_domains else rng.choice(names)
        status = rng.choices(["active", "deprecated", "draft", "retired"], [6, 2, 1, 1])[0]
        classification = rng.choice(["public", "internal", "confidential", "restricted"])
        mode = rng.choices(["open", "approval", "private"], [3, 6, 1])[0]
        if classification == "restricted" and mode == "open":
            mode = "approval"
        sunset = today + timedelta(days=rng.choice([-30, 90])) if status == "deprecated" else None
        products.append(ProductSpec(domain, f"p{i:02d}", status, mode, classification, sunset=sunset))

    def until(restricted: bool) -> date | None:
        choices: list[date | None] = [today - timedelta(days=1), today, today + timedelta(days=200)]
        if not restricted:
            choices.append(None)
        return rng.choice(choices)

    for p in products:
        others = [n for n in names if n != p.domain]
        for d in rng.sample(others, rng.randint(0, min(3, len(others)))):
            p.approved.append(Approval(domain=d, until=until(p.classification == "restricted")))
        for arn in rng.sample(EXTERNAL_ROLES, rng.randint(0, 2)):
            p.approved.append(Approval(principal=arn, until=until(p.classification == "restricted")))
        candidates = [q.key for q in products if q.domain != p.domain]
        p.inputs = rng.sample(candidates, min(len(candidates), rng.randint(0, 3)))
    for d in domains:
        candidates = [q.key for q in products if q.domain != d.name]
        d.consumes = rng.sample(candidates, min(len(candidates), rng.randint(0, 3)))
    return Spec(domains, products)


def oracle_grants(spec: Spec, today: date) -> set[tuple[str, str]]:
    """(product, consumer) pairs that spec-v1 "What a grant is" says may read, restated here
    (independently of datamesh.grants) from the description the files were written from."""
    asks: set[tuple[str, str]] = set()
    for d in spec.domains:
        asks |= {(d.name, ref) for ref in d.consumes}
    for p in spec.products:
        asks |= {(p.domain, ref) for ref in p.inputs}
    out: set[tuple[str, str]] = set()
    for p in spec.products:
        if p.status not in ("active", "deprecated") or p.mode == "private":
            continue
        live = {a.domain or a.principal for a in p.approved if a.until is None or a.until >= today}
        for consumer, ref in asks:
            if ref == p.key and consumer != p.domain and (p.mode == "open" or consumer in live):
                out.add((p.key, consumer))
        out |= {(p.key, a.principal) for a in p.approved
                if a.principal and (a.until is None or a.until >= today)}
    return out


# --- reading documents out of a plan ----------------------------------------------------------

_PLACEHOLDER = re.compile(r"\$\{([a-z0-9-]+)\.key\.arn\}")


def key_arn(plan: Plan, domain: str) -> str:
    """The ARN a domain's KMS key will have, with a made-up key id (the plan writes a placeholder)."""
    provider = plan.by_name()[f"{domain}.aws"].inputs
    return f"arn:aws:kms:{provider['region']}:{provider['allowedAccountIds'][0]}:key/{domain}-key-id"


def concrete(plan: Plan, text: str) -> str:
    """``text`` with every ``${<domain>.key.arn}`` placeholder replaced by ``key_arn``."""
    return _PLACEHOLDER.sub(lambda m: key_arn(plan, m.group(1)), text)


def documents(plan: Plan) -> list[tuple[str, str, dict[str, Any]]]:
    """Every IAM-language document of a plan: (resource type, logical name, parsed document)."""
    out = []
    for r in plan.resources:
        for prop in ("policy", "assumeRolePolicy"):
            text = r.inputs.get(prop)
            if r.type.startswith("aws:") and isinstance(text, str):
                out.append((r.type, r.name, json.loads(concrete(plan, text))))
    return out
