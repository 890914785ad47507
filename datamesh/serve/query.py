"""The ``/products`` query: its parameters, their validation, and the search over the catalog.

Parameters (docs/serve.md): ``q`` (words that must all occur, case-insensitively, in a product's
id, description, tags, owner team or column names), ``domain``, ``classification``, ``tag``
(repeatable: every tag given must be present), ``status``, ``limit`` (1-500, default 50) and
``cursor`` (opaque, from the previous page's ``next_cursor``). Results are in product-id order;
a cursor means "after this product", so it stays valid across catalog reloads. Anything else —
an unknown parameter, a repeated single-valued one, a bad value — is a ``QueryError`` the API
answers with a JSON 400.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl

DEFAULT_LIMIT = 50
MAX_LIMIT = 500
MAX_TEXT = 200
"""Characters: the longest ``q``, ``domain`` or ``tag`` accepted (a product id is shorter)."""
MAX_FIELDS = 32
"""Query parameters at most (parsing more is work for nothing)."""
STATUSES = ("draft", "active", "deprecated", "retired")
CLASSIFICATIONS = ("public", "internal", "confidential", "restricted")
PARAMETERS = ("q", "domain", "classification", "tag", "status", "limit", "cursor")
_CURSOR_PREFIX = "after:"
CURSOR_PATTERN = "^YWZ0ZXI6(?:[A-Za-z0-9_-]{4})*(?:[A-Za-z0-9_-]{2,3})?$"
"""Every cursor this API writes, and only those: base64url (unpadded) of ``after:<product id>``."""
_CURSOR_RE = re.compile(CURSOR_PATTERN)


class QueryError(ValueError):
    """A malformed query: ``parameter`` names the culprit (``None`` for the query string itself)."""

    def __init__(self, parameter: str | None, message: str) -> None:
        super().__init__(message)
        self.parameter = parameter
        self.message = message


@dataclass(frozen=True, slots=True)
class ProductQuery:
    q: tuple[str, ...] = ()
    """Lower-cased words, all of which must occur."""
    domain: str | None = None
    classification: str | None = None
    tags: tuple[str, ...] = ()
    status: str | None = None
    limit: int = DEFAULT_LIMIT
    after: str | None = None
    """The product id the page starts after (decoded from ``cursor``)."""
    text: str = ""
    """``q`` as given (for the page's search box)."""

    @property
    def filtered(self) -> bool:
        return bool(self.q or self.domain or self.classification or self.tags or self.status)


def encode_cursor(after: str) -> str:
    return base64.urlsafe_b64encode((_CURSOR_PREFIX + after).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> str:
    """The product id a cursor starts after. Any string of ``CURSOR_PATTERN`` is a position (the
    first page after it in id order), so a hand-made cursor is harmless; anything else is a 400."""
    if len(cursor) > 4 * MAX_TEXT or not _CURSOR_RE.fullmatch(cursor):
        raise QueryError("cursor", "not a cursor of this API (use the next_cursor of the previous page)")
    raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    return raw.decode(errors="replace").removeprefix(_CURSOR_PREFIX)


def _text(parameter: str, value: str) -> str:
    if len(value) > MAX_TEXT:
        raise QueryError(parameter, f"longer than {MAX_TEXT} characters")
    return value


def _choice(parameter: str, value: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise QueryError(parameter, f"expected one of {', '.join(allowed)}, got {value[:MAX_TEXT]!r}")
    return value


def _limit(value: str) -> int:
    if not value.isascii() or not value.isdigit() or len(value) > 4 or not 1 <= int(value) <= MAX_LIMIT:
        raise QueryError("limit", f"expected an integer from 1 to {MAX_LIMIT}, got {value[:MAX_TEXT]!r}")
    return int(value)


def parse_product_query(query_string: str, *, lenient: bool = False) -> ProductQuery:
    """The query of ``query_string`` (raw, percent-encoded). ``lenient`` (the HTML page) ignores
    unknown parameters and treats empty values as absent, as a GET form sends them."""
    try:
        pairs = parse_qsl(query_string, keep_blank_values=True, max_num_fields=MAX_FIELDS, errors="strict")
    except (ValueError, UnicodeDecodeError):
        raise QueryError(None, f"malformed query string (at most {MAX_FIELDS} parameters, UTF-8)") from None
    seen: dict[str, str] = {}
    tags: list[str] = []
    for name, value in pairs:
        if name not in PARAMETERS:
            if lenient:
                continue
            raise QueryError(name[:MAX_TEXT], f"unknown parameter; the parameters are {', '.join(PARAMETERS)}")
        if lenient and value == "":
            continue
        if name == "tag":
            tags.append(_text("tag", value))
            continue
        if name in seen:
            raise QueryError(name, "given more than once")
        seen[name] = value
    text = _text("q", seen.get("q", ""))
    words = tuple(w for w in text.lower().split() if w)
    return ProductQuery(
        q=words,
        domain=_text("domain", seen["domain"]) if "domain" in seen else None,
        classification=_choice("classification", seen["classification"], CLASSIFICATIONS)
        if "classification" in seen else None,
        tags=tuple(tags),
        status=_choice("status", seen["status"], STATUSES) if "status" in seen else None,
        limit=_limit(seen["limit"]) if "limit" in seen else DEFAULT_LIMIT,
        after=decode_cursor(seen["cursor"]) if "cursor" in seen else None,
        text=text,
    )
