"""What a scheduled ``pulumi preview --refresh --json`` of one stack found, and what to do.

    pulumi preview --refresh --json --stack dev-playlist ... > preview.json
    python .github/scripts/classify_preview.py preview.json --stack dev-playlist

Verdicts (``verdict=`` on ``$GITHUB_OUTPUT`` with ``--github-output``; a markdown report on
standard output, for the job summary):

- ``unchanged``: the stack is what the specs say.
- ``revocations``: every change deletes an access grant's resources (its access point, its KMS
  grant, the ``datamesh:mesh:AccessGrant`` component) — a grant whose ``until`` has passed, or
  an approval removed on the default branch and not yet deployed. Applying these only takes
  access away, so the daily workflow runs ``pulumi up`` for such a stack.
- ``drift``: anything else — a resource changed, deleted or added outside the mesh, or a spec
  change of the default branch that was not deployed. Never applied automatically: a human
  reads the diff (the job fails so someone does).

Operations that change nothing (``same``, ``read``, ``refresh``) are ignored. Exit 2 when the
file is not a preview's JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

GRANT_TYPE = "datamesh:mesh:AccessGrant"
NO_CHANGE = frozenset({"same", "read", "refresh"})


def qualified_type(urn: str) -> str:
    """``urn:pulumi:STACK::PROJECT::Parent$Child$Type::NAME`` → ``Parent$Child$Type``."""
    return urn.split("::")[2]


def is_revocation(step: dict[str, Any]) -> bool:
    """A deletion of an AccessGrant component or of anything under one."""
    return step.get("op") == "delete" and GRANT_TYPE in qualified_type(step["urn"]).split("$")


def classify(preview: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
    changes = [s for s in preview.get("steps", []) if s.get("op") not in NO_CHANGE]
    if not changes:
        return "unchanged", []
    return ("revocations" if all(is_revocation(s) for s in changes) else "drift"), changes


def report(stack: str, verdict: str, changes: list[dict[str, Any]]) -> str:
    title = {"unchanged": "no changes", "revocations": "only expired or removed grants: applying",
             "drift": "drift: not applied, a human must look"}[verdict]
    lines = [f"### `{stack}`: {title}", ""]
    if changes:
        lines += ["| operation | resource |", "|---|---|"]
        lines += [f"| {s['op']} | `{s['urn'].rsplit('::', 1)[-1]}` ({qualified_type(s['urn']).rsplit('$', 1)[-1]}) |"
                  for s in changes]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("preview", type=Path, help="the JSON of `pulumi preview --json`")
    parser.add_argument("--stack", required=True)
    parser.add_argument("--github-output", action="store_true", help="append verdict=… to $GITHUB_OUTPUT")
    args = parser.parse_args(argv)
    try:
        preview = json.loads(args.preview.read_text(encoding="utf-8"))
        if not isinstance(preview, dict) or not all("op" in s and "urn" in s for s in preview.get("steps", [])):
            raise ValueError("no steps with op and urn")
    except (OSError, ValueError) as e:
        sys.stderr.write(f"{args.preview}: not the JSON of `pulumi preview --json`: {e}\n")
        return 2
    verdict, changes = classify(preview)
    sys.stdout.write(report(args.stack, verdict, changes))
    if args.github_output:
        with open(os.environ["GITHUB_OUTPUT"], "a", encoding="utf-8") as out:
            out.write(f"verdict={verdict}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
