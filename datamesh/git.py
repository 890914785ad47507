"""The few read-only git operations ``mesh diff`` and ``mesh affected`` need.

Everything goes through the ``git`` command (no library: it is on every CI runner, and it knows
the repository's own configuration, alternates and packs). Nothing here writes to the
repository: ``GIT_OPTIONAL_LOCKS=0`` keeps even ``git diff`` from refreshing the index.
A base tree is read with two processes whatever its size: ``git ls-tree -r -z`` for the
listing, and one ``git cat-file --batch`` for the contents of every file the loader may read.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass

from datamesh.errors import UsageError
from datamesh.source import Kind, StoredTreeSource, TreeFile

_MODES: dict[str, Kind] = {"100644": "file", "100755": "file", "120000": "symlink", "160000": "other"}
"""git tree entry modes: regular and executable files, symbolic links, submodules (commits)."""
_READ_SUFFIXES = (".yaml",)
"""The loader reads only ``*.yaml`` files (mesh.yaml, domain.yaml, products/*.yaml)."""


class GitError(Exception):
    """A git command failed; ``message`` holds git's own explanation."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["GIT_OPTIONAL_LOCKS"] = "0"
    env.setdefault("LC_ALL", "C")
    return env


def run_git(top: str, *args: str, stdin: bytes | None = None) -> bytes:
    """``git -C top ARGS``; its stdout, or ``GitError`` with its stderr."""
    try:
        done = subprocess.run(["git", "-C", top, *args], input=stdin, capture_output=True, env=_env(),
                              check=False)
    except OSError as exc:
        raise GitError(f"cannot run git: {exc.strerror or exc}") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip() or f"git {args[0]} failed"
        raise GitError(message)
    return done.stdout


def repository_of(path: str) -> str:
    """The top of the git work tree holding directory ``path``; a usage error when there is none."""
    where = path if os.path.isdir(path) else os.path.dirname(os.path.abspath(path))
    try:
        return run_git(where, "rev-parse", "--show-toplevel").decode().strip()
    except GitError as exc:
        raise UsageError(f"--domains {path}: not inside a git repository ({exc.message.splitlines()[0]})",
                         "mesh diff and mesh affected compare with a commit: run them in a git "
                         "checkout") from None


def resolve_commit(top: str, ref: str) -> str:
    """The commit ``ref`` names (a branch, tag, ``origin/main``, a hash…); a usage error naming the
    ref when it names none. ``--end-of-options``: a ref spelt like an option is still a ref."""
    try:
        out = run_git(top, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}")
    except GitError:
        raise UsageError(f"--base {ref}: not a commit of the repository {top}",
                         "name a branch, tag or commit that exists locally; in CI fetch it first "
                         "(actions/checkout with fetch-depth: 0, or `git fetch origin main`)") from None
    return out.decode().strip()


@dataclass(frozen=True, slots=True)
class _Listed:
    mode: str
    sha: str
    path: str


def _ls_tree(top: str, commit: str, prefix: str) -> list[_Listed]:
    args = ["--literal-pathspecs", "ls-tree", "-r", "-z", "--full-tree", commit]
    if prefix:
        args += ["--", prefix]
    out = run_git(top, *args)
    listed: list[_Listed] = []
    for record in out.split(b"\0"):
        if not record:
            continue
        meta, _, path = record.partition(b"\t")
        mode, _type, sha = meta.decode().split(" ")
        listed.append(_Listed(mode, sha, path.decode("utf-8", "surrogateescape")))
    return listed


def cat_blobs(top: str, names: list[str]) -> dict[str, bytes | None]:
    """The contents of many objects in one ``git cat-file --batch``; ``None`` for a missing one.

    ``names`` are object ids or ``<commit>:<path>`` expressions (one per line, so no newline in them).
    """
    if not names:
        return {}
    unique = list(dict.fromkeys(names))
    out = run_git(top, "cat-file", "--batch", stdin="".join(f"{n}\n" for n in unique).encode())
    found: dict[str, bytes | None] = {}
    pos = 0
    for name in unique:
        end = out.index(b"\n", pos)
        header = out[pos:end].decode().split(" ")
        pos = end + 1
        if len(header) != 3 or header[-1] == "missing":
            found[name] = None
            continue
        size = int(header[2])
        found[name] = out[pos:pos + size]
        pos += size + 1
    return found


def read_tree(top: str, commit: str, prefix: str, root: str) -> StoredTreeSource:
    """The tree of ``commit`` under ``prefix`` (``/``-separated, relative to ``top``; ``""`` for the
    whole repository), addressed as ``root`` so that paths read like the working tree's.

    Only what the loader can read is fetched: ``*.yaml`` files, and the targets of links (for the
    message that refuses them). A prefix missing at the commit gives a tree whose root is absent.
    """
    listed = _ls_tree(top, commit, prefix)
    inner = f"{prefix}/" if prefix else ""
    root_kind: Kind | None = None
    entries: dict[str, tuple[Kind, str]] = {}
    for item in listed:
        kind = _MODES.get(item.mode, "other")
        if prefix and item.path == prefix:
            root_kind = kind  # the "directory" is a file or a link at this commit
            continue
        if not item.path.startswith(inner):
            continue
        entries[item.path[len(inner):]] = (kind, item.sha)
    if entries and root_kind is None:
        root_kind = "dir"
    wanted = [sha for rel, (kind, sha) in entries.items()
              if kind == "symlink" or (kind == "file" and rel.endswith(_READ_SUFFIXES))]
    blobs = cat_blobs(top, wanted)
    files = {rel: TreeFile(kind, blobs.get(sha)) for rel, (kind, sha) in entries.items()}
    return StoredTreeSource(root, files, root_kind)


def changed_paths(top: str, commit: str) -> list[str]:
    """Files the working tree changes relative to ``commit`` (``/``-separated, relative to
    ``top``, sorted): tracked files added, modified or deleted (staged or not), and untracked
    files git does not ignore."""
    tracked = run_git(top, "diff", "--name-only", "-z", "--no-renames", "--no-ext-diff", commit, "--")
    untracked = run_git(top, "ls-files", "-z", "--others", "--exclude-standard", "--full-name", ":/")
    paths = {p.decode("utf-8", "surrogateescape") for p in (*tracked.split(b"\0"), *untracked.split(b"\0")) if p}
    return sorted(paths)
