"""``mesh serve`` as a process: workers, reload on change (file, Kubernetes ConfigMap volume, specs),
a broken new catalog keeps the old one served, usage errors, clean stop."""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import pytest
from meshtree import product_yaml, write_tree
from servetree import MESH, LiveServer, catalog_of, get

from datamesh.catalog import Catalog, catalog_json, dumps
from datamesh.catalog.shards import write_shards
from datamesh.cli.main import main


def write_catalog(path: Path, catalog: Catalog) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(dumps(catalog_json(catalog)) + b"\n")
    os.replace(tmp, path)


def two_catalogs(tmp_path: Path) -> tuple[Catalog, Catalog]:
    first = catalog_of(write_tree(tmp_path / "one" / "domains", {}))
    changed = product_yaml("events").replace("A test product.", "Changed by a merged pull request.")
    second = catalog_of(write_tree(tmp_path / "two" / "domains", {"alpha/products/events.yaml": changed}))
    assert first.info.content_hash != second.info.content_hash
    return first, second


def description(server: LiveServer) -> str:
    status, body = get(server.url + "/products/alpha/events")
    assert status == 200, body
    return str(json.loads(body)["description"])


def wait_description(server: LiveServer, text: str) -> None:
    deadline = time.monotonic() + 10  # a retiring worker may answer a last request with the old catalog
    while description(server) != text and time.monotonic() < deadline:
        time.sleep(0.05)
    assert description(server) == text


def wait_revision(server: LiveServer, revision: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.wait_ready()["revision"] == revision:
            return
        time.sleep(0.1)
    raise AssertionError(f"revision {revision} not served:\n{server.output()}")


def test_a_catalog_file_is_served_by_two_workers_and_reloaded(tmp_path: Path) -> None:
    first, second = two_catalogs(tmp_path)
    path = tmp_path / "catalog.json"
    write_catalog(path, first)
    server = LiveServer("--catalog", str(path), "--workers", "2", "--reload-interval", "0.2",
                        "--today", "2026-11-25")
    try:
        ready = server.wait_ready()
        assert (ready["revision"], ready["products"], ready["source"]) == (first.revision, 2, f"catalog file {path}")
        assert description(server) == "A test product."
        write_catalog(path, second)
        wait_revision(server, second.revision)
        wait_description(server, "Changed by a merged pull request.")
        server.wait_for(f"reloaded catalog file {path}")
        time.sleep(0.5)  # the old workers are gone now
        # A broken new version: logged, and the last good catalog is still served.
        path.write_text('{"format": "datamesh-catalog/v1", "catalog": {}}')
        server.wait_for("warning DM630: the catalog changed but cannot be loaded; still serving revision "
                        f"{second.revision}")
        assert "error DM601" in server.output()
        assert description(server) == "Changed by a merged pull request."
        assert server.wait_ready()["revision"] == second.revision
    finally:
        code = server.stop()
    assert code == 0, server.output()
    assert "mesh serve: stopping" in server.output()
    # No worker of any generation (the loading one included) failed or was replaced.
    assert "Traceback" not in server.output() and "failed" not in server.output(), server.output()
    assert "DM631" not in server.output()


def configmap_volume(root: Path, catalog: Catalog, stamp: str) -> None:
    """What the kubelet does: files in a timestamped directory, ``..data`` swapped to it by rename,
    and each file a symlink through ``..data``."""
    data = root / f"..{stamp}"
    names = write_shards(catalog, str(data))
    tmp_link = root / "..data_tmp"
    tmp_link.symlink_to(data.name)
    os.replace(tmp_link, root / "..data")
    for name in names:
        link = root / name
        if not link.is_symlink():
            link.symlink_to(f"..data/{name}")
    for stale in root.iterdir():
        if stale.is_symlink() and not stale.exists():
            stale.unlink()


def test_a_configmap_volume_is_reloaded_when_kubernetes_swaps_data(tmp_path: Path) -> None:
    first, second = two_catalogs(tmp_path)
    volume = tmp_path / "mesh-catalog"
    volume.mkdir()
    configmap_volume(volume, first, "2026_12_02_10_00_00.1")
    server = LiveServer("--catalog", str(volume), "--reload-interval", "0.2", "--today", "2026-11-25")
    try:
        assert server.wait_ready()["revision"] == first.revision
        configmap_volume(volume, second, "2026_12_02_10_05_00.2")
        wait_revision(server, second.revision)
        wait_description(server, "Changed by a merged pull request.")
    finally:
        assert server.stop() == 0, server.output()


def test_specs_are_rebuilt_when_a_spec_file_changes(tmp_path: Path) -> None:
    domains = write_tree(tmp_path / "domains", {})
    server = LiveServer("--domains", str(domains), "--env", "prod", "--reload-interval", "0.2")
    try:
        ready = server.wait_ready()
        assert (ready["environment"], ready["products"]) == ("prod", 2)
        (domains / "alpha" / "products" / "events.yaml").write_text(
            product_yaml("events").replace("A test product.", "Changed by a merged pull request."))
        server.wait_for("reloaded specs")
        wait_description(server, "Changed by a merged pull request.")
    finally:
        assert server.stop() == 0, server.output()


def test_a_broken_catalog_at_start_exits_1_with_the_diagnostic(tmp_path: Path) -> None:
    path = tmp_path / "catalog.json"
    path.write_text("not json")
    proc = subprocess.run([MESH, "serve", "--catalog", str(path), "--port", "0"], capture_output=True, text=True,
                          timeout=60, cwd=tmp_path)
    assert proc.returncode == 1
    assert f"{path}:0:0: error DM600 -: not a JSON catalog" in proc.stderr
    assert "mesh serve: cannot load the catalog: stopping" in proc.stderr


@pytest.mark.parametrize(("args", "message"), [
    (["--catalog", "x.json", "--env", "dev"], "mesh: error: --catalog serves a prebuilt catalog: it excludes "
                                              "--domains and --env\n"),
    (["--catalog", "missing.json"], "mesh: error: --catalog missing.json: no such file or directory\n"),
    (["--workers", "0"], "mesh: error: --workers 0: at least 1\n"),
    (["--domains", "nowhere"], "mesh: error: --domains nowhere: not a directory\n"),
])
def test_usage_errors_exit_2(args: list[str], message: str, capsys: pytest.CaptureFixture[str],
                             tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["serve", *args]) == 2
    assert capsys.readouterr().err.startswith(message)


def test_without_the_serve_extra_the_command_names_it(monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "uvicorn" else real(name, *a))
    assert main(["serve", "--domains", "."]) == 2
    assert capsys.readouterr().err == ("mesh: error: mesh serve needs uvicorn, which are not installed\n"
                                       "  hint: pip install 'datamesh-provisioner[serve]'\n")


def test_readyz_is_503_with_json_while_the_catalog_loads_then_200(tmp_path: Path) -> None:
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
    import generate_mesh

    domains = tmp_path / "domains"
    generate_mesh.generate(str(domains), 600, 60)  # a mesh that takes a second or two to build
    server = LiveServer("--domains", str(domains), "--today", "2026-11-25", "--workers", "2")
    try:
        seen: list[tuple[int, bytes]] = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                status, body = get(server.url + "/readyz", timeout=2)
            except OSError:
                continue
            seen.append((status, body))
            if status == 200:
                break
            time.sleep(0.02)
        statuses = [s for s, _ in seen]
        assert 503 in statuses and statuses[-1] == 200, statuses
        assert next(b for s, b in seen if s == 503) == b'{"status":"loading","message":"no catalog loaded yet"}'
        assert json.loads(seen[-1][1])["products"] == 600
        assert get(server.url + "/healthz")[0] == 200
    finally:
        assert server.stop() == 0, server.output()
    assert "Traceback" not in server.output(), server.output()
