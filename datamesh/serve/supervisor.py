"""The process model of ``mesh serve``: one supervisor, N workers, reload by replacing workers.

The supervisor imports the server's modules, binds the socket, forks workers that answer ``503``
(``/readyz``: loading) while it loads the catalog and renders its bodies, then replaces them by
workers holding that state. Workers share the supervisor's memory copy-on-write (``gc.freeze``
first, so the collector does not touch the shared pages), so N workers cost little more than one.

Every ``reload_interval`` seconds it polls the source's fingerprint (``source.CatalogSource``).
When it changed, the new catalog is loaded **in the supervisor** while the workers keep serving;
then a new generation of workers is forked with it and starts up, the old one is stopped (SIGTERM:
uvicorn finishes the requests in flight), and only then do the new workers accept: connections
arriving in between wait in the socket's backlog, so none is refused and no client sees the old
catalog after the new one (``Supervisor.roll``). A catalog that fails to load is logged (DM630) and the old one stays
served; the same broken version is not retried until its fingerprint changes again. The same
roll happens when the day passes the catalog's evaluation period (a grant expired): workers
re-evaluate on their own at midnight anyway (``app.Holder``), the roll re-shares the memory.

A worker that dies is replaced (DM631). SIGTERM or SIGINT stops the workers and exits 0.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import os
import select
import signal
import socket
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from types import FrameType

from datamesh.serve.app import App
from datamesh.serve.source import CatalogSource, Fingerprint, SourceError
from datamesh.serve.state import ServeState

STOP_TIMEOUT_SECONDS = 10.0
TICK_SECONDS = 0.1
RESPAWN_PAUSE_SECONDS = 1.0
PR_SET_PDEATHSIG = 1


def log(message: str) -> None:
    sys.stderr.write(f"mesh serve: {message}\n")
    sys.stderr.flush()


def bind(host: str, port: int) -> socket.socket:
    """The listening socket all workers share (inherited through fork)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if family == socket.AF_INET6:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    sock.bind(address)
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def _die_with_parent() -> None:
    """Linux: the worker gets SIGTERM when the supervisor dies (no orphan keeps the port)."""
    with contextlib.suppress(Exception):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def build_app(state: ServeState | None, today: date | None, host: str) -> App:
    """The ASGI app of a generation of workers, built in the supervisor before forking them, so
    its objects (the MCP server, its tools' schemas) are shared copy-on-write too."""
    from datamesh.serve.app import App, Holder

    holder = Holder(state, today)
    if state is None:  # the workers of the loading phase answer 503, /mcp included
        return App(holder)
    from datamesh.serve.agents import build_mcp, mcp_asgi

    server = build_mcp(holder.current)
    return App(holder, mcp_asgi(server, host), server.session_manager.run)  # type: ignore[arg-type]


def run_worker(sock: socket.socket, app: App, started_fd: int | None = None, go_fd: int | None = None) -> None:
    """A worker's life: uvicorn on the shared socket with ``app``. Once the application has
    started it writes a byte on ``started_fd``, then waits for one on ``go_fd`` before accepting
    connections (the supervisor first retires the previous workers)."""
    import uvicorn

    async def before_serving() -> None:
        if started_fd is not None:
            with contextlib.suppress(OSError):  # nobody waits for the first workers: the pipe is closed
                os.write(started_fd, b"1")
            os.close(started_fd)
        if go_fd is not None:
            import asyncio

            await asyncio.get_running_loop().run_in_executor(None, os.read, go_fd, 1)
            os.close(go_fd)

    app.before_serving = before_serving
    config = uvicorn.Config(app, lifespan="on", access_log=False, log_level="warning", server_header=False,
                            timeout_graceful_shutdown=5, loop="auto", http="auto")
    uvicorn.Server(config).run(sockets=[sock])


@dataclass
class Supervisor:
    source: CatalogSource
    host: str
    port: int
    workers: int = 1
    today: date | None = None
    reload_interval: float = 2.0
    sock: socket.socket | None = None
    state: ServeState | None = None
    generation: list[int] = field(default_factory=list)
    stopping: bool = False
    failed: Fingerprint | None = None
    app: App | None = None
    """The ASGI app the current generation of workers runs (built before they are forked)."""
    timings: str = ""
    """How long the last load took: reading (or building) the catalog, rendering its bodies."""

    def day(self) -> date:
        return self.today or datetime.now(UTC).date()

    # --- workers --------------------------------------------------------------------------------

    def spawn(self) -> tuple[int, int, int]:
        """Fork a worker: its pid, the pipe on which it says it started, the pipe that lets it serve."""
        assert self.sock is not None
        sys.stderr.flush()
        read_fd, write_fd = os.pipe()
        go_read, go_write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the worker
            code = 0
            try:
                os.close(read_fd)
                os.close(go_write)
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                signal.signal(signal.SIGINT, signal.SIG_DFL)
                _die_with_parent()
                # The supervisor loads with the cyclic collector off (as every mesh command, for speed);
                # a worker runs for days and its request objects may form cycles.
                gc.enable()
                assert self.app is not None
                run_worker(self.sock, self.app, write_fd, go_read)
            except BaseException as exc:  # the worker must never return into the supervisor's code
                log(f"worker {os.getpid()} failed: {type(exc).__name__}: {exc}")
                code = 3
            finally:
                sys.stderr.flush()
                os._exit(code)
        os.close(write_fd)
        os.close(go_read)
        return pid, read_fd, go_write

    @staticmethod
    def wait_started(pipes: list[int], timeout: float = STOP_TIMEOUT_SECONDS) -> None:
        """Until every new worker said it started (or exited: its end of the pipe closes)."""
        deadline = time.monotonic() + timeout
        waiting = list(pipes)
        while waiting and time.monotonic() < deadline:
            ready, _, _ = select.select(waiting, [], [], max(0.0, deadline - time.monotonic()))
            for fd in ready:
                os.read(fd, 1)
                waiting.remove(fd)
        for fd in pipes:
            os.close(fd)

    def roll(self, collect: bool = True) -> None:
        """Replace the workers by a new generation holding the current state.

        The new workers start (app, MCP, uvicorn) and wait while the old ones stop (SIGTERM: they
        finish the requests in flight); then the new ones accept. Connections that arrive meanwhile
        wait in the socket's backlog (the supervisor holds it open): none is refused, and no request
        sees the old catalog after one has seen the new."""
        self.app = build_app(self.state, self.today, self.host)
        # Objects alive now are shared with the workers: keep the collector off their pages. (At
        # start there is no garbage worth 0.2 s: the supervisor loads with the collector off.)
        if collect:
            gc.collect()
        gc.freeze()
        old = self.generation
        spawned = [self.spawn() for _ in range(self.workers)]
        self.generation = [pid for pid, _, _ in spawned]
        for pid in old:  # they stop while the new ones start up
            self.signal(pid, signal.SIGTERM)
        if old:  # nothing to hand over from no workers: the first ones accept at once
            self.wait_started([started for _, started, _ in spawned])
        else:
            for _, started, _ in spawned:
                os.close(started)
        self.wait_exit(old)
        for _, _, go in spawned:
            with contextlib.suppress(OSError):  # a worker that died meanwhile is replaced by reap()
                os.write(go, b"1")
            os.close(go)

    def wait_exit(self, pids: list[int], timeout: float = STOP_TIMEOUT_SECONDS) -> None:
        """Reap ``pids`` (SIGKILL those still running after ``timeout``)."""
        left = list(pids)
        deadline = time.monotonic() + timeout
        while left and time.monotonic() < deadline:
            for pid in list(left):
                try:
                    done, _ = os.waitpid(pid, os.WNOHANG)
                except ChildProcessError:
                    done = pid
                if done:
                    left.remove(pid)
            if left:
                time.sleep(0.005)
        for pid in left:
            self.signal(pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)

    @staticmethod
    def signal(pid: int, sig: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)

    def reap(self) -> None:
        """Collect exited workers; replace those of the current generation."""
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            if pid in self.generation and not self.stopping:
                self.generation.remove(pid)
                log(f"warning DM631: worker {pid} exited ({_status(status)}); starting another")
                time.sleep(RESPAWN_PAUSE_SECONDS)
                pid, started, go = self.spawn()
                os.close(started)
                os.write(go, b"1")
                os.close(go)
                self.generation.append(pid)

    def stop(self) -> None:
        self.stopping = True
        pids = self.generation
        for pid in pids:
            self.signal(pid, signal.SIGTERM)
        self.wait_exit(pids)
        self.generation = []

    # --- the catalog ----------------------------------------------------------------------------

    def load(self) -> ServeState:
        day = self.day()
        started = time.monotonic()
        catalog = self.source.load(day)
        loaded = time.monotonic()
        state = ServeState.render(catalog, day, self.source.description)
        self.timings = f"read {loaded - started:.2f} s, rendered {time.monotonic() - loaded:.2f} s"
        return predraw(state)

    def poll(self, seen: Fingerprint) -> Fingerprint:
        """Reload when the source changed (or the day left the evaluation period); the new fingerprint."""
        assert self.state is not None
        now = self.source.fingerprint()
        if now != seen and now != self.failed:
            started = time.monotonic()
            try:
                state = self.load()
            except Exception as exc:  # whatever the new files hold, the old catalog stays served
                self.failed = now
                text = exc.text if isinstance(exc, SourceError) else f"{type(exc).__name__}: {exc}"
                log(f"warning DM630: the catalog changed but cannot be loaded; still serving revision "
                    f"{self.state.catalog.revision}\n{text}")
                return seen
            self.failed = None
            self.state = state
            self.roll()
            log(f"reloaded {self.source.description} in {time.monotonic() - started:.2f} s: "
                f"{len(state.catalog.products)} products, revision {state.catalog.revision}")
            return now
        day = self.day()
        if not self.state.covers(day):
            self.state = predraw(self.state.for_day(day))
            self.roll()
            log(f"re-evaluated on {day.isoformat()}: revision {self.state.catalog.revision}")
        return seen

    # --- the whole life -------------------------------------------------------------------------

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        self.stopping = True

    def run(self) -> int:
        started = time.monotonic()
        # Imported once here, before any fork: workers start in milliseconds and share these pages.
        import uvicorn  # noqa: F401

        import datamesh.serve.agents
        import datamesh.serve.app  # noqa: F401
        signal.signal(signal.SIGTERM, self._on_signal)
        signal.signal(signal.SIGINT, self._on_signal)
        self.sock = bind(self.host, self.port)
        scheme_host = f"[{self.host}]" if ":" in self.host else self.host
        log(f"listening on http://{scheme_host}:{self.sock.getsockname()[1]} with {self.workers} worker(s); "
            f"loading {self.source.description}")
        try:
            return self._serve(started)
        finally:
            if self.generation:
                self.stop()

    def _serve(self, started: float) -> int:
        self.roll(collect=False)  # workers that answer 503 while the catalog loads
        seen = self.source.fingerprint()
        try:
            self.state = self.load()
        except SourceError as exc:
            sys.stderr.write(exc.text + "\n")
            log("cannot load the catalog: stopping")
            return 1
        self.roll(collect=False)
        log(f"ready in {time.monotonic() - started:.2f} s ({self.timings}): {len(self.state.catalog.products)} "
            f"products, revision {self.state.catalog.revision}, evaluated on {self.state.day.isoformat()}")
        next_poll = time.monotonic() + self.reload_interval
        while not self.stopping:
            time.sleep(TICK_SECONDS)
            self.reap()
            if self.reload_interval > 0 and time.monotonic() >= next_poll and not self.stopping:
                seen = self.poll(seen)
                next_poll = time.monotonic() + self.reload_interval
        log("stopping")
        self.stop()
        return 0


def predraw(state: ServeState) -> ServeState:
    """Draw the whole mesh's lineage once (Graphviz, with its timeout) for every worker to share."""
    from datamesh.serve.lineage_svg import MAX_NODES, draw_now
    from datamesh.serve.pages import lineage_subgraph

    if len(state.catalog.products) > MAX_NODES:  # not drawn whole: the page says so, cheaply
        return state
    descriptions = {p.key: p.description for p in state.catalog.products}
    state.rendered.drawings[""] = draw_now(lineage_subgraph(state.catalog, None), descriptions)
    return state


def _status(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"signal {os.WTERMSIG(status)}"
    return f"exit {os.WEXITSTATUS(status)}"
