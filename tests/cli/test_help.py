"""Every command explains itself: `mesh COMMAND --help` has a description, not only its usage."""

from __future__ import annotations

import argparse

import pytest

from datamesh.cli.main import build_parser


def subparsers() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


COMMANDS = sorted(subparsers())


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_a_description_and_a_one_line_help(command: str) -> None:
    parser = subparsers()[command]
    assert parser.description and len(parser.description) > 40, f"mesh {command} --help has no description"
    listed = {a.dest: a.help for a in next(
        a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))._choices_actions}
    assert listed.get(command), f"`mesh --help` lists {command} without a one-line help"


@pytest.mark.parametrize("command", COMMANDS)
def test_every_option_has_a_help_text(command: str) -> None:
    for action in subparsers()[command]._actions:
        if action.help == argparse.SUPPRESS or isinstance(action, argparse._SubParsersAction):
            continue
        assert action.help, f"mesh {command}: option {action.option_strings or action.dest} has no help"
