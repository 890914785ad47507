"""Run independent pieces of one command on several cores, with the same result as one by one.

``mesh validate`` plans every environment of the mesh only to measure its documents; the
environments are independent, and planning one costs about two seconds at 10,000 products. On a
machine with several cores each environment but the last is planned in a forked child, which
sends back its (small) result through a pipe; the parent plans the last one meanwhile.

The child is a copy of this very process (``os.fork``): it runs the same code on the same loaded
mesh, so its result is exactly what the parent would have computed. Its result comes back
pickled through a pipe only this process holds — never from a file, which someone else could
write. A child that fails for any reason (no fork on this platform, out of memory, killed) is
not an error: the parent computes that piece itself, so the outcome never depends on the cores.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

JOBS_ENV = "MESH_JOBS"
"""``MESH_JOBS=1`` computes everything in one process; a number caps the processes; unset: one
per core."""


def jobs() -> int:
    """The processes a command may use: ``$MESH_JOBS`` when it is a positive number, else the
    cores this process may run on."""
    raw = os.environ.get(JOBS_ENV, "").strip()
    if raw.isdigit() and int(raw) > 0:
        return int(raw)
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def map_forked(fn: Callable[[T], R], items: Sequence[T], processes: int | None = None) -> list[R]:
    """``[fn(item) for item in items]``, with up to ``processes`` (default: ``jobs()``) running at
    once. ``fn``'s results must pickle; ``fn`` must not depend on state another item changes."""
    limit = jobs() if processes is None else processes
    if limit <= 1 or len(items) <= 1 or not hasattr(os, "fork"):
        return [fn(item) for item in items]
    results: list[R] = []
    for start in range(0, len(items), limit):
        batch = items[start:start + limit]
        children = [_start(fn, item) for item in batch[:-1]]
        last = fn(batch[-1])
        for child, item in zip(children, batch[:-1], strict=True):
            results.append(_collect(child, fn, item))
        results.append(last)
    return results


def _start(fn: Callable[[T], R], item: T) -> tuple[int, int] | None:
    """Fork a child computing ``fn(item)``: (pid, read end of its pipe), or None if it could not."""
    try:
        read, write = os.pipe()
        pid = os.fork()
    except OSError:
        return None
    if pid == 0:  # the child: compute, send, and leave without running the parent's cleanup
        code = 1
        try:
            os.close(read)
            with os.fdopen(write, "wb") as out:
                pickle.dump(fn(item), out, protocol=pickle.HIGHEST_PROTOCOL)
            code = 0
        finally:
            os._exit(code)
    os.close(write)
    return pid, read


def _collect(child: tuple[int, int] | None, fn: Callable[[T], R], item: T) -> R:
    if child is None:
        return fn(item)
    pid, read = child
    with os.fdopen(read, "rb") as pipe:
        data = pipe.read()
    _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0 or not data:
        return fn(item)  # the child failed: compute it here, the same way
    result: R = pickle.loads(data)  # from our own child, through our own pipe
    return result
