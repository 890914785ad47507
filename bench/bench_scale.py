"""Benchmark the mesh at scale: every figure of bench/README.md's "Scale" table in one run.

    .venv/bin/python bench/bench_scale.py [--sizes 100,1000,10000] [--runs 5] [--write-readme]

For each size (products; domains = products / 10) a mesh from ``generate_mesh.py`` is written
under ``bench/out/scale/`` and ``mesh validate``, ``mesh plan --format json`` and ``mesh check``
run as a user runs them (whole processes: interpreter start, imports and exit included), cold
(``MESH_CACHE=off``: every file parsed) and warm (the parse cache primed by one earlier run).
Then the one-file pull request: the largest mesh committed in a git repository, one product file
edited, ``validate`` + ``check`` + ``diff --base HEAD`` cold and warm (the cache primed on the
base commit, as CI restores it). Then one domain's stack as ``pulumi up`` runs it (load, scoped
plan, the components under Pulumi mocks) in a 10-domain and in a 1,000-domain mesh.

Each figure is the median of ``--runs`` runs with the spread (min-max); ratios come from the
same run. ``--write-readme`` replaces the table between the ``scale`` markers of bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
TODAY = "2026-11-25"
README = HERE / "README.md"
BEGIN, END = "<!-- scale:begin -->", "<!-- scale:end -->"
EDITED = "description: "


@dataclass(frozen=True)
class Figure:
    """Wall seconds of ``runs`` runs of one command, and the largest peak RSS of them."""

    walls: tuple[float, ...]
    peak_mb: float

    @property
    def median(self) -> float:
        return statistics.median(self.walls)

    def show(self) -> str:
        spread = f"{min(self.walls):.2f}–{max(self.walls):.2f}" if len(self.walls) > 1 else ""
        return f"{self.median:.2f} s ({spread}), {self.peak_mb:.0f} MB" if spread else \
            f"{self.median:.2f} s, {self.peak_mb:.0f} MB"


def mesh_command() -> list[str]:
    script = Path(sys.executable).parent / "mesh"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from datamesh.cli.main import run; run()"]


def run_once(argv: Sequence[str], env: dict[str, str], cwd: Path) -> tuple[float, float, int]:
    """(wall s, peak RSS MB of this child, exit code)."""
    started = time.perf_counter()
    proc = subprocess.Popen(list(argv), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=cwd)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    return wall, usage.ru_maxrss / 1024, proc.returncode


def measure(commands: Sequence[Sequence[str]], runs: int, env: dict[str, str], cwd: Path,
            prime: bool = False) -> Figure:
    """Run ``commands`` one after the other, ``runs`` times; a figure is the sum of their walls."""
    if prime:
        for argv in commands:
            run_once(argv, env, cwd)
    walls, peak = [], 0.0
    for _ in range(runs):
        total = 0.0
        for argv in commands:
            wall, rss, code = run_once(argv, env, cwd)
            if code not in (0, 1):
                raise SystemExit(f"{' '.join(argv)} exited {code}")
            total += wall
            peak = max(peak, rss)
        walls.append(total)
    return Figure(tuple(walls), peak)


def environment(cache_dir: Path | None) -> dict[str, str]:
    env = dict(os.environ)
    if cache_dir is None:
        env["MESH_CACHE"] = "off"
        env.pop("MESH_CACHE_DIR", None)
    else:
        env["MESH_CACHE"] = "on"
        env["MESH_CACHE_DIR"] = str(cache_dir)
    return env


def generate(out: Path, products: int, domains: int) -> Path:
    subprocess.run([sys.executable, str(HERE / "generate_mesh.py"), "--products", str(products),
                    "--domains", str(domains), "--out", str(out)], check=True, stdout=subprocess.DEVNULL)
    return out


def commands_of(domains: Path) -> dict[str, list[str]]:
    base = [*mesh_command()]
    common = ["--domains", str(domains), "--today", TODAY]
    return {
        "validate": [*base, "validate", *common],
        "plan": [*base, "plan", "--env", "dev", "--format", "json", *common],
        "check": [*base, "check", "--env", "dev", *common],
    }


def one_file_pull_request(domains: Path, runs: int, work: Path) -> dict[str, Figure]:
    """validate + check + diff after one product file changed, cold and with a warm cache."""
    repo = work / "pr-repo"
    shutil.rmtree(repo, ignore_errors=True)
    shutil.copytree(domains, repo / "domains")
    git = ["git", "-C", str(repo), "-c", "user.name=bench", "-c", "user.email=bench@example.com"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "base"], check=True)
    cache = work / "pr-cache"
    shutil.rmtree(cache, ignore_errors=True)
    base = [*mesh_command()]
    common = ["--domains", "domains", "--today", TODAY]
    # Prime the cache on the base commit (what CI restores for a pull request).
    run_once([*base, "validate", *common], environment(cache), repo)
    product = sorted((repo / "domains").glob("*/products/*.yaml"))[0]
    text = product.read_text()
    product.write_text(text.replace(EDITED, f"{EDITED}Edited. ", 1))
    commands = [[*base, "validate", *common], [*base, "check", "--env", "dev", *common],
                [*base, "diff", "--base", "HEAD", "--env", "dev", *common]]
    return {"cold": measure(commands, runs, environment(None), repo),
            "warm": measure(commands, runs, environment(cache), repo)}


_DOMAIN_STACK = """
import sys, time, json
started = time.perf_counter()
from datetime import date
import pulumi
from pulumi.runtime.mocks import MockResourceArgs, Mocks
sys.path.insert(0, {repo!r})
from components.mesh import materialise
from datamesh.parsecache import open_cache
from datamesh.plan import build_plan
from datamesh.resolve import load_mesh

class EchoMocks(Mocks):
    def new_resource(self, args: MockResourceArgs):
        return f"{{args.name}}-id", {{**args.inputs, "arn": "${{" + args.name + ".arn}}"}}
    def call(self, args):
        return {{}}, []

pulumi.runtime.set_mocks(EchoMocks(), project="datamesh", stack="bench", preview=False)
resolution = load_mesh({domains!r}, date.fromisoformat({today!r}), cache=open_cache({domains!r}))
plan = build_plan(resolution.mesh, "dev", [{scope!r}])

@pulumi.runtime.test
def run():
    made = materialise(plan)
    return pulumi.Output.all(*[r.urn for r in made.resources.values()])

run()
print(json.dumps({{"resources": len(plan.resources), "total_s": time.perf_counter() - started}}))
"""


def domain_stack(domains: Path, scope: str, runs: int, cache: Path) -> Figure:
    """One domain's stack as `pulumi up` runs the program: load (warm cache), scoped plan, mocks."""
    script = _DOMAIN_STACK.format(repo=str(REPO), domains=str(domains), today=TODAY, scope=scope)
    return measure([[sys.executable, "-c", script]], runs, environment(cache), REPO, prime=True)


def table(results: dict[str, object], sizes: Sequence[int]) -> str:
    rows = ["| figure | " + " | ".join(f"{n:,} products" for n in sizes) + " |",
            "|---|" + "---|" * len(sizes)]
    for command in ("validate", "plan", "check"):
        for mode in ("cold", "warm"):
            cells = [results[f"{command}/{mode}/{n}"].show() for n in sizes]  # type: ignore[attr-defined]
            rows.append(f"| `mesh {command}` {mode} | " + " | ".join(cells) + " |")
    lines = ["\n".join(rows), ""]
    if len(sizes) >= 3:
        small, mid, big = sizes[-3:]
        for command in ("validate", "plan", "check"):
            fig = {n: results[f"{command}/cold/{n}"].median for n in (small, mid, big)}  # type: ignore[attr-defined]
            low = (fig[mid] - fig[small]) / (mid - small) * 1000
            high = (fig[big] - fig[mid]) / (big - mid) * 1000
            lines.append(f"- marginal cost per product, `mesh {command}` cold: {low:.2f} ms "
                         f"({small:,} → {mid:,}), {high:.2f} ms ({mid:,} → {big:,})")
    pr = results.get("pr")
    if isinstance(pr, dict):
        lines.append(f"- one-file pull request, {sizes[-1]:,} products, validate + check + diff: "
                     f"cold {pr['cold'].show()}, warm {pr['warm'].show()}")
    stack = results.get("stack")
    if isinstance(stack, dict):
        (small, small_stack), (big, big_stack) = sorted(stack.items())
        lines.append(f"- one domain's stack under Pulumi mocks (load, scoped plan, components), warm cache: "
                     f"{small:,} domains {small_stack.show()}, {big:,} domains {big_stack.show()}: "
                     f"{big_stack.median / small_stack.median:.2f}×")
    return "\n".join(lines)


def write_readme(text: str, note: str) -> None:
    readme = README.read_text()
    start, stop = readme.index(BEGIN) + len(BEGIN), readme.index(END)
    README.write_text(readme[:start] + "\n" + note + "\n\n" + text + "\n" + readme[stop:])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100,1000,10000", help="products per mesh, comma separated")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--out", default=str(HERE / "out" / "scale"))
    parser.add_argument("--skip-pr", action="store_true", help="skip the one-file pull request")
    parser.add_argument("--skip-stack", action="store_true", help="skip the domain stacks under mocks")
    parser.add_argument("--stack-domains", default="10,1000", help="mesh sizes (domains of 10 products)")
    parser.add_argument("--write-readme", action="store_true", help="replace the Scale table of bench/README.md")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    results: dict[str, object] = {}
    # Outside the repository: mesh never uses a cache inside the work tree it reads (docs/scale.md).
    with tempfile.TemporaryDirectory(prefix="mesh-bench-scale-") as scratch:
        work = Path(scratch)
        for n in sizes:
            domains = generate(out / f"mesh-{n}", n, max(2, n // 10))
            cache = work / f"cache-{n}"
            for name, argv_ in commands_of(domains).items():
                results[f"{name}/cold/{n}"] = measure([argv_], args.runs, environment(None), REPO)
                results[f"{name}/warm/{n}"] = measure([argv_], args.runs, environment(cache), REPO, prime=True)
                print(f"{n:>6} {name:<9} cold {results[f'{name}/cold/{n}'].show()}   "  # type: ignore[attr-defined]
                      f"warm {results[f'{name}/warm/{n}'].show()}", flush=True)  # type: ignore[attr-defined]
        if not args.skip_pr:
            results["pr"] = one_file_pull_request(out / f"mesh-{sizes[-1]}", args.runs, work)
        if not args.skip_stack:
            small, big = (int(s) for s in args.stack_domains.split(","))
            stacks = {}
            for count in (small, big):
                domains = generate(out / f"stack-{count}", count * 10, count)
                first = sorted(p.name for p in domains.iterdir() if p.is_dir())[0]
                stacks[count] = domain_stack(domains, first, args.runs, work / f"stack-cache-{count}")
            results["stack"] = stacks
    load = os.getloadavg()
    note = (f"Measured {time.strftime('%Y-%m-%d')} by `bench/bench_scale.py --sizes {args.sizes} --runs {args.runs}` "
            f"on {os.cpu_count()} CPUs, load average {load[0]:.1f} at the end; median of {args.runs} runs "
            "(min–max), peak RSS of the largest process.")
    text = table(results, sizes)
    print()
    print(note)
    print(text)
    if args.write_readme:
        write_readme(text, note)
    return 0


if __name__ == "__main__":
    sys.exit(main())
