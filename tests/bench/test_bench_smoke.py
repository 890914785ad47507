"""Every benchmark's own code runs on a tiny mesh, so `make bench` cannot rot between runs.

These are smoke runs, not measurements: no figure is asserted (performance is measured by
`make bench` and reported in bench/README.md), only that each script completes and prints its
table. A new bench/bench_*.py must be added to ``SMOKE`` (a test checks).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"

SMOKE: dict[str, tuple[list[str], str]] = {
    # script: (tiny arguments, a line of the table it must print); --out is added
    "bench_scale.py": (["--sizes", "10,20,30", "--runs", "1", "--stack-domains", "2,3"],
                       "one-file pull request, 30 products"),
    "bench_validate.py": (["--products", "20", "--domains", "4", "--runs", "1", "--unknown-keys", "50"],
                          "mesh validate"),
    "bench_check.py": (["--products", "20", "--domains", "4", "--runs", "1"], "mesh check"),
    "bench_plan.py": (["--products", "20", "--domains", "4", "--runs", "1", "--scoped-runs", "2"], "mocks"),
    "bench_budgets.py": (["--sizes", "1,2"], "grants"),
    "bench_diff.py": (["--products", "20", "--domains", "4", "--runs", "1"], "mesh diff"),
    "bench_policy_config.py": (["--products", "20"], "products"),
    "bench_discovery.py": (["--products", "20", "--domains", "4", "--runs", "1"], '"fits": true'),
    "bench_catalog.py": (["--products", "20", "--domains", "4", "--runs", "1"], "ODPS + ODCS YAML, every product"),
}
NO_OUT = {"bench_budgets.py", "bench_discovery.py", "bench_policy_config.py"}
"""Scripts that write nothing but their own folder under bench/out (no --out option)."""


SMOKED_ELSEWHERE = {"bench_serve.py": "tests/serve/test_bench_serve.py"}
"""Benchmarks whose smoke run lives with their feature (the server's needs its own fixtures)."""


def test_every_benchmark_has_a_smoke_run() -> None:
    assert sorted(p.name for p in BENCH.glob("bench_*.py")) == sorted([*SMOKE, *SMOKED_ELSEWHERE])
    for test in SMOKED_ELSEWHERE.values():
        assert "--smoke" in (BENCH.parent / test).read_text()


@pytest.mark.parametrize("script", sorted(SMOKE))
def test_benchmark_runs_on_a_tiny_mesh(script: str, tmp_path: Path) -> None:
    args, expected = SMOKE[script]
    out_args = [] if script in NO_OUT else ["--out", str(tmp_path / "out")]
    proc = subprocess.run([sys.executable, str(BENCH / script), *args, *out_args],
                          capture_output=True, text=True, timeout=300, cwd=tmp_path)
    # Some scripts exit 1 when a goal is missed (tiny meshes miss ratio goals): completed all the
    # same; a crash prints a traceback.
    assert proc.returncode in (0, 1) and "Traceback" not in proc.stderr, proc.stderr[-3000:]
    assert expected in proc.stdout, proc.stdout[-3000:]
