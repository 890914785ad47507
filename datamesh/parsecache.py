"""A content-addressed cache of parsed spec files, so an unchanged file is not parsed again.

Parsing YAML is most of loading a big mesh (libyaml's composer calls back into Python for every
node: ~1.6 s for 11,000 files), and a pull request changes a few files of thousands. The cache
maps a file's bytes to the plain values ``read_yaml`` made of them; positions are not cached
(they are re-read from the text only when a problem is reported).

What keeps it honest:

- **Keyed by content and by code.** An entry's key is a hash of the file's bytes; the cache file
  is named by a hash of this package's own source, PyYAML's version and Python's, so any change
  to the tool (a new rule, a parser fix) starts a new cache — the version string does not change
  when the code does. Only documents that parsed cleanly are stored: a file with a YAML problem
  is parsed every time, and validation (pydantic, resolution, every rule) always runs on the
  values, so a cache can never turn an invalid mesh valid.
- **Never inside the checkout.** It lives in the user's cache directory (``MESH_CACHE_DIR``, else
  ``$XDG_CACHE_HOME/datamesh-provisioner``, else ``~/.cache/datamesh-provisioner``) and is not
  used when that directory lies inside the repository being read, where a pull request could
  plant one.
- **marshal, never pickle**: loading it cannot run code. A cache file that is unreadable or not
  of the expected shape is ignored and replaced.
- **Safe to delete**, at any time; ``MESH_CACHE=off`` turns it off. It holds the entries the
  last run used (plus those of earlier runs of the same tree, within ``MAX_ENTRIES``), so it
  does not grow without bound.
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import os
import sys
import tempfile
from functools import lru_cache
from typing import Any

FORMAT = 1
"""Bumped when the cache file's layout changes."""
MAX_ENTRIES = 50_000
"""Entries kept in one cache file: a few meshes of 10,000 products, or one and its branches."""
KEEP_VERSIONS = 3
"""Cache files of other code versions kept (newest first), for checkouts of different versions
used side by side; older ones can only be read by code that no longer runs here."""
_MISSING = object()


def enabled() -> bool:
    return os.environ.get("MESH_CACHE", "on").lower() not in ("off", "0", "no", "false")


def cache_dir() -> str:
    """Where caches live: ``MESH_CACHE_DIR``, else the XDG cache directory of this tool."""
    explicit = os.environ.get("MESH_CACHE_DIR")
    if explicit:
        return os.path.abspath(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(os.path.abspath(base), "datamesh-provisioner")


@lru_cache(maxsize=1)
def code_hash() -> str:
    """A hash of everything that decides what a file parses to: this package's source files,
    PyYAML's version and Python's."""
    import yaml  # the loader imports it anyway

    digest = hashlib.sha256(f"{FORMAT}\0{sys.version}\0{yaml.__version__}\0".encode())
    package = os.path.dirname(os.path.abspath(__file__))
    for folder, dirs, files in os.walk(package):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if name.endswith(".py"):
                path = os.path.join(folder, name)
                digest.update(os.path.relpath(path, package).encode() + b"\0")
                with open(path, "rb") as handle:
                    digest.update(hashlib.sha256(handle.read()).digest())
    return digest.hexdigest()[:32]


def content_key(raw: bytes) -> bytes:
    return hashlib.blake2b(raw, digest_size=20).digest()


class ParseCache:
    """Parsed values by content key, read from and written to one file."""

    def __init__(self, path: str | None) -> None:
        self.path = path
        """The cache file; None for a cache that lives only in memory (e.g. when disabled)."""
        self._stored: dict[bytes, Any] = {}
        self._used: dict[bytes, Any] = {}
        self._loaded = False
        self.hits = 0
        self.misses = 0

    def _load(self) -> None:
        self._loaded = True
        if self.path is None:
            return
        try:
            with open(self.path, "rb") as handle:
                data = marshal.loads(handle.read())  # marshal.load reads a file in small pieces
        except (OSError, EOFError, ValueError, TypeError):
            return  # absent or unreadable: start empty, it is rewritten on save
        if (isinstance(data, dict) and data.get("format") == FORMAT and data.get("code") == code_hash()
                and isinstance(data.get("entries"), dict)):
            self._stored = data["entries"]

    def get(self, key: bytes) -> Any:
        """The parsed value for ``key``, or ``MISSING``."""
        if not self._loaded:
            self._load()
        value = self._used.get(key, _MISSING)
        if value is _MISSING:
            value = self._stored.get(key, _MISSING)
            if value is _MISSING:
                self.misses += 1
                return _MISSING
            self._used[key] = value
        self.hits += 1
        return value

    def put(self, key: bytes, value: Any) -> None:
        self._used[key] = value

    def save(self) -> None:
        """Write the entries this run used (and earlier ones, within ``MAX_ENTRIES``) if anything
        was new. Best effort: a cache that cannot be written is simply not written."""
        if self.path is None or self.misses == 0 or not self._used:
            return
        entries = dict(self._used)
        for key, value in self._stored.items():
            if len(entries) >= MAX_ENTRIES:
                break
            entries.setdefault(key, value)
        directory = os.path.dirname(self.path)
        try:
            os.makedirs(directory, mode=0o700, exist_ok=True)
            fd, temp = tempfile.mkstemp(dir=directory, prefix=".parsed-", suffix=".tmp")
            try:
                with os.fdopen(fd, "wb") as handle:
                    marshal.dump({"format": FORMAT, "code": code_hash(), "entries": entries}, handle)
                os.replace(temp, self.path)  # readers see the old file or the new one, never half
            except BaseException:
                os.unlink(temp)
                raise
            _remove_stale(directory, os.path.basename(self.path))
        except (OSError, ValueError):
            return
        self._stored, self.misses = entries, 0


MISSING = _MISSING
"""What ``ParseCache.get`` returns for a key it does not hold."""


def _remove_stale(directory: str, keep: str) -> None:
    """Delete the caches of all but the ``KEEP_VERSIONS`` most recently written other versions."""
    others: list[tuple[float, str]] = []
    for name in os.listdir(directory):
        if name.startswith("parsed-") and name.endswith(".marshal") and name != keep:
            path = os.path.join(directory, name)
            with contextlib.suppress(OSError):  # another run may have removed it meanwhile
                others.append((os.stat(path).st_mtime, path))
    others.sort(reverse=True)
    for _, path in others[KEEP_VERSIONS:]:
        with contextlib.suppress(OSError):
            os.unlink(path)


def _inside(path: str, folder: str) -> bool:
    try:
        return os.path.commonpath([os.path.realpath(path), os.path.realpath(folder)]) == os.path.realpath(folder)
    except ValueError:  # different drives
        return False


def _repository_of(path: str) -> str:
    """The git work tree holding ``path`` (the nearest folder with ``.git``), else ``path``."""
    current = os.path.realpath(path)
    while True:
        if os.path.exists(os.path.join(current, ".git")):
            return current
        parent = os.path.dirname(current)
        if parent == current:
            return os.path.realpath(path)
        current = parent


def open_cache(domains: str) -> ParseCache:
    """The cache for reading ``domains``: in memory only when turned off, or when the cache
    directory lies inside the repository holding ``domains`` (a planted cache is never read)."""
    if not enabled():
        return ParseCache(None)
    directory = cache_dir()
    if _inside(directory, _repository_of(domains)):
        return ParseCache(None)
    return ParseCache(os.path.join(directory, f"parsed-{code_hash()}.marshal"))
