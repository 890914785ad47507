"""Safe YAML reading that remembers where every value came from.

PyYAML's C composer builds nodes that carry start marks at C speed; we turn those nodes into
plain Python values ourselves instead of using a constructor, which lets us:

- record the line/column of every value and key (``Positions``), so every problem points at
  ``file:line:col``;
- reject repeated keys (PyYAML's constructors silently keep the last one);
- reject explicit tags (``!!python/object`` and friends never construct anything here);
- bound what aliases may expand to, so a "billion laughs" document costs bounded time and
  memory;
- read YAML 1.1 timestamps as their text (dates are validated by the models).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, NoReturn

import yaml

try:  # the C composer is ~15x faster; fall back for platforms without libyaml
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on the PyYAML build
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

Path = tuple[str | int, ...]

MAX_FILE_BYTES = 256 * 1024
"""Larger spec files are rejected: a product spec is a few KB, and a bound keeps CI safe."""
MAX_NODES = 20_000
"""Values one document may expand to, aliases included (bounds alias bombs)."""
MAX_DEPTH = 64
"""Nesting depth; spec files need under ten levels."""

_STR = "tag:yaml.org,2002:str"
_ALLOWED_SCALAR_TAGS = {
    _STR,
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
}
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
# YAML 1.2 reads any run of digits as an integer; PyYAML (YAML 1.1) reads 012345678901 as a
# string. We follow 1.2 so an unquoted account id is always caught as "unquoted".
_DIGITS = re.compile(r"[-+]?[0-9][0-9_]*")
_BOOL = {"true": True, "yes": True, "on": True, "false": False, "no": False, "off": False}


@dataclass(frozen=True, slots=True)
class YamlProblem:
    """Why a file could not be read as a spec document."""

    code: str
    line: int
    col: int
    message: str
    hint: str | None = None


class YamlError(Exception):
    def __init__(self, problem: YamlProblem) -> None:
        super().__init__(problem.message)
        self.problem = problem


@dataclass(slots=True)
class Positions:
    """Where each value (and each mapping key) of a document starts, 1-based."""

    values: dict[Path, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Path, tuple[int, int]] = field(default_factory=dict)
    quoted: set[Path] = field(default_factory=set)

    def of_value(self, path: Path) -> tuple[int, int]:
        """The value at ``path``, or the nearest enclosing value that exists."""
        for end in range(len(path), -1, -1):
            pos = self.values.get(path[:end])
            if pos is not None:
                return pos
        return (1, 1)

    def of_key(self, path: Path) -> tuple[int, int]:
        """The key introducing ``path`` (falls back to its value)."""
        return self.keys.get(path) or self.of_value(path)


def _show_tag(tag: str) -> str:
    """A tag as the user wrote it: ``!!python/object`` rather than its expanded URI."""
    prefix = "tag:yaml.org,2002:"
    return "'!!" + tag[len(prefix):] + "'" if tag.startswith(prefix) else repr(tag)


def _pos(node: yaml.Node) -> tuple[int, int]:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


class _Converter:
    def __init__(self) -> None:
        self.positions = Positions()
        self.budget = MAX_NODES

    def convert(self, node: yaml.Node, path: Path, depth: int) -> Any:
        self.budget -= 1
        if self.budget < 0:
            raise YamlError(YamlProblem(
                "DM007", *_pos(node),
                f"the document expands to more than {MAX_NODES} values (aliases included)"))
        if depth > MAX_DEPTH:
            raise YamlError(YamlProblem(
                "DM007", *_pos(node), f"values are nested more than {MAX_DEPTH} levels deep"))
        self.positions.values[path] = _pos(node)
        if isinstance(node, yaml.ScalarNode):
            return self._scalar(node, path)
        if isinstance(node, yaml.SequenceNode):
            self._check_tag(node, _SEQ)
            return [self.convert(item, (*path, i), depth + 1) for i, item in enumerate(node.value)]
        if isinstance(node, yaml.MappingNode):
            self._check_tag(node, _MAP)
            return self._mapping(node, path, depth)
        raise YamlError(YamlProblem("DM002", *_pos(node), "unsupported YAML node"))  # pragma: no cover

    def _check_tag(self, node: yaml.Node, expected: str) -> None:
        if node.tag != expected:
            raise YamlError(YamlProblem("DM006", *_pos(node), f"tag {_show_tag(node.tag)} is not allowed"))

    def _mapping(self, node: yaml.MappingNode, path: Path, depth: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise YamlError(YamlProblem(
                    "DM006", *_pos(key_node), "merge keys (<<) are not allowed",
                    "write the keys out: merged keys hide repeated keys"))
            if not isinstance(key_node, yaml.ScalarNode):
                raise YamlError(YamlProblem(
                    "DM005", *_pos(key_node), "mapping keys must be plain strings",
                    "write each key as a plain word followed by a colon, e.g. `name:`"))
            self._check_scalar_tag(key_node)
            key = str(key_node.value)
            if key in out:
                first = self.positions.keys[(*path, key)]
                raise YamlError(YamlProblem(
                    "DM003", *_pos(key_node),
                    f"key {key!r} repeated (first at line {first[0]})"))
            self.positions.keys[(*path, key)] = _pos(key_node)
            out[key] = self.convert(value_node, (*path, key), depth + 1)
        return out

    def _check_scalar_tag(self, node: yaml.ScalarNode) -> None:
        if node.tag not in _ALLOWED_SCALAR_TAGS:
            raise YamlError(YamlProblem("DM006", *_pos(node), f"tag {_show_tag(node.tag)} is not allowed"))

    def _scalar(self, node: yaml.ScalarNode, path: Path) -> Any:
        self._check_scalar_tag(node)
        text: str = node.value
        if node.style:  # quoted or block scalar: always a string (plain is None or "")
            self.positions.quoted.add(path)
            return text
        tag = node.tag
        if tag == "tag:yaml.org,2002:null":
            return None
        if tag == "tag:yaml.org,2002:bool":
            return _BOOL[text.lower()]
        if tag == "tag:yaml.org,2002:int" or _DIGITS.fullmatch(text):
            return _to_number(text, int)
        if tag == "tag:yaml.org,2002:float":
            return _to_number(text, float)
        return text  # str, and timestamps kept as written


def _to_number(text: str, kind: type) -> Any:
    """A YAML 1.1 number as Python reads it; exotic spellings (sexagesimal) stay text."""
    clean = text.replace("_", "")
    attempts = (
        (lambda: int(clean, 0), lambda: int(clean, 10))
        if kind is int
        else (lambda: float(clean), lambda: float(clean.lower().replace(".", "", 1)))
    )
    for attempt in attempts:
        try:
            return attempt()
        except ValueError:
            continue
    return text


def read_yaml(text: str) -> tuple[Any, Positions]:
    """Parse one YAML document into plain values and their positions.

    Raises ``YamlError`` for malformed YAML, several documents, tags, repeated keys and alias
    bombs. An empty document yields ``None``.
    """
    if len(text) > MAX_FILE_BYTES:
        raise YamlError(YamlProblem(
            "DM001", 1, 1, f"file is {len(text)} bytes, more than the {MAX_FILE_BYTES} allowed"))
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or "malformed YAML"
        # PyYAML says "but found another document" with the context "expected a single
        # document in the stream": the marker is in the context, not the problem.
        if "expected a single document" in f"{problem} {exc.context or ''}":
            _raise(YamlProblem("DM008", line, col, "the file holds more than one YAML document"))
        if "found undefined alias" in problem or "found duplicate anchor" in problem:
            _raise(YamlProblem("DM002", line, col, problem))
        context = f" ({exc.context})" if exc.context else ""
        _raise(YamlProblem("DM002", line, col, f"{problem}{context}"))
    except yaml.YAMLError as exc:  # reader errors: control characters, bad encoding
        _raise(YamlProblem("DM002", 1, 1, str(exc).splitlines()[0]))
    if node is None:
        return None, Positions()
    converter = _Converter()
    value = converter.convert(node, (), 0)
    return value, converter.positions


def _raise(problem: YamlProblem) -> NoReturn:
    raise YamlError(problem)
