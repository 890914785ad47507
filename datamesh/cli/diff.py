"""``mesh diff --base GIT_REF``: what a change does — access, risks, resources, who must approve.

The working tree under ``--domains`` (as on disk, committed or not) against the same directory
at GIT_REF, read from git objects (no checkout). Both sides are loaded and planned with this
code for one environment. Exit 0, or 1 when the head (the working tree) does not validate, has a
plan error, or breaks a mandatory policy (the rules `mesh check` runs, with the same
``--policy-config``); the base never decides the exit code. A bad ref is a usage error (2).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from datamesh.cli.check import add_policy_config, read_config
from datamesh.cli.common import add_domains, add_env, add_format, add_today, print_json, today_of
from datamesh.errors import UsageError


def add_base(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--base", required=True, metavar="GIT_REF",
                        help="the commit to compare with: a branch, tag or commit of the repository "
                             "holding --domains (e.g. origin/main)")


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "diff", help="what a change does: access gained and lost, risks, resources, approvers",
        description="Compare the specs under --domains (as on disk) with the same folder at "
                    "--base, planned with this code: access gained and lost (one line per grant "
                    "edge), pending requests, risky changes (retention shortened, products retired "
                    "or removed, classification lowered, accounts or regions moved, major "
                    "versions), resources added / changed / removed, who must approve, and the "
                    "policy verdict of the new state. Exit 1 when the new state is invalid or "
                    "breaks a mandatory policy.")
    add_domains(parser)
    add_base(parser)
    add_env(parser)
    add_today(parser)
    add_format(parser, "text", "markdown", "json")
    add_policy_config(parser, "pack config for the policy verdict (as `mesh check --policy-config`); "
                              "default: the pack's defaults")
    parser.set_defaults(handler=run)


def choose_environment(requested: str | None, head_envs: list[str] | None, base_envs: list[str] | None) -> str | None:
    """``--env``, else the head's first environment (the base's when the head's mesh.yaml does
    not load); None when neither side names one."""
    if requested is not None:
        if head_envs is not None and requested not in head_envs:
            raise UsageError(f"--env {requested}: not an environment of the mesh",
                             f"choose one of: {', '.join(head_envs)}")
        return requested
    for envs in (head_envs, base_envs):
        if envs:
            return envs[0]
    return None


def run(args: argparse.Namespace) -> int:
    from datamesh.diff.compute import compute_diff, plan_side
    from datamesh.diff.model import Header
    from datamesh.diff.sides import base_codeowners, changed_files, load_sides, locate
    from datamesh.forked import jobs

    config = read_config(args.policy_config)
    today = today_of(args)
    change = locate(args.domains, args.base)
    base, head = load_sides(change, today)
    head_mesh = head.tree.mesh.model if head.tree.mesh is not None else None
    base_mesh = base.tree.mesh.model if base.tree.mesh is not None else None
    head_envs = list(head_mesh.environments) if head_mesh is not None else None
    base_envs = list(base_mesh.environments) if base_mesh is not None else None
    env = choose_environment(args.env, head_envs, base_envs)
    notes = []
    if head_envs is not None and base_envs is not None and head_envs != base_envs:
        notes.append(f"the environments differ: base {args.base} has {', '.join(base_envs)}; the head has "
                     f"{', '.join(head_envs)} (this diff is for {env})")
    if env is not None:
        plan_side(head, env, config, today, processes=jobs())
        # The base's verdict only tells which of the head's findings are new: with none, it is
        # not needed (and judging a big mesh is a third of a diff's time).
        head_findings = head.evaluation is not None and bool(head.evaluation.violations)
        plan_side(base, env, config, today, judge=head_findings, processes=jobs())
    inside, outside = changed_files(change)
    mesh_name = head_mesh.name if head_mesh is not None else base_mesh.name if base_mesh is not None else "-"
    header = Header(mesh=mesh_name, environment=env or "-", base=args.base, base_commit=change.commit,
                    today=today, domains=change.shown_prefix)
    diff = compute_diff(header, base, head, touched=inside, outside=outside, prefix=change.prefix,
                        codeowners=base_codeowners(change), notes=notes)
    if args.format == "json":
        from datamesh.diff.render_json import render_json

        print_json(render_json(diff))
    elif args.format == "markdown":
        from datamesh.diff.render_markdown import render_markdown

        sys.stdout.write(render_markdown(diff))
    else:
        from datamesh.diff.render_text import render_text

        sys.stdout.write(render_text(diff))
    return diff.exit_code
