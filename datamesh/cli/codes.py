"""``mesh codes``: the reference of diagnostic codes (docs/errors.md is its output)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from datamesh.codes import render_markdown


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "codes", help="print the diagnostic code reference as Markdown",
        description="Print the table of stable diagnostic codes (DM0xx files and YAML, DM1xx fields, "
                    "DM2xx references, DM3xx grants, DM4xx the plan) with severity, meaning and default "
                    "hint, as Markdown: `mesh codes > docs/errors.md` regenerates the reference page.")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    sys.stdout.write(render_markdown())
    return 0
