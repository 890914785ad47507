"""Time the catalog: build, JSON, shards (encode, write, read back) and the standard views.

    .venv/bin/python bench/bench_catalog.py [--products 10000] [--domains 500] [--runs 3]

Generates a synthetic mesh with ``generate_mesh.py`` into ``bench/out/catalog-domains``, loads
and plans it once (not timed here: bench_validate.py and bench_plan.py measure those), then
times in-process, cyclic GC off as in the CLI, best of ``--runs``:

- ``build_catalog`` from the resolved mesh and the dev plan;
- ``catalog_json`` + ``dumps`` (what ``mesh catalog --output`` writes) and ``facts_json`` (what
  the shards hold);
- ``encode_shards`` (gzip; every shard under the ConfigMap limit after base64), ``write_shards``
  into ``bench/out/catalog-shards``, and ``read_catalog`` of that directory — what a pod does at
  start — and of the JSON file;
- ``as_of`` a day later plus one product's evaluated JSON (what the server does per request);
- ``odps_document`` + ``odcs_document`` + YAML of every product (what ``mesh catalog --odps``
  renders).

It also prints the sizes: JSON bytes, the shards (count, largest with its base64 size, total).
The figures are recorded in bench/README.md ("The catalog").
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO))

from bench_check import best_of  # noqa: E402
from generate_mesh import generate  # noqa: E402

TODAY = date(2026, 11, 25)


def run(products: int, domains: int, runs: int, out: Path) -> list[tuple[str, float, float, str]]:
    from datamesh.catalog import (
        build_catalog,
        catalog_json,
        document_yaml,
        dumps,
        facts_json,
        odcs_document,
        odps_document,
        product_json,
    )
    from datamesh.catalog.shards import CONFIGMAP_LIMIT, base64_size, encode_shards, read_catalog, write_shards
    from datamesh.plan import build_plan
    from datamesh.resolve import load_mesh

    mesh_dir = out / "catalog-domains"
    files = generate(str(mesh_dir), products, domains)
    resolution = load_mesh(str(mesh_dir), TODAY)
    assert resolution.mesh is not None, [d.format() for d in resolution.report.errors][:5]
    plan = build_plan(resolution.mesh, "dev")
    rows: list[tuple[str, float, float, str]] = []

    build_s, build_cpu, catalog = best_of(runs, lambda: build_catalog(resolution.mesh, plan))
    rows.append(("build_catalog", build_s, build_cpu, f"{len(catalog)} products, {files} spec files"))
    json_s, json_cpu, body = best_of(runs, lambda: dumps(catalog_json(catalog)))
    rows.append(("catalog_json + dumps", json_s, json_cpu, f"{len(body) / 1e6:.1f} MB"))
    facts_s, facts_cpu, facts = best_of(runs, lambda: dumps(facts_json(catalog)))
    rows.append(("facts_json + dumps", facts_s, facts_cpu, f"{len(facts) / 1e6:.1f} MB"))

    enc_s, enc_cpu, shards = best_of(runs, lambda: encode_shards(catalog))
    data = {k: v for k, v in shards.items() if k != "manifest.json"}
    largest = max(len(v) for v in data.values())
    assert all(base64_size(len(v)) < CONFIGMAP_LIMIT for v in data.values())
    rows.append(("encode_shards (gzip)", enc_s, enc_cpu,
                 f"{len(data)} shards, largest {largest / 1024:.0f} KiB = {base64_size(largest) / 1024:.0f} KiB "
                 f"base64, total {sum(map(len, data.values())) / 1e6:.2f} MB"))
    shard_dir = out / "catalog-shards"
    write_s, write_cpu, _ = best_of(runs, lambda: write_shards(catalog, str(shard_dir)))
    rows.append(("write_shards", write_s, write_cpu, str(shard_dir.relative_to(REPO))))
    read_s, read_cpu, loaded = best_of(runs, lambda: read_catalog(shard_dir))
    assert loaded == catalog.as_of(loaded.evaluated_on)
    rows.append(("read_catalog (shard directory)", read_s, read_cpu, "decompress, verify, parse, index"))
    with tempfile.NamedTemporaryFile(suffix=".json", dir=out, delete=False) as handle:
        handle.write(body)
    try:
        file_s, file_cpu, _ = best_of(runs, lambda: read_catalog(handle.name))
    finally:
        os.unlink(handle.name)
    rows.append(("read_catalog (JSON file)", file_s, file_cpu, ""))

    key = catalog.products[len(catalog) // 2].key
    later = TODAY + timedelta(days=1)

    def per_request() -> Any:
        return dumps(product_json(catalog.as_of(later), key))

    req_s, req_cpu, _ = best_of(max(runs, 100), per_request)
    rows.append(("as_of + one product's JSON", req_s, req_cpu, f"{req_s * 1e6:.0f} µs ({key})"))

    def views() -> int:
        size = 0
        for p in catalog.products:
            size += len(document_yaml(odps_document(catalog, p.key)))
            size += len(document_yaml(odcs_document(catalog, p.key)))
        return size

    views_s, views_cpu, size = best_of(1, views)
    rows.append(("ODPS + ODCS YAML, every product", views_s, views_cpu,
                 f"{size / 1e6:.1f} MB, {views_cpu / len(catalog) * 1e3:.2f} ms CPU per product"))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark the catalog: build, JSON, shards, standard views.")
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--domains", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", default=str(HERE / "out"))
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    load = os.getloadavg()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {load[0]:.2f} {load[1]:.2f} "
          f"{load[2]:.2f}, {args.runs} runs each, {args.products} products in {args.domains} domains")
    gc.disable()
    try:
        rows = run(args.products, args.domains, args.runs, out)
    finally:
        gc.enable()
    print(f"{'phase (in-process, best)':<34} {'s':>8} {'CPU s':>8}  what")
    for label, seconds, cpu, what in rows:
        print(f"{label:<34} {seconds:>8.3f} {cpu:>8.3f}  {what}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
