"""Helpers of the server tests: a hostile fixture mesh, in-process ASGI calls, live servers.

``HOSTILE`` is spec text an attacker could write in a pull request; every page must show it
as text. ``call`` drives the ASGI app in-process (no socket); ``LiveServer`` runs the real
``mesh serve`` command in a subprocess on a free port and waits until it is ready.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from meshtree import EXAMPLE_DOMAINS, TODAY, domain_yaml, product_yaml, write_tree

from datamesh.catalog import Catalog, build_catalog
from datamesh.plan import build_plan
from datamesh.resolve import load_mesh
from datamesh.serve.app import App, Holder
from datamesh.serve.state import ServeState

REPO = Path(__file__).resolve().parents[2]
MESH = str(Path(sys.executable).with_name("mesh"))
HOSTILE = '<script>alert("pwned")</script><img src=x onerror=alert(1)> & "quotes"'
HOSTILE_FILES: dict[str, str | None] = {
    "alpha/domain.yaml": domain_yaml("alpha").replace("description: The alpha domain.",
                                                      f"description: '{HOSTILE} domain'"),
    "alpha/products/events.yaml": product_yaml("events").replace(
        "description: A test product.", f"description: '{HOSTILE}'")
    + "  fields:\n    - {name: event_id, type: string, required: true}\n"
      "    - {name: email, type: string, pii: true, description: 'contact <b>bold</b>'}\n"
      "sharing:\n  mode: open\n",
    "beta/products/report.yaml": product_yaml("report") + "inputs:\n  - product: alpha/events\n"
                                                          "    purpose: 'weekly <script>x</script> report'\n",
}
"""The small acme mesh with hostile text in a domain, a product, a column and a purpose; beta/report
reads alpha/events (open, so granted)."""


def catalog_of(root: Path, env: str = "dev", today: date = TODAY) -> Catalog:
    resolution = load_mesh(str(root), today)
    assert resolution.mesh is not None, [d.format() for d in resolution.report.errors]
    return build_catalog(resolution.mesh, build_plan(resolution.mesh, env))


def example_catalog(env: str = "dev", today: date = TODAY) -> Catalog:
    """The streaming company's catalog (tests/fixtures/streaming), built on the tests' day."""
    return catalog_of(EXAMPLE_DOMAINS, env, today)


def hostile_tree(root: Path) -> Path:
    return write_tree(root, HOSTILE_FILES)


def app_of(catalog: Catalog, day: date = TODAY) -> App:
    return App(Holder(ServeState.render(catalog, day, "test"), day))


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode()


def call(app: App, path: str, query: str = "", method: str = "GET",
         headers: dict[str, str] | None = None) -> Response:
    """One request through the ASGI app, as uvicorn would make it."""
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": method, "path": path, "query_string": query.encode(),
             "headers": [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]}
    asyncio.run(app(scope, receive, send))
    start = sent[0]
    assert start["type"] == "http.response.start"
    body = b"".join(m.get("body", b"") for m in sent[1:])
    return Response(start["status"], {k.decode(): v.decode() for k, v in start["headers"]}, body)


def get(url: str, timeout: float = 5.0) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


class LiveServer:
    """``mesh serve ARGS --port 0`` in a subprocess; ``url`` once it listens, ``wait_ready()``."""

    def __init__(self, *args: str, cwd: Path | None = None) -> None:
        self.log_path = Path(os.environ.get("TMPDIR", "/tmp")) / f"mesh-serve-{os.getpid()}-{id(self)}.log"
        self.log = open(self.log_path, "w+b")  # noqa: SIM115 - closed in stop()
        env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
        self.proc = subprocess.Popen([MESH, "serve", "--host", "127.0.0.1", "--port", "0", *args],
                                     stdout=self.log, stderr=subprocess.STDOUT,
                                     cwd=cwd or tempfile.gettempdir(), env=env)
        self.url = self._wait_listening()

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def _wait_listening(self, timeout: float = 20.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = re.search(r"listening on (http://\S+) ", self.output())
            if found:
                return found.group(1)
            if self.proc.poll() is not None:
                raise AssertionError(f"mesh serve exited {self.proc.returncode}:\n{self.output()}")
            time.sleep(0.05)
        raise AssertionError(f"mesh serve did not listen within {timeout} s:\n{self.output()}")

    def wait_ready(self, timeout: float = 30.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                status, body = get(self.url + "/readyz", timeout=2)
            except OSError:
                status, body = 0, b""
            if status == 200:
                return dict(json.loads(body))
            if self.proc.poll() is not None:
                raise AssertionError(f"mesh serve exited {self.proc.returncode}:\n{self.output()}")
            time.sleep(0.05)
        raise AssertionError(f"mesh serve not ready within {timeout} s:\n{self.output()}")

    def wait_for(self, text: str, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.output():
                return
            time.sleep(0.05)
        raise AssertionError(f"{text!r} not logged within {timeout} s:\n{self.output()}")

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        return self.proc.returncode
