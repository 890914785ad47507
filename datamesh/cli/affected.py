"""``mesh affected --base GIT_REF``: the stacks a change touches, for a CI matrix.

A scope (a domain, or ``platform``) is affected when its plan (``mesh plan --scope``) differs
between GIT_REF and the working tree, both planned with this code; its stack is
``<env>-<scope>``. Text: one ``ENV SCOPE`` line per affected stack. JSON:
``{"base": REF, "environments": {ENV: [SCOPE, …]}, "matrix": [{"environment", "scope",
"stack"}, …]}``. Exit 1 when the working tree's mesh does not validate (its errors on stderr),
2 on a usage error (a bad ref).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from datamesh.cli.common import add_domains, add_format, add_today, print_json, today_of
from datamesh.cli.diff import add_base
from datamesh.errors import UsageError


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "affected", help="the stacks (ENV SCOPE) whose plan a change alters, for a CI matrix",
        description="List the scopes (domains and `platform`, as `mesh plan --scope` takes them) "
                    "whose plan differs between --base and the working tree: one `ENV SCOPE` line "
                    "per stack `<env>-<scope>`. Computed from the plans, so a domain whose product "
                    "another domain starts reading is listed too.")
    add_domains(parser)
    add_base(parser)
    parser.add_argument("--env", metavar="ENV",
                        help="only this environment (default: every environment of the working tree's mesh)")
    add_today(parser)
    add_format(parser, "text", "json")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from datamesh.diff.affected import compute_affected
    from datamesh.diff.sides import changed_files, load_sides, locate

    today = today_of(args)
    change = locate(args.domains, args.base)
    base, head = load_sides(change, today)
    if head.resolution is None or head.resolution.mesh is None:
        errors = head.errors
        for d in sorted(set(errors)):
            sys.stderr.write(d.format() + "\n")
        sys.stderr.write(f"mesh: the mesh has {len(errors)} error(s); run `mesh validate` for details\n")
        return 1
    mesh = head.resolution.mesh
    environments = list(mesh.spec.environments)
    if args.env is not None:
        if args.env not in environments:
            raise UsageError(f"--env {args.env}: not an environment of mesh {mesh.spec.name}",
                             f"choose one of: {', '.join(environments)}")
        environments = [args.env]
    base_mesh = base.resolution.mesh if base.resolution is not None else None
    if base.state == "invalid":
        sys.stderr.write(f"mesh: note: base {args.base} does not validate under this code "
                         f"({len(base.errors)} error(s)): every scope counts as affected\n")
    for note in base.notes:
        sys.stderr.write(f"mesh: note: {note}\n")
    _, outside = changed_files(change)
    if outside:
        sys.stderr.write(f"mesh: note: {len(outside)} file(s) outside {change.shown_prefix}/ changed; the "
                         f"plans cannot show their effect (run `pulumi preview` on every stack)\n")
    affected = compute_affected(args.base, base_mesh, mesh, environments)
    if args.format == "json":
        print_json(affected.to_json())
    else:
        sys.stdout.write(affected.to_text())
    return 0
