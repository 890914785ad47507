"""The supervisor's decisions, without forking: when it reloads, re-evaluates, or keeps the old catalog."""

from __future__ import annotations

from datetime import date

import pytest
from servetree import example_catalog

from datamesh.catalog import Catalog
from datamesh.serve.source import CatalogSource, SourceError
from datamesh.serve.state import ServeState
from datamesh.serve.supervisor import Supervisor

CATALOG = example_catalog()


class FakeSource:
    def __init__(self) -> None:
        self.print: tuple[object, ...] = ("v1",)
        self.result: Catalog | Exception = CATALOG
        self.loads = 0

    def source(self) -> CatalogSource:
        def load(_: date) -> Catalog:
            self.loads += 1
            if isinstance(self.result, Exception):
                raise self.result
            return self.result

        return CatalogSource("fake", load, lambda: self.print)


def supervisor(fake: FakeSource, day: date, rolls: list[ServeState | None]) -> Supervisor:
    sup = Supervisor(fake.source(), "127.0.0.1", 0, today=day)
    sup.state = ServeState.render(CATALOG, day, "fake")
    sup.roll = lambda collect=True: rolls.append(sup.state)  # type: ignore[method-assign]
    return sup


def test_nothing_changed_nothing_done() -> None:
    fake, rolls = FakeSource(), []
    sup = supervisor(fake, date(2026, 11, 25), rolls)
    assert sup.poll(("v1",)) == ("v1",) and rolls == [] and fake.loads == 0


def test_a_changed_fingerprint_reloads_and_rolls(capsys: pytest.CaptureFixture[str]) -> None:
    fake, rolls = FakeSource(), []
    sup = supervisor(fake, date(2026, 11, 25), rolls)
    fake.print = ("v2",)
    assert sup.poll(("v1",)) == ("v2",)
    assert fake.loads == 1 and len(rolls) == 1 and rolls[0] is sup.state
    assert "mesh serve: reloaded fake in " in capsys.readouterr().err


def test_a_broken_new_catalog_keeps_the_old_and_is_not_retried(capsys: pytest.CaptureFixture[str]) -> None:
    fake, rolls = FakeSource(), []
    sup = supervisor(fake, date(2026, 11, 25), rolls)
    old = sup.state
    fake.print, fake.result = ("v2",), SourceError("catalog.json:0:0: error DM601 -: $.catalog.mesh: missing")
    assert sup.poll(("v1",)) == ("v1",)
    assert sup.state is old and rolls == []
    assert capsys.readouterr().err == (
        f"mesh serve: warning DM630: the catalog changed but cannot be loaded; still serving revision "
        f"{CATALOG.revision}\ncatalog.json:0:0: error DM601 -: $.catalog.mesh: missing\n")
    assert sup.poll(("v1",)) == ("v1",) and fake.loads == 1  # the same broken version: not loaded again
    fake.print, fake.result = ("v3",), CATALOG
    assert sup.poll(("v1",)) == ("v3",) and fake.loads == 2 and len(rolls) == 1


def test_a_day_past_the_evaluation_period_re_renders_and_rolls() -> None:
    fake, rolls = FakeSource(), []
    sup = supervisor(fake, date(2026, 11, 25), rolls)
    sup.today = date(2026, 12, 1)  # inside the period: the workers move on their own
    sup.poll(("v1",))
    assert rolls == []
    sup.today = date(2027, 11, 25)  # the artists' approval of royalty-statements ended the day before
    sup.poll(("v1",))
    assert len(rolls) == 1 and rolls[0] is not None and rolls[0].day == date(2027, 11, 25)
    assert fake.loads == 0  # re-evaluated, not re-read
