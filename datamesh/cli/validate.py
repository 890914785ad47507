"""``mesh validate``: every problem of every file, in one run."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from datamesh.cli.common import add_domains, add_env, add_format, add_today, print_json, today_of
from datamesh.diagnostics import Diagnostic
from datamesh.parsecache import open_cache
from datamesh.resolve import Resolution, load_mesh


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "validate", help="check every spec file and the whole mesh (all environments)",
        description="Check every spec file under --domains and the mesh as a whole, for every "
                    "environment. Prints each problem as FILE:LINE:COL: severity CODE FIELD: "
                    "message, then a hint. Exit 0 when there is no error (warnings allowed).")
    add_domains(parser)
    add_env(parser)  # accepted for symmetry; validate always checks every environment
    add_today(parser)
    add_format(parser, "text", "json")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    resolution = load_mesh(args.domains, today_of(args), cache=open_cache(args.domains))
    if resolution.mesh is not None:
        _check_budgets(resolution)
    problems = resolution.report.sorted()
    errors = sum(1 for d in problems if d.is_error)
    warnings = len(problems) - errors
    files = resolution.tree.files_read
    if args.format == "json":
        print_json(_as_json(problems, files, errors, warnings))
    else:
        out = sys.stdout
        for d in problems:
            out.write(d.format() + "\n")
        verdict = "invalid" if errors else "valid"
        out.write(f"{verdict}: {files} files, {errors} error(s), {warnings} warning(s)\n")
    return 1 if errors else 0


def _check_budgets(resolution: Resolution) -> None:
    """Add the plan's size-budget diagnostics (DM400/DM401) of every environment.

    Only a mesh without errors has a plan; its documents are measured against their AWS limits
    so a pull request learns that a policy would be rejected before anything is deployed. The
    environments are planned side by side on several cores (``datamesh.forked``); the
    diagnostics are the same, in the same order, as one by one.
    """
    from datamesh.forked import map_forked
    from datamesh.plan import build_plan  # imported here: an invalid mesh never pays for it

    mesh = resolution.mesh
    assert mesh is not None

    def budget_problems(env: str) -> list[Diagnostic]:
        # The AWS side only: the catalog's ConfigMaps (DM650) are `mesh plan` and `mesh check`'s.
        # Only the diagnostics leave: one environment's plan in memory at a time per process
        # (133,000 resources at 10,000 products).
        plan = build_plan(mesh, env, discovery=False)
        return [*plan.errors, *plan.warnings]

    for problems in map_forked(budget_problems, list(mesh.spec.environments)):
        resolution.report.extend(problems)


def _as_json(problems: list[Diagnostic], files: int, errors: int, warnings: int) -> dict[str, Any]:
    return {
        "valid": errors == 0,
        "files": files,
        "errors": errors,
        "warnings": warnings,
        "problems": [d.to_json() for d in problems],
    }
