"""``mesh check``: the policy pack's rules over the plan, offline — the deploy-time verdicts in a
pull request, without cloud credentials.

By default the plan is computed from the specs under ``--domains`` and the mesh facts (accounts,
the grants the specs decide) are added to the pack config. With ``--plan FILE`` the rules judge
a saved plan instead (``mesh plan --format json``, or a review tool's export of a hand-edited
program) exactly as the pack would at deploy time: the facts come only from ``--policy-config``
(the file ``mesh policy-config`` writes) and, without it, the rules that need them fail closed.

Each violation is one line ``<level> <severity> <rule-id> <resource> <domain>/<product>:
<message>`` followed by ``  remediation: …``; the last line is the verdict. Exit 1 on any
mandatory violation (or a plan over an AWS size limit), else 0; a malformed --policy-config or
--plan file is a usage error (2).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from datamesh.cli.common import (
    DEFAULT_DOMAINS,
    add_domains,
    add_env,
    add_format,
    add_today,
    environment_of,
    load_valid_mesh,
    print_json,
    today_of,
)
from datamesh.cli.plan import add_scope, parse_scope
from datamesh.errors import UsageError
from datamesh.forked import jobs
from datamesh.plan import build_plan
from datamesh.policy import RULES, Evaluation, PackConfig, PolicyConfigError, evaluate, load_pack_config
from datamesh.policy.facts import mesh_facts
from datamesh.policy.plan_file import PlanFileError, read_plan_file
from datamesh.policy.plan_views import views_of_plan


def add_policy_config(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument("--policy-config", metavar="FILE", help=what)


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "check", help="run the policy pack's rules over the plan, offline",
        description="Run the mesh-guardrails rules over the resources `mesh plan` computes, "
                    "offline, exactly as the policy pack judges them at deploy time. One line per "
                    "violation: LEVEL SEVERITY RULE-ID RESOURCE DOMAIN/PRODUCT: message, then the "
                    "remediation. Exit 1 on a mandatory violation.")
    add_domains(parser)
    add_env(parser)
    add_today(parser)
    add_format(parser, "text", "json")
    add_scope(parser)
    add_policy_config(parser, "pack config (the JSON `pulumi --policy-pack-config` takes): "
                              "enforcement levels and thresholds per rule, and with --plan the "
                              "mesh facts (`mesh policy-config` writes them); default: the pack's "
                              "defaults")
    parser.add_argument("--plan", metavar="FILE",
                        help="judge this saved plan (the JSON of `mesh plan --format json`) instead "
                             "of planning the specs: exactly as the pack would at deploy time, with "
                             "the facts of --policy-config only (without them the grant rules fail "
                             "closed); --domains, --env and --scope do not apply")
    # --domains unset is told apart from --domains ./domains, so --plan can refuse it.
    parser.set_defaults(handler=run, domains=None)


def read_config(path: str | None) -> PackConfig:
    """The user's pack config; a malformed file is a usage error (exit 2)."""
    if path is None:
        return PackConfig()
    try:
        return load_pack_config(path)
    except PolicyConfigError as exc:
        raise UsageError(f"--policy-config {exc.source}: " + "\n  ".join(exc.problems),
                         "see docs/policies.md for the rules and their settings") from None


def run(args: argparse.Namespace) -> int:
    user_config = read_config(args.policy_config)
    if args.plan is not None:
        return run_saved_plan(args, user_config)
    if args.domains is None:
        args.domains = DEFAULT_DOMAINS
    _, mesh = load_valid_mesh(args)
    if mesh is None:
        return 1
    env = environment_of(args, mesh)
    today = today_of(args)
    plan = build_plan(mesh, env, parse_scope(args.scope))
    config = user_config.with_facts(mesh_facts(mesh, env))
    evaluation = evaluate(views_of_plan(plan.resources), config, today, processes=jobs())
    if args.format == "json":
        print_json(as_json(plan.mesh, env, today.isoformat(), evaluation,
                           [d.to_json() for d in plan.errors]))
    else:
        out = sys.stdout
        for violation in evaluation.violations:
            out.write(violation.format() + "\n")
        out.write(summary(plan.mesh, env, today.isoformat(), evaluation, len(plan.errors)) + "\n")
    for d in plan.errors:
        sys.stderr.write(d.format() + "\n")
    return 0 if evaluation.passed and not plan.errors else 1


def run_saved_plan(args: argparse.Namespace, config: PackConfig) -> int:
    """The rules over a saved plan, with the facts of ``config`` alone (as the pack sees them)."""
    given = [option for option, value in (("--domains", args.domains), ("--env", args.env),
                                          ("--scope", args.scope)) if value is not None]
    if given:
        raise UsageError(f"--plan judges the saved plan as it is: {', '.join(given)} does not apply",
                         "the plan file names its own mesh and environment; give the facts with "
                         "--policy-config (`mesh policy-config --env ENV` writes them)")
    try:
        saved = read_plan_file(args.plan)
    except PlanFileError as exc:
        raise UsageError(f"--plan {exc.source}: " + "\n  ".join(exc.problems),
                         "expected the JSON of `mesh plan --format json`") from None
    today = today_of(args)
    evaluation = evaluate(saved.views(), config, today, processes=jobs())
    if args.format == "json":
        print_json(as_json(saved.mesh, saved.environment, today.isoformat(), evaluation, []))
    else:
        out = sys.stdout
        for violation in evaluation.violations:
            out.write(violation.format() + "\n")
        out.write(summary(saved.mesh, saved.environment, today.isoformat(), evaluation) + "\n")
    return 0 if evaluation.passed else 1


def summary(mesh: str, env: str, today: str, evaluation: Evaluation, plan_errors: int = 0) -> str:
    active = sum(1 for level in evaluation.levels.values() if level != "disabled")
    verdict = "passed" if evaluation.passed and not plan_errors else "rejected"
    errors = f", and {plan_errors} plan error(s) on stderr" if plan_errors else ""
    return (f"{verdict}: {len(evaluation.mandatory)} mandatory and {len(evaluation.advisory)} "
            f"advisory violation(s){errors}; {active} of {len(evaluation.levels)} rules over "
            f"{evaluation.resources} resources ({mesh} {env}, {today})")


def as_json(mesh: str, env: str, today: str, evaluation: Evaluation,
            errors: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "mesh": mesh,
        "environment": env,
        "today": today,
        "passed": evaluation.passed and not errors,
        "mandatory": len(evaluation.mandatory),
        "advisory": len(evaluation.advisory),
        "resources": evaluation.resources,
        "rules": [{"id": r.id, "kind": r.kind, "severity": r.severity,
                   "level": evaluation.levels[r.id]} for r in RULES],
        "violations": [v.to_json() for v in evaluation.violations],
        "errors": errors,
    }
