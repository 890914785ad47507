"""Base and head → one ``MeshDiff``. Pure: the caller loads both sides (``diff/sides.py``).

Both sides were loaded and resolved by the head's code, and are planned here with it for one
environment. What is compared, and from what:

- specs (products, domains, mesh.yaml) and risks: from the loaded files of each side — a side
  with errors still has the files that loaded;
- access and pending requests: from the grant decisions (``product → consumer`` edges);
- resources: from the two plans, when both sides validate (a side that does not cannot be
  planned, and the resources are then "not compared", saying why);
- the policy verdict: the head's plan through the same rules as ``mesh check``; a finding is
  ``new`` when the base's plan does not have it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from datamesh.diagnostics import Diagnostic
from datamesh.diff.approvers import CodeOwners, find_approvers
from datamesh.diff.model import (
    AccessDiff,
    GrantEdge,
    Header,
    MeshDiff,
    Outcome,
    PendingDiff,
    PendingEdge,
    PolicyFinding,
    PolicyVerdict,
    ResolvedRequest,
    ResourcesDiff,
    SpecChanges,
    UntilChange,
)
from datamesh.diff.resources import diff_resources
from datamesh.diff.risks import MeshFacts, detect_risks, facts_of_specs
from datamesh.grants import GrantDecisions, collect_requests
from datamesh.loader import LoadedTree
from datamesh.plan import Plan, build_plan
from datamesh.policy import Evaluation, PackConfig, evaluate
from datamesh.policy.facts import mesh_facts
from datamesh.policy.plan_views import views_of_plan
from datamesh.resolve import Resolution

SideState = Literal["ok", "missing", "invalid"]


@dataclass(slots=True)
class Side:
    """One side of the change, as the head's code loaded it."""

    resolution: Resolution | None
    """None when ``--domains`` does not exist on this side (an empty mesh)."""
    label: str
    """How notes name this side: ``base origin/main`` or ``head``."""
    plan: Plan | None = None
    evaluation: Evaluation | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def state(self) -> SideState:
        if self.resolution is None:
            return "missing"
        return "ok" if self.resolution.mesh is not None else "invalid"

    @property
    def tree(self) -> LoadedTree:
        return self.resolution.tree if self.resolution is not None else LoadedTree(root="")

    @property
    def decisions(self) -> GrantDecisions:
        return self.resolution.decisions if self.resolution is not None else GrantDecisions()

    @property
    def errors(self) -> list[Diagnostic]:
        return self.resolution.report.errors if self.resolution is not None else []


def plan_side(side: Side, env: str, config: PackConfig, today: date, judge: bool = True,
              processes: int = 1) -> None:
    """Plan ``side`` for ``env`` when it validates and has that environment, and judge the plan
    with the rules unless ``judge`` is False (its verdict is then not needed); ``processes``: see
    ``datamesh.policy.evaluate``."""
    if side.resolution is None or side.resolution.mesh is None:
        return
    mesh = side.resolution.mesh
    if env not in mesh.spec.environments:
        side.notes.append(f"{side.label} has no environment {env!r} (its environments: "
                          f"{', '.join(mesh.spec.environments)}): everything in {env} is new")
        side.plan = Plan(mesh=mesh.spec.name, environment=env, today=today)
        side.evaluation = Evaluation()
        return
    side.plan = build_plan(mesh, env)
    if judge:
        side.evaluation = evaluate(views_of_plan(side.plan.resources),
                                   config.with_facts(mesh_facts(mesh, env)), today, processes=processes)


def compute_diff(header: Header, base: Side, head: Side, *, touched: Iterable[str] = (),
                 outside: Iterable[str] = (), prefix: str = "", codeowners: CodeOwners | None = None,
                 notes: Iterable[str] = ()) -> MeshDiff:
    """The diff of ``base`` → ``head`` (both already planned with ``plan_side``)."""
    touched, outside = tuple(sorted(touched)), tuple(sorted(outside))
    b_tree, h_tree = base.tree, head.tree
    products, sharing_changed = _product_changes(b_tree, h_tree)
    domains = _domain_changes(b_tree, h_tree)
    b_mesh = b_tree.mesh.model if b_tree.mesh is not None else None
    h_mesh = h_tree.mesh.model if h_tree.mesh is not None else None
    mesh_changed = b_mesh != h_mesh
    b_decisions, h_decisions = base.decisions, head.decisions
    risks = detect_risks(_facts(b_tree, b_decisions), _facts(h_tree, h_decisions))
    # A head file that exists but does not load is not "removed" (the head's errors say why).
    risks = [r for r in risks if not (r.kind in ("product-removed", "domain-removed")
                                      and r.subject in h_tree.broken)]
    spec_domains = {k.partition("/")[0] for k in (*products.added, *products.changed, *products.retired,
                                                  *products.removed)}
    spec_domains |= {*domains.added, *domains.changed, *domains.removed}
    approvers = find_approvers(touched=touched, prefix=prefix, base=b_tree, head=h_tree,
                               spec_domains=sorted(spec_domains), sharing_changed=sharing_changed,
                               mesh_changed=mesh_changed, codeowners=codeowners)
    all_notes = [*notes, *base.notes, *head.notes]
    elsewhere = sorted({r.field.rpartition(".")[2] for r in risks if r.kind == "account-changed"}
                       - {header.environment})
    for env in elsewhere:
        all_notes.append(f"an account changes in {env}: this diff plans {header.environment} only; run "
                         f"`mesh diff --base {header.base} --env {env}` for {env}'s resources")
    base_errors: tuple[Diagnostic, ...] = ()
    if base.state == "invalid":
        base_errors = tuple(sorted(set(base.errors), key=lambda d: (d.file, d.line, d.col, d.code, d.message)))
        all_notes.append(f"the {base.label} has {len(base_errors)} error(s) under this code (listed below; "
                         f"only the head decides the exit code)")
    return MeshDiff(
        header=header, outside=outside, touched=touched, products=products, domains=domains,
        mesh_changed=mesh_changed, access=_access(b_decisions, h_decisions),
        pending=_pending(b_decisions, h_decisions, h_tree), risks=tuple(risks),
        resources=_resources(base, head), approvers=approvers, policy=_verdict(base, head),
        notes=tuple(all_notes), base_errors=base_errors)


def _product_changes(base: LoadedTree, head: LoadedTree) -> tuple[SpecChanges, list[str]]:
    old = {f"{d}/{p}": loaded.model for d, by in base.products.items() for p, loaded in by.items()}
    new = {f"{d}/{p}": loaded.model for d, by in head.products.items() for p, loaded in by.items()}
    added = sorted(new.keys() - old.keys())
    removed = sorted(k for k in old.keys() - new.keys() if k not in head.broken
                     and k.partition("/")[0] not in head.broken)
    retired, changed = [], []
    for key in sorted(old.keys() & new.keys()):
        if old[key] == new[key]:
            continue
        if new[key].status == "retired" and old[key].status != "retired":
            retired.append(key)
        else:
            changed.append(key)
    sharing = sorted(k for k in old.keys() | new.keys()
                     if (old[k].sharing.approved if k in old else []) != (new[k].sharing.approved if k in new else []))
    return SpecChanges(tuple(added), tuple(changed), tuple(retired), tuple(removed)), sharing


def _domain_changes(base: LoadedTree, head: LoadedTree) -> SpecChanges:
    old = {k: v.model for k, v in base.domains.items()}
    new = {k: v.model for k, v in head.domains.items()}
    return SpecChanges(
        added=tuple(sorted(new.keys() - old.keys())),
        changed=tuple(sorted(k for k in old.keys() & new.keys() if old[k] != new[k])),
        removed=tuple(sorted(k for k in old.keys() - new.keys() if k not in head.broken)))


def _access(base: GrantDecisions, head: GrantDecisions) -> AccessDiff:
    old = {(g.product, g.consumer): g for g in base.grants}
    new = {(g.product, g.consumer): g for g in head.grants}
    gained = sorted(GrantEdge(g.product, g.consumer, g.consumer_kind, g.until)
                    for k, g in new.items() if k not in old)
    lost = sorted(GrantEdge(g.product, g.consumer, g.consumer_kind, g.until)
                  for k, g in old.items() if k not in new)
    changed = sorted(UntilChange(g.product, g.consumer, g.consumer_kind, old[k].until, g.until)
                     for k, g in new.items() if k in old and old[k].until != g.until)
    return AccessDiff(tuple(gained), tuple(lost), tuple(changed))


def _facts(tree: LoadedTree, decisions: GrantDecisions) -> MeshFacts:
    """The risk facts of whatever loaded from one side's tree."""
    return facts_of_specs(tree.mesh.model if tree.mesh is not None else None,
                          {name: loaded.model for name, loaded in tree.domains.items()},
                          {f"{d}/{p}": loaded.model for d, by in tree.products.items() for p, loaded in by.items()},
                          ((g.product, g.consumer) for g in decisions.grants))


def _pending(base: GrantDecisions, head: GrantDecisions, head_tree: LoadedTree) -> PendingDiff:
    old = {(p.product, p.consumer): p for p in base.pending}
    new = {(p.product, p.consumer): p for p in head.pending}
    granted = {(g.product, g.consumer) for g in head.grants}
    products = {f"{d}/{p}": loaded.model for d, by in head_tree.products.items() for p, loaded in by.items()}
    domains = {name: loaded.model for name, loaded in head_tree.domains.items()}
    asked = {(r.product, r.consumer) for r in collect_requests(domains, products)}
    opened = sorted(PendingEdge(p.product, p.consumer, p.approver, p.expired_on)
                    for k, p in new.items() if k not in old)
    resolved = []
    for key, p in sorted(old.items()):
        if key in new:
            continue
        outcome: Outcome = "approved" if key in granted else "closed" if key in asked else "withdrawn"
        resolved.append(ResolvedRequest(p.product, p.consumer, p.approver, outcome))
    return PendingDiff(tuple(opened), tuple(resolved))


def _resources(base: Side, head: Side) -> ResourcesDiff:
    if head.state != "ok":
        return ResourcesDiff(compared=False, not_compared="the head does not validate: it has no plan")
    if base.state == "invalid":
        return ResourcesDiff(compared=False, not_compared=f"the {base.label} does not validate under this "
                                                          f"code: it has no plan to compare with (see notes)")
    assert head.plan is not None
    return diff_resources(base.plan.resources if base.plan is not None else [], head.plan.resources)


def _verdict(base: Side, head: Side) -> PolicyVerdict:
    if head.state != "ok" or head.plan is None or head.evaluation is None:
        return PolicyVerdict(evaluated=False, passed=False, errors=tuple(sorted(set(head.errors))))
    seen = set()
    if base.evaluation is not None:
        seen = {(v.rule, v.resource, v.message) for v in base.evaluation.violations}
    evaluation = head.evaluation
    findings = tuple(PolicyFinding(v, (v.rule, v.resource, v.message) not in seen) for v in evaluation.violations)
    active = sum(1 for level in evaluation.levels.values() if level != "disabled")
    errors = tuple(head.plan.errors)
    return PolicyVerdict(evaluated=True, passed=evaluation.passed and not errors,
                         mandatory=len(evaluation.mandatory), advisory=len(evaluation.advisory),
                         rules=active, resources=evaluation.resources, findings=findings, errors=errors)
