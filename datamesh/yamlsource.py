"""Safe YAML reading that remembers where every value came from.

PyYAML's C composer builds nodes that carry start marks at C speed; we turn those nodes into
plain Python values ourselves instead of using a constructor, which lets us:

- find the line/column of any value or key (``Positions``, walked lazily from the node tree
  only when a problem is reported), so every problem points at ``file:line:col``;
- reject repeated keys (PyYAML's constructors silently keep the last one);
- reject explicit tags (``!!python/object`` and friends never construct anything here);
- bound what aliases may expand to, so a "billion laughs" document costs bounded time and
  memory;
- read YAML 1.1 timestamps as their text (dates are validated by the models);
- resolve plain scalars ourselves: PyYAML's resolver runs a chain of regexes in Python for
  every scalar, which cost more than parsing itself on a 1,000-product mesh.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, NoReturn

import yaml

from datamesh.yamlindent import explain as explain_indentation

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
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_PLAIN = "tag:datamesh,2026:plain"
"""What our resolver gives an untagged plain scalar; ``_plain`` decides its type."""
_SCALAR_TAGS = {_STR, _PLAIN}
# YAML 1.2 reads any run of digits as an integer; PyYAML (YAML 1.1) reads 012345678901 as a
# string. We follow 1.2 so an unquoted account id is always caught as "unquoted".
_INT = re.compile(
    r"[-+]?(?:[0-9][0-9_]*|0b[0-1_]+|0x[0-9a-fA-F_]+|0o[0-7_]+|[1-9][0-9_]*(?::[0-5]?[0-9])+)")
_FLOAT = re.compile(
    r"[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*(?:[eE][-+]?[0-9]+)?|[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)")
_NULL = {"", "~", "null", "Null", "NULL"}
_BOOL = {
    **dict.fromkeys(("true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON"), True),
    **dict.fromkeys(("false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF"), False),
}


class _FastLoader(_Loader):
    """The C loader with a constant-time resolver: explicit tags still come through as written."""

    def __init__(self, stream: Any) -> None:
        super().__init__(stream)
        # The composer calls these around every node for path resolvers, which we never use:
        # builtins that take the same arguments and do nothing cost far less than methods.
        self.descend_resolver = {}.get  # type: ignore[method-assign,assignment]
        self.ascend_resolver = ().__len__  # type: ignore[method-assign,assignment]

    def resolve(self, kind: type, value: Any, implicit: tuple[bool, bool]) -> str:
        if kind is yaml.ScalarNode:
            return _PLAIN if implicit[0] else _STR
        return _SEQ if kind is yaml.SequenceNode else _MAP


@dataclass(frozen=True, slots=True)
class YamlProblem:
    """Why a file could not be read as a spec document."""

    code: str
    line: int
    col: int
    message: str
    hint: str | None = None
    field: str = "-"
    """The field path the problem is about, when the reader can tell (indentation mistakes)."""


class YamlError(Exception):
    def __init__(self, problem: YamlProblem) -> None:
        super().__init__(problem.message)
        self.problem = problem


class Positions:
    """Where each value and mapping key of a document starts, 1-based.

    Holds only the document's text: the node tree is composed again the first time a position
    is asked for. Positions are needed only for the few values a problem is reported about, and
    keeping every file's node tree alive for that cost ~45 KB per product file (440 MB for a
    10,000-product mesh); composing one file again costs well under a millisecond.
    """

    __slots__ = ("_entries", "_root", "_text")

    def __init__(self, text: str | None = None, root: yaml.Node | None = None) -> None:
        self._text = text
        """The text to compose on first use (None once composed, or for an empty document)."""
        self._root = root
        self._entries: dict[int, dict[str, tuple[yaml.Node, yaml.Node]]] = {}
        """Each mapping's key → (key node, value node), by ``id`` of the mapping node, built the
        first time a path goes through it: a file with n problems in one n-key mapping (unknown
        keys) costs O(n) lookups, not n scans of n keys."""

    def _tree(self) -> yaml.Node | None:
        if self._text is not None:
            # The text composed once already, so it composes again (same parser, same text).
            self._root = yaml.compose(self._text, Loader=_FastLoader)
            self._text = None
        return self._root

    def _entry(self, node: yaml.MappingNode, key: str) -> tuple[yaml.Node, yaml.Node] | None:
        entries = self._entries.get(id(node))
        if entries is None:
            entries = {}
            for k, v in node.value:
                entries.setdefault(k.value, (k, v))
            self._entries[id(node)] = entries  # the tree holds the node: its id stays unique
        return entries.get(key)

    def _walk(self, path: Path) -> tuple[yaml.Node | None, yaml.Node | None, int]:
        """(deepest node reached, the key node introducing it, how many parts were matched)."""
        node, key_node, depth = self._tree(), None, 0
        for part in path:
            found: tuple[yaml.Node | None, yaml.Node] | None = None
            if isinstance(node, yaml.MappingNode) and isinstance(part, str):
                found = self._entry(node, part)
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
                found = (None, node.value[part])
            if found is None:
                break
            key_node, node = found
            depth += 1
        return node, key_node, depth

    def of_value(self, path: Path) -> tuple[int, int]:
        """The value at ``path``, or the nearest enclosing value that exists."""
        node = self._walk(path)[0]
        return _pos(node) if node is not None else (1, 1)

    def of_key(self, path: Path) -> tuple[int, int]:
        """The key introducing ``path`` (falls back to its value)."""
        node, key_node, depth = self._walk(path)
        if depth == len(path) and key_node is not None:
            return _pos(key_node)
        return _pos(node) if node is not None else (1, 1)


def _show_tag(tag: str) -> str:
    """A tag as the user wrote it: ``!!python/object`` rather than its expanded URI."""
    prefix = "tag:yaml.org,2002:"
    return "'!!" + tag[len(prefix):] + "'" if tag.startswith(prefix) else repr(tag)


def _pos(node: yaml.Node) -> tuple[int, int]:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


def _plain(text: str) -> Any:
    """A plain scalar's value: null, bool, int, float, or the text itself (YAML 1.1 + 1.2 ints)."""
    if text in _NULL:
        return None
    first = text[0]
    if first in "tTfFyYnNoO":
        value = _BOOL.get(text)
        return text if value is None else value
    if first in "0123456789+-.":
        if _INT.fullmatch(text):
            return _to_number(text, int)
        if _FLOAT.fullmatch(text):
            return _to_number(text, float)
    return text  # strings, and timestamps kept as written


class _Converter:
    __slots__ = ("budget",)

    def __init__(self) -> None:
        self.budget = MAX_NODES

    def convert(self, node: yaml.Node, depth: int) -> Any:
        self.budget -= 1
        if self.budget < 0:
            raise YamlError(YamlProblem(
                "DM007", *_pos(node),
                f"the document expands to more than {MAX_NODES} values (aliases included)"))
        if depth > MAX_DEPTH:
            raise YamlError(YamlProblem(
                "DM007", *_pos(node), f"values are nested more than {MAX_DEPTH} levels deep"))
        tag = node.tag
        if tag is _PLAIN or tag == _PLAIN:
            return _plain(node.value)
        cls = type(node)
        if cls is yaml.ScalarNode:
            if tag != _STR:
                raise YamlError(YamlProblem("DM006", *_pos(node), f"tag {_show_tag(tag)} is not allowed"))
            return node.value
        if cls is yaml.MappingNode:
            if tag != _MAP:
                raise YamlError(YamlProblem("DM006", *_pos(node), f"tag {_show_tag(tag)} is not allowed"))
            return self._mapping(node, depth)  # type: ignore[arg-type]
        if tag != _SEQ:
            raise YamlError(YamlProblem("DM006", *_pos(node), f"tag {_show_tag(tag)} is not allowed"))
        return [self.convert(item, depth + 1) for item in node.value]

    def _mapping(self, node: yaml.MappingNode, depth: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if type(key_node) is not yaml.ScalarNode:
                raise YamlError(YamlProblem(
                    "DM005", *_pos(key_node), "mapping keys must be plain strings",
                    "write each key as a plain word followed by a colon, e.g. `name:`"))
            key = key_node.value
            if key_node.tag not in _SCALAR_TAGS:
                raise YamlError(YamlProblem(
                    "DM006", *_pos(key_node), f"tag {_show_tag(key_node.tag)} is not allowed"))
            if key == "<<" and key_node.tag == _PLAIN:
                raise YamlError(YamlProblem(
                    "DM006", *_pos(key_node), "merge keys (<<) are not allowed",
                    "write the keys out: merged keys hide repeated keys"))
            if key in out:
                first = next(k for k, _ in node.value if k.value == key)
                raise YamlError(YamlProblem(
                    "DM003", *_pos(key_node),
                    f"key {key!r} repeated (first at line {first.start_mark.line + 1})"))
            out[key] = self.convert(value_node, depth + 1)
        return out


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
    # Characters are at most 4 UTF-8 bytes: only text that may be too large is encoded to count.
    size = len(text) if len(text) * 4 <= MAX_FILE_BYTES else len(text.encode())
    if size > MAX_FILE_BYTES:
        raise YamlError(YamlProblem(
            "DM001", 1, 1, f"file is {size} bytes, more than the {MAX_FILE_BYTES} allowed"))
    try:
        node = yaml.compose(text, Loader=_FastLoader)
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
        explained = explain_indentation(text, line)
        if explained is not None:
            _raise(YamlProblem("DM002", explained.line, explained.col, explained.message, explained.hint,
                               explained.field))
        context = f" ({exc.context})" if exc.context else ""
        _raise(YamlProblem("DM002", line, col, f"{problem}{context}"))
    except yaml.YAMLError as exc:  # reader errors: control characters, bad encoding
        _raise(YamlProblem("DM002", 1, 1, str(exc).splitlines()[0]))
    if node is None:
        return None, Positions()
    return _Converter().convert(node, 0), Positions(text)


def _raise(problem: YamlProblem) -> NoReturn:
    raise YamlError(problem)
