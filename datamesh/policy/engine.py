"""Run the rules over a whole stack offline: what ``mesh check`` (and ``mesh diff``) report.

Resource rules are dispatched by type token (each resource meets only the rules that apply to
its type); stack rules run once over a ``StackView``. Disabled rules do not run. Violations
come back in resource order (the plan's), then rule order (the registry's).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from datamesh.forked import map_forked
from datamesh.policy.config import PackConfig
from datamesh.policy.model import (
    EVERY_TYPE,
    Level,
    ResourceRule,
    ResourceView,
    Rule,
    RuleContext,
    StackRule,
    StackView,
    Violation,
)
from datamesh.policy.registry import RULES


@dataclass(slots=True)
class Evaluation:
    violations: list[Violation] = field(default_factory=list)
    resources: int = 0
    levels: dict[str, Level] = field(default_factory=dict)
    """Every rule's level in this run (disabled ones included)."""

    @property
    def mandatory(self) -> list[Violation]:
        return [v for v in self.violations if v.level == "mandatory"]

    @property
    def advisory(self) -> list[Violation]:
        return [v for v in self.violations if v.level == "advisory"]

    @property
    def passed(self) -> bool:
        return not self.mandatory


def clear_caches() -> None:
    """Forget parsed policy documents (bounded LRU caches; benchmarks start cold with this)."""
    from datamesh.policy import documents, values

    values._parse_json.cache_clear()
    documents._cached_statements.cache_clear()
    documents._text_document.cache_clear()


def _violation(rule: Rule, level: Level, resource: ResourceView | None, message: str) -> Violation:
    return Violation(
        rule=rule.id, level=level, severity=rule.severity,
        resource=resource.name if resource is not None else None,
        type=resource.type if resource is not None else None,
        scope=resource.scope if resource is not None else "-",
        message=message, remediation=rule.remediation,
    )


FORK_FROM = 5_000
"""Resources from which ``evaluate`` with ``processes > 1`` splits the work: below, forking costs
more than it saves."""


def evaluate(resources: Sequence[ResourceView], config: PackConfig, today: date,
             rules: Iterable[Rule] = RULES, processes: int = 1) -> Evaluation:
    """Every enabled rule over ``resources``: the violations in resource order, then rule order.

    ``processes`` > 1 (a command-line run: ``datamesh.forked.jobs()``) judges slices of a big
    plan in forked children — never in a process with threads, such as the server. The
    violations are the same, in the same order, as in one process.
    """
    result = Evaluation(resources=len(resources))
    by_type: dict[str, list[tuple[ResourceRule, Level, RuleContext]]] = {}
    stack_rules: list[tuple[StackRule, Level, RuleContext]] = []
    order: dict[str, int] = {}
    for i, rule in enumerate(rules):
        order[rule.id] = i
        level = config.level(rule)
        result.levels[rule.id] = level
        if level == "disabled":
            continue
        ctx = RuleContext(today=today, config=config.properties(rule))
        if isinstance(rule, ResourceRule):
            for type_token in ((EVERY_TYPE,) if EVERY_TYPE in rule.types else rule.types):
                by_type.setdefault(type_token, []).append((rule, level, ctx))
        elif isinstance(rule, StackRule):
            stack_rules.append((rule, level, ctx))
    every = by_type.pop(EVERY_TYPE, [])
    dispatch: dict[str, list[tuple[ResourceRule, Level, RuleContext]]] = {}

    def applicable(type_token: str) -> list[tuple[ResourceRule, Level, RuleContext]]:
        """The rules of one type (its own and those of every type), in registry order."""
        found = dispatch.get(type_token)
        if found is None:
            found = sorted([*by_type.get(type_token, ()), *every], key=lambda entry: order[entry[0].id])
            dispatch[type_token] = found
        return found

    def judge(span: tuple[int, int]) -> list[tuple[int, int, Violation]]:
        out: list[tuple[int, int, Violation]] = []
        for position in range(*span):
            resource = resources[position]
            for rule, level, ctx in applicable(resource.type):
                for message in rule.check(resource, ctx):
                    out.append((position, order[rule.id], _violation(rule, level, resource, message)))
        return out

    pieces = processes if processes > 1 and len(resources) >= FORK_FROM else 1
    size = -(-len(resources) // pieces) if resources else 0
    spans = [(start, min(start + size, len(resources))) for start in range(0, len(resources), size or 1)]
    found = [v for part in map_forked(judge, spans, pieces) for v in part]
    if stack_rules:
        stack = StackView(resources)
        positions = {id(r): i for i, r in enumerate(resources)}
        for rule, level, ctx in stack_rules:
            for finding in rule.check(stack, ctx):
                where = positions.get(id(finding.resource), len(resources))
                found.append((where, order[rule.id],
                              _violation(rule, level, finding.resource, finding.message)))
    found.sort(key=lambda entry: (entry[0], entry[1]))
    result.violations = [v for _, _, v in found]
    return result
