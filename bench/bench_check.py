"""Time ``mesh check`` on a generated 1,000-product mesh: end to end, and phase by phase.

    .venv/bin/python bench/bench_check.py [--products 1000] [--domains 100] [--runs 5]

Generates the mesh with ``generate_mesh.py`` into ``bench/out/check-domains``, then

- runs ``mesh check`` as a user does (a subprocess: interpreter start, imports, load, plan,
  rules, output), ``--runs`` times: best and median wall time, median CPU time, peak RSS,
  exit code; with ``mesh --version`` and ``mesh validate`` on the same mesh as baselines;
- times the phases in-process (best of ``--runs``), as the command runs them (cyclic GC off,
  parsed-policy caches cleared before each run): load and resolve, plan, and the rules alone
  (plan → resource views → ``datamesh.policy.evaluate``), with the resource count.

The goal is <= 1 s wall (median) for ``mesh check`` on 1,000 products. The generated mesh
passes every rule at ``--today 2026-11-25`` (exit 0), so the timing is of a full pass over
every resource, not of an early exit.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

# Cold figures: every file parsed, as on a first run (bench_scale.py measures the parse cache warm).
os.environ.setdefault("MESH_CACHE", "off")
HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO))

from bench_validate import mesh_command  # noqa: E402
from generate_mesh import generate  # noqa: E402

GOAL_SECONDS = 1.0
TODAY = "2026-11-25"


def measure(argv: list[str], runs: int) -> tuple[float, float, float, float, int]:
    """(best wall s, median wall s, median CPU s, peak RSS MB, exit code) of ``argv``.

    CPU time (user + system of the child) is the steadier figure on a shared machine, where
    wall time also counts waiting for a core.
    """
    walls: list[float] = []
    cpus: list[float] = []
    peak_kb, code = 0, 0
    for _ in range(runs):
        started = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=REPO)
        _, status, usage = os.wait4(proc.pid, 0)
        walls.append(time.perf_counter() - started)
        cpus.append(usage.ru_utime + usage.ru_stime)
        code = os.waitstatus_to_exitcode(status)
        peak_kb = max(peak_kb, usage.ru_maxrss)  # kilobytes on Linux
    return min(walls), statistics.median(walls), statistics.median(cpus), peak_kb / 1024, code


def best_of(runs: int, fn: Callable[[], Any]) -> tuple[float, float, Any]:
    """(best wall s, best CPU s, result) of ``fn`` over ``runs`` calls."""
    best, best_cpu, result = float("inf"), float("inf"), None
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        result = fn()
        best = min(best, time.perf_counter() - started)
        best_cpu = min(best_cpu, time.process_time() - started_cpu)
    return best, best_cpu, result


def phases(root: str, runs: int) -> list[tuple[str, float, float, str]]:
    """Each phase as `mesh check` runs it: cyclic GC off, rule caches cold."""
    gc.disable()
    try:
        return _phases(root, runs)
    finally:
        gc.enable()


def _phases(root: str, runs: int) -> list[tuple[str, float, float, str]]:
    from datamesh.plan import build_plan
    from datamesh.policy import PackConfig, evaluate
    from datamesh.policy.engine import clear_caches
    from datamesh.policy.facts import mesh_facts
    from datamesh.policy.plan_views import views_of_plan
    from datamesh.resolve import load_mesh

    today = date.fromisoformat(TODAY)
    load_s, load_cpu, resolution = best_of(runs, lambda: load_mesh(root, today))
    mesh = resolution.mesh
    if mesh is None:
        raise SystemExit("the generated mesh does not validate")
    env = mesh.spec.environments[0]
    plan_s, plan_cpu, plan = best_of(runs, lambda: build_plan(mesh, env))
    config = PackConfig().with_facts(mesh_facts(mesh, env))

    def rules() -> Any:
        clear_caches()
        return evaluate(views_of_plan(plan.resources), config, today)

    rules_s, rules_cpu, evaluation = best_of(runs, rules)
    return [
        ("load + resolve", load_s, load_cpu, f"{len(mesh.products)} products"),
        ("plan", plan_s, plan_cpu, f"{len(plan.resources)} resources"),
        ("rules (views + evaluate)", rules_s, rules_cpu,
         f"{len(evaluation.levels)} rules, {len(evaluation.violations)} violation(s)"),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark `mesh check` on a generated mesh.")
    parser.add_argument("--products", type=int, default=1000)
    parser.add_argument("--domains", type=int, default=100)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--out", default=str(HERE / "out" / "check-domains"))
    args = parser.parse_args(argv)

    files = generate(args.out, args.products, args.domains)
    mesh = mesh_command()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, {args.runs} runs each, "
          f"{args.products} products in {args.domains} domains ({files} files)")
    print(f"{'command':<32} {'best s':>8} {'median s':>9} {'median CPU s':>13} {'peak RSS MB':>12} {'exit':>5}")
    verdict = 0
    median = 0.0
    for label, command in [
        ("mesh --version (start-up)", [*mesh, "--version"]),
        ("mesh validate (baseline)", [*mesh, "validate", "--domains", args.out, "--today", TODAY]),
        ("mesh check", [*mesh, "check", "--domains", args.out, "--today", TODAY]),
    ]:
        best, median, cpu, rss, code = measure(command, args.runs)
        print(f"{label:<32} {best:>8.3f} {median:>9.3f} {cpu:>13.3f} {rss:>12.1f} {code:>5}")
        verdict = verdict or (1 if code != 0 else 0)
    print()
    print(f"{'phase (in-process, best)':<32} {'s':>8} {'CPU s':>9}  what")
    for label, seconds, cpu, what in phases(args.out, args.runs):
        print(f"{label:<32} {seconds:>8.3f} {cpu:>9.3f}  {what}")
    status = "met" if median <= GOAL_SECONDS else "NOT met"
    print(f"\ngoal <= {GOAL_SECONDS:.1f} s wall (median) for `mesh check` on {args.products} products: {status}")
    return verdict


if __name__ == "__main__":
    sys.exit(main())
