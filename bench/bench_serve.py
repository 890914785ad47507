"""Benchmark ``mesh serve`` against Debian's nginx serving the same JSON files.

    .venv/bin/python bench/bench_serve.py [--products 10000] [--domains 500] [--workers 2]
                                          [--duration 10] [--connections 64]
    .venv/bin/python bench/bench_serve.py --smoke      # tiny mesh, load from Python (no nginx, no wrk)

The full run (loopback only; needs ``apt-get install nginx wrk``):

1. generates the synthetic mesh (bench/generate_mesh.py, evaluated on 2026-11-25) and writes its
   catalog as ``mesh catalog --shards`` does (the pods' format), plus one file per product holding
   exactly the bytes the server answers, for nginx;
2. starts nginx (``worker_processes auto``, ``access_log off``, ``sendfile on``, keepalive on) on
   a temporary config and measures ``GET`` of one product with ``wrk -t2 -cC -dDs --latency``;
3. starts ``mesh serve --catalog <shards> --workers W``: start to ready (process start until
   ``/readyz`` answers 200), total memory of the supervisor and its workers (RSS summed, and
   PSS, which counts the pages they share once), then the same ``wrk`` on the same product, and
   on ``/products?q=<word>`` (search, first page of 50);
4. prints a table with the targets and the machine's load (``uptime``) before each measurement.

Smoke mode (run by the tests): 30 products, the server started the same way, 2,000 keep-alive
requests from Python threads; prints the same table without the nginx row, and judges only that
every answer was a 200 (times and memory are printed, never asserted: the machine may be busy).
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out" / "serve"
MESH = str(Path(sys.executable).with_name("mesh"))
TODAY = "2026-11-25"
NGINX_CONF = """worker_processes auto;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log;
events {{ worker_connections 4096; }}
http {{
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_timeout 65;
  keepalive_requests 1000000;
  client_body_temp_path {tmp}/body; proxy_temp_path {tmp}/proxy; fastcgi_temp_path {tmp}/fastcgi;
  uwsgi_temp_path {tmp}/uwsgi; scgi_temp_path {tmp}/scgi;
  server {{
    listen 127.0.0.1:{port};
    root {root};
    default_type application/json;
  }}
}}
"""


def load() -> str:
    return os.getloadavg().__repr__() if not shutil.which("uptime") else subprocess.run(
        ["uptime"], capture_output=True, text=True).stdout.strip().split("load average:")[-1].strip()


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def prepare(products: int, domains: int, out: Path) -> tuple[Path, Path, str, str]:
    """The mesh, its shard directory, nginx's document root; a product key and a search word."""
    sys.path.insert(0, str(ROOT / "bench"))
    import generate_mesh

    from datamesh.catalog import dumps, product_json
    from datamesh.catalog.shards import read_catalog

    domains_dir = out / "domains"
    shards = out / "shards"
    www = out / "www"
    stamp = out / f"generated-{products}-{domains}"
    if not stamp.exists():
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir(parents=True)
        generate_mesh.generate(str(domains_dir), products, domains)
        subprocess.run([MESH, "catalog", "--domains", str(domains_dir), "--today", TODAY, "--shards", str(shards)],
                       check=True)
        catalog = read_catalog(str(shards))
        from datetime import date

        evaluated = catalog.as_of(date.fromisoformat(TODAY))
        for p in evaluated.products:
            target = www / "products" / p.domain / p.name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(dumps(product_json(evaluated, p.key)))
        stamp.write_text("ok\n")
    catalog_keys = sorted(str(p.relative_to(www / "products")) for p in (www / "products").glob("*/*"))
    key = catalog_keys[len(catalog_keys) // 2]
    return shards, www, key, "events"


def wrk(url: str, duration: int, connections: int) -> tuple[float, float]:
    """Requests per second and the 99th percentile latency in ms."""
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", url],
                         capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    value, unit = re.search(r"99%\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    if "Non-2xx" in out or "Socket errors" in out:
        print(out)
    return rps, float(value) * scale


def tree_pids(pid: int) -> list[int]:
    pids = [pid]
    for task in Path(f"/proc/{pid}/task").iterdir():
        children = (task / "children").read_text().split()
        for child in children:
            pids += tree_pids(int(child))
    return pids


def memory_mb(pid: int) -> tuple[float, float, int]:
    """RSS summed and PSS summed over the process tree (MB), and its process count."""
    rss = pss = 0
    pids = tree_pids(pid)
    for p in pids:
        for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
            if line.startswith("Rss:"):
                rss += int(line.split()[1])
            elif line.startswith("Pss:"):
                pss += int(line.split()[1])
    return rss / 1024, pss / 1024, len(pids)


class Server:
    def __init__(self, catalog: Path, workers: int) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        started = time.monotonic()
        self.proc = subprocess.Popen([MESH, "serve", "--catalog", str(catalog), "--port", str(self.port),
                                      "--workers", str(workers), "--reload-interval", "0"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                     env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
        while True:
            if self.proc.poll() is not None:
                raise SystemExit(f"mesh serve exited: {self.proc.stderr.read().decode()}")  # type: ignore[union-attr]
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=1)
                conn.request("GET", "/readyz")
                if conn.getresponse().status == 200:
                    break
            except OSError:
                pass
            time.sleep(0.01)
        self.ready_seconds = time.monotonic() - started

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(30)


def python_load(url_path: str, port: int, requests: int, threads: int = 4) -> tuple[float, float, int]:
    """Keep-alive GETs from threads: requests/s, p99 ms, and how many were not 200."""
    latencies: list[float] = []
    bad = [0]
    lock = threading.Lock()

    def run(n: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        mine = []
        for _ in range(n):
            t = time.perf_counter()
            conn.request("GET", url_path)
            response = response_ = conn.getresponse()
            response_.read()
            mine.append((time.perf_counter() - t) * 1000)
            if response.status != 200:
                with lock:
                    bad[0] += 1
        with lock:
            latencies.extend(mine)

    started = time.perf_counter()
    workers = [threading.Thread(target=run, args=(requests // threads,)) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    elapsed = time.perf_counter() - started
    latencies.sort()
    return len(latencies) / elapsed, latencies[int(len(latencies) * 0.99) - 1], bad[0]


def cold_searches(port: int, word: str, count: int = 200) -> tuple[float, float]:
    """Distinct queries (never cached) one after the other: median and p99 latency in ms."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    latencies = []
    for i in range(count):  # a distinct limit makes a distinct query; the scan is the same
        t = time.perf_counter()
        conn.request("GET", f"/products?q={word}&limit={i % 500 + 1}")
        conn.getresponse().read()
        latencies.append((time.perf_counter() - t) * 1000)
    latencies.sort()
    return latencies[len(latencies) // 2], latencies[int(len(latencies) * 0.99) - 1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--domains", type=int, default=500)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--duration", type=int, default=10, help="seconds of each wrk run (default 10)")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--smoke", action="store_true", help="a tiny mesh and Python load: no nginx, no wrk")
    parser.add_argument("--out", default=str(OUT), help="work directory (default bench/out/serve)")
    args = parser.parse_args(argv)
    if args.smoke:
        args.products, args.domains = 30, 5
    out = Path(args.out) / f"{args.products}"
    shards, www, key, word = prepare(args.products, args.domains, out)
    rows: list[tuple[str, str, str, str]] = []

    def row(name: str, value: str, target: str, ok: bool | None) -> None:
        rows.append((name, value, target, "" if ok is None else ("met" if ok else "MISSED")))

    nginx_rps = None
    if not args.smoke:
        tmp = Path(tempfile.mkdtemp(prefix="bench-nginx-"))
        port = free_port()
        (tmp / "nginx.conf").write_text(NGINX_CONF.format(tmp=tmp, port=port, root=www))
        subprocess.run(["nginx", "-c", str(tmp / "nginx.conf"), "-p", str(tmp)], check=True)
        try:
            time.sleep(0.5)
            before = load()
            nginx_rps, nginx_p99 = wrk(f"http://127.0.0.1:{port}/products/{key}", args.duration, args.connections)
            row(f"nginx GET one product (load {before})", f"{nginx_rps:,.0f} req/s, p99 {nginx_p99:.2f} ms", "", None)
        finally:
            pid = int((tmp / "nginx.pid").read_text())
            os.kill(pid, signal.SIGQUIT)
            time.sleep(0.5)
            shutil.rmtree(tmp, ignore_errors=True)
    before = load()
    server = Server(shards, args.workers)
    try:
        # The smoke run (a tiny mesh, in the tests) judges correctness only, never time or memory.
        judged = not args.smoke
        row(f"start to ready, {args.products} products (load {before})", f"{server.ready_seconds:.2f} s", "< 2 s",
            server.ready_seconds < 2 if judged else None)
        rss, pss, count = memory_mb(server.proc.pid)
        row(f"memory at ready, {count} processes", f"RSS sum {rss:.0f} MB, PSS {pss:.0f} MB", "< 300 MB",
            pss < 300 if judged else None)
        before = load()
        if args.smoke:
            rps, p99, bad = python_load(f"/products/{key}", server.port, 2000)
            row(f"GET one product, Python load (load {before})", f"{rps:,.0f} req/s, p99 {p99:.2f} ms, {bad} not 200",
                "all 200", bad == 0)
            rps, p99, bad = python_load(f"/products?q={word}", server.port, 400)
            row("search first page, Python load", f"{rps:,.0f} req/s, p99 {p99:.2f} ms, {bad} not 200", "all 200",
                bad == 0)
        else:
            rps, p99 = wrk(f"{server.url}/products/{key}", args.duration, args.connections)
            ratio = rps / nginx_rps if nginx_rps else 0.0
            row(f"mesh serve GET one product, {args.workers} workers (load {before})",
                f"{rps:,.0f} req/s ({ratio:.2f}x nginx), p99 {p99:.2f} ms", ">= 0.5x nginx, p99 < 10 ms",
                ratio >= 0.5 and p99 < 10)
            before = load()
            rps, p99 = wrk(f"{server.url}/products?q={word}", args.duration, args.connections)
            row(f"search /products?q={word}, first page (load {before})", f"{rps:,.0f} req/s, p99 {p99:.2f} ms",
                "p99 < 20 ms", p99 < 20)
        median, p99 = cold_searches(server.port, word)
        row("search, 200 distinct queries (uncached), one connection", f"median {median:.2f} ms, p99 {p99:.2f} ms",
            "", None)
        rss, pss, count = memory_mb(server.proc.pid)
        row(f"memory after the load, {count} processes", f"RSS sum {rss:.0f} MB, PSS {pss:.0f} MB", "< 300 MB",
            pss < 300 if judged else None)
    finally:
        server.stop()
    width = [max(len(r[i]) for r in [*rows, ("measure", "value", "target", "verdict")]) for i in range(4)]
    print("| " + " | ".join(h.ljust(w) for h, w in zip(("measure", "value", "target", "verdict"), width,
                                                         strict=True)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in width) + "|")
    for r in rows:
        print("| " + " | ".join(c.ljust(w) for c, w in zip(r, width, strict=True)) + " |")
    return 0 if all(r[3] != "MISSED" for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
