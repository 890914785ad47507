"""Benchmark the pure planner against Pulumi mocks, and the cost of a domain-scoped stack.

    .venv/bin/python bench/bench_plan.py [--products 1000] [--domains 100] [--runs 5]
                                         [--mocks-runs 1] [--skip-mocks] [--skip-scoped]

Three measurements (the mesh comes from bench/generate_mesh.py, evaluated on 2026-11-25):

1. ``mesh plan --format json`` on a 1,000-product mesh, as a user runs it (a subprocess: start-up,
   loading 1,101 files, resolving, planning and printing JSON included): best and median wall
   time and the child's peak RSS. Goals: <= 1 s and <= 300 MB.
2. The same mesh materialised by the Pulumi components under ``pulumi.runtime.set_mocks`` (a
   subprocess: load, plan, ``materialise``, waiting for every resource's URN), against (1).
   Goal: the pure plan is >= 40x faster.
3. ``build_plan(mesh, env, scope=[one domain])`` for a domain of 10 products in a mesh of 10
   domains and in a mesh of 1,000 domains (same domain size): the cost of one domain stack
   should depend on its domain, not on the mesh. Reported: the median of ``--scoped-runs``
   calls, in-process (loading excluded).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import cast

# Cold figures: every file parsed, as on a first run (bench_scale.py measures the parse cache warm).
os.environ.setdefault("MESH_CACHE", "off")

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

from generate_mesh import generate  # noqa: E402

TODAY = "2026-11-25"
PLAN_GOAL_SECONDS = 1.0
PLAN_GOAL_MB = 300.0
MOCKS_GOAL_RATIO = 40.0


def mesh_command() -> list[str]:
    script = Path(sys.executable).parent / "mesh"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "import sys; from datamesh.cli.main import run; sys.exit(run())"]


def measure(argv: list[str], runs: int) -> tuple[list[float], float, int, str]:
    """(wall times s, peak RSS MB, last exit code, last stdout) over ``runs`` runs of ``argv``."""
    walls: list[float] = []
    peak_kb, code, out = 0, 0, ""
    for _ in range(runs):
        started = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=REPO)
        data, _ = proc.communicate()
        walls.append(time.perf_counter() - started)
        code = proc.returncode
        out = data.decode()
        # ru_maxrss of RUSAGE_CHILDREN: the largest child so far (kilobytes on Linux).
        import resource

        peak_kb = max(peak_kb, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    return walls, peak_kb / 1024, code, out


def mocks_child(domains: str) -> int:
    """Run in a child process: load, plan and materialise ``domains`` under Pulumi mocks."""
    started = time.perf_counter()
    import pulumi
    from pulumi.runtime.mocks import MockResourceArgs, Mocks

    sys.path.insert(0, str(REPO))
    from components.mesh import materialise
    from datamesh.plan import build_plan
    from datamesh.resolve import load_mesh

    class EchoMocks(Mocks):
        def new_resource(self, args: MockResourceArgs) -> tuple[str, dict[str, object]]:
            return f"{args.name}-id", {**args.inputs, "arn": "${" + args.name + ".arn}"}

        def call(self, args: object) -> tuple[dict[str, object], list[tuple[str, str]]]:
            return {}, []

    # pulumi.runtime.test is untyped: the same decorator, with its type stated.
    typed_test = cast(Callable[[Callable[[], object]], Callable[[], None]], pulumi.runtime.test)
    imported = time.perf_counter()
    pulumi.runtime.set_mocks(EchoMocks(), project="datamesh", stack="bench", preview=False)
    resolution = load_mesh(domains, date.fromisoformat(TODAY))
    assert resolution.mesh is not None
    loaded = time.perf_counter()
    plan = build_plan(resolution.mesh, resolution.mesh.spec.environments[0])
    planned = time.perf_counter()
    count: list[int] = []

    @typed_test
    def run() -> pulumi.Output[object]:
        made = materialise(plan)
        count.append(len(made.resources))
        return pulumi.Output.all(*[r.urn for r in made.resources.values()])

    run()
    done = time.perf_counter()
    print(json.dumps({"resources": count[0], "import_s": imported - started, "load_s": loaded - imported,
                      "build_plan_s": planned - loaded, "materialise_s": done - planned,
                      "total_s": done - started}))
    return 0


def scoped_times(domains: str, scope: str, runs: int) -> tuple[float, int, int]:
    """(median s of build_plan scoped to ``scope``, resources planned, domains in the mesh)."""
    from datamesh.plan import build_plan
    from datamesh.resolve import load_mesh

    resolution = load_mesh(domains, date.fromisoformat(TODAY))
    assert resolution.mesh is not None, [d.format() for d in resolution.report.errors][:5]
    mesh = resolution.mesh
    env = mesh.spec.environments[0]
    times = []
    resources = 0
    for _ in range(runs):
        started = time.perf_counter()
        plan = build_plan(mesh, env, [scope])
        times.append(time.perf_counter() - started)
        resources = len(plan.resources)
    return statistics.median(times), resources, len(mesh.domains)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark `mesh plan` against Pulumi mocks.")
    parser.add_argument("--products", type=int, default=1000)
    parser.add_argument("--domains", type=int, default=100)
    parser.add_argument("--runs", type=int, default=5, help="runs of `mesh plan` (default 5)")
    parser.add_argument("--mocks-runs", type=int, default=1, help="runs under Pulumi mocks (default 1)")
    parser.add_argument("--scoped-runs", type=int, default=20, help="calls of scoped build_plan (default 20)")
    parser.add_argument("--skip-mocks", action="store_true")
    parser.add_argument("--skip-scoped", action="store_true")
    parser.add_argument("--out", default=str(HERE / "out" / "plan"))
    parser.add_argument("--mocks-child", metavar="DIR", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.mocks_child:
        return mocks_child(args.mocks_child)

    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
    verdict = 0
    mesh_dir = os.path.join(args.out, f"domains-{args.products}")
    files = generate(mesh_dir, args.products, args.domains)

    walls, rss, code, out = measure([*mesh_command(), "plan", "--domains", mesh_dir, "--today", TODAY,
                                     "--format", "json"], args.runs)
    resources = len(json.loads(out)["resources"]) if code == 0 else 0
    plan_median = statistics.median(walls)
    print(f"\n1. mesh plan --format json, {args.products} products / {args.domains} domains ({files} files, "
          f"{resources} resources), {args.runs} runs")
    print(f"   best {min(walls):.3f} s, median {plan_median:.3f} s, peak RSS {rss:.1f} MB, exit {code}"
          f"   (goal <= {PLAN_GOAL_SECONDS:.1f} s, <= {PLAN_GOAL_MB:.0f} MB)")
    if code != 0 or plan_median > PLAN_GOAL_SECONDS or rss > PLAN_GOAL_MB:
        verdict = 1

    if not args.skip_mocks:
        child = [sys.executable, str(Path(__file__).resolve()), "--mocks-child", mesh_dir]
        mwalls, mrss, mcode, mout = measure(child, args.mocks_runs)
        detail = json.loads(mout) if mcode == 0 else {}
        mock_median = statistics.median(mwalls)
        ratio = mock_median / plan_median
        print(f"\n2. the same mesh materialised under Pulumi mocks, {args.mocks_runs} run(s)")
        if detail:
            per = detail["materialise_s"] / detail["resources"] * 1000
            print(f"   median {mock_median:.2f} s wall (materialise {detail['materialise_s']:.2f} s for "
                  f"{detail['resources']} resources = {per:.2f} ms each), peak RSS {mrss:.1f} MB, exit {mcode}")
        print(f"   mesh plan is {ratio:.0f}x faster (goal >= {MOCKS_GOAL_RATIO:.0f}x)")
        if detail:
            print(f"   in the same process: build_plan {detail['build_plan_s']:.2f} s vs materialise "
                  f"{detail['materialise_s']:.2f} s = {detail['materialise_s'] / detail['build_plan_s']:.0f}x "
                  f"(loading the specs, {detail['load_s']:.2f} s, is common to both)")
        if mcode != 0 or ratio < MOCKS_GOAL_RATIO:
            verdict = 1

    if not args.skip_scoped:
        print(f"\n3. build_plan scoped to one domain of 10 products, {args.scoped_runs} calls (median)")
        rows = []
        for domains in (10, 1000):
            small_dir = os.path.join(args.out, f"scoped-{domains}")
            generate(small_dir, domains * 10, domains)
            median, planned, total = scoped_times(small_dir, "listeners", args.scoped_runs)
            rows.append(median)
            print(f"   mesh of {total:>5} domains ({domains * 10:>6} products): {median * 1000:8.2f} ms, "
                  f"{planned} resources")
        print(f"   1,000-domain / 10-domain: {rows[1] / rows[0]:.1f}x (1.0x: independent of the mesh)")

    print("\nverdict:", "all goals met" if verdict == 0 else "a goal was missed")
    return verdict


if __name__ == "__main__":
    sys.exit(main())
