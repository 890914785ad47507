"""Where a ``domains/`` tree is read from: the filesystem, or one commit's tree in git.

The loader walks a ``TreeSource`` instead of calling ``os`` itself, so ``mesh diff`` reads the
base side straight from git objects (no checkout, no worktree, no temporary export) with the
very code that reads the working tree. Paths are strings built with ``os.path.join`` from the
root the caller gave, on both sources, so a diagnostic about the base names the same file as
one about the working tree.

Neither source follows a symbolic link: a link is an entry of kind ``symlink``, never the thing
it points at. A link under ``domains/`` could point out of the reviewed tree (a secret, ``/``,
itself), and a pull request can add one; the loader reports each as an error (DM014).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, Protocol

Kind = Literal["file", "dir", "symlink", "other"]
"""``other``: a FIFO, socket, device or git submodule: never read, like a file of no interest."""


@dataclass(frozen=True, slots=True)
class Entry:
    """One directory entry, as it is (a link is ``symlink``, whatever it points at)."""

    name: str
    path: str
    kind: Kind


class TreeSource(Protocol):
    """The few operations the loader needs; none of them follows a symbolic link."""

    def root_is_dir(self, root: str) -> bool:
        """Whether the tree's root (the ``--domains`` the user named) is a directory."""
        ...

    def kind(self, path: str) -> Kind | None:
        """What ``path`` is, without following a link; ``None`` when it does not exist."""
        ...

    def entries(self, path: str) -> list[Entry]:
        """The entries of directory ``path``, sorted by name; ``OSError`` when unreadable."""
        ...

    def read(self, path: str) -> bytes:
        """The bytes of regular file ``path``; ``OSError`` when it cannot be read."""
        ...

    def link_target(self, path: str) -> str:
        """The text a symbolic link holds (read, not resolved)."""
        ...


class FileSystemSource:
    """The working tree as it is on disk."""

    def root_is_dir(self, root: str) -> bool:
        # The root is the user's own --domains argument: it may itself be a link.
        return os.path.isdir(root)

    def kind(self, path: str) -> Kind | None:
        try:
            mode = os.lstat(path).st_mode
        except OSError:
            return None
        return _kind_of_mode(mode)

    def entries(self, path: str) -> list[Entry]:
        with os.scandir(path) as it:
            found = [Entry(e.name, e.path, _kind_of_entry(e)) for e in it]
        found.sort(key=lambda e: e.name)
        return found

    def read(self, path: str) -> bytes:
        # O_NOFOLLOW: a file swapped for a link after the walk saw it is refused, not followed.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0))
        with os.fdopen(fd, "rb") as handle:
            return handle.read()

    def link_target(self, path: str) -> str:
        try:
            return os.readlink(path)
        except OSError:
            return "?"


def _kind_of_mode(mode: int) -> Kind:
    if stat.S_ISLNK(mode):
        return "symlink"
    if stat.S_ISDIR(mode):
        return "dir"
    if stat.S_ISREG(mode):
        return "file"
    return "other"


def _kind_of_entry(entry: os.DirEntry[str]) -> Kind:
    if entry.is_symlink():
        return "symlink"
    if entry.is_dir(follow_symlinks=False):
        return "dir"
    if entry.is_file(follow_symlinks=False):
        return "file"
    return "other"


FILESYSTEM = FileSystemSource()


@dataclass(frozen=True, slots=True)
class TreeFile:
    """One non-directory entry of a stored tree: its kind and, when it was fetched, its bytes
    (a link's bytes are its target)."""

    kind: Kind
    data: bytes | None = None


class StoredTreeSource:
    """A tree held in memory, by path relative to its root (what git objects give us).

    Directories are implied by the paths under them, as in git (which stores no empty ones).
    """

    def __init__(self, root: str, files: Mapping[str, TreeFile], root_kind: Kind | None = "dir") -> None:
        """``files`` by ``/``-separated path under ``root``; ``root_kind`` what the root itself is
        (``None``: it does not exist in this tree)."""
        self.root = root
        self._prefix = os.path.join(root, "")
        self._files = dict(files)
        self._root_kind = root_kind
        self._children: dict[str, dict[str, Kind]] = {}
        for rel, file in self._files.items():
            parts = rel.split("/")
            for depth in range(len(parts)):
                parent = "/".join(parts[:depth])
                kind: Kind = file.kind if depth == len(parts) - 1 else "dir"
                self._children.setdefault(parent, {})[parts[depth]] = kind

    def __len__(self) -> int:
        """The number of entries (files, links, submodules) in the tree."""
        return len(self._files)

    def _rel(self, path: str) -> str | None:
        if path == self.root or path == self._prefix:
            return ""
        if not path.startswith(self._prefix):
            return None
        return path[len(self._prefix):].replace(os.sep, "/")

    def root_is_dir(self, root: str) -> bool:
        return self.kind(root) == "dir"

    def kind(self, path: str) -> Kind | None:
        rel = self._rel(path)
        if rel is None:
            return None
        if rel == "":
            return self._root_kind
        file = self._files.get(rel)
        if file is not None:
            return file.kind
        return "dir" if rel in self._children else None

    def entries(self, path: str) -> list[Entry]:
        rel = self._rel(path)
        if rel is None or self.kind(path) != "dir":
            raise NotADirectoryError(20, "Not a directory", path)
        children = self._children.get(rel, {})
        return [Entry(name, os.path.join(path, name), children[name]) for name in sorted(children)]

    def read(self, path: str) -> bytes:
        rel = self._rel(path)
        file = self._files.get(rel) if rel is not None else None
        if file is None or file.kind != "file":
            raise FileNotFoundError(2, "No such file or directory", path)
        if file.data is None:
            raise PermissionError(13, "Permission denied (not fetched from git)", path)
        return file.data

    def link_target(self, path: str) -> str:
        rel = self._rel(path)
        file = self._files.get(rel) if rel is not None else None
        if file is None or file.data is None:
            return "?"
        return file.data.decode("utf-8", "replace")
