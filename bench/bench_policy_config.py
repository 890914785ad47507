"""Size of the pack config ``mesh policy-config`` writes, as the mesh grows.

    .venv/bin/python bench/bench_policy_config.py [--products 1000 10000] [--domains-per-100 10]

For each size, generates a mesh with ``generate_mesh.py`` into ``bench/out/policy-config-<N>``
(``N/10`` domains, as bench_check uses 100 domains for 1,000 products), writes the pack config
of its first environment exactly as ``mesh policy-config`` does, and prints its size in bytes
(and gzipped, as a CI artifact would travel), the number of grants and granted products, and
the time to build and render it. The grant facts grow with the grants (one line each); the rest
of the config is constant.
"""

from __future__ import annotations

import argparse
import gc
import gzip
import sys
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO))

from generate_mesh import generate  # noqa: E402

TODAY = date(2026, 11, 25)


def measure(products: int, domains: int) -> tuple[int, int, int, int, int, float]:
    from datamesh.policy import PackConfig
    from datamesh.policy.config import parse_pack_config, render_pack_config
    from datamesh.policy.facts import mesh_facts
    from datamesh.resolve import load_mesh

    out = HERE / "out" / f"policy-config-{products}"
    generate(str(out), products, domains)
    mesh = load_mesh(str(out), TODAY).mesh
    if mesh is None:
        raise SystemExit(f"the generated {products}-product mesh does not validate")
    env = mesh.spec.environments[0]
    started = time.perf_counter()
    facts = mesh_facts(mesh, env)
    text = render_pack_config(PackConfig().with_facts(facts).to_json())
    seconds = time.perf_counter() - started
    parse_pack_config(__import__("json").loads(text))  # what `mesh check --policy-config` accepts
    data = text.encode()
    return (products, len(data), len(gzip.compress(data)), len(facts["grants"]), len(facts["products"]),
            seconds)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Measure the size of `mesh policy-config` output.")
    parser.add_argument("--products", type=int, nargs="+", default=[1000, 10000])
    args = parser.parse_args(argv)
    gc.disable()  # as the CLI runs
    print(f"{'products':>9} {'domains':>8} {'bytes':>11} {'MB':>6} {'gzip MB':>8} {'grants':>7} "
          f"{'granted products':>17} {'build+render s':>15}")
    for n in args.products:
        domains = max(2, n // 10)
        products, size, gz, grants, granted, seconds = measure(n, domains)
        print(f"{products:>9} {domains:>8} {size:>11,} {size / 1e6:>6.2f} {gz / 1e6:>8.2f} {grants:>7} "
              f"{granted:>17} {seconds:>15.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
