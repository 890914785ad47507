"""The pod's own command, run — the closest to the image this machine can run (no base image can
be pulled here).

As the Dockerfile does, the wheel is built from this repository and installed with its ``serve``
extra into a FRESH venv. That venv's ``mesh plan --format json`` (what the engine receives) gives
the container's arguments and the ConfigMaps; the ConfigMaps' ``binaryData`` is written the way
the kubelet writes a projected volume (``..data`` symlink to a timestamped directory). The image's
ENTRYPOINT plus the plan's arguments run with only three values replaced — the mount path by
where this test "mounted" the volume, the host by loopback, the port by a free one — and the
server must answer ``/readyz`` and a product route from that catalog.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from meshtree import EXAMPLE_DOMAINS

from datamesh.catalog import product_json
from datamesh.catalog.shards import read_catalog

REPO = Path(__file__).resolve().parents[2]
TODAY = "2026-11-25"
PRODUCT = "playlist/listening-sessions"


pytestmark = [pytest.mark.image]


def entrypoint() -> list[str]:
    """The final stage's ENTRYPOINT of the Dockerfile."""
    lines = [line for line in (REPO / "Dockerfile").read_text().splitlines() if line.startswith("ENTRYPOINT ")]
    value: list[str] = json.loads(lines[-1].removeprefix("ENTRYPOINT "))
    return value


def builder_context(into: Path) -> Path:
    """What the builder stage COPYs from the repository, copied as it does: the wheel is built
    from exactly those files (and the build's own leftovers stay out of the checkout)."""
    for line in (REPO / "Dockerfile").read_text().splitlines():
        if line.startswith("COPY ") and "--from=" not in line:
            *sources, _dest = line.split()[1:]
            for source in sources:
                if (REPO / source).is_dir():
                    shutil.copytree(REPO / source, into / source,
                                    ignore=shutil.ignore_patterns("__pycache__"))
                else:
                    into.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(REPO / source, into / source)
    return into


def run(args: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(args, capture_output=True, text=True, timeout=600, **kwargs)
    assert result.returncode == 0, f"{' '.join(args)}\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def fresh_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new venv with only the built wheel and its dependencies (pip reuses its cache)."""
    work = tmp_path_factory.mktemp("image")
    context = builder_context(work / "context")
    run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(work / "wheels"),
         str(context)])
    [wheel] = (work / "wheels").glob("*.whl")
    venv = work / "venv"
    run([sys.executable, "-m", "venv", str(venv)])
    run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         f"{wheel}[serve]"])
    return venv


def mount_like_the_kubelet(configmaps: list[dict[str, Any]], directory: Path) -> Path:
    data = directory / "..2026_11_25_10_00_00.000000001"
    data.mkdir(parents=True)
    for configmap in configmaps:
        for key, text in configmap["binaryData"].items():
            (data / key).write_bytes(base64.b64decode(text))
            os.symlink(f"..data/{key}", directory / key)
    os.symlink(data.name, directory / "..data")
    return directory


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_the_pods_command_from_the_plan_serves_the_catalog_of_its_configmaps(fresh_venv, tmp_path):
    plan = json.loads(run([str(fresh_venv / "bin" / "mesh"), "plan", "--domains", str(EXAMPLE_DOMAINS),
                           "--env", "prod", "--scope", "platform", "--today", TODAY, "--format", "json"],
                          cwd=tmp_path).stdout)
    resources = {r["name"]: r for r in plan["resources"]}
    pod = resources["_platform.discovery.deployment"]["inputs"]["spec"]["template"]["spec"]
    [container] = pod["containers"]
    [mount] = [m for m in container["volumeMounts"] if m["name"] == "catalog"]
    configmaps = [r["inputs"] for r in plan["resources"] if r["type"] == "kubernetes:core/v1:ConfigMap"]
    volume = mount_like_the_kubelet(configmaps, tmp_path / "volume")

    port = free_port()
    planned = [*entrypoint(), *container["args"]]
    command = list(planned)
    replaced = {command.index("--catalog") + 1: str(volume), command.index("--host") + 1: "127.0.0.1",
                command.index("--port") + 1: str(port)}
    assert planned[command.index("--catalog") + 1] == mount["mountPath"]
    for index, value in replaced.items():
        command[index] = value
    assert [i for i, (a, b) in enumerate(zip(planned, command, strict=True)) if a != b] == sorted(replaced)
    command[0] = str(fresh_venv / "bin" / command[0])  # the image's PATH finds mesh there

    env = {"PATH": f"{fresh_venv / 'bin'}:/usr/bin:/bin", "HOME": str(tmp_path), "PYTHONDONTWRITEBYTECODE": "1"}
    server = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True)
    try:
        deadline = time.monotonic() + 60
        status = 0
        while time.monotonic() < deadline and server.poll() is None:
            try:
                status, _ = get(f"http://127.0.0.1:{port}/readyz")
            except OSError:
                status = 0
            if status == 200:
                break
            time.sleep(0.2)
        assert status == 200, f"not ready (last status {status}, exit {server.poll()})"
        assert get(f"http://127.0.0.1:{port}/healthz")[0] == 200
        status, body = get(f"http://127.0.0.1:{port}/products/{PRODUCT}")
        assert status == 200
        catalog = read_catalog(volume).as_of(datetime.now(UTC).date())
        expected = product_json(catalog, PRODUCT)
        assert json.loads(body) == json.loads(json.dumps(expected))
        assert catalog.info.environment == "prod"
    finally:
        server.terminate()
        try:
            out, _ = server.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            out, _ = server.communicate()
        print(out)
