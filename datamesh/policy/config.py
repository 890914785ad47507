"""Pack config: enforcement levels, thresholds and mesh facts, per rule.

The shape is the one ``pulumi preview --policy-pack-config FILE`` takes, so one file serves
both ``mesh check --policy-config FILE`` and the deploy-time pack::

    {
      "all": "mandatory",                                  # optional: every rule's level
      "mesh-bucket-tags": "advisory",                      # a level alone
      "mesh-restricted-retention": {                       # or a level and properties
        "enforcementLevel": "mandatory",
        "maxRetentionDays": {"restricted": 365, "confidential": 1095}
      }
    }

A rule's level is its own entry's, else ``all``'s, else the rule's documented default. Its
properties are the documented defaults overridden by the entry. Unknown rules, unknown
properties and values of the wrong type are errors (a typo must not silently disable a
guardrail).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from datamesh.errors import ProblemsError
from datamesh.policy.model import LEVELS, Level, Rule
from datamesh.policy.registry import RULES

ALL = "all"
LEVEL_KEY = "enforcementLevel"
_LEVEL_ALIASES: Mapping[str, Level] = {"remediate": "mandatory"}
"""pulumi-policy's ``remediate`` level: no mesh rule remediates, so it enforces like mandatory."""


class PolicyConfigError(ProblemsError):
    """The pack config is malformed; ``problems`` lists every problem found."""


@dataclass(frozen=True, slots=True)
class Entry:
    level: Level | None = None
    properties: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PackConfig:
    all_level: Level | None = None
    entries: Mapping[str, Entry] = field(default_factory=dict)

    def level(self, rule: Rule) -> Level:
        entry = self.entries.get(rule.id)
        if entry is not None and entry.level is not None:
            return entry.level
        return self.all_level or rule.default_level

    def properties(self, rule: Rule) -> dict[str, Any]:
        props = rule.defaults()
        entry = self.entries.get(rule.id)
        if entry is not None:
            props.update(entry.properties)
        return props

    def overridden_by(self, other: PackConfig) -> PackConfig:
        """This config with ``other``'s levels and properties taking precedence."""
        entries = dict(self.entries)
        for rule_id, entry in other.entries.items():
            mine = entries.get(rule_id, Entry())
            entries[rule_id] = Entry(entry.level if entry.level is not None else mine.level,
                                     {**mine.properties, **entry.properties})
        return PackConfig(other.all_level or self.all_level, entries)

    def with_facts(self, facts: Mapping[str, Any], rules: Iterable[Rule] = RULES) -> PackConfig:
        """Add mesh facts to every rule that declares them.

        A list already given is kept and merged (union: the platform team may add accounts);
        any other fact (the expected grants) is the mesh's alone and replaces what was given, so
        a pack config cannot smuggle in a grant the specs do not decide.
        """
        entries = dict(self.entries)
        for rule in rules:
            wanted = [key for key in rule.facts if key in facts]
            if not wanted:
                continue
            entry = entries.get(rule.id, Entry())
            props = dict(entry.properties)
            for key in wanted:
                value = facts[key]
                if isinstance(value, list):
                    given = [str(v) for v in props.get(key, [])]
                    props[key] = sorted({*given, *value})
                else:
                    props[key] = value
            entries[rule.id] = Entry(entry.level, props)
        return PackConfig(self.all_level, entries)

    def to_json(self, rules: Iterable[Rule] = RULES) -> dict[str, Any]:
        """Every rule spelled out (level and every property): the file for --policy-pack-config."""
        return {rule.id: {LEVEL_KEY: self.level(rule), **self.properties(rule)} for rule in rules}


def render_pack_config(data: Mapping[str, Any], inline_depth: int = 3) -> str:
    """The pack config as JSON text, indented down to the rules' settings and with each deeper
    value on one line: one grant per line, so a 10,000-product config stays small and a change
    of grants reads as a line-per-grant diff in review."""

    def render(value: Any, depth: int) -> str:
        if depth >= inline_depth or not isinstance(value, (Mapping, list)) or not value:
            return json.dumps(value, separators=(",", ":"))
        pad, inner = "  " * depth, "  " * (depth + 1)
        if isinstance(value, list):
            body = ",\n".join(f"{inner}{render(v, depth + 1)}" for v in value)
            return f"[\n{body}\n{pad}]"
        body = ",\n".join(f"{inner}{json.dumps(k)}: {render(v, depth + 1)}" for k, v in value.items())
        return f"{{\n{body}\n{pad}}}"

    return render(data, 0) + "\n"


def parse_pack_config(data: Any, source: str = "pack config",
                      rules: Iterable[Rule] = RULES) -> PackConfig:
    known = {rule.id: rule for rule in rules}
    problems: list[str] = []
    if not isinstance(data, Mapping):
        raise PolicyConfigError(source, ["expected a JSON object mapping rule ids to settings"])
    all_level: Level | None = None
    entries: dict[str, Entry] = {}
    for key, value in data.items():
        if key == ALL:
            raw = value.get(LEVEL_KEY) if isinstance(value, Mapping) else value
            if isinstance(value, Mapping) and set(value) - {LEVEL_KEY}:
                problems.append(f"all: only {LEVEL_KEY} may be set for all rules")
            all_level = _level(raw, ALL, problems)
            continue
        rule = known.get(key)
        if rule is None:
            problems.append(f"{key}: not a rule of mesh-guardrails (rules: {', '.join(sorted(known))})")
            continue
        if isinstance(value, str):
            entries[key] = Entry(_level(value, key, problems))
            continue
        if not isinstance(value, Mapping):
            problems.append(f"{key}: expected an enforcement level or an object, got {_kind(value)}")
            continue
        level = _level(value[LEVEL_KEY], f"{key}.{LEVEL_KEY}", problems) if LEVEL_KEY in value else None
        props: dict[str, Any] = {}
        for prop, prop_value in value.items():
            if prop == LEVEL_KEY:
                continue
            schema = rule.config.get(prop)
            if schema is None:
                allowed = ", ".join([LEVEL_KEY, *rule.config]) if rule.config else LEVEL_KEY
                problems.append(f"{key}.{prop}: not a setting of this rule (settings: {allowed})")
                continue
            errors = validate_value(prop_value, schema, f"{key}.{prop}")
            problems.extend(errors)
            if not errors:
                props[prop] = prop_value
        entries[key] = Entry(level, props)
    if problems:
        raise PolicyConfigError(source, problems)
    return PackConfig(all_level, entries)


def load_pack_config(path: str, rules: Iterable[Rule] = RULES) -> PackConfig:
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError as exc:
        raise PolicyConfigError(path, [f"cannot read: {exc.strerror or exc}"]) from None
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise PolicyConfigError(path, [f"not valid JSON: {exc}"]) from None
    return parse_pack_config(data, path, rules)


def _level(value: Any, where: str, problems: list[str]) -> Level | None:
    if isinstance(value, str):
        if value in LEVELS:
            return value
        if value in _LEVEL_ALIASES:
            return _LEVEL_ALIASES[value]
    problems.append(f"{where}: enforcement level must be one of {', '.join(LEVELS)}, "
                    f"got {json.dumps(value)}")
    return None


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, list):
        return "a list"
    return "null" if value is None else type(value).__name__


_KINDS: Mapping[str, Any] = {
    "integer": lambda v: (isinstance(v, int) and not isinstance(v, bool)) or (isinstance(v, float) and v.is_integer()),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, Mapping),
    "null": lambda v: v is None,
}


def _article(kind: str) -> str:
    return f"{'an' if kind[:1] in 'aeiou' else 'a'} {kind}"


def validate_value(value: Any, schema: Mapping[str, Any], where: str) -> list[str]:
    """The subset of JSON Schema the rule configs use: type (a name or a list of names), items,
    properties, required, additionalProperties, minimum, maximum, pattern."""
    kind = schema.get("type")
    kinds = [str(k) for k in kind] if isinstance(kind, list) else [str(kind)] if kind is not None else []
    matching = [k for k in kinds if _KINDS.get(k, lambda v: True)(value)]
    if kinds and not matching:
        return [f"{where}: expected {' or '.join(_article(k) for k in kinds)}, got {_kind(value)}"]
    kind = matching[0] if matching else None
    problems: list[str] = []
    if kind in ("integer", "number"):
        if "minimum" in schema and value < schema["minimum"]:
            problems.append(f"{where}: must be >= {schema['minimum']}, got {value}")
        if "maximum" in schema and value > schema["maximum"]:
            problems.append(f"{where}: must be <= {schema['maximum']}, got {value}")
    elif kind == "string" and "pattern" in schema and not re.search(schema["pattern"], value):
        problems.append(f"{where}: {json.dumps(value)} does not match {schema['pattern']}")
    elif kind == "array" and "items" in schema:
        for i, item in enumerate(value):
            problems.extend(validate_value(item, schema["items"], f"{where}[{i}]"))
    elif kind == "object":
        properties = schema.get("properties")
        if isinstance(properties, Mapping):
            problems.extend(f"{where}: {name} is required" for name in schema.get("required", ())
                            if name not in value)
            for k, v in value.items():
                if k in properties:
                    problems.extend(validate_value(v, properties[k], f"{where}.{k}"))
        extra = schema.get("additionalProperties")
        if isinstance(extra, Mapping):
            for k, v in value.items():
                if not isinstance(properties, Mapping) or k not in properties:
                    problems.extend(validate_value(v, extra, f"{where}.{k}"))
    return problems
