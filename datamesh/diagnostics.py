"""Problems found in a mesh, as data.

Every layer (loader, models, resolution, grants, plan budgets) reports problems as
`Diagnostic` values instead of raising, so one run can report all of them. Only the CLI
turns them into text and exit codes.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Literal

from datamesh.codes import CODES

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True, order=True)
class Diagnostic:
    """One problem at one place: ``FILE:LINE:COL: severity CODE FIELD.PATH: message``.

    ``field`` is the dotted path of the offending field (``sharing.approved[0].until``);
    ``-`` when the problem is about the whole file. ``line``/``col`` are 1-based; 0 means the
    problem has no position inside the file (for instance a missing file).
    """

    file: str
    line: int
    col: int
    severity: Severity
    code: str
    field: str
    message: str
    hint: str = ""

    def __post_init__(self) -> None:
        # A typo in a code would silently break the documented contract of stable codes.
        if self.code not in CODES:
            raise ValueError(f"unknown diagnostic code {self.code}")

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def display_file(self, cwd: str | None = None) -> str:
        """The file relative to ``cwd`` when it lies under it, else absolute (spec-v1)."""
        path = os.path.abspath(self.file)
        base = os.path.abspath(cwd or os.getcwd())
        if path == base or path.startswith(base.rstrip(os.sep) + os.sep):
            return os.path.relpath(path, base)
        return path

    def format(self, cwd: str | None = None) -> str:
        head = (
            f"{self.display_file(cwd)}:{self.line}:{self.col}: "
            f"{self.severity} {self.code} {self.field}: {self.message}"
        )
        return f"{head}\n  hint: {self.hint}" if self.hint else head

    def to_json(self, cwd: str | None = None) -> dict[str, object]:
        return {
            "file": self.display_file(cwd),
            "line": self.line,
            "column": self.col,
            "severity": self.severity,
            "code": self.code,
            "field": self.field,
            "message": self.message,
            "hint": self.hint,
        }


def sort_key(d: Diagnostic) -> tuple[str, int, int, str, str, str]:
    """Sorted by file, then line, then column: the order spec-v1 prescribes."""
    return (os.path.abspath(d.file), d.line, d.col, d.code, d.field, d.message)


@dataclass(slots=True)
class Report:
    """An accumulator of diagnostics shared by the stages of one run."""

    items: list[Diagnostic] = field(default_factory=list)

    def add(
        self,
        file: str,
        pos: tuple[int, int],
        code: str,
        field_path: str,
        message: str,
        hint: str | None = None,
        severity: Severity | None = None,
    ) -> None:
        """Record a problem; severity and hint default to the code's documented ones."""
        spec = CODES[code]
        self.items.append(
            Diagnostic(
                file=file,
                line=pos[0],
                col=pos[1],
                severity=severity or spec.severity,
                code=code,
                field=field_path or "-",
                message=message,
                hint=spec.hint if hint is None else hint,
            )
        )

    def extend(self, other: list[Diagnostic]) -> None:
        self.items.extend(other)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.is_error]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.items if not d.is_error]

    def sorted(self) -> list[Diagnostic]:
        # Deduplicate: two stages may legitimately notice the same thing at the same place.
        return sorted(set(self.items), key=sort_key)
