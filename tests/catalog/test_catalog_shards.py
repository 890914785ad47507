"""The catalog on disk: gzip shards for ConfigMaps, their manifest, and ``read_catalog``."""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from catalogs import example_catalog

from datamesh.catalog import Catalog, CatalogReadError, catalog_json, dumps, facts_json
from datamesh.catalog import shards as shards_module
from datamesh.catalog.shards import (
    CONFIGMAP_LIMIT,
    MANIFEST,
    METADATA_RESERVE,
    SHARD_MAX_BYTES,
    SHARDS_FORMAT,
    base64_size,
    encode_shards,
    read_catalog,
    shard_name,
    write_shards,
)

SMALL = 2000
"""A shard budget that splits the streaming example (12 products) into several shards."""


def _manifest(files: dict[str, bytes]) -> dict[str, object]:
    data: dict[str, object] = json.loads(files[MANIFEST])
    return data


def _shard(data: bytes) -> dict[str, object]:
    value: dict[str, object] = json.loads(gzip.decompress(data))
    return value


def _write(directory: Path, files: dict[str, bytes]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (directory / name).write_bytes(data)
    return directory


def _kubernetes_volume(volume: Path, files: dict[str, bytes], stamp: str) -> Path:
    """The layout the kubelet writes for a ConfigMap volume: the files in a timestamped
    directory, ``..data`` pointing at it, and one symlink per key through ``..data``."""
    _write(volume / stamp, files)
    link = volume / "..data_tmp"
    link.symlink_to(stamp)
    os.replace(link, volume / "..data")  # the kubelet's atomic swap
    for name in files:
        if not (volume / name).is_symlink():
            (volume / name).symlink_to(f"..data/{name}")
    return volume


# --- the budget ----------------------------------------------------------------------------------


def test_the_budget_counts_base64_and_metadata() -> None:
    assert SHARD_MAX_BYTES == 737_280
    assert base64_size(SHARD_MAX_BYTES) == 983_040
    assert base64_size(SHARD_MAX_BYTES) + METADATA_RESERVE == CONFIGMAP_LIMIT
    assert len(base64.b64encode(b"x" * SHARD_MAX_BYTES)) == base64_size(SHARD_MAX_BYTES)
    assert [base64_size(n) for n in (0, 1, 2, 3, 4)] == [0, 4, 4, 4, 8]


def test_shard_names_are_configmap_keys() -> None:
    assert shard_name("sha256:0123456789abcdef", 7) == "shard-0123456789ab-007.json.gz"


# --- encoding ------------------------------------------------------------------------------------


def test_one_shard_holds_the_example() -> None:
    catalog = example_catalog()
    files = encode_shards(catalog)
    digest = catalog.info.content_hash
    name = shard_name(digest, 0)
    assert sorted(files) == [MANIFEST, name]
    facts = facts_json(catalog)
    assert _shard(files[name]) == {"format": SHARDS_FORMAT, "content_hash": digest, "domains": facts["domains"],
                                   "products": facts["products"], "edges": facts["lineage"]["edges"]}
    assert _manifest(files) == {
        "format": SHARDS_FORMAT, "content_hash": digest,
        "header": {k: facts[k] for k in ("catalog", "platform", "external_accounts")},
        "shards": [{"name": name, "sha256": hashlib.sha256(files[name]).hexdigest(), "bytes": len(files[name]),
                    "domains": 6, "products": 12, "edges": len(catalog.lineage)}],
    }


def test_shards_are_deterministic_gzip_without_a_timestamp() -> None:
    first, again = encode_shards(example_catalog(), SMALL), encode_shards(example_catalog(), SMALL)
    assert first == again
    for name, data in first.items():
        if name != MANIFEST:
            assert data[:2] == b"\x1f\x8b"
            assert data[4:8] == b"\0\0\0\0"  # gzip MTIME: none


def test_a_small_budget_splits_in_order_and_every_shard_fits() -> None:
    catalog = example_catalog()
    files = encode_shards(catalog, SMALL)
    listed = _manifest(files)["shards"]
    assert isinstance(listed, list)
    assert len(listed) >= 3
    assert [s["name"] for s in listed] == [shard_name(catalog.info.content_hash, i) for i in range(len(listed))]
    assert sorted(files) == sorted([MANIFEST, *(s["name"] for s in listed)])
    assert all(len(data) <= SMALL for data in files.values())
    products = [p for s in listed for p in _shard(files[s["name"]])["products"]]  # type: ignore[attr-defined]
    assert [p["id"] for p in products] == [p.key for p in catalog.products]
    assert sum(s["products"] for s in listed) == 12
    assert sum(s["domains"] for s in listed) == 6


def test_an_item_larger_than_the_budget_is_refused() -> None:
    with pytest.raises(ValueError, match=r"^one product alone takes \d+ compressed bytes, over 1000$"):
        encode_shards(example_catalog(), 1000)


# --- reading -------------------------------------------------------------------------------------


@pytest.mark.parametrize("budget", [SHARD_MAX_BYTES, SMALL])
def test_written_shards_read_back_equal(tmp_path: Path, budget: int) -> None:
    catalog = example_catalog()
    directory = _write(tmp_path / "shards", encode_shards(catalog, budget))
    loaded = read_catalog(directory)
    assert loaded == catalog
    assert dumps(catalog_json(loaded)) == dumps(catalog_json(catalog))


def test_read_catalog_reads_a_json_file_plain_or_gzip(tmp_path: Path) -> None:
    catalog = example_catalog()
    plain = tmp_path / "catalog.json"
    plain.write_bytes(dumps(catalog_json(catalog)))
    packed = tmp_path / "catalog.json.gz"
    packed.write_bytes(gzip.compress(dumps(catalog_json(catalog))))
    assert read_catalog(plain) == catalog
    assert read_catalog(str(packed)) == catalog


def test_write_shards_replaces_another_version(tmp_path: Path) -> None:
    old, new = example_catalog("prod"), example_catalog("dev")
    directory = tmp_path / "shards"
    write_shards(old, str(directory))
    (directory / "README").write_text("kept\n")
    written = write_shards(new, str(directory))
    assert written == sorted(encode_shards(new))
    assert sorted(p.name for p in directory.iterdir()) == sorted([*written, "README"])
    assert read_catalog(directory) == new


def test_a_kubernetes_volume_is_read_through_data(tmp_path: Path) -> None:
    catalog = example_catalog()
    volume = _kubernetes_volume(tmp_path / "catalog", encode_shards(catalog, SMALL), "..2026_12_02_10_00_00.1")
    assert read_catalog(volume) == catalog
    new = example_catalog("prod")
    _kubernetes_volume(volume, encode_shards(new, SMALL), "..2026_12_02_11_00_00.2")
    assert read_catalog(volume) == new


def _torn(catalog: Catalog, other: Catalog) -> dict[str, bytes]:
    """The manifest of ``catalog`` with the shards of ``other`` under ``catalog``'s shard names
    (a kubelet that updated the manifest's ConfigMap before the shards')."""
    files = encode_shards(catalog, SMALL)
    stale = [data for name, data in sorted(encode_shards(other, SMALL).items()) if name != MANIFEST]
    names = [name for name in sorted(files) if name != MANIFEST]
    for name, data in zip(names, stale, strict=False):
        files[name] = data
    return files


def test_a_mix_of_versions_is_read_again_until_it_agrees(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    old, new = example_catalog("prod"), example_catalog("dev")
    volume = _kubernetes_volume(tmp_path / "catalog", _torn(new, old), "..2026_12_02_10_00_00.1")
    sleeps: list[float] = []

    def update_finishes(seconds: float) -> None:  # the kubelet catches up while the reader waits
        sleeps.append(seconds)
        _kubernetes_volume(volume, encode_shards(new, SMALL), "..2026_12_02_10_00_05.2")

    monkeypatch.setattr(shards_module.time, "sleep", update_finishes)
    assert read_catalog(volume, wait_seconds=0.25) == new
    assert sleeps == [0.25]


def test_a_mix_that_never_agrees_is_dm602(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    old, new = example_catalog("prod"), example_catalog("dev")
    directory = _write(tmp_path / "catalog", _torn(new, old))
    sleeps: list[float] = []
    monkeypatch.setattr(shards_module.time, "sleep", sleeps.append)
    with pytest.raises(CatalogReadError) as caught:
        read_catalog(directory, attempts=3, wait_seconds=0.1)
    first = shard_name(new.info.content_hash, 0)
    assert caught.value.format() == (
        f"{directory}:0:0: error DM602 -: shard {first} differs from {MANIFEST} (another version?) (after 3 reads)\n"
        "  hint: the manifest names shards that are missing or differ; wait for the update to finish, or rewrite "
        "the directory with `mesh catalog --shards DIR`")
    assert sleeps == [0.1, 0.1]


def test_a_missing_shard_is_dm602(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    catalog = example_catalog()
    files = encode_shards(catalog, SMALL)
    last = shard_name(catalog.info.content_hash, len(files) - 2)
    del files[last]
    directory = _write(tmp_path / "catalog", files)
    monkeypatch.setattr(shards_module.time, "sleep", lambda _: None)
    with pytest.raises(CatalogReadError) as caught:
        read_catalog(directory, attempts=2)
    assert (caught.value.code, caught.value.message) == (
        "DM602", f"shard {last} named by {MANIFEST} is missing (after 2 reads)")


def test_a_shard_of_another_catalog_with_the_right_checksum_is_refused(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A hand-made manifest listing a shard of another version with that shard's own checksum.
    new, old = example_catalog("dev"), example_catalog("prod")
    files = encode_shards(new)
    stale_name, stale = next((n, d) for n, d in encode_shards(old).items() if n != MANIFEST)
    manifest = _manifest(files)
    manifest["shards"] = [{"name": stale_name, "sha256": hashlib.sha256(stale).hexdigest()}]
    directory = _write(tmp_path / "catalog", {MANIFEST: json.dumps(manifest).encode(), stale_name: stale})
    monkeypatch.setattr(shards_module.time, "sleep", lambda _: None)
    with pytest.raises(CatalogReadError) as caught:
        read_catalog(directory, attempts=1)
    assert caught.value.message == f"shard {stale_name} belongs to another catalog version (after 1 reads)"


Mutate = Callable[[dict[str, object]], object]


@pytest.mark.parametrize(("mutate", "code", "message"), [
    (lambda m: m.update(format="something/v9"), "DM600",
     f"{MANIFEST} is not a manifest of format {SHARDS_FORMAT} (format: 'something/v9')"),
    (lambda m: m.pop("header"), "DM601", f"{MANIFEST} is malformed (KeyError: 'header')"),
    (lambda m: m.update(shards=[{"name": "../../etc/passwd", "sha256": "0"}]), "DM601",
     f"{MANIFEST} names a shard outside the directory: '../../etc/passwd'"),
])
def test_a_bad_manifest_is_refused_at_once(tmp_path: Path, mutate: Mutate, code: str, message: str) -> None:
    files = encode_shards(example_catalog())
    manifest = _manifest(files)
    mutate(manifest)
    files[MANIFEST] = json.dumps(manifest).encode()
    directory = _write(tmp_path / "catalog", files)
    with pytest.raises(CatalogReadError) as caught:
        read_catalog(directory, attempts=1)
    assert (caught.value.code, caught.value.path, caught.value.message) == (code, str(directory), message)


def test_a_directory_without_a_manifest_is_dm600(tmp_path: Path) -> None:
    with pytest.raises(CatalogReadError) as caught:
        read_catalog(tmp_path)
    assert caught.value.format() == (
        f"{tmp_path}:0:0: error DM600 -: a directory without {MANIFEST}\n"
        "  hint: give a directory written by `mesh catalog --shards DIR`, or a catalog file")


def test_a_missing_file_is_dm603(tmp_path: Path) -> None:
    with pytest.raises(CatalogReadError) as caught:
        read_catalog(tmp_path / "nope.json")
    assert (caught.value.code, caught.value.message) == ("DM603", "cannot read: No such file or directory")


def test_a_file_that_is_not_json_is_dm600(tmp_path: Path) -> None:
    bad = tmp_path / "catalog.json"
    bad.write_bytes(b"\x1f\x8bnot really gzip")
    with pytest.raises(CatalogReadError) as caught:
        read_catalog(bad)
    assert caught.value.code == "DM600"
    assert caught.value.message.startswith("not a JSON catalog (")
