"""The standard views of a product: Open Data Product Standard (``odps.yaml``) and Open Data
Contract Standard (``odcs.yaml``), rendered as YAML from the catalog core's documents.

The documents are built by ``datamesh.catalog.odps.odps_document(catalog, key)`` and
``datamesh.catalog.odcs.odcs_document(catalog, key)``, imported when first needed: a version of
the core without them answers ``ViewUnavailable`` (the API's JSON 501 names the missing piece).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import yaml

from datamesh.catalog import Catalog

VIEWS = {"odps": ("datamesh.catalog.odps", "odps_document"), "odcs": ("datamesh.catalog.odcs", "odcs_document")}


class ViewUnavailable(Exception):
    """This version has no builder for the view; ``missing`` names it."""

    def __init__(self, missing: str) -> None:
        super().__init__(missing)
        self.missing = missing


def builder(view: str) -> Callable[[Catalog, str], dict[str, Any]]:
    module_name, function = VIEWS[view]
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name != module_name:
            raise
        raise ViewUnavailable(f"{module_name}.{function}") from None
    build = getattr(module, function, None)
    if build is None:
        raise ViewUnavailable(f"{module_name}.{function}")
    return build  # type: ignore[no-any-return]


def document(catalog: Catalog, key: str, view: str) -> dict[str, Any]:
    """The view's document of product ``key`` (``UnknownProductError`` for an unknown key)."""
    catalog.product(key)
    return builder(view)(catalog, key)


def yaml_bytes(data: dict[str, Any]) -> bytes:
    """The view as YAML: the catalog core's emitter (the bytes ``mesh catalog --odps`` writes), or
    PyYAML's where the core has none."""
    try:
        from datamesh.catalog.standards import document_yaml
    except ModuleNotFoundError:
        return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100).encode()
    return document_yaml(data).encode()
