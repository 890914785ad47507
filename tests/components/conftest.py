"""Fixtures of the component tests: a mocked Pulumi engine per test (``set_mocks`` here, never
at import), the Pulumi program loaded from the project's ``__main__.py``, and small meshes."""

from __future__ import annotations

import runpy
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
# The repository's `components` package must win over this test directory of the same name
# (pytest puts tests/ on sys.path when run as `pytest` rather than `python -m pytest`).
if sys.path[0] != str(REPO):
    sys.path.insert(0, str(REPO))

from pulumi_harness import KUBERNETES_ENV, Engine, start_engine  # noqa: E402


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Provider inputs must not depend on the developer's environment."""
    for var in (*KUBERNETES_ENV, "AWS_REGION", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.delenv("PULUMI_CONFIG", raising=False)


@pytest.fixture
def engine(clean_env: None) -> Iterator[Engine]:
    """A fresh mocked engine (stack ``dev``, project ``datamesh``, no config)."""
    yield start_engine()


@pytest.fixture
def new_engine(clean_env: None) -> Callable[..., Engine]:
    """``new_engine(stack=..., config={...}, arns={...})``: a fresh engine with those settings."""
    return start_engine


@pytest.fixture(scope="session")
def program() -> dict[str, Any]:
    """The globals of the Pulumi program (``__main__.py``), loaded without running ``main``."""
    return runpy.run_path(str(REPO / "__main__.py"), run_name="datamesh_program")


@pytest.fixture(scope="session")
def bootstrap_program() -> dict[str, Any]:
    return runpy.run_path(str(REPO / "bootstrap" / "__main__.py"), run_name="datamesh_bootstrap")


def pytest_configure(config: pytest.Config) -> None:
    # pulumi-aws warns, at import, about its own deprecated V2 classes (which we never use).
    config.addinivalue_line("filterwarnings", r"ignore:.*deprecated in favor of:DeprecationWarning:pulumi_aws\.")
