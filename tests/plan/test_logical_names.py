"""Logical names are unique by construction; a renamed resource carries its former names.

Issue 10 §5: an external principal's grant slug was ``ext-<h8(arn)>``, a valid domain name, so a
domain named after it (``ext-cb20abf6``, the hash of the example's yogaflow-reader) requesting
the same product gave two resources of one logical name: Pulumi refuses the stack.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path

from meshtree import TODAY, domain_yaml, product_yaml

from datamesh.plan import build_plan
from datamesh.plan.model import Options
from datamesh.plan.naming import h8
from datamesh.resolve import load_mesh

ARN = "arn:aws:iam::444455556666:role/reader"
LOOKALIKE = f"ext-{h8(ARN)}"
"""A valid domain name equal to the principal's former grant slug."""


def _mesh(make_mesh: Callable[..., Path]) -> Path:
    return make_mesh({
        f"{LOOKALIKE}/domain.yaml": domain_yaml(LOOKALIKE, "consumes:\n  - product: alpha/events\n"),
        "alpha/products/events.yaml": product_yaml(
            "events", f"sharing:\n  approved:\n    - domain: {LOOKALIKE}\n    - principal: {ARN}\n"),
    })


def test_a_domain_named_like_an_external_grant_slug_gets_its_own_names(make_mesh: Callable[..., Path]) -> None:
    resolution = load_mesh(str(_mesh(make_mesh)), TODAY)
    assert resolution.mesh is not None, [d.format() for d in resolution.report.errors]
    plan = build_plan(resolution.mesh, "dev")
    assert plan.errors == []
    assert [n for n, c in Counter(r.name for r in plan.resources).items() if c > 1] == []
    grants = {r.name: r for r in plan.resources if r.type == "datamesh:mesh:AccessGrant"}
    assert {n: r.inputs["consumer"] for n, r in grants.items()} == {
        f"alpha/events.grant.{LOOKALIKE}": LOOKALIKE,
        f"alpha/events.grant._ext-{h8(ARN)}": ARN,
    }
    # The principal's former name is now the domain's: that alias would claim the domain's state.
    assert grants[f"alpha/events.grant._ext-{h8(ARN)}"].options == Options()


def test_external_grants_carry_their_former_names_as_aliases(make_mesh: Callable[..., Path]) -> None:
    root = make_mesh({"alpha/products/events.yaml": product_yaml(
        "events", f"sharing:\n  approved:\n    - principal: {ARN}\n")})
    resolution = load_mesh(str(root), TODAY)
    assert resolution.mesh is not None
    plan = build_plan(resolution.mesh, "dev")
    new, old = f"alpha/events.grant._ext-{h8(ARN)}", f"alpha/events.grant.ext-{h8(ARN)}"
    assert {r.name: r.options.to_json() for r in plan.resources if r.name.startswith(new)} == {
        new: {"protect": False, "retainOnDelete": False, "aliases": [old]},
        f"{new}.access-point": {"protect": False, "retainOnDelete": False, "aliases": [f"{old}.access-point"]},
        f"{new}.key-grant": {"protect": False, "retainOnDelete": False, "aliases": [f"{old}.key-grant"]},
    }
    # Every other resource keeps spec-v1's exact options shape.
    assert {tuple(r.options.to_json()) for r in plan.resources if not r.name.startswith(new)} == {
        ("protect", "retainOnDelete")}
