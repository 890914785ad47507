"""Where each part of a resolved mesh was written: for diagnostics only.

The mesh, domains and products are the spec models (``datamesh.spec.models``); what file and
line a value came from is kept apart, in a ``SourceMap`` keyed by what the value belongs to
(a domain name, a ``<domain>/<product>`` key, or ``MESH_KEY``) and its field path. Nothing
that plans or checks resources needs it, so nothing there imports the loader.

Positions are looked up on demand: a ``Source`` keeps the file's lazy ``Positions``, which
compose a value's line and column only when a diagnostic asks for it (a 10,000-product mesh
would otherwise pay for every field of every file).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from datamesh.yamlsource import Positions

MESH_KEY = ""
"""The key of mesh.yaml: no domain name or ``<domain>/<product>`` key is empty."""


@dataclass(frozen=True, slots=True)
class Source:
    """One spec file: its path and the (lazily composed) positions of its values."""

    file: str
    positions: Positions

    def at(self, *path: str | int) -> tuple[int, int]:
        """Line and column of the value at ``path``, or of the nearest enclosing value that exists."""
        return self.positions.of_value(path)

    def key_at(self, *path: str | int) -> tuple[int, int]:
        """Line and column of the key introducing ``path`` (its value's when there is no key)."""
        return self.positions.of_key(path)


@dataclass(frozen=True, slots=True)
class SourceMap:
    """The spec file of every domain, product and the mesh, by their key."""

    sources: Mapping[str, Source]

    def of(self, key: str) -> Source:
        """The file of a domain (its name), a product (``<domain>/<product>``) or ``MESH_KEY``."""
        return self.sources[key]

    def file(self, key: str) -> str:
        return self.sources[key].file

    def at(self, key: str, *path: str | int) -> tuple[int, int]:
        return self.sources[key].at(*path)

    def key_at(self, key: str, *path: str | int) -> tuple[int, int]:
        return self.sources[key].key_at(*path)
