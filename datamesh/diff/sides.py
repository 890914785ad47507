"""Load the two sides of a change: the working tree as on disk, and ``--base`` from git objects.

The repository is the one holding ``--domains``; the base is ``--domains``' path inside it at
the base commit, read with ``git ls-tree`` and one ``git cat-file --batch`` (no checkout). Where
that path does not exist at the base, the base is an empty mesh. Both sides are loaded and
resolved by this (the head's) code, with the same evaluation date.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date

from datamesh import git
from datamesh.diff.approvers import CodeOwners
from datamesh.diff.compute import Side
from datamesh.errors import UsageError
from datamesh.resolve import load_mesh

CODEOWNERS_PATHS = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS")
"""Where GitHub looks for CODEOWNERS, in its order."""


@dataclass(frozen=True, slots=True)
class Change:
    """Where the change is: the repository, the base commit, and ``--domains`` inside it."""

    top: str
    ref: str
    commit: str
    prefix: str
    """``--domains`` relative to ``top``, ``/``-separated; ``""`` when it is the top itself."""
    domains: str
    """``--domains`` as given: both sides' files are named from it."""

    @property
    def shown_prefix(self) -> str:
        return self.prefix or "."


def locate(domains: str, ref: str) -> Change:
    """The repository of ``domains`` and the commit ``ref`` names there (usage errors otherwise)."""
    if not os.path.isdir(domains):
        raise UsageError(f"--domains {domains}: not a directory",
                         "point --domains at the folder that holds mesh.yaml")
    try:
        top = git.repository_of(domains)
        commit = git.resolve_commit(top, ref)
    except git.GitError as exc:
        raise UsageError(f"git: {exc.message}") from None
    rel = os.path.relpath(os.path.realpath(domains), os.path.realpath(top))
    prefix = "" if rel == "." else rel.replace(os.sep, "/")
    return Change(top, ref, commit, prefix, domains)


def load_sides(change: Change, today: date) -> tuple[Side, Side]:
    """(base, head), loaded and resolved; neither is planned yet."""
    head = Side(load_mesh(change.domains, today), "head")
    label = f"base {change.ref}"
    try:
        source = git.read_tree(change.top, change.commit, change.prefix, change.domains)
    except git.GitError as exc:
        raise UsageError(f"git: {exc.message}") from None
    if source.root_is_dir(change.domains):
        base = Side(load_mesh(change.domains, today, source), label)
    else:
        kind = source.kind(change.domains)
        what = "does not exist" if kind is None else \
            "is a symbolic link (not followed)" if kind == "symlink" else "is not a folder"
        base = Side(None, label)
        base.notes.append(f"{change.shown_prefix}/ {what} at {label}: the base is an empty mesh, "
                          f"everything is new")
    return base, head


def changed_files(change: Change) -> tuple[list[str], list[str]]:
    """(under ``--domains``, outside it): repository-relative paths the working tree changes."""
    try:
        paths = git.changed_paths(change.top, change.commit)
    except git.GitError as exc:
        raise UsageError(f"git: {exc.message}") from None
    if not change.prefix:
        return paths, []
    inner = change.prefix + "/"
    return [p for p in paths if p.startswith(inner)], [p for p in paths if not p.startswith(inner)]


def base_codeowners(change: Change) -> CodeOwners | None:
    """The CODEOWNERS of the base commit (the one GitHub applies to a pull request), if any."""
    names = [f"{change.commit}:{path}" for path in CODEOWNERS_PATHS]
    try:
        found = git.cat_blobs(change.top, names)
    except git.GitError:
        return None
    for name in names:
        data = found.get(name)
        if data is not None:
            return CodeOwners.parse(data.decode("utf-8", "replace"))
    return None
