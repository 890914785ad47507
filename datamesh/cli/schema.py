"""``mesh schema``: write or check the JSON Schemas of the spec kinds."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from datamesh.spec.jsonschema import SCHEMA_FILES, render


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "schema", help="write (or --check) the JSON Schemas of Mesh, Domain and DataProduct",
        description="Write the JSON Schemas of the three spec kinds (mesh.schema.json, domain.schema.json, "
                    "data-product.schema.json), generated from the spec models with every field's "
                    "documentation. Editors use them to validate as you type (`mesh new` writes the "
                    "schema comment). With --check, write nothing and exit 1 when a file is stale.")
    parser.add_argument("--output", default="schemas", metavar="DIR",
                        help="directory of the schema files (default: ./schemas)")
    parser.add_argument("--check", action="store_true",
                        help="do not write; exit 1 when the files differ from the models")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    stale = []
    for name, model in SCHEMA_FILES.items():
        path = os.path.join(args.output, name)
        text = render(model)
        current = None
        if os.path.exists(path):
            with open(path, encoding="utf-8") as handle:
                current = handle.read()
        if current == text:
            continue
        stale.append(path)
        if not args.check:
            os.makedirs(args.output, exist_ok=True)
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(text)
    if args.check and stale:
        for path in stale:
            sys.stderr.write(f"{path}: out of date; run `mesh schema --output {args.output}`\n")
        return 1
    for path in stale:
        sys.stdout.write(f"wrote {path}\n")
    return 0
