"""The ``mesh`` command: a thin argparse layer over the library.

argparse (not click/typer) because ``mesh validate`` on a 1,000-product mesh has a 0.5 s
budget including interpreter start, and because argparse's usage errors already exit 2 as
spec-v1 prescribes. Each subcommand lives in its own module with ``register(subparsers)``.
Exit codes: 0 ok, 1 rejected (invalid mesh, mandatory policy violation), 2 usage error,
3 internal error (a bug: set MESH_DEBUG=1 for the traceback).
"""

from __future__ import annotations

import argparse
import gc
import importlib
import os
import sys
from collections.abc import Sequence

# pydantic scans every installed distribution for plugins at import (tens of ms at each
# start); the mesh CLI uses none. Set before anything imports pydantic.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")

from datamesh import __version__
from datamesh.errors import UsageError

EXIT_OK, EXIT_REJECTED, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3

# Subcommand modules, imported lazily by name so `mesh validate` does not pay for the plan. In
# spec-v1's order ("The command line"), then the tools beyond it.
COMMANDS: dict[str, str] = {
    "validate": "datamesh.cli.validate",
    "plan": "datamesh.cli.plan",
    "check": "datamesh.cli.check",
    "diff": "datamesh.cli.diff",
    "catalog": "datamesh.cli.catalog",
    "serve": "datamesh.cli.serve",
    "new": "datamesh.cli.new",
    "affected": "datamesh.cli.affected",
    "schema": "datamesh.cli.schema",
    "codes": "datamesh.cli.codes",
    "codeowners": "datamesh.cli.codeowners",
    "policy-config": "datamesh.cli.policy_config",
}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        sys.stderr.write(f"mesh: error: {message}\n")
        raise SystemExit(EXIT_USAGE)


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    parser = _Parser(prog="mesh", description="Provision a data mesh on AWS from YAML specs.")
    parser.add_argument("--version", action="version", version=f"mesh {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for name, module_name in COMMANDS.items():
        if only is not None and name != only:
            sub.add_parser(name)  # still a valid choice, without importing its module
            continue
        importlib.import_module(module_name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    # A mesh loads as many small, acyclic objects that all live until the process exits: the
    # cyclic garbage collector would rescan them over and over (half of `mesh validate` on a
    # 1,000-product mesh) and could free nothing. Reference counting still frees the rest.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _main(argv)
    finally:
        if collecting:  # callers in the same process (tests) get their collector back
            gc.enable()


def _main(argv: Sequence[str] | None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    first = next((a for a in args_list if not a.startswith("-")), None)
    known = COMMANDS
    try:
        parser = build_parser(first if first in known else None)
        args = parser.parse_args(args_list)
        return int(args.handler(args))
    except SystemExit as exc:
        return int(exc.code) if isinstance(exc.code, int) else EXIT_USAGE
    except UsageError as exc:
        sys.stderr.write(f"mesh: error: {exc.message}\n")
        if exc.hint:
            sys.stderr.write(f"  hint: {exc.hint}\n")
        return EXIT_USAGE
    except BrokenPipeError:  # `mesh plan | head` is fine
        return EXIT_OK
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        if os.environ.get("MESH_DEBUG"):
            raise
        sys.stderr.write(
            f"mesh: internal error: {type(exc).__name__}: {exc}\n"
            "  hint: this is a bug in mesh; rerun with MESH_DEBUG=1 and report the traceback\n"
        )
        return EXIT_INTERNAL


def run() -> None:
    """Console-script entry point: exits without tearing the heap down.

    Freeing a loaded mesh object by object at interpreter exit costs more than some commands
    (0.6 s of `mesh validate` at 10,000 products) and frees nothing the OS would not reclaim: flush
    what was written, then leave with ``os._exit``. (``main`` stays a plain function for callers in
    the same process.)
    """
    code = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:  # `mesh plan | head`: the reader left, which is fine
        pass
    except OSError:
        code = code or EXIT_INTERNAL  # output was lost (disk full): never report success
    os._exit(code)
