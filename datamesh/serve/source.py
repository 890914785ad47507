"""Where the served catalog comes from, and how a change of it is noticed.

Three sources (``mesh serve``): the spec files (``--domains DIR --env ENV``: the catalog is built
at start, and rebuilt when a spec file changes), a prebuilt catalog file (``--catalog FILE``, as
``mesh catalog --output`` writes it), or a shard directory (``--catalog DIR``, as ``mesh catalog
--shards`` writes it or Kubernetes mounts its ConfigMaps).

A change is noticed by polling a **fingerprint**, cheap to compute and different whenever the
content may differ. For a shard directory it is the resolved target of ``..data`` (Kubernetes
swaps that symlink to a new timestamped directory on every ConfigMap update, so the directory's
own mtime never changes) plus the manifest's SHA-256 (whose shard names carry the content hash);
for a file, its resolved path, inode, size and mtime; for the specs, every YAML file's path, size
and mtime.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from datamesh.catalog import Catalog, CatalogReadError
from datamesh.errors import UsageError

Fingerprint = tuple[object, ...]


class SourceError(Exception):
    """The catalog cannot be loaded; ``text`` is the formatted diagnostic(s) to log."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


@dataclass(frozen=True, slots=True)
class CatalogSource:
    """How to load the catalog and to fingerprint what it is loaded from."""

    description: str
    load: Callable[[date], Catalog]
    """Load (or build) the catalog; raises ``SourceError``. The date is the build day of specs."""
    fingerprint: Callable[[], Fingerprint]


def _stat_key(path: str) -> Fingerprint:
    try:
        st = os.stat(path)
    except OSError as exc:
        return (path, "missing", exc.errno)
    return (path, st.st_ino, st.st_size, st.st_mtime_ns)


def shards_reader() -> Callable[[str], Catalog]:
    """``datamesh.catalog.shards.read_catalog``, imported lazily; a usage error while it is absent."""
    try:
        from datamesh.catalog.shards import read_catalog
    except ModuleNotFoundError as exc:
        if exc.name != "datamesh.catalog.shards":
            raise
        raise UsageError("--catalog DIR: this version cannot read a shard directory "
                         "(datamesh.catalog.shards is missing)",
                         "give a catalog file written by `mesh catalog --output FILE`") from None

    def read(path: str) -> Catalog:
        return read_catalog(path)

    return read


def prebuilt_source(path: str) -> CatalogSource:
    """``--catalog PATH``: a file, or a shard directory."""
    if not os.path.exists(path):
        raise UsageError(f"--catalog {path}: no such file or directory",
                         "write one with `mesh catalog --output FILE` or `mesh catalog --shards DIR`")
    directory = os.path.isdir(path)
    read = shards_reader() if directory else _read_file

    def load(_: date) -> Catalog:
        try:
            return read(path)
        except CatalogReadError as exc:
            raise SourceError(exc.format()) from None

    def fingerprint() -> Fingerprint:
        if not directory:
            return _stat_key(os.path.realpath(path))
        snapshot = os.path.realpath(os.path.join(path, "..data")) if os.path.lexists(
            os.path.join(path, "..data")) else path
        try:
            with open(os.path.join(snapshot, "manifest.json"), "rb") as handle:
                manifest = hashlib.sha256(handle.read()).hexdigest()
        except OSError as exc:
            manifest = f"unreadable: {exc.errno}"
        return (snapshot, manifest)

    return CatalogSource(f"{'shard directory' if directory else 'catalog file'} {path}", load, fingerprint)


def _read_file(path: str) -> Catalog:
    try:
        from datamesh.catalog.shards import read_catalog
    except ModuleNotFoundError:  # the plain JSON reader of the catalog core
        import json

        from datamesh.catalog import catalog_from_json

        try:
            with open(path, "rb") as handle:
                data = json.load(handle)
        except (OSError, ValueError) as exc:
            raise CatalogReadError("DM600", path, f"not a JSON catalog ({exc})",
                                   "give a file written by `mesh catalog --output FILE`") from None
        return catalog_from_json(data, path)
    return read_catalog(path)


def specs_source(domains: str, env: str | None) -> CatalogSource:
    """``--domains DIR [--env ENV]``: build the catalog from the spec files, as ``mesh catalog``."""
    if not os.path.isdir(domains):
        raise UsageError(f"--domains {domains}: not a directory", "give the domains/ directory holding mesh.yaml")

    def load(day: date) -> Catalog:
        from datamesh.catalog import build_catalog
        from datamesh.plan import build_plan
        from datamesh.resolve import load_mesh

        resolution = load_mesh(domains, day)
        if resolution.mesh is None:
            errors = [d.format() for d in resolution.report.sorted() if d.is_error]
            raise SourceError("\n".join(errors) + f"\nmesh serve: the mesh has {len(errors)} error(s); "
                              "run `mesh validate` for details")
        envs = resolution.mesh.spec.environments
        chosen = envs[0] if env is None else env
        if chosen not in envs:
            raise SourceError(f"mesh serve: --env {chosen}: not an environment of mesh {resolution.mesh.spec.name}"
                              f"\n  hint: choose one of: {', '.join(envs)}")
        return build_catalog(resolution.mesh, build_plan(resolution.mesh, chosen))

    def fingerprint() -> Fingerprint:
        found: list[object] = []
        for root, dirs, files in os.walk(domains):
            dirs.sort()
            for name in sorted(files):
                if name.endswith((".yaml", ".yml")):
                    found.append(_stat_key(os.path.join(root, name)))
        return tuple(found)

    return CatalogSource(f"specs {domains} ({env or 'first environment'})", load, fingerprint)
