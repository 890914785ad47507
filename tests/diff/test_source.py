"""Reading a domains/ tree straight from git objects: the same loader, the same diagnostics, links
refused, two git processes whatever the tree's size."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from gitrepo import GitRepo
from meshtree import EXAMPLE_DOMAINS, TODAY, product_yaml

import datamesh.git as git
from datamesh.resolve import load_mesh
from datamesh.source import FILESYSTEM, StoredTreeSource, TreeFile

HINT = ("  hint: replace the link with the file or folder itself: links are never followed "
        "(one could point outside the reviewed tree)")


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> GitRepo:
    """A fresh repository, the current directory (as `mesh diff` runs from a checkout's root)."""
    made = GitRepo(tmp_path / "repo")
    monkeypatch.chdir(made.root)
    return made


def _lines(resolution: Any, cwd: Path) -> list[str]:
    return [d.format(str(cwd)) for d in resolution.report.sorted()]


def test_a_commit_loads_exactly_as_its_checkout(repo: GitRepo) -> None:
    shutil.copytree(EXAMPLE_DOMAINS, repo.domains)
    commit = repo.commit("the streaming mesh")
    root = str(repo.domains)
    source = git.read_tree(str(repo.root), commit, "domains", root)
    from_git = load_mesh(root, TODAY, source)
    from_disk = load_mesh(root, TODAY, FILESYSTEM)
    assert _lines(from_git, repo.root) == _lines(from_disk, repo.root)
    assert len(_lines(from_disk, repo.root)) == 4  # the example's four warnings
    assert from_git.mesh is not None and from_disk.mesh is not None
    assert from_git.tree.files_read == from_disk.tree.files_read == 19
    assert from_git.mesh.products == from_disk.mesh.products
    assert from_git.mesh.decisions == from_disk.mesh.decisions


def test_the_base_is_read_from_objects_not_from_disk(repo: GitRepo) -> None:
    repo.write({}, base=True)
    commit = repo.commit()
    repo.write({"alpha/products/events.yaml": product_yaml("events", days=0)})  # the working tree differs
    source = git.read_tree(str(repo.root), commit, "domains", str(repo.domains))
    from_git, from_disk = load_mesh(str(repo.domains), TODAY, source), load_mesh(str(repo.domains), TODAY)
    assert [d.code for d in from_git.report.errors] == []
    assert [(d.code, d.field) for d in from_disk.report.errors] == [("DM107", "retention.days")]


def test_a_tree_is_read_with_two_git_processes(repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    repo.write({f"alpha/products/p{i}.yaml": product_yaml(f"p{i}") for i in range(40)}, base=True)
    commit = repo.commit()
    calls: list[list[str]] = []
    real_run = subprocess.run

    def counting(argv: list[str], **kwargs: Any) -> Any:
        calls.append(argv)
        return real_run(argv, **kwargs)

    monkeypatch.setattr(git.subprocess, "run", counting)
    resolution = load_mesh(str(repo.domains), TODAY, git.read_tree(str(repo.root), commit, "domains",
                                                                   str(repo.domains)))
    assert resolution.tree.files_read == 46
    assert [argv[3:5] for argv in calls] == [["--literal-pathspecs", "ls-tree"], ["cat-file", "--batch"]]


def test_links_in_a_commit_are_refused_and_not_read(repo: GitRepo, tmp_path: Path) -> None:
    repo.write({}, base=True)
    (repo.root / "secret.yaml").write_text("token: x\n")
    os.symlink("../../../secret.yaml", repo.domains / "alpha/products/leak.yaml")
    os.symlink("/", repo.domains / "beta/everything")
    os.symlink("gamma", repo.domains / "delta")
    commit = repo.commit()
    for path in ("alpha/products/leak.yaml", "beta/everything", "delta"):
        os.unlink(repo.domains / path)  # the working tree has no link: only git does
    source = git.read_tree(str(repo.root), commit, "domains", str(repo.domains))
    assert source.kind(str(repo.domains / "delta")) == "symlink"
    resolution = load_mesh(str(repo.domains), TODAY, source)
    assert _lines(resolution, repo.root) == [
        f"domains/alpha/products/leak.yaml:1:1: error DM014 -: symbolic link to '../../../secret.yaml': "
        f"not followed, nothing is read through it\n{HINT}",
        f"domains/beta/everything:1:1: error DM014 -: symbolic link to '/': not followed, nothing is "
        f"read through it\n{HINT}",
        f"domains/delta:1:1: error DM014 -: symbolic link to 'gamma': not followed, nothing is read "
        f"through it\n{HINT}",
    ]


def test_a_prefix_missing_or_not_a_folder_at_the_commit(repo: GitRepo) -> None:
    repo.write_file("README.md", "no mesh yet\n")
    first = repo.commit()
    source = git.read_tree(str(repo.root), first, "domains", str(repo.domains))
    assert (source.root_is_dir(str(repo.domains)), source.kind(str(repo.domains))) == (False, None)
    repo.write_file("domains", "a file, not a folder\n")
    second = repo.commit()
    source = git.read_tree(str(repo.root), second, "domains", str(repo.domains))
    assert (source.root_is_dir(str(repo.domains)), source.kind(str(repo.domains))) == (False, "file")


def test_the_whole_repository_as_the_tree(repo: GitRepo) -> None:
    """--domains at the repository's top: the prefix is empty and every path is the tree's."""
    shutil.copytree(EXAMPLE_DOMAINS, repo.root, dirs_exist_ok=True)
    commit = repo.commit()
    resolution = load_mesh(str(repo.root), TODAY, git.read_tree(str(repo.root), commit, "", str(repo.root)))
    assert resolution.mesh is not None
    assert resolution.tree.files_read == 19


def test_stored_tree_paths() -> None:
    source = StoredTreeSource("domains", {"mesh.yaml": TreeFile("file", b"x"),
                                          "alpha/products/a.yaml": TreeFile("file", b"y"),
                                          "alpha/link": TreeFile("symlink", b"/etc")})
    assert [(e.name, e.path, e.kind) for e in source.entries("domains")] == [
        ("alpha", "domains/alpha", "dir"), ("mesh.yaml", "domains/mesh.yaml", "file")]
    assert [(e.name, e.kind) for e in source.entries("domains/alpha")] == [("link", "symlink"),
                                                                          ("products", "dir")]
    assert source.read("domains/alpha/products/a.yaml") == b"y"
    assert source.link_target("domains/alpha/link") == "/etc"
    assert source.kind("domains/nothing") is None
    assert source.kind("elsewhere/mesh.yaml") is None
    with pytest.raises(FileNotFoundError):
        source.read("domains/alpha/link")
    with pytest.raises(NotADirectoryError):
        source.entries("domains/mesh.yaml")
