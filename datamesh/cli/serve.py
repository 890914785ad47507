"""``mesh serve``: the discovery endpoint (JSON API, pages, MCP) over one environment's catalog.

Heavy imports (uvicorn, jinja2, mcp) happen in the handler, and only with the ``serve`` extra
installed; without it the command is a usage error naming the extra.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from typing import Any

from datamesh.cli.common import DEFAULT_DOMAINS, add_today
from datamesh.errors import UsageError

EXTRA_MODULES = ("jinja2", "uvicorn", "mcp")


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "serve", help="serve the catalog over HTTP: JSON API, pages and MCP (needs the serve extra)",
        description="Serve the discovery catalog of one environment: the JSON API (/openapi.json), server-rendered "
                    "pages (/), and MCP for agents (/mcp). The catalog is built from the specs (--domains, --env) "
                    "or read prebuilt (--catalog), and reloaded when its files change. See docs/serve.md.")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default: 127.0.0.1; 0.0.0.0 for every interface)")
    parser.add_argument("--port", type=int, default=8080, help="TCP port (default: 8080; 0 picks a free one)")
    parser.add_argument("--workers", type=int, default=1, metavar="N",
                        help="worker processes sharing the port and, copy-on-write, the catalog (default: 1)")
    parser.add_argument("--catalog", metavar="PATH",
                        help="serve a prebuilt catalog: a file (`mesh catalog --output`) or a shard directory "
                             "(`mesh catalog --shards`, or its ConfigMaps mounted by Kubernetes); instead of "
                             "--domains/--env")
    parser.add_argument("--domains", metavar="DIR",
                        help=f"build the catalog from this domains/ directory (default: {DEFAULT_DOMAINS})")
    parser.add_argument("--env", metavar="ENV",
                        help="environment to serve (default: the first environment of mesh.yaml)")
    add_today(parser)
    parser.add_argument("--reload-interval", type=float, default=2.0, metavar="SECONDS",
                        help="how often to look for a changed catalog (default: 2; 0 never reloads)")
    parser.set_defaults(handler=run)


def _check_extra() -> None:
    missing = [m for m in EXTRA_MODULES if importlib.util.find_spec(m) is None]
    if missing:
        raise UsageError(f"mesh serve needs {', '.join(missing)}, which are not installed",
                         "pip install 'datamesh-provisioner[serve]'")


def run(args: argparse.Namespace) -> int:
    # The pod's root filesystem is read-only: write no bytecode for the modules imported from now on.
    sys.dont_write_bytecode = True
    if args.catalog is not None and (args.domains is not None or args.env is not None):
        raise UsageError("--catalog serves a prebuilt catalog: it excludes --domains and --env",
                         "build the catalog with `mesh catalog --env ENV --output FILE`, or drop --catalog")
    if args.workers < 1:
        raise UsageError(f"--workers {args.workers}: at least 1")
    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port {args.port}: expected 0 to 65535")
    if args.reload_interval < 0:
        raise UsageError(f"--reload-interval {args.reload_interval:g}: expected 0 or more seconds")
    _check_extra()
    from datamesh.serve.source import prebuilt_source, specs_source
    from datamesh.serve.supervisor import Supervisor

    if args.catalog is not None:
        source = prebuilt_source(args.catalog)
    else:
        source = specs_source(args.domains or DEFAULT_DOMAINS, args.env)
    supervisor = Supervisor(source, args.host, args.port, args.workers, args.today, args.reload_interval)
    try:
        return supervisor.run()
    except OSError as exc:
        if supervisor.sock is None:  # binding failed: a usage problem (port taken, bad address)
            raise UsageError(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}",
                             "choose another --port or --host") from None
        raise
