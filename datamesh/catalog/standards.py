"""What the ODPS and ODCS views share: identifiers, statuses, team, support, discovery URLs.

Both views are plain dicts in the standards' key order (``yaml.safe_dump(..., sort_keys=False)``
writes them as a person would); both are evaluated on ``catalog.evaluated_on`` like every other
view, so a server calls them on ``catalog.as_of(today)``. See docs/catalog.md "Standard views".
"""

from __future__ import annotations

import json
import re
from typing import Any

from datamesh.catalog.model import Catalog, Owner, Product

Json = dict[str, Any]

VENDOR = "datamesh"
"""The ``vendor`` of every custom property the views add (ODCS/ODPS: a stable lowercase id)."""

STATUS = {"draft": "draft", "active": "active", "deprecated": "deprecated", "retired": "retired"}
"""spec-v1 status → the standards' ``status``. Both standards list proposed, draft, active,
deprecated and retired as their values, so each spec status maps to the value of the same name
(nothing the spec writes is ``proposed``: a product under review is a pull request)."""

TYPE = {"source-aligned": "sourceAligned", "aggregate": "aggregate", "consumer-aligned": "consumerAligned"}
"""spec-v1 ``type`` → ODPS ``type`` (the values ODPS v1.1 names)."""


def product_id(catalog: Catalog, key: str) -> str:
    """The ODPS ``id``: ``urn:datamesh:<mesh>:<domain>:<product>`` (unique across meshes, stable
    across versions and environments, like the product's storage)."""
    domain, name = key.split("/", 1)
    return f"urn:datamesh:{catalog.info.mesh}:{domain}:{name}"


def contract_id(catalog: Catalog, key: str) -> str:
    """The ODCS ``id`` of the product's output contract, which the ODPS output port names in
    ``contractId`` (and a consuming product's input port too)."""
    return f"{product_id(catalog, key)}:contract"


def custom(prop: str, value: Any, description: str | None = None) -> Json:
    """A ``customProperties`` entry (camelCase ``property``, as both standards ask)."""
    out: Json = {"property": prop, "value": value}
    if description is not None:
        out["description"] = description
    out["vendor"] = VENDOR
    return out


def github_team_url(github: str) -> str | None:
    """``@org/team`` → the team's page on GitHub; ``None`` for a user handle (``@someone``)."""
    org, sep, team = github.removeprefix("@").partition("/")
    return f"https://github.com/orgs/{org}/teams/{team}" if sep and org and team else None


def team(owner: Owner, domain: str) -> Json:
    """The owning team: its email as the owner member, its GitHub team (when set) as the approver
    of access requests (spec-v1: ``owner.github``, else the email, approves)."""
    owner_member: Json = {"username": owner.email, "name": owner.team, "role": "owner"}
    if owner.github is None:
        owner_member["description"] = "Owns the domain's products and approves access requests."
    members = [owner_member]
    if owner.github is not None:
        members.append({"username": owner.github, "name": f"{owner.team} (GitHub)", "role": "approver",
                        "description": f"Owns domains/{domain}/ in CODEOWNERS: approves access requests by "
                                       "reviewing the pull request."})
    return {"name": owner.team, "members": members}


def support(owner: Owner) -> list[Json]:
    """The team's email, and its GitHub team page when ``owner.github`` names a team."""
    channels: list[Json] = [{"channel": "email", "url": f"mailto:{owner.email}", "tool": "email",
                             "scope": "interactive", "description": f"The {owner.team} team."}]
    url = github_team_url(owner.github) if owner.github is not None else None
    if url is not None:
        channels.append({"channel": "github", "url": url, "tool": "other", "scope": "issues",
                         "description": "Access requests are pull requests this team reviews."})
    return channels


def limitations(catalog: Catalog, p: Product) -> str | None:
    """What restricts use, in words: a deprecation, and why it cannot be requested (draft, retired, private)."""
    parts: list[str] = []
    if p.status == "deprecated" and p.deprecation is not None:
        successor = f"; use {p.deprecation.replaced_by} instead" if p.deprecation.replaced_by else ""
        when = "was" if p.deprecation.past_sunset(catalog.evaluated_on) else "is"
        parts.append(f"Deprecated: its sunset {when} {p.deprecation.sunset.isoformat()}{successor}.")
    if not p.sharing.requestable and p.sharing.reason:
        parts.append(f"Cannot be requested, because {p.sharing.reason}.")
    return " ".join(parts) or None


def discovery_urls(catalog: Catalog, key: str) -> dict[str, str] | None:
    """The product's routes on the discovery endpoint; ``None`` without ``discovery.kubernetes.host``."""
    base = catalog.info.discovery_url
    if base is None:
        return None
    return {"api": f"{base}/products/{key}", "page": f"{base}/ui/products/{key}",
            "odps": f"{base}/products/{key}/odps.yaml", "odcs": f"{base}/products/{key}/odcs.yaml"}


_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9 _./()-]*(?<! )")
"""Strings written without quotes: nothing YAML could read as another type or as syntax."""
_NOT_PLAIN = frozenset({"y", "n", "yes", "no", "on", "off", "true", "false", "null"})
"""Words YAML 1.1 reads as booleans or null (PyYAML does): quoted."""
_UNPRINTABLE = re.compile("[\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff]")
"""What JSON leaves raw but YAML reads as a line break or refuses: escaped."""


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return ".nan" if value != value else (".inf" if value > 0 else "-.inf")
        mantissa, e, exponent = repr(value).partition("e")
        if "." not in mantissa:  # YAML 1.1 floats need a dot (1e-05 is a string to PyYAML) …
            mantissa += ".0"
        if e and exponent[0] not in "+-":  # … and a signed exponent
            exponent = "+" + exponent
        return f"{mantissa}{e}{exponent}"
    text = str(value)
    if _PLAIN.fullmatch(text) and text.lower() not in _NOT_PLAIN:
        return text
    # A JSON string is a YAML double-quoted scalar with the same value.
    return _UNPRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", json.dumps(text, ensure_ascii=False))


def _block(value: Any, indent: str, out: list[str]) -> None:
    """Append ``value`` (a non-empty mapping or sequence) in block style, as PyYAML writes it."""
    if isinstance(value, dict):
        for key, item in value.items():
            head = f"{indent}{_scalar(key)}:"
            if isinstance(item, (dict, list)) and item:
                out.append(head)
                _block(item, indent + "  " if isinstance(item, dict) else indent, out)
            else:
                out.append(f"{head} {_inline(item)}")
        return
    for item in value:
        if isinstance(item, (dict, list)) and item:
            nested: list[str] = []
            _block(item, indent + "  ", nested)
            out.append(f"{indent}- {nested[0][len(indent) + 2:]}")
            out.extend(nested[1:])
        else:
            out.append(f"{indent}- {_inline(item)}")


def _inline(value: Any) -> str:
    if isinstance(value, dict):
        return "{}"
    if isinstance(value, list):
        return "[]"
    return _scalar(value)


def document_yaml(document: Json) -> str:
    """A view as YAML, keys in the standard's order (what the ``.odps.yaml``/``.odcs.yaml`` files
    and routes hold). A small emitter for the JSON-like values the views hold (dicts, lists,
    strings, numbers, booleans, ``None``): about 15 times faster than PyYAML's Python dumper and 3
    times its C one (bench/bench_catalog.py; a server renders every product's views). Strings
    are plain when nothing could misread them, else JSON-quoted; ``yaml.safe_load`` gives the
    document back (tests/catalog/test_standards.py)."""
    if not document:
        return "{}\n"
    out: list[str] = []
    _block(document, "", out)
    return "\n".join(out) + "\n"


def write_standard_views(catalog: Catalog, directory: str) -> list[str]:
    """Write ``<directory>/<domain>/<product>.odps.yaml`` and ``.odcs.yaml`` for every product
    (directories created as needed; each file replaced atomically). Returns the paths written,
    sorted. ``dataproduct lint`` run in ``directory`` resolves every ``contractId`` among them."""
    import os

    from datamesh.catalog.odcs import odcs_document
    from datamesh.catalog.odps import odps_document

    written: list[str] = []
    for p in catalog.products:
        folder = os.path.join(directory, p.domain)
        os.makedirs(folder, exist_ok=True)
        for suffix, view in ((".odcs.yaml", odcs_document), (".odps.yaml", odps_document)):
            path = os.path.join(folder, p.name + suffix)
            tmp = f"{path}.tmp-{os.getpid()}"
            with open(tmp, "w", encoding="utf-8") as handle:
                handle.write(document_yaml(view(catalog, p.key)))
            os.replace(tmp, path)
            written.append(path)
    return sorted(written)
