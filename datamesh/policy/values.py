"""Reading input values the same way whether they come from the plan or from the engine.

At deploy time pulumi-policy hands rules read-only ``Mapping``/``Sequence`` proxies, numbers
arrive as floats (``400.0``), and an ``aws`` provider's list and object inputs arrive
JSON-encoded (``allowedAccountIds: '["111111111111"]'``). These helpers accept every form.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from datetime import date
from functools import lru_cache
from typing import Any

ACCOUNT_RE = re.compile(r"[0-9]{12}")
CLASSIFICATIONS = ("public", "internal", "confidential", "restricted")


def mapping(value: Any) -> Mapping[str, Any] | None:
    if type(value) is dict:  # the common case, without the slower ABC check
        return value
    return value if isinstance(value, Mapping) else None


def items(value: Any) -> list[Any]:
    """A list from a list, a tuple or a proxy sequence; a single non-string value is wrapped."""
    if type(value) is list:
        return value
    if value is None:
        return []
    if isinstance(value, (str, bytes)):
        return [value]
    if isinstance(value, Sequence):
        return list(value)
    return [value]


def get_path(value: Any, *keys: str | int) -> Any:
    """``value[k1][k2]…``, or None as soon as a step is missing or of the wrong shape."""
    current = value
    for key in keys:
        if isinstance(key, int):
            if isinstance(current, (str, bytes)) or not isinstance(current, Sequence):
                return None
            if key >= len(current):
                return None
            current = current[key]
        else:
            m = mapping(current)
            if m is None or key not in m:
                return None
            current = m[key]
    return current


def number(value: Any) -> int | None:
    """An integral number (``400`` or ``400.0``); None for anything else (bools included)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def is_true(value: Any) -> bool:
    """True only for a real ``True`` (or the string ``"true"`` a provider input may carry)."""
    return value is True or (isinstance(value, str) and value.lower() == "true")


def text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def tags_of(inputs: Mapping[str, Any]) -> Mapping[str, Any]:
    tags = mapping(inputs.get("tags"))
    return tags if tags is not None else {}


def decoded(value: Any) -> Any:
    """A provider input that may be JSON-encoded: decode a string that holds JSON."""
    if isinstance(value, str) and value[:1] in ("[", "{"):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


@lru_cache(maxsize=65536)
def _parse_json(document: str) -> Any:
    try:
        return json.loads(document)
    except ValueError:
        return None


def json_document(value: Any) -> Mapping[str, Any] | None:
    """A policy document given as a JSON string (the usual form) or as an object.

    Parsed documents are cached by their text: several rules read the same policy, and a
    large mesh repeats identical documents. Callers must not modify the result.
    """
    if isinstance(value, str):
        return mapping(_parse_json(value))
    return mapping(value)


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_date(value: Any) -> date | None:
    """A ``YYYY-MM-DD`` text as a date; None for anything else (``date.fromisoformat`` alone
    would also read ``20270101`` or ``2027-W01-1``, forms the planner never writes)."""
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def account_of_arn(arn: str) -> str | None:
    """The account of ``arn:<partition>:<service>:<region>:<account>:…``; None when absent."""
    parts = arn.split(":", 5)
    if len(parts) < 6 or parts[0] != "arn":
        return None
    return parts[4] if ACCOUNT_RE.fullmatch(parts[4]) else None


_PLACEHOLDER = re.compile(r"\$\{(?P<name>[^{}]+)\.(?P<prop>[A-Za-z][A-Za-z0-9]*)\}")


def placeholder_target(value: Any) -> str | None:
    """The logical name a plan placeholder ``${<name>.<prop>}`` refers to; None for any other value."""
    if not isinstance(value, str):
        return None
    m = _PLACEHOLDER.fullmatch(value)
    return m.group("name") if m else None


def shown(value: Any) -> str:
    """A value as a message quotes it: JSON-like, ``absent`` for a missing one."""
    if value is None:
        return "absent"
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        n = number(value)
        return str(n if n is not None else value)
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, Sequence):
        return "a list"
    return repr(value)
