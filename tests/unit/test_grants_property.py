"""Property: the grant logic against an independent oracle written from spec-v1 "What a grant is".

Hypothesis generates whole meshes — domains, products with every status, sharing mode and
classification, approvals of domains and of an external principal with and without ``until``
(expired, ending today, later), requests through ``consumes`` and through products' ``inputs``
— writes them as spec files and resolves them with the real loader. For a valid mesh the
grants, the pending requests (with their approver and expired approval) and the plan's
AccessGrant components must be exactly what the oracle derives from the spec text; for a mesh
the spec forbids (an approval listed twice, a restricted product shared openly or approved
without an end) the result is a clean error with the expected code. Never an exception.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from meshtree import MESH_YAML, TODAY, domain_yaml, write_tree

from datamesh.plan import build_plan
from datamesh.resolve import load_mesh

EXTERNAL = "arn:aws:iam::444455556666:role/partner-reader"
"""A principal of the mesh's registered external account (meshtree.MESH_YAML)."""
GRANTING = ("active", "deprecated")
DAYS = st.sampled_from([-400, -30, -1, 0, 1, 30, 400])
"""``until`` relative to the evaluation date: expired, ending yesterday or today, later."""


@dataclass
class Approval:
    consumer: str
    """A domain name or ``EXTERNAL``."""
    until: date | None


@dataclass
class Product:
    domain: str
    name: str
    status: str
    mode: str
    classification: str
    approvals: list[Approval] = field(default_factory=list)
    inputs: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{self.domain}/{self.name}"


@dataclass
class Mesh:
    domains: dict[str, list[str]]
    """Domain → its ``consumes``."""
    github: dict[str, bool]
    products: list[Product]


@st.composite
def meshes(draw: st.DrawFn) -> Mesh:
    names = [f"d{i}" for i in range(draw(st.integers(2, 4)))]
    products: list[Product] = []
    for d in names:
        for j in range(draw(st.integers(0, 3))):
            products.append(Product(
                d, f"p{j}", draw(st.sampled_from(["draft", "active", "deprecated", "retired"])),
                draw(st.sampled_from(["open", "approval", "private"])),
                draw(st.sampled_from(["internal", "confidential", "restricted"]))))
    for p in products:
        if p.classification == "restricted" and p.mode == "open":
            p.mode = "approval"  # spec-v1: a restricted product is never open (DM115, injected below)
        others = [d for d in names if d != p.domain] + [EXTERNAL]
        consumers = draw(st.lists(st.sampled_from(others), unique=True, max_size=len(others)))
        for c in consumers:
            ends = DAYS.map(lambda n: TODAY + timedelta(days=n))
            # spec-v1: an approval of a restricted product ends (DM116, injected below)
            until = draw(ends if p.classification == "restricted" else st.one_of(st.none(), ends))
            p.approvals.append(Approval(c, until))
        foreign = [q.key for q in products if q.domain != p.domain]
        p.inputs = draw(st.lists(st.sampled_from(foreign), unique=True, max_size=3)) if foreign else []
    domains: dict[str, list[str]] = {}
    for d in names:
        foreign = [q.key for q in products if q.domain != d]
        domains[d] = draw(st.lists(st.sampled_from(foreign), unique=True, max_size=3)) if foreign else []
    github = {d: draw(st.booleans()) for d in names}
    # One in ten meshes breaks a rule: an approval listed twice (with and without `until`, as
    # in issue 10 §5: DM117), a restricted product shared openly (DM115) or approved without end (DM116).
    if products and draw(st.integers(0, 9)) == 0:
        p = draw(st.sampled_from(products))
        broken = draw(st.sampled_from(["twice", "open", "no end"]))
        if broken == "twice" and p.approvals:
            p.approvals.append(Approval(p.approvals[0].consumer, None if p.approvals[0].until else TODAY))
        elif broken == "open":
            p.classification, p.mode = "restricted", "open"
            p.approvals = [Approval(a.consumer, a.until or TODAY) for a in p.approvals]
        elif broken == "no end" and p.approvals:
            p.classification = "restricted"
            p.mode = "approval" if p.mode == "open" else p.mode
            p.approvals[0].until = None
    return Mesh(domains, github, products)


def expected_errors(mesh: Mesh) -> set[str]:
    """What spec-v1 forbids among what ``meshes`` generates."""
    codes = set()
    for p in mesh.products:
        if len({a.consumer for a in p.approvals}) < len(p.approvals):
            codes.add("DM117")
        if p.classification == "restricted" and p.mode == "open":
            codes.add("DM115")
        if p.classification == "restricted" and any(a.until is None for a in p.approvals):
            codes.add("DM116")
    return codes


def oracle(mesh: Mesh, today: date) -> tuple[set[tuple[str, str]], set[tuple[str, str, str, date | None]]]:
    """Grants ``(product, consumer)`` and pending ``(product, consumer, approver, expired_on)``,
    straight from spec-v1 "What a grant is"."""
    def approver(domain: str) -> str:
        return f"@acme/{domain}" if mesh.github[domain] else f"{domain}@acme.example"

    asks: dict[str, set[str]] = {d: set(consumes) for d, consumes in mesh.domains.items()}
    for q in mesh.products:
        asks[q.domain].update(q.inputs)
    grants: set[tuple[str, str]] = set()
    pending: set[tuple[str, str, str, date | None]] = set()
    for p in mesh.products:
        if p.status not in GRANTING or p.mode == "private":
            continue  # grants nothing (a request to it and approvals on it are warnings)
        valid = {a.consumer for a in p.approvals if a.until is None or a.until >= today}
        expired = {a.consumer: a.until for a in p.approvals if a.until is not None and a.until < today}
        grants |= {(p.key, EXTERNAL)} if EXTERNAL in valid else set()
        for c, wanted in asks.items():
            if c == p.domain or p.key not in wanted:
                continue
            if p.mode == "open" or c in valid:
                grants.add((p.key, c))
            else:
                pending.add((p.key, c, approver(p.domain), expired.get(c)))
    return grants, pending


def product_yaml(p: Product) -> str:
    text = (f"apiVersion: datamesh/v1\nkind: DataProduct\nname: {p.name}\ndescription: Generated.\n"
            f"version: 1.0.0\nclassification: {p.classification}\nstatus: {p.status}\n"
            "retention:\n  days: 30\nschema:\n  format: parquet\n")
    if p.status == "deprecated":
        text += f"deprecation:\n  sunset: {TODAY + timedelta(days=-10 if p.name.endswith('0') else 10)}\n"
    if p.inputs:
        text += "inputs:\n" + "".join(f"  - product: {i}\n" for i in p.inputs)
    text += f"sharing:\n  mode: {p.mode}\n"
    if p.approvals:
        text += "  approved:\n"
        for a in p.approvals:
            who = f"principal: {a.consumer}" if a.consumer == EXTERNAL else f"domain: {a.consumer}"
            text += f"    - {who}\n" + (f"      until: {a.until.isoformat()}\n" if a.until else "")
    return text


def write(mesh: Mesh, root: Path) -> Path:
    files: dict[str, str | None] = {"mesh.yaml": MESH_YAML}
    for d, consumes in mesh.domains.items():
        extra = "consumes:\n" + "".join(f"  - product: {c}\n" for c in consumes) if consumes else ""
        files[f"{d}/domain.yaml"] = domain_yaml(d, extra, github=mesh.github[d],
                                                accounts={"dev": f"1000000000{int(d[1:]) + 10}",
                                                          "prod": f"2000000000{int(d[1:]) + 10}"})
    for p in mesh.products:
        files[f"{p.domain}/products/{p.name}.yaml"] = product_yaml(p)
    return write_tree(root, files, base=False)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mesh=meshes())
def test_grants_and_pending_requests_are_what_the_spec_says(mesh: Mesh) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        # (not named domains/: the live-tree guard reads the loader's dir_fd-relative opens as ./domains)
        resolution = load_mesh(str(write(mesh, Path(tmp) / "specs")), TODAY)
        errors = {d.code for d in resolution.report.errors}
        forbidden = expected_errors(mesh)
        if forbidden:
            assert resolution.mesh is None and errors == forbidden, [d.format() for d in resolution.report.errors]
            return
        assert resolution.mesh is not None, [d.format() for d in resolution.report.errors]
        grants, pending = oracle(mesh, TODAY)
        decisions = resolution.mesh.decisions
        assert {(g.product, g.consumer) for g in decisions.grants} == grants
        assert {(p.product, p.consumer, p.approver, p.expired_on) for p in decisions.pending} == pending
        # Each grant once. A mesh domain reading an open product reads it without end (its
        # approval, if any, adds nothing); every other grant ends with the approval in force.
        assert len(decisions.grants) == len(grants)
        for g in decisions.grants:
            product = next(p for p in mesh.products if p.key == g.product)
            if product.mode == "open" and g.consumer != EXTERNAL:
                assert g.until is None, g
                continue
            [until] = [a.until for a in product.approvals if a.consumer == g.consumer]
            assert until is None or until >= TODAY
            assert g.until == until
        plan = build_plan(resolution.mesh, "dev")
        assert {(r.inputs["product"], r.inputs["consumer"]) for r in plan.of_type("datamesh:mesh:AccessGrant")} \
            == grants
        assert plan.errors == []
