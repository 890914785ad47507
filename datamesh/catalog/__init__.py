"""The discovery catalog: a pure, frozen view of one mesh environment (no cloud, no HTTP).

Public API (stable; the server, the pages, the MCP tools and the deployment build on it):

- ``build_catalog(mesh, plan) -> Catalog`` — from a resolved mesh and its whole-mesh plan.
- ``Catalog`` and its parts (``datamesh.catalog.model``); ``Catalog.as_of(day)`` re-evaluates
  current access from the stored ``until`` dates, ``Catalog.revision`` is ETag material.
- ``catalog_json``, ``product_json``, ``product_summary_json``, ``domain_json``, ``lineage_json``,
  ``facts_json``, ``catalog_from_json`` (``datamesh.catalog.serialize``).
- ``how_to_get_access``, ``access_request`` (``datamesh.catalog.access``).
- ``odps_document``, ``odcs_document`` (``datamesh.catalog.odps`` / ``.odcs``): the Open Data
  Product and Open Data Contract Standard views (dicts); ``document_yaml`` renders one,
  ``write_standard_views`` writes them all (``datamesh.catalog.standards``).
- ``encode_shards``, ``read_catalog`` (``datamesh.catalog.shards``): the on-disk formats.

See docs/catalog.md. Nothing here imports pulumi, an HTTP framework or a template engine.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from datamesh.catalog.access import AccessRequest, HowToGetAccess, Snippet, access_request, how_to_get_access
from datamesh.catalog.errors import CatalogReadError
from datamesh.catalog.model import (
    FORMAT,
    Access,
    AccessPoint,
    Catalog,
    CatalogInfo,
    Column,
    Deprecation,
    Domain,
    ExternalAccount,
    Grant,
    Guarantees,
    LineageEdge,
    Location,
    Owner,
    Pending,
    Product,
    Retention,
    Schema,
    Sharing,
    StandingApproval,
    UnknownProductError,
)
from datamesh.catalog.odcs import odcs_document
from datamesh.catalog.odps import odps_document
from datamesh.catalog.serialize import (
    catalog_from_json,
    catalog_json,
    domain_json,
    dumps,
    facts_json,
    lineage_json,
    product_json,
    product_summary_json,
)
from datamesh.catalog.standards import document_yaml, write_standard_views

if TYPE_CHECKING:
    from datamesh.catalog.build import CatalogBuildError, build_catalog


def __getattr__(name: str) -> Any:
    # Building needs the spec models (pydantic, ~0.2 s to import); reading a prebuilt catalog does
    # not: `mesh serve --catalog` starts that much sooner.
    if name in ("build_catalog", "CatalogBuildError"):
        from datamesh.catalog import build

        return getattr(build, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "FORMAT", "Access", "AccessPoint", "AccessRequest", "Catalog", "CatalogBuildError", "CatalogInfo",
    "CatalogReadError", "Column", "Deprecation", "Domain", "ExternalAccount", "Grant", "Guarantees",
    "HowToGetAccess", "LineageEdge", "Location", "Owner", "Pending", "Product", "Retention", "Schema", "Sharing",
    "Snippet", "StandingApproval", "UnknownProductError", "access_request", "build_catalog", "catalog_from_json",
    "catalog_json", "document_yaml", "domain_json", "dumps", "facts_json", "how_to_get_access", "lineage_json",
    "odcs_document", "odps_document", "product_json", "product_summary_json", "write_standard_views",
]
