"""The discovery endpoint's catalog ConfigMaps on a big mesh: do they fit, and what do they cost?

    .venv/bin/python bench/bench_discovery.py [--products 10000] [--domains 1000] [--runs 3]

The mesh comes from bench/generate_mesh.py (evaluated on 2026-11-25). For the ``platform``
stack of ``prod`` it reports the number of ConfigMaps, the largest one as the API server
receives it (compact JSON: base64 ``binaryData`` and metadata included) against the 1 MiB limit,
the total compressed catalog, and the time of planning phase two (build the catalog from the
whole-mesh AWS plan and encode its shards) next to phase one (the AWS plan), best of ``--runs``.
Exits 1 if any ConfigMap is at or over the limit, or if the mounted shards do not read back as
the catalog of that plan (the server's reader, ``read_catalog``).
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from datamesh.catalog import build_catalog  # noqa: E402
from datamesh.catalog.shards import CONFIGMAP_LIMIT, read_catalog  # noqa: E402
from datamesh.plan import build_plan  # noqa: E402
from datamesh.plan.build import _plan_aws  # noqa: E402
from datamesh.plan.discovery import configmap_bytes  # noqa: E402
from datamesh.resolve import load_mesh  # noqa: E402

TODAY = date(2026, 11, 25)


def best(runs: int, fn):  # type: ignore[no-untyped-def]
    times, value = [], None
    for _ in range(runs):
        start = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - start)
    return min(times), value


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=10000)
    parser.add_argument("--domains", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    out = ROOT / "bench" / "out" / f"discovery-{args.products}"
    subprocess.run([sys.executable, str(ROOT / "bench" / "generate_mesh.py"), "--products", str(args.products),
                    "--domains", str(args.domains), "--out", str(out)], check=True, stdout=subprocess.DEVNULL)
    mesh = load_mesh(str(out), TODAY).mesh
    assert mesh is not None, "the generated mesh must resolve"
    phase_one, whole = best(args.runs, lambda: _plan_aws(mesh, "prod", None, None))
    catalog_time, catalog = best(args.runs, lambda: build_catalog(mesh, whole))
    total, plan = best(args.runs, lambda: build_plan(mesh, "prod", ["platform"]))
    configmaps = [r.inputs for r in plan.resources if r.type == "kubernetes:core/v1:ConfigMap"]
    sizes = {c["metadata"]["name"]: configmap_bytes(c) for c in configmaps}
    raw = sum(len(base64.b64decode(v)) for c in configmaps for v in c["binaryData"].values())
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "..data-1"
        data.mkdir()
        for c in configmaps:
            for key, text in c["binaryData"].items():
                (data / key).write_bytes(base64.b64decode(text))
                os.symlink(f"..data-1/{key}", Path(tmp) / key)
        os.symlink(data.name, Path(tmp) / "..data")
        served = read_catalog(tmp)
    fits = max(sizes.values()) < CONFIGMAP_LIMIT
    same = served.info.content_hash == catalog.info.content_hash and len(served.products) == args.products
    print(json.dumps({
        "products": args.products, "domains": args.domains, "load": os.getloadavg()[0],
        "configmaps": len(configmaps), "largest_configmap_bytes": max(sizes.values()),
        "configmap_limit_bytes": CONFIGMAP_LIMIT, "catalog_compressed_bytes": raw,
        "phase_one_aws_plan_s": round(phase_one, 3), "build_catalog_s": round(catalog_time, 3),
        "platform_stack_plan_s": round(total, 3), "fits": fits, "reads_back": same,
        "sizes": sizes,
    }, indent=1))
    return 0 if fits and same else 1


if __name__ == "__main__":
    sys.exit(main())
