"""The catalog on disk: one JSON file, or a directory of gzip shards for Kubernetes ConfigMaps.

The discovery endpoint's pods get the catalog as ConfigMaps mounted as one directory (a
``projected`` volume). A ConfigMap holds at most 1 MiB, so a big mesh's catalog is split into
gzip **shards** that each fit one ConfigMap, plus a ``manifest.json`` naming every shard with
its SHA-256 and the catalog's content hash.

Budget (why ``SHARD_MAX_BYTES`` is 720 KiB). The API server refuses a ConfigMap whose ``data``
plus ``binaryData`` exceed 1 MiB (1,048,576 bytes). It counts ``binaryData`` decoded, but the
object travels and is shown as JSON/YAML, where ``binaryData`` is base64: 4 characters for every
3 bytes, so a 900 KiB shard is 1.17 MiB of text, and an etcd configured to store JSON holds that
text. We budget the base64 text, not the raw bytes: 1 MiB minus 64 KiB for the object's name,
labels, annotations and keys, times 3/4 = 737,280 bytes per shard, whose base64 is 983,040
characters. (Apply ConfigMaps server-side: a client-side ``kubectl apply`` also copies the whole
object into an annotation limited to 256 KiB.) 10,000 products take a few shards.

Consistency. Kubernetes updates a mounted ConfigMap volume atomically by swapping a ``..data``
symlink, but the ConfigMaps of one catalog are updated one after the other, so a pod may briefly
see the new manifest with old shards or the reverse. Shard file names carry the content hash,
each shard repeats the hash, and the manifest lists each shard's SHA-256:
``read_catalog`` reads every file from one resolved ``..data`` snapshot, checks all of it, and
re-reads (a few times, briefly) until manifest and shards agree; it never returns a mix of two
versions (``CatalogReadError`` DM602 if they never agree: keep serving the catalog you have).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import time
from collections.abc import Iterator
from typing import Any

from datamesh.catalog.errors import CatalogReadError
from datamesh.catalog.model import FORMAT, Catalog
from datamesh.catalog.serialize import catalog_from_json, dumps, facts_json

SHARDS_FORMAT = "datamesh-catalog-shards/v1"
MANIFEST = "manifest.json"
CONFIGMAP_LIMIT = 1024 * 1024
"""Bytes: the API server's limit on a ConfigMap's data."""
METADATA_RESERVE = 64 * 1024
"""Bytes of a ConfigMap left for its metadata and keys."""
SHARD_MAX_BYTES = (CONFIGMAP_LIMIT - METADATA_RESERVE) // 4 * 3
"""737,280: the largest file (shard or manifest) whose base64 text fits one ConfigMap."""
SECTIONS = ("domains", "products", "edges")
"""What shards hold, in this order: concatenating the shards in index order gives each list."""
GZIP_MAGIC = b"\x1f\x8b"
_HINT_TORN = ("the manifest names shards that are missing or differ; wait for the update to finish, or rewrite "
              "the directory with `mesh catalog --shards DIR`")


def base64_size(raw_bytes: int) -> int:
    """Characters of the base64 text of ``raw_bytes`` bytes (padded)."""
    return 4 * ((raw_bytes + 2) // 3)


def shard_name(content_hash: str, index: int) -> str:
    """``shard-<first 12 hex of the hash>-<index>.json.gz``: a valid ConfigMap key."""
    return f"shard-{content_hash.removeprefix('sha256:')[:12]}-{index:03d}.json.gz"


def _gzip(data: bytes) -> bytes:
    # mtime=0 and no file name: equal catalogs give equal shard bytes.
    return gzip.compress(data, compresslevel=9, mtime=0)


def _render(content_hash: str, items: list[tuple[str, bytes]]) -> bytes:
    """The shard's JSON, assembled from already-serialised items (no second encoding pass)."""
    parts = [b'{"format":', dumps(SHARDS_FORMAT), b',"content_hash":', dumps(content_hash)]
    for section in SECTIONS:
        parts += [b',"', section.encode(), b'":[', b",".join(b for s, b in items if s == section), b"]"]
    parts.append(b"}")
    return b"".join(parts)


def encode_shards(catalog: Catalog, max_bytes: int = SHARD_MAX_BYTES) -> dict[str, bytes]:
    """File name → bytes: ``manifest.json`` (plain JSON) and the gzip shards, each at most
    ``max_bytes``. Deterministic: equal catalogs give equal files."""
    facts = facts_json(catalog)
    digest = catalog.info.content_hash
    items = [("domains", dumps(d)) for d in facts["domains"]]
    items += [("products", dumps(p)) for p in facts["products"]]
    items += [("edges", dumps(e)) for e in facts["lineage"]["edges"]]
    chunks = _pack(digest, items, max_bytes)
    files: dict[str, bytes] = {}
    listed = []
    for index, (chunk, data) in enumerate(chunks):
        name = shard_name(digest, index)
        files[name] = data
        listed.append({"name": name, "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data),
                       **{s: sum(1 for k, _ in chunk if k == s) for s in SECTIONS}})
    header = {k: facts[k] for k in ("catalog", "platform", "external_accounts")}
    manifest = json.dumps({"format": SHARDS_FORMAT, "content_hash": digest, "header": header, "shards": listed},
                          ensure_ascii=False, indent=1).encode() + b"\n"
    if len(manifest) > max_bytes:
        raise ValueError(f"the manifest is {len(manifest)} bytes, over {max_bytes}")
    return {MANIFEST: manifest, **files}


def _pack(digest: str, items: list[tuple[str, bytes]], max_bytes: int) -> list[tuple[list[tuple[str, bytes]], bytes]]:
    """Split ``items`` into chunks whose compressed shard fits ``max_bytes``.

    A first guess from the compression ratio of a sample, then any chunk that does not fit is
    halved until it does.
    """
    budget = max_bytes
    sample = b"".join(b for _, b in items[:500]) or b"{}"
    ratio = len(sample) / len(_gzip(sample))
    target = max(1, int(budget * ratio * 0.8))
    chunks: list[list[tuple[str, bytes]]] = [[]]
    size = 0
    for item in items:
        if chunks[-1] and size + len(item[1]) > target:
            chunks.append([])
            size = 0
        chunks[-1].append(item)
        size += len(item[1]) + 1
    out: list[tuple[list[tuple[str, bytes]], bytes]] = []
    for chunk in chunks:
        out.extend(_fit(digest, chunk, budget))
    return out


def _fit(digest: str, chunk: list[tuple[str, bytes]], budget: int) -> Iterator[tuple[list[tuple[str, bytes]], bytes]]:
    data = _gzip(_render(digest, chunk))
    if len(data) <= budget:
        yield chunk, data
        return
    if len(chunk) == 1:
        raise ValueError(f"one {chunk[0][0][:-1]} alone takes {len(data)} compressed bytes, over {budget}")
    half = len(chunk) // 2
    yield from _fit(digest, chunk[:half], budget)
    yield from _fit(digest, chunk[half:], budget)


def write_shards(catalog: Catalog, directory: str) -> list[str]:
    """Write the shards into ``directory`` (created if needed) for a reader that never sees a mix:
    shards first (their names carry the hash), then the manifest by rename, then the shards of
    other versions are removed. Returns the file names written."""
    os.makedirs(directory, exist_ok=True)
    files = encode_shards(catalog)
    for name, data in files.items():
        if name != MANIFEST:
            _write_atomic(os.path.join(directory, name), data)
    _write_atomic(os.path.join(directory, MANIFEST), files[MANIFEST])
    for entry in os.listdir(directory):
        if entry.startswith("shard-") and entry.endswith(".json.gz") and entry not in files:
            os.remove(os.path.join(directory, entry))
    return sorted(files)


def _write_atomic(path: str, data: bytes) -> None:
    tmp = f"{path}.tmp-{os.getpid()}"
    with open(tmp, "wb") as handle:
        handle.write(data)
    os.replace(tmp, path)


# --- reading -----------------------------------------------------------------------------------


class _Torn(Exception):
    """Manifest and shards disagree (an update in progress, or a mix of two versions)."""


def read_catalog(path: str | os.PathLike[str], attempts: int = 10, wait_seconds: float = 0.2) -> Catalog:
    """The catalog in ``path``: a JSON file (``mesh catalog --output``, gzip or not) or a shard
    directory (``mesh catalog --shards``, or the ConfigMaps as Kubernetes mounts them).

    A directory is read from one snapshot (through ``..data`` when Kubernetes manages it) and
    re-read up to ``attempts`` times, ``wait_seconds`` apart, until the manifest and every shard
    agree. Raises ``CatalogReadError`` (DM600 not a catalog, DM601 malformed, DM602 shards never
    agreed, DM603 cannot be read). The catalog is evaluated on its build date: call ``as_of``.
    """
    where = os.fspath(path)
    if os.path.isdir(where):
        return _read_directory(where, max(1, attempts), wait_seconds)
    try:
        with open(where, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        raise CatalogReadError("DM603", where, f"cannot read: {exc.strerror or exc}", "check the path and its "
                               "permissions") from None
    return catalog_from_json(_parse(data, where), where)


def _parse(data: bytes, where: str) -> Any:
    try:
        if data.startswith(GZIP_MAGIC):
            data = gzip.decompress(data)
        return json.loads(data)
    except (OSError, EOFError, ValueError) as exc:
        raise CatalogReadError("DM600", where, f"not a JSON catalog ({type(exc).__name__}: {exc})",
                               "give a file written by `mesh catalog --output FILE`, or a shard directory") from None


def _read_directory(directory: str, attempts: int, wait_seconds: float) -> Catalog:
    managed = os.path.join(directory, "..data")
    if not os.path.exists(managed) and not os.path.exists(os.path.join(directory, MANIFEST)):
        raise CatalogReadError("DM600", directory, f"a directory without {MANIFEST}",
                               "give a directory written by `mesh catalog --shards DIR`, or a catalog file")
    problem = ""
    for attempt in range(attempts):
        if attempt:
            time.sleep(wait_seconds)
        # One snapshot: Kubernetes swaps ..data to a new timestamped directory in one rename.
        snapshot = os.path.realpath(managed) if os.path.exists(managed) else directory
        try:
            return _read_snapshot(snapshot, directory)
        except _Torn as exc:
            problem = str(exc)
    raise CatalogReadError("DM602", directory, f"{problem} (after {attempts} reads)", _HINT_TORN)


def _read_bytes(path: str, what: str) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except FileNotFoundError:
        raise _Torn(f"{what} is missing") from None
    except OSError as exc:
        raise _Torn(f"{what} cannot be read: {exc.strerror or exc}") from None


def _read_snapshot(snapshot: str, shown: str) -> Catalog:
    raw = _read_bytes(os.path.join(snapshot, MANIFEST), MANIFEST)
    try:
        manifest = json.loads(raw)
    except ValueError:
        raise _Torn(f"{MANIFEST} is not JSON") from None
    if not isinstance(manifest, dict) or manifest.get("format") != SHARDS_FORMAT:
        got = manifest.get("format") if isinstance(manifest, dict) else type(manifest).__name__
        raise CatalogReadError("DM600", shown, f"{MANIFEST} is not a manifest of format {SHARDS_FORMAT} "
                               f"(format: {got!r})", "give a directory written by `mesh catalog --shards DIR`")
    try:
        digest = str(manifest["content_hash"])
        header = dict(manifest["header"])
        listed = [(str(s["name"]), str(s["sha256"])) for s in manifest["shards"]]
    except (KeyError, TypeError, ValueError) as exc:
        raise CatalogReadError("DM601", shown, f"{MANIFEST} is malformed ({type(exc).__name__}: {exc})",
                               "rewrite the directory with `mesh catalog --shards DIR`") from None
    sections: dict[str, list[Any]] = {s: [] for s in SECTIONS}
    for name, sha in listed:
        if os.path.basename(name) != name:
            raise CatalogReadError("DM601", shown, f"{MANIFEST} names a shard outside the directory: {name!r}",
                                   "rewrite the directory with `mesh catalog --shards DIR`")
        data = _read_bytes(os.path.join(snapshot, name), f"shard {name} named by {MANIFEST}")
        if hashlib.sha256(data).hexdigest() != sha:
            raise _Torn(f"shard {name} differs from {MANIFEST} (another version?)")
        try:
            shard = json.loads(gzip.decompress(data))
        except (OSError, EOFError, ValueError):
            raise _Torn(f"shard {name} is not gzip JSON") from None
        if not isinstance(shard, dict) or shard.get("content_hash") != digest:
            raise _Torn(f"shard {name} belongs to another catalog version")
        for section in SECTIONS:
            values = shard.get(section)
            if not isinstance(values, list):
                raise _Torn(f"shard {name} has no {section} list")
            sections[section].extend(values)
    data_json = {"format": FORMAT, **header, "domains": sections["domains"], "products": sections["products"],
                 "lineage": {"edges": sections["edges"]}}
    return catalog_from_json(data_json, shown)
