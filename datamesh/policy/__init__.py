"""Federated computational governance: the mesh guardrails as pure rules.

Each rule (``rules/<rule_id>.py``) is a pure function over a resource's type token and
camelCase inputs, or over the whole stack. ``mesh check`` runs them over the Plan
(``engine.evaluate``); the ``mesh-guardrails`` policy pack (``policy_packs/mesh-guardrails``)
adapts the very same ``Rule`` objects to pulumi-policy, so deploy time and offline agree.

Nothing here imports ``pulumi``, the planner or pydantic (the pack imports this package in its
own virtualenv); ``facts`` (which reads a resolved mesh) is imported by the CLI only.
"""

from datamesh.policy.config import PackConfig, PolicyConfigError, load_pack_config, parse_pack_config
from datamesh.policy.engine import Evaluation, evaluate
from datamesh.policy.model import (
    Finding,
    Level,
    ResourceRule,
    ResourceView,
    Rule,
    RuleContext,
    Severity,
    StackRule,
    StackView,
    Violation,
)
from datamesh.policy.registry import RULES, RULES_BY_ID

__all__ = [
    "RULES",
    "RULES_BY_ID",
    "Evaluation",
    "Finding",
    "Level",
    "PackConfig",
    "PolicyConfigError",
    "ResourceRule",
    "ResourceView",
    "Rule",
    "RuleContext",
    "Severity",
    "StackRule",
    "StackView",
    "Violation",
    "evaluate",
    "load_pack_config",
    "parse_pack_config",
]
