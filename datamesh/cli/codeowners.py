"""``mesh codeowners``: the CODEOWNERS that makes a producer's approval mean something.

A grant needs the producing domain's consent, written in its own files. That consent is only
real if nobody else can merge a change to those files, nor to the program that turns them into
AWS resources: GitHub's CODEOWNERS (with "require review from code owners" on the branch) gives
every path to the platform team, each domain folder to its ``owner.github`` (the last matching
line wins). This command writes that file from the specs, keeping the repository's own lines
between the markers; ``--check`` proves GitHub would enforce it (datamesh/codeowners.py).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from typing import Any

from datamesh import codeowners
from datamesh.cli.common import add_domains, load_valid_mesh, parse_date
from datamesh.codes import CODES
from datamesh.diagnostics import Diagnostic
from datamesh.errors import UsageError
from datamesh.mesh import ResolvedMesh
from datamesh.spec.types import GITHUB_RE

MAX_PATHS_SHOWN = 20
"""Files without their owner listed one by one; the rest counted (a file without ``*`` lacks hundreds)."""


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "codeowners", help="write (or --check) the CODEOWNERS giving every path to the platform team and each "
                           "domain folder to its owners",
        description="Write a CODEOWNERS file: every path to the platform team, then your own lines (kept "
                    "between the markers), then the lines that win: the program, components, policy pack, "
                    "bootstrap, CI and mesh.yaml to the platform team, each domains/<domain>/ to the "
                    "domain's owner.github (the platform team when it has none).")
    add_domains(parser)
    parser.add_argument("--platform-owner", required=True, metavar="@ORG/TEAM",
                        help="the platform team's GitHub handle: owns every path no other line gives away")
    parser.add_argument("--output", default=".github/CODEOWNERS", metavar="FILE",
                        help="where to write, relative to the repository (default: .github/CODEOWNERS)")
    parser.add_argument("--check", action="store_true",
                        help="do not write; exit 1 unless FILE is what the specs say and gives every tracked "
                             "file (git ls-files) an owner, with no other CODEOWNERS file GitHub would read")
    # Owners do not depend on the date; --today only fixes the date the specs are resolved at.
    parser.add_argument("--today", type=parse_date, default=None, help=argparse.SUPPRESS)
    parser.set_defaults(handler=run, env=None)


def domain_owners(mesh: ResolvedMesh, platform_owner: str) -> dict[str, str]:
    """Each domain's owner in CODEOWNERS: its owner.github, else the platform team."""
    return {name: domain.owner.github or platform_owner for name, domain in mesh.domains.items()}


def render(mesh: ResolvedMesh, domains_path: str, platform_owner: str, current: str | None = None) -> str:
    """The CODEOWNERS text (paths relative to the repository root), keeping ``current``'s own lines."""
    return codeowners.render(codeowners.generated_head(platform_owner), codeowners.user_lines(current),
                             codeowners.generated_tail(mesh.spec.name, domains_path, platform_owner,
                                                       domain_owners(mesh, platform_owner)))


def repository_root(path: str) -> str:
    """The git work tree holding ``path``, else the current directory."""
    try:
        out = subprocess.run(["git", "-C", path, "rev-parse", "--show-toplevel"], capture_output=True,
                             text=True, check=True, timeout=10)
        return out.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return os.getcwd()


def tracked_files(root: str) -> list[str]:
    """``git ls-files`` of the repository; outside a git work tree every file under ``root``."""
    try:
        out = subprocess.run(["git", "-C", root, "ls-files", "-z"], capture_output=True, check=True, timeout=60)
        return [p for p in out.stdout.decode("utf-8", "surrogateescape").split("\0") if p]
    except (OSError, subprocess.SubprocessError):
        found = []
        for folder, dirs, files in os.walk(root):
            dirs[:] = sorted(d for d in dirs if d != ".git")
            found += [os.path.relpath(os.path.join(folder, f), root).replace(os.sep, "/") for f in files]
        return sorted(found)


def run(args: argparse.Namespace) -> int:
    if not GITHUB_RE.fullmatch(args.platform_owner):
        raise UsageError(f"--platform-owner {args.platform_owner}: not a GitHub user or team",
                         "e.g. --platform-owner @daff/platform")
    _, mesh = load_valid_mesh(args)
    if mesh is None:
        return 1
    root = repository_root(os.path.abspath(args.domains))
    domains_path = os.path.relpath(os.path.abspath(args.domains), root).replace(os.sep, "/")
    output = args.output if os.path.isabs(args.output) else os.path.join(root, args.output)
    location = os.path.relpath(output, root).replace(os.sep, "/")
    shown = os.path.relpath(output) if os.path.abspath(output).startswith(os.getcwd() + os.sep) else output
    current = None
    if os.path.exists(output):
        with open(output, encoding="utf-8", newline="") as handle:
            current = handle.read()
    text = render(mesh, domains_path, args.platform_owner, current)
    command = f"mesh codeowners --platform-owner {args.platform_owner}"
    if args.check:
        return _check(mesh, args.platform_owner, current, text, root, domains_path, location, output, command)
    if current != text:
        os.makedirs(os.path.dirname(output) or ".", exist_ok=True)
        with open(output, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        sys.stdout.write(f"wrote {shown}\n")
    return 0


def _check(mesh: ResolvedMesh, platform_owner: str, current: str | None, text: str, root: str, domains_path: str,
           location: str, output: str, command: str) -> int:
    existing = [p for p in codeowners.LOCATIONS if os.path.exists(os.path.join(root, p))]
    problems = codeowners.placement(location, existing)
    if current is None:
        problems.append(codeowners.Problem(0, "DM123", "does not exist"))
    else:
        problems += codeowners.check(current, text, tracked_files(root), platform_owner, domains_path,
                                     domain_owners(mesh, platform_owner))
    shown_paths = [p for p in problems if p.code == "DM124"][MAX_PATHS_SHOWN:]
    if shown_paths:
        problems = [p for p in problems if p not in shown_paths]
        problems.append(codeowners.Problem(0, "DM124", f"and {len(shown_paths)} more tracked files without their "
                                                       "required owner"))
    for problem in problems:
        hint = CODES[problem.code].hint
        if problem.code == "DM123":
            hint = f"run `{command}` (your lines between the markers are kept)"
        sys.stderr.write(Diagnostic(output, problem.line, 1 if problem.line else 0, "error", problem.code,
                                    "codeowners", problem.message, hint).format() + "\n")
    if problems:
        return 1
    shown = os.path.relpath(output) if os.path.abspath(output).startswith(os.getcwd() + os.sep) else output
    sys.stdout.write(f"{shown}: up to date; every tracked file has its owner\n")
    return 0
