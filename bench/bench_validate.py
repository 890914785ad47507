"""Time ``mesh validate`` on a generated 1,000-product mesh, as a user runs it.

    .venv/bin/python bench/bench_validate.py [--products 1000] [--domains 100] [--runs 5]

Generates the mesh into ``bench/out/domains`` (1,101 files by default), then runs each command
as a subprocess (interpreter start and imports included), ``--runs`` times, and prints the best
and median wall time and the peak resident memory of the child. The goal is <= 0.5 s for
``mesh validate`` on 1,000 products. Baselines: ``mesh --version`` (start-up and CLI import
alone) and ``mesh validate`` on the bundled 19-file example.

A last case times a hostile file: a one-product mesh whose product has ``--unknown-keys``
(default 19,000) unknown keys, each an error DM100 (exit 1 expected). Reporting them used to
take time quadratic in their number; it must stay linear.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

# Cold figures: every file parsed, as on a first run (bench_scale.py measures the parse cache warm).
os.environ.setdefault("MESH_CACHE", "off")
HERE = Path(__file__).resolve().parent
REPO = HERE.parent
EXAMPLE_FIXTURE = REPO / "tests" / "fixtures" / "streaming" / "domains"
sys.path.insert(0, str(HERE))

from generate_mesh import generate  # noqa: E402

GOAL_SECONDS = 0.5
TODAY = "2026-11-25"


def mesh_command() -> list[str]:
    """The installed console script beside this interpreter, else ``python -c``."""
    script = Path(sys.executable).parent / "mesh"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from datamesh.cli.main import run; run()"]


def measure(argv: list[str], runs: int) -> tuple[float, float, float, float, int]:
    """(best wall s, median wall s, median CPU s, peak RSS MB, exit code) over ``runs`` runs.

    CPU time (user + system of the child) is shown beside wall time because it barely moves
    when other processes compete for the machine, while wall time does.
    """
    walls: list[float] = []
    cpus: list[float] = []
    peak_kb = 0
    code = 0
    for _ in range(runs):
        started = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=REPO)
        _, status, usage = os.wait4(proc.pid, 0)
        walls.append(time.perf_counter() - started)
        cpus.append(usage.ru_utime + usage.ru_stime)
        proc.returncode = os.waitstatus_to_exitcode(status)
        code = proc.returncode
        peak_kb = max(peak_kb, usage.ru_maxrss)  # kilobytes on Linux
    return min(walls), statistics.median(walls), statistics.median(cpus), peak_kb / 1024, code


def unknown_keys_mesh(out: str, keys: int) -> int:
    """A 4-file mesh whose only product file also holds ``keys`` unknown keys; its byte size."""
    generate(out, 1, 2)
    product = next(Path(out).glob("*/products/*.yaml"))
    product.write_text(product.read_text() + "".join(f"k{i}: {i}\n" for i in range(keys)))
    return product.stat().st_size


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark `mesh validate` on a generated mesh.")
    parser.add_argument("--products", type=int, default=1000)
    parser.add_argument("--domains", type=int, default=100)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--unknown-keys", type=int, default=19_000)
    parser.add_argument("--out", default=str(HERE / "out" / "domains"))
    args = parser.parse_args(argv)

    files = generate(args.out, args.products, args.domains)
    hostile = str(Path(args.out).parent / "unknown-keys" / "domains")
    size = unknown_keys_mesh(hostile, args.unknown_keys)
    mesh = mesh_command()
    cases = [
        ("mesh --version (start-up)", [*mesh, "--version"]),
        # The streaming fixture (the example as the goldens know it), not the live domains/: a domain
        # team's pull request must not change what the benchmark or its smoke test runs on.
        ("mesh validate, example (19 files)", [*mesh, "validate", "--domains", str(EXAMPLE_FIXTURE),
                                               "--today", TODAY]),
        (f"mesh validate, {args.products} products ({files} files)",
         [*mesh, "validate", "--domains", args.out, "--today", TODAY]),
    ]
    expected_exit = dict.fromkeys((label for label, _ in cases), 0)
    hostile_label = f"mesh validate, {args.unknown_keys} unknown keys ({size // 1024} KB)"
    cases.append((hostile_label, [*mesh, "validate", "--domains", hostile, "--today", TODAY]))
    expected_exit[hostile_label] = 1
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, {args.runs} runs each")
    print(f"{'command':<46} {'best s':>7} {'median s':>9} {'CPU s':>6} {'peak RSS MB':>12} {'exit':>5}")
    verdict = 0
    medians: dict[str, float] = {}
    for label, command in cases:
        best, median, cpu, rss, code = measure(command, args.runs)
        medians[label] = median
        print(f"{label:<46} {best:>7.3f} {median:>9.3f} {cpu:>6.3f} {rss:>12.1f} {code:>5}")
        if code != expected_exit[label]:
            verdict = 1
    median = medians[cases[2][0]]
    status = "met" if median <= GOAL_SECONDS else "NOT met"
    print(f"goal <= {GOAL_SECONDS:.1f} s wall (median) for {args.products} products: {status}")
    return verdict


if __name__ == "__main__":
    sys.exit(main())
