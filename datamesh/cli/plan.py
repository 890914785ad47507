"""``mesh plan``: the resources an environment needs, offline, like ``cdk synth``."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from datamesh.cli.common import (
    add_domains,
    add_env,
    add_format,
    add_today,
    environment_of,
    load_valid_mesh,
    print_json,
)
from datamesh.diagnostics import Diagnostic
from datamesh.mesh import ResolvedMesh
from datamesh.plan import Plan, build_plan
from datamesh.plan.build import PLATFORM_SCOPE
from datamesh.plan.render import render_text
from datamesh.sourcemap import MESH_KEY


def add_scope(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--scope", metavar="DOMAIN[,DOMAIN…]",
        help="plan only these domains (a domain-scoped stack), or `platform` for the mesh-level "
             "stack; default: the whole mesh")


def parse_scope(value: str | None) -> list[str] | None:
    if value is None:
        return None
    return [s.strip() for s in value.split(",") if s.strip()]


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "plan", help="compute the resources an environment needs (no cloud credentials)",
        description="Compute, offline, the exact resources `pulumi up` would create for one "
                    "environment: type, logical name, parent, provider and inputs.")
    add_domains(parser)
    add_env(parser)
    add_today(parser)
    add_format(parser, "text", "json")
    add_scope(parser)
    parser.set_defaults(handler=run)


def make_plan(args: argparse.Namespace) -> tuple[Plan | None, int]:
    """The plan of the options' mesh, env and scope; (None, 1) when the mesh is invalid."""
    resolution, mesh = load_valid_mesh(args)
    if mesh is None:
        return None, 1
    env = environment_of(args, mesh)
    show_progress = sys.stderr.isatty() and len(mesh.domains) > 50

    def progress(done: int, total: int) -> None:
        sys.stderr.write(f"\rplanning {env}: {done}/{total} domains")
        if done == total:
            sys.stderr.write("\n")

    scope = parse_scope(args.scope)
    plan = build_plan(mesh, env, scope, progress if show_progress else None)
    plan.warnings = [*scoped_warnings(resolution.report.warnings, mesh, scope), *plan.warnings]
    return plan, 0


def scoped_warnings(warnings: list[Diagnostic], mesh: ResolvedMesh, scope: list[str] | None) -> list[Diagnostic]:
    """The mesh's warnings a stack of ``scope`` is about: those in its domains' files (and
    mesh.yaml's for the ``platform`` scope); every warning when the plan is the whole mesh.

    A domain stack's reviewer needs its own domain's warnings, not the whole mesh's; requests
    to the scope's products from elsewhere are listed as pending requests of the plan anyway.
    """
    if scope is None:
        return list(warnings)
    files = {os.path.abspath(mesh.sources.file(MESH_KEY))} if PLATFORM_SCOPE in scope else set()
    for domain in scope:
        if domain in mesh.domains:
            files.add(os.path.abspath(mesh.sources.file(domain)))
            files.update(os.path.abspath(mesh.sources.file(f"{domain}/{p.name}")) for p in mesh.products_of(domain))
    return [d for d in warnings if os.path.abspath(d.file) in files]


def run(args: argparse.Namespace) -> int:
    plan, status = make_plan(args)
    if plan is None:
        return status
    if args.format == "json":
        print_json(plan.to_json())
    else:
        sys.stdout.write(render_text(plan))
    for d in plan.errors:
        sys.stderr.write(d.format() + "\n")
    return 1 if plan.errors else 0


__all__ = ["add_scope", "make_plan", "parse_scope", "scoped_warnings"]
