"""Time ``mesh diff`` and ``mesh affected`` on a one-file change of a generated 1,000-product mesh.

    .venv/bin/python bench/bench_diff.py [--products 1000] [--domains 100] [--runs 5]

Generates the mesh with ``generate_mesh.py`` into a git repository at ``bench/out/diff-repo``
(``domains/``, one commit), then changes one product file in the working tree (the first
product's ``retention.days`` shortened by one day: a risk, two resources changed), as a pull
request's checkout would be, and

- runs as subprocesses (interpreter start included): ``mesh --version``, ``mesh validate`` (the
  baseline: one side, loaded once), ``mesh diff --base HEAD`` in text and json, and ``mesh
  affected --base HEAD --env dev``: best and median wall time, median CPU time, peak RSS, exit;
- times the phases of ``mesh diff`` in-process (best of ``--runs``, cyclic GC off as in the CLI):
  reading the base tree from git (``ls-tree`` + one ``cat-file --batch``), loading each side,
  planning and judging each side, computing the diff, rendering.

The figures are recorded in bench/README.md ("mesh diff"). No goal is set here: the speed of the
one-file pull request is the scale issue's.
"""

from __future__ import annotations

import argparse
import gc
import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO))

from bench_check import best_of, measure  # noqa: E402
from bench_validate import mesh_command  # noqa: E402
from generate_mesh import generate  # noqa: E402

TODAY = "2026-11-25"
GIT_ENV = {"GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_AUTHOR_NAME": "bench",
           "GIT_AUTHOR_EMAIL": "bench@example.invalid", "GIT_COMMITTER_NAME": "bench",
           "GIT_COMMITTER_EMAIL": "bench@example.invalid"}


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, env={**os.environ, **GIT_ENV})


def make_repository(root: Path, products: int, domains: int) -> tuple[int, str]:
    """(files generated, the product file changed) in a fresh one-commit repository at ``root``."""
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    files = generate(str(root / "domains"), products, domains)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    changed = sorted((root / "domains").glob("*/products/*.yaml"))[0]
    text = changed.read_text(encoding="utf-8")
    days = next(line for line in text.splitlines() if line.strip().startswith("days:"))
    value = int(days.split(":")[1])
    changed.write_text(text.replace(days, days.replace(str(value), str(value - 1)), 1), encoding="utf-8")
    return files, str(changed.relative_to(root))


def phases(root: Path, runs: int) -> list[tuple[str, float, float, str]]:
    gc.disable()
    try:
        return _phases(root, runs)
    finally:
        gc.enable()


def _phases(root: Path, runs: int) -> list[tuple[str, float, float, str]]:
    from datamesh import git as mesh_git
    from datamesh.diff.compute import Side, compute_diff, plan_side
    from datamesh.diff.model import Header
    from datamesh.diff.render_json import render_json
    from datamesh.diff.render_markdown import render_markdown
    from datamesh.diff.render_text import render_text
    from datamesh.diff.sides import locate
    from datamesh.policy import PackConfig
    from datamesh.resolve import load_mesh

    today = date.fromisoformat(TODAY)
    domains = str(root / "domains")
    change = locate(domains, "HEAD")
    read_s, read_cpu, source = best_of(runs, lambda: mesh_git.read_tree(change.top, change.commit, change.prefix,
                                                                       domains))
    base_s, base_cpu, base_resolution = best_of(runs, lambda: load_mesh(domains, today, source))
    head_s, head_cpu, head_resolution = best_of(runs, lambda: load_mesh(domains, today))
    config = PackConfig()

    def plan_both() -> tuple[Side, Side]:
        base, head = Side(base_resolution, "base HEAD"), Side(head_resolution, "head")
        plan_side(base, "dev", config, today)
        plan_side(head, "dev", config, today)
        return base, head

    plan_s, plan_cpu, (base, head) = best_of(runs, plan_both)
    header = Header(mesh="bench", environment="dev", base="HEAD", base_commit=change.commit, today=today,
                    domains="domains")
    diff_s, diff_cpu, diff = best_of(runs, lambda: compute_diff(header, base, head, prefix="domains"))

    def render() -> Any:
        return render_text(diff), render_markdown(diff), render_json(diff)

    render_s, render_cpu, _ = best_of(runs, render)
    assert head.plan is not None
    return [
        ("base tree from git", read_s, read_cpu, f"{len(source)} entries, 2 git processes"),
        ("load + resolve base (git)", base_s, base_cpu, f"{len(base_resolution.tree.products)} domains"),
        ("load + resolve head (disk)", head_s, head_cpu, ""),
        ("plan + rules, both sides", plan_s, plan_cpu, f"{len(head.plan.resources)} resources each"),
        ("compute the diff", diff_s, diff_cpu, f"{len(diff.risks)} risk(s), ~{len(diff.resources.changed)}"),
        ("render text + markdown + json", render_s, render_cpu, ""),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark `mesh diff` on a one-file change.")
    parser.add_argument("--products", type=int, default=1000)
    parser.add_argument("--domains", type=int, default=100)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--out", default=str(HERE / "out" / "diff-repo"))
    args = parser.parse_args(argv)

    root = Path(args.out)
    files, changed = make_repository(root, args.products, args.domains)
    mesh = mesh_command()
    domains = str(root / "domains")
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, {args.runs} runs each, "
          f"{args.products} products in {args.domains} domains ({files} files); changed: {changed}")
    print(f"{'command':<34} {'best s':>8} {'median s':>9} {'median CPU s':>13} {'peak RSS MB':>12} {'exit':>5}")
    verdict = 0
    common = ["--domains", domains, "--today", TODAY]
    for label, command in [
        ("mesh --version (start-up)", [*mesh, "--version"]),
        ("mesh validate (baseline)", [*mesh, "validate", *common]),
        ("mesh diff --base HEAD", [*mesh, "diff", "--base", "HEAD", *common]),
        ("mesh diff --base HEAD --format json", [*mesh, "diff", "--base", "HEAD", "--format", "json", *common]),
        ("mesh affected --base HEAD --env dev", [*mesh, "affected", "--base", "HEAD", "--env", "dev", *common]),
    ]:
        best, median, cpu, rss, code = measure(command, args.runs)
        print(f"{label:<34} {best:>8.3f} {median:>9.3f} {cpu:>13.3f} {rss:>12.1f} {code:>5}")
        verdict = verdict or (1 if code != 0 else 0)
    print()
    print(f"{'phase of mesh diff (in-process)':<34} {'s':>8} {'CPU s':>9}  what")
    for label, seconds, cpu, what in phases(root, args.runs):
        print(f"{label:<34} {seconds:>8.3f} {cpu:>9.3f}  {what}")
    return verdict


if __name__ == "__main__":
    sys.exit(main())
