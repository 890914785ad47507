"""Explain YAML syntax errors that are really indentation mistakes.

libyaml reports a tab as "found character that cannot start any token" and a key indented
one space off as "did not find expected key" or "mapping values are not allowed here": true,
but a domain team editing its first spec cannot act on that. Given the text and the line
libyaml stopped at, ``explain`` recognises the two common causes and says them in the words
of the file: the tab (YAML indents with spaces only), or the key that does not line up with
its siblings — naming the field path of the mapping it was meant to belong to.

Only called once a file has failed to parse, so its cost does not matter; it reads lines,
never the YAML grammar, and returns ``None`` when it is not sure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_KEY = re.compile(r"^(?P<indent> *)(?:- +)?(?P<key>[^\s#:\[\]{},][^:#]*?)\s*:(?:\s|$)")


@dataclass(frozen=True, slots=True)
class Explanation:
    line: int
    col: int
    field: str
    message: str
    hint: str


def explain(text: str, line: int) -> Explanation | None:
    """Why the document fails near 1-based ``line``, when the cause is indentation."""
    lines = text.splitlines()
    tab = _first_tab_indent(lines, line)
    if tab is not None:
        at, col = tab
        return Explanation(at, col, _field_of(lines, at - 1), "a tab is used for indentation; YAML indents "
                           "with spaces only",
                           f"replace the tab at line {at} with spaces (2 per level, like the lines around it)")
    return _misaligned_key(lines, line)


def _first_tab_indent(lines: list[str], line: int) -> tuple[int, int] | None:
    """A tab in the leading whitespace of the failing line or the content line before it."""
    for number in range(min(line, len(lines)), 0, -1):
        text = lines[number - 1]
        lead = text[: len(text) - len(text.lstrip(" \t"))]
        if "\t" in lead:
            return number, lead.index("\t") + 1
        if number < line and _is_content(text):
            break
    return None


def _indent(text: str) -> int:
    return len(text) - len(text.lstrip(" "))


def _is_content(text: str) -> bool:
    stripped = text.strip()
    return bool(stripped) and not stripped.startswith("#")


def _previous_content(lines: list[str], index: int) -> int | None:
    return next((i for i in range(index - 1, -1, -1) if _is_content(lines[i])), None)


def _misaligned_key(lines: list[str], line: int) -> Explanation | None:
    """A key whose indentation matches neither the key above it nor an enclosing mapping."""
    index = min(line, len(lines)) - 1
    # libyaml stops at the culprit or at the line after it; look at both, the earlier first.
    for candidate in (index - 1, index):
        if not (0 <= candidate < len(lines)) or not _is_content(lines[candidate]):
            continue
        match = _KEY.match(lines[candidate])
        previous = _previous_content(lines, candidate)
        if match is None or previous is None:
            continue
        mine, theirs = _indent(lines[candidate]), _indent(lines[previous])
        opens_block = lines[previous].rstrip().endswith(":")
        if mine == theirs or (mine > theirs and opens_block) or mine in _ancestor_indents(lines, previous):
            continue
        key = match.group("key").strip()
        other = _KEY.match(lines[previous])
        other_key = repr(other.group("key").strip()) if other else "the line"
        return Explanation(
            candidate + 1, mine + 1, _join(_parent_path(lines, previous), key),
            f"key {key!r} ({_spaces(mine)}) does not line up with {other_key} on line {previous + 1} "
            f"({_spaces(theirs)})",
            "keys of one mapping start in the same column: indent them with the same number of spaces "
            "(YAML nests by indentation)")
    return None


def _spaces(n: int) -> str:
    return "1 space" if n == 1 else f"{n} spaces"


def _ancestor_indents(lines: list[str], index: int) -> list[int]:
    """Indentations of the line at ``index`` and of each enclosing key above it."""
    indents = [_indent(lines[index])]
    for i in range(index - 1, -1, -1):
        if _is_content(lines[i]) and _indent(lines[i]) < indents[-1]:
            indents.append(_indent(lines[i]))
    return indents


def _parent_path(lines: list[str], index: int) -> str:
    """The dotted path of the mapping holding the key on line ``index`` (keys indented less)."""
    limit = _indent(lines[index])
    path: list[str] = []
    for i in range(index - 1, -1, -1):
        text = lines[i]
        if not _is_content(text) or _indent(text) >= limit:
            continue
        match = _KEY.match(text)
        if match is not None:
            path.append(match.group("key").strip())
        limit = _indent(text)
        if limit == 0:
            break
    return ".".join(reversed(path)) or "-"


def _field_of(lines: list[str], index: int) -> str:
    """The field path of a tab-indented line: its key under the mapping the line above opens
    (or shares with it, when that line already has a value)."""
    match = _KEY.match(lines[index].lstrip(" \t"))
    previous = _previous_content(lines, index)
    if previous is None:
        return "-"
    above = _KEY.match(lines[previous])
    if match is None:  # a value on its own line: it belongs to the key above
        return _join(_parent_path(lines, previous), above.group("key").strip()) if above else "-"
    key = match.group("key").strip()
    if lines[previous].rstrip().endswith(":") and above is not None:
        return _join(_join(_parent_path(lines, previous), above.group("key").strip()), key)
    return _join(_parent_path(lines, previous), key)


def _join(parent: str, key: str) -> str:
    return key if parent == "-" else f"{parent}.{key}"
