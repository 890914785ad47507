"""The command table: the CLI, spec-v1's "The command line" and the README list the same commands."""

from __future__ import annotations

import re
from pathlib import Path

from datamesh.cli.main import COMMANDS, build_parser

REPO = Path(__file__).resolve().parents[2]

SPEC_V1_COMMANDS = ("validate", "plan", "check", "diff", "catalog", "serve", "new")
"""spec-v1 "The command line": ``mesh validate``, ``plan``, ``check``, ``diff``, ``catalog``,
``serve`` and ``new`` (product and domain)."""
SPEC_V1_1_COMMANDS = ("affected",)
"""Added in v1.1: ``mesh affected`` (and options of check, serve)."""
BEYOND_THE_SPEC = ("schema", "codes", "codeowners", "policy-config")
"""The tools a platform team uses around the spec's commands."""


def test_the_cli_has_exactly_the_spec_commands_and_the_tools() -> None:
    assert list(COMMANDS) == [*SPEC_V1_COMMANDS, *SPEC_V1_1_COMMANDS, *BEYOND_THE_SPEC]


def test_every_command_is_a_choice_of_the_parser() -> None:
    [sub] = [a for a in build_parser()._actions if a.dest == "command"]
    assert list(sub.choices or {}) == list(COMMANDS)


def test_the_readme_table_lists_every_command_and_nothing_else() -> None:
    readme = (REPO / "README.md").read_text()
    table = [line for line in readme.splitlines() if line.startswith("| `mesh ")]
    named = [re.match(r"\| `mesh ([a-z-]+)", line).group(1) for line in table]  # type: ignore[union-attr]
    assert sorted(set(named)) == sorted(COMMANDS)
