"""Shards at the size the deployment promises: a 10,000-product synthetic mesh (bench/generate_mesh.py).

The slowest catalog test (about 10 s on the development machine: most of it loading 10,501 spec
files), kept in the suite because the ConfigMap limit is a hard failure at deploy time.
"""

from __future__ import annotations

import gc
import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from meshtree import REPO, TODAY

from datamesh.catalog import Catalog, build_catalog
from datamesh.catalog.shards import (
    CONFIGMAP_LIMIT,
    MANIFEST,
    METADATA_RESERVE,
    base64_size,
    encode_shards,
    read_catalog,
)
from datamesh.plan import build_plan
from datamesh.resolve import load_mesh

PRODUCTS, DOMAINS = 10_000, 500


def _generator() -> object:
    spec = importlib.util.spec_from_file_location("generate_mesh", REPO / "bench" / "generate_mesh.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Catalog]:
    root = tmp_path_factory.mktemp("mesh10k") / "domains"
    _generator().generate(str(root), PRODUCTS, DOMAINS)  # type: ignore[attr-defined]
    gc.disable()  # as the CLI does: loading allocates many long-lived objects (see datamesh/cli/main.py)
    try:
        resolution = load_mesh(str(root), TODAY)
        assert resolution.mesh is not None, [d.format() for d in resolution.report.errors[:5]]
        yield build_catalog(resolution.mesh, build_plan(resolution.mesh, "dev"))
    finally:
        gc.enable()


@pytest.fixture(scope="module")
def files(big: Catalog) -> dict[str, bytes]:
    return encode_shards(big)


def test_ten_thousand_products_fit_configmaps(big: Catalog, files: dict[str, bytes]) -> None:
    assert len(big.products) == PRODUCTS
    assert len(big.domains) == DOMAINS
    shards = [name for name in files if name != MANIFEST]
    # Each file is the binaryData of one ConfigMap: its base64 text and the object's metadata
    # stay under the API server's 1 MiB.
    assert all(base64_size(len(data)) + METADATA_RESERVE <= CONFIGMAP_LIMIT for data in files.values())
    assert 2 <= len(shards) <= 8, {name: len(data) for name, data in files.items()}


def test_ten_thousand_products_round_trip(big: Catalog, files: dict[str, bytes], tmp_path: Path) -> None:
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    gc.disable()
    try:
        loaded = read_catalog(tmp_path)
    finally:
        gc.enable()
    assert loaded == big
    assert loaded.info.content_hash == big.info.content_hash
