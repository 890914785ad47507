"""A throwaway git repository for the diff tests: init, write a mesh, commit, change it.

Import with ``from gitrepo import GitRepo`` (tests/diff is on sys.path under pytest). Every git
command runs with a fixed identity and no user or system configuration, so the tests behave the
same on a developer's machine and on a clean CI runner.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from meshtree import Files, write_tree

_ENV = {
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.invalid",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.invalid",
    "GIT_AUTHOR_DATE": "2026-11-01T00:00:00Z",
    "GIT_COMMITTER_DATE": "2026-11-01T00:00:00Z",
}


class GitRepo:
    """A repository at ``root`` whose mesh lives in ``root/domains``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.domains = root / "domains"
        root.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")

    def git(self, *args: str) -> str:
        done = subprocess.run(["git", "-C", str(self.root), *args], capture_output=True, text=True,
                              env={**os.environ, **_ENV}, check=False)
        assert done.returncode == 0, f"git {' '.join(args)} failed: {done.stderr}"
        return done.stdout

    def write(self, files: Files, *, base: bool = False) -> None:
        """Write (``None``: delete) files under ``domains/``; ``base=True`` starts from BASE_FILES."""
        write_tree(self.domains, files, base=base)
        for rel, content in files.items():
            if content is None and (self.domains / rel).exists():
                (self.domains / rel).unlink()

    def write_file(self, rel: str, text: str) -> None:
        """Write a file anywhere in the repository (code, workflows, CODEOWNERS)."""
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")

    def commit(self, message: str = "change") -> str:
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message)
        return self.git("rev-parse", "HEAD").strip()
