"""``map_forked``: the same results, in the same order, on one core or several; a child that
fails is recomputed by the parent instead of failing the command."""

from __future__ import annotations

import os

import pytest

from datamesh import forked
from datamesh.forked import map_forked


def where_and_square(n: int) -> tuple[int, int]:
    return n * n, os.getpid()


@pytest.mark.parametrize("processes", [1, 2, 3, 8])
def test_results_in_order_whatever_the_processes(processes: int) -> None:
    results = map_forked(where_and_square, list(range(7)), processes)
    assert [r for r, _ in results] == [n * n for n in range(7)]
    pids = {pid for _, pid in results}
    # Batches of `processes` items: each batch's last item runs in this process, the others each
    # in a child of their own.
    batches = -(-7 // processes)
    assert os.getpid() in pids
    assert len(pids) == 1 + (7 - batches)


def test_a_child_that_dies_is_recomputed_here() -> None:
    parent = os.getpid()

    def dies_in_a_child(n: int) -> int:
        if os.getpid() != parent:
            os._exit(3)
        return n + 1

    assert map_forked(dies_in_a_child, [1, 2, 3], 3) == [2, 3, 4]


def test_an_error_in_the_piece_is_raised_as_one_by_one_would() -> None:
    def fails_on_two(n: int) -> int:
        if n == 2:
            raise ValueError("two")
        return n

    with pytest.raises(ValueError, match="two"):
        map_forked(fails_on_two, [1, 2, 3], 3)


@pytest.mark.parametrize(("value", "expected"), [("1", 1), ("4", 4), ("0", None), ("x", None), ("", None)])
def test_mesh_jobs_caps_the_processes(monkeypatch: pytest.MonkeyPatch, value: str, expected: int | None) -> None:
    monkeypatch.setenv(forked.JOBS_ENV, value)
    assert forked.jobs() == (expected if expected is not None else len(os.sched_getaffinity(0)))
