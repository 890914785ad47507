"""The stacks a workflow previews or deploys, as GitHub Actions matrices.

    python .github/scripts/stack_matrix.py --base GIT_REF     # the stacks a change touches
    python .github/scripts/stack_matrix.py --all              # every stack of the mesh
    python .github/scripts/stack_matrix.py --environments     # mesh.yaml's environments, one a line

A stack is ``<environment>-<scope>``: each environment of ``mesh.yaml`` times each domain, plus
``<environment>-platform`` (the mesh-level stack) — the naming of ``mesh affected``.

With ``--base``: when every changed file lies under ``domains/`` (or is documentation), the
stacks are exactly those of ``mesh affected --base GIT_REF --format json`` (computed from the
plans: a consumer's new request also touches the producer's stack). When anything else changed
— the program, the components, the policy pack, stack config, requirements — no plan diff can
show its effect, so every stack is listed. A base that is not a commit of the repository (a
first push, a force-push's vanished ``before``) lists every stack too.

Prints one JSON object: ``{"any": bool, "reason": str, "matrix": {"include": [...]},
"first": {"include": [...]}, "rest": {"include": [...]}}``; ``first`` holds the stacks of the
first environment (mesh.yaml's default, deployed first), ``rest`` the others. Each entry is
``{"environment", "scope", "stack"}``. With ``--github-output`` the keys are also appended to
``$GITHUB_OUTPUT`` (compact JSON; ``reason`` as plain text). Exit 1 when the mesh does not load (run ``mesh validate``).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from datamesh.resolve import load_mesh

PLATFORM = "platform"
DOMAINS = "domains"
DOCUMENTATION = (".md",)
"""Changed files that cannot change any stack (besides those under ``domains/``)."""

Entry = dict[str, str]


def git(*args: str, cwd: Path) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


def is_commit(ref: str, cwd: Path) -> bool:
    return subprocess.run(["git", "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], cwd=cwd,
                          capture_output=True).returncode == 0


def changed_files(base: str, cwd: Path) -> list[str]:
    """Tracked files that differ between ``base`` and the working tree."""
    return [line for line in git("diff", "--name-only", base, "--", cwd=cwd).splitlines() if line]


def only_specs(paths: Sequence[str]) -> bool:
    return all(p.startswith(f"{DOMAINS}/") or p.endswith(DOCUMENTATION) for p in paths)


def all_stacks(root: Path) -> list[Entry]:
    resolution = load_mesh(str(root / DOMAINS), datetime.now(UTC).date())
    if resolution.mesh is None:
        raise SystemExit(f"the mesh in {root / DOMAINS} is invalid: run `mesh validate`")
    mesh = resolution.mesh
    scopes = [*sorted(mesh.domains), PLATFORM]
    return [{"environment": env, "scope": scope, "stack": f"{env}-{scope}"}
            for env in mesh.spec.environments for scope in scopes]


def run_affected(base: str, root: Path) -> dict[str, Any]:
    """``mesh affected``'s JSON; its own diagnostics and exit code when it refuses."""
    done = subprocess.run(["mesh", "affected", "--base", base, "--domains", DOMAINS, "--format", "json"],
                          cwd=root, capture_output=True, text=True)
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(done.returncode)
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def select(root: Path, base: str | None,
           affected: Callable[[str, Path], dict[str, Any]] = run_affected) -> dict[str, Any]:
    every = all_stacks(root)
    if base is None:
        entries, reason = every, "every stack"
    elif not is_commit(base, root):
        entries, reason = every, f"{base} is not a commit of this repository: every stack"
    else:
        changed = changed_files(base, root)
        if not only_specs(changed):
            others = sorted(p for p in changed if not only_specs([p]))
            shown = ", ".join(others[:5]) + (f" and {len(others) - 5} more" if len(others) > 5 else "")
            entries, reason = every, f"files outside {DOMAINS}/ changed ({shown}): every stack"
        else:
            listed = affected(base, root)["matrix"]
            order = {(e["environment"], e["scope"]): i for i, e in enumerate(every)}
            entries = sorted(({k: e[k] for k in ("environment", "scope", "stack")} for e in listed),
                             key=lambda e: order.get((e["environment"], e["scope"]), len(order)))
            reason = f"the stacks whose plan differs from {base} (mesh affected)"
    first_env = every[0]["environment"] if every else None
    first = [e for e in entries if e["environment"] == first_env]
    rest = [e for e in entries if e["environment"] != first_env]
    return {"any": bool(entries), "reason": reason, "matrix": {"include": entries},
            "first": {"include": first}, "rest": {"include": rest}}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--base", help="the git ref the change is compared with")
    which.add_argument("--all", action="store_true", help="every stack of the mesh")
    which.add_argument("--environments", action="store_true", help="print mesh.yaml's environments, one a line")
    parser.add_argument("--root", default=".", help="the repository (holding domains/)")
    parser.add_argument("--github-output", action="store_true", help="also append the keys to $GITHUB_OUTPUT")
    args = parser.parse_args(argv)
    if args.environments:
        print("\n".join(dict.fromkeys(e["environment"] for e in all_stacks(Path(args.root)))))
        return 0
    result = select(Path(args.root), None if args.all else args.base)
    print(json.dumps(result, indent=2))
    if args.github_output:
        with open(os.environ["GITHUB_OUTPUT"], "a", encoding="utf-8") as out:
            for key, value in result.items():
                text = value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
                out.write(f"{key}={text}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
