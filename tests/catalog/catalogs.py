"""Catalog helpers of the tests: the streaming example's catalog, and a catalog of any tree."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from meshtree import EXAMPLE_DOMAINS, TODAY

from datamesh.catalog import Catalog, build_catalog
from datamesh.plan import build_plan
from datamesh.resolve import load_mesh


def catalog_of(root: Path, env: str = "dev", today: date = TODAY) -> Catalog:
    resolution = load_mesh(str(root), today)
    assert resolution.mesh is not None, [d.format() for d in resolution.report.errors]
    return build_catalog(resolution.mesh, build_plan(resolution.mesh, env))


def example_catalog(env: str = "dev", today: date = TODAY) -> Catalog:
    return catalog_of(EXAMPLE_DOMAINS, env, today)
