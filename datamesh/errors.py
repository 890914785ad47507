"""Typed errors the library raises; only the CLI turns them into exit codes."""

from __future__ import annotations


class UsageError(Exception):
    """A bad option or reference given on the command line (exit 2)."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class ProblemsError(Exception):
    """A file (or other input) that cannot be used; ``problems`` lists every problem found, so a
    user fixes them in one pass instead of one per run."""

    def __init__(self, source: str, problems: list[str]) -> None:
        super().__init__(f"{source}: " + "; ".join(problems))
        self.source = source
        self.problems = problems
