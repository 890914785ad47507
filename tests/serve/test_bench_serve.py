"""The server benchmark's smoke mode: a tiny mesh, the real command, load from Python."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from servetree import REPO


def test_bench_serve_smoke(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, str(REPO / "bench" / "bench_serve.py"), "--smoke", "--out", str(tmp_path)],
                          capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    rows = [line for line in proc.stdout.splitlines() if line.startswith("| ")]
    assert [c.strip() for c in rows[0].split("|")[1:5]] == ["measure", "value", "target", "verdict"]
    measures = [r.split("|")[1].strip() for r in rows[1:]]
    assert [m.split(" (")[0].split(",")[0] for m in measures] == [
        "start to ready", "memory at ready", "GET one product", "search first page",
        "search", "memory after the load"]
    verdicts = [r.split("|")[4].strip() for r in rows[1:]]
    assert verdicts == ["", "", "met", "met", "", ""], proc.stdout  # correctness judged, never time
    assert "0 not 200" in rows[3] and "0 not 200" in rows[4]
