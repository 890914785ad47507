"""The resolved mesh as a model: spec models, grant decisions, derived lookups, a source map."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from meshtree import EXAMPLE_DOMAINS, TODAY

from datamesh.mesh import ResolvedMesh
from datamesh.resolve import load_mesh
from datamesh.sourcemap import MESH_KEY
from datamesh.spec.models import DataProduct, Domain, Mesh


@pytest.fixture(scope="module")
def mesh() -> ResolvedMesh:
    resolution = load_mesh(str(EXAMPLE_DOMAINS), TODAY)
    assert resolution.mesh is not None, [d.format() for d in resolution.report.errors]
    return resolution.mesh


def test_holds_the_spec_models() -> None:
    resolution = load_mesh(str(EXAMPLE_DOMAINS), TODAY)
    mesh = resolution.mesh
    assert mesh is not None
    assert isinstance(mesh.spec, Mesh)
    assert all(isinstance(d, Domain) for d in mesh.domains.values())
    assert all(isinstance(p, DataProduct) for p in mesh.products.values())
    assert list(mesh.products) == sorted(mesh.products)
    assert mesh.decisions is resolution.decisions


def test_derived_lookups_are_not_constructor_fields(mesh: ResolvedMesh) -> None:
    given = {f.name for f in dataclasses.fields(ResolvedMesh) if f.init}
    assert given == {"root", "spec", "domains", "products", "decisions", "today", "sources"}
    with pytest.raises(TypeError):
        ResolvedMesh(mesh.root, mesh.spec, mesh.domains, mesh.products, mesh.decisions, mesh.today,
                     mesh.sources, {})  # type: ignore[call-arg]


def test_lookups_agree_with_the_mesh(mesh: ResolvedMesh) -> None:
    for domain in mesh.domains:
        assert mesh.products_of(domain) == [p for k, p in mesh.products.items() if k.startswith(f"{domain}/")]
        assert mesh.grants_of_consumer(domain) == [g for g in mesh.decisions.grants if g.consumer == domain]
        assert mesh.pending_of_domain(domain) == [
            r for r in mesh.decisions.pending if domain in (r.consumer, r.product.partition("/")[0])]
    for key in mesh.products:
        assert mesh.grants_of_product(key) == [g for g in mesh.decisions.grants if g.product == key]
    assert mesh.products_of("no-such-domain") == []
    assert any(mesh.grants_of_product(k) for k in mesh.products)  # the example has grants
    assert mesh.decisions.pending  # and pending requests


def test_the_source_map_places_each_spec_file(mesh: ResolvedMesh) -> None:
    assert mesh.sources.file(MESH_KEY) == str(EXAMPLE_DOMAINS / "mesh.yaml")
    for name in mesh.domains:
        assert mesh.sources.file(name) == str(EXAMPLE_DOMAINS / name / "domain.yaml")
    for key in mesh.products:
        domain, _, product = key.partition("/")
        assert mesh.sources.file(key) == str(EXAMPLE_DOMAINS / domain / "products" / f"{product}.yaml")


def test_positions_are_composed_only_when_asked(mesh: ResolvedMesh) -> None:
    key = "playlist/listening-sessions"
    lines = Path(mesh.sources.file(key)).read_text(encoding="utf-8").splitlines()
    fresh = load_mesh(str(EXAMPLE_DOMAINS), TODAY).mesh
    assert fresh is not None
    source = fresh.sources.of(key)
    assert source.positions._root is None  # resolving composed no node tree for this file
    line, column = fresh.sources.at(key, "retention", "days")
    assert lines[line - 1][column - 1:].startswith(str(fresh.products[key].retention.days))
    key_line, key_column = fresh.sources.key_at(key, "retention", "days")
    assert (key_line, lines[key_line - 1][key_column - 1:].startswith("days")) == (line, True)
    assert source.positions._root is not None
