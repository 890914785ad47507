"""``mesh catalog``: the discovery catalog of one environment, offline.

JSON (default) is the catalog as the API serves it, evaluated on ``--today``; ``--output FILE``
writes it to a file and ``--shards DIR`` to a shard directory, both of which
``datamesh.catalog.shards.read_catalog`` loads; ``--odps DIR`` writes every product's Open Data
Product Standard and Open Data Contract Standard documents. ``--format text`` lists one line per
product.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING, Any

from datamesh.cli.common import add_domains, add_env, add_format, add_today, environment_of, load_valid_mesh, print_json
from datamesh.errors import UsageError

if TYPE_CHECKING:
    from datamesh.catalog.model import Catalog


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "catalog", help="the discovery catalog of an environment (products, owners, access, lineage)",
        description="Build the discovery catalog of one environment offline: every product whatever its "
                    "status, its owner, guarantees as written, schema, retention, location, how to get "
                    "access, who has access until when, pending requests and lineage.")
    add_domains(parser)
    add_env(parser)
    add_today(parser)
    add_format(parser, "json", "text")
    parser.add_argument("--output", metavar="FILE",
                        help="write the JSON catalog to FILE (compact) instead of standard output")
    parser.add_argument("--shards", metavar="DIR",
                        help="write the catalog as gzip shards and a manifest.json into DIR (created if needed), the "
                             "files the discovery endpoint's ConfigMaps hold; shards of other versions in DIR are "
                             "removed")
    parser.add_argument("--odps", metavar="DIR",
                        help="write DIR/<domain>/<product>.odps.yaml (Open Data Product Standard) and .odcs.yaml "
                             "(Open Data Contract Standard) for every product (DIR created if needed)")
    parser.set_defaults(handler=run)


def write_file(path: str, data: bytes) -> None:
    """Write through a temporary file and rename, so a reader never sees half a file."""
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    tmp = f"{path}.tmp-{os.getpid()}"
    with open(tmp, "wb") as handle:
        handle.write(data)
    os.replace(tmp, path)


def render_text(catalog: Catalog) -> str:
    """One line per product: key, version, status, classification, sharing, readers, pending."""
    info = catalog.info
    out = [f"Catalog of mesh {info.mesh}, environment {info.environment}, evaluated "
           f"{catalog.evaluated_on.isoformat()}: {len(catalog.products)} products in {len(catalog.domains)} domains"]
    width = max((len(p.key) for p in catalog.products), default=0)
    for p in catalog.products:
        access = p.access_on(catalog.evaluated_on)
        readers = f"{len(access.current)} reader{'s' if len(access.current) != 1 else ''}"
        pending = f", {len(access.pending)} pending" if access.pending else ""
        out.append(f"  {p.key:<{width}}  {p.version:<8} {p.status:<10} {p.classification:<12} "
                   f"{p.sharing.mode:<8} {readers}{pending}")
    return "\n".join(out) + "\n"


def _write(option: str, target: str, catalog: Catalog) -> None:
    """Write one of the outputs; a path that cannot be written is a usage error, not a bug."""
    from datamesh.catalog import catalog_json, dumps, write_standard_views
    from datamesh.catalog.shards import write_shards

    try:
        if option == "--shards":
            write_shards(catalog, target)
        elif option == "--odps":
            write_standard_views(catalog, target)
        else:
            write_file(target, dumps(catalog_json(catalog)) + b"\n")
    except OSError as exc:
        where = exc.filename if exc.filename is not None else target
        raise UsageError(f"{option} {target}: cannot write {where}: {exc.strerror or exc}",
                         "give a path in a directory you can write (a directory for --shards and --odps)") from None


def run(args: argparse.Namespace) -> int:
    from datamesh.catalog import build_catalog, catalog_json
    from datamesh.plan import build_plan

    _, mesh = load_valid_mesh(args)
    if mesh is None:
        return 1
    plan = build_plan(mesh, environment_of(args, mesh))
    catalog = build_catalog(mesh, plan)
    for option, target in (("--shards", args.shards), ("--odps", args.odps), ("--output", args.output)):
        if target:
            _write(option, target, catalog)
    if not (args.output or args.shards or args.odps):  # the files written are the output
        if args.format == "text":
            sys.stdout.write(render_text(catalog))
        else:
            print_json(catalog_json(catalog))
    # A plan over its AWS size limits cannot be deployed: the catalog describes what would be.
    for d in plan.errors:
        sys.stderr.write(d.format() + "\n")
    return 1 if plan.errors else 0
