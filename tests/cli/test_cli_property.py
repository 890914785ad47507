"""Property: whatever a spec file holds, ``mesh validate`` exits 0 or 1, never 3, never raises.

Valid files of the example mesh are mutated (a value deleted, replaced or retyped, a random key
added, random bytes spliced in, the file truncated) and the whole mesh validated through the
real command line entry point.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from meshtree import EXAMPLE_DOMAINS

from datamesh.cli.main import main
from datamesh.yamlsource import YamlError, read_yaml

SPEC_FILES = sorted(p.relative_to(EXAMPLE_DOMAINS).as_posix() for p in EXAMPLE_DOMAINS.rglob("*.yaml"))

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**40), 2**40), st.floats(allow_nan=True),
    st.text(max_size=30), st.dates().map(date.isoformat),
    st.sampled_from(["", "-", "~", "123456789012", "dev", "active", "restricted", "player/play-events",
                     "arn:aws:iam::444455556666:role/x", "2025-01-01", "9999-12-31", "@daff/x"]),
)
values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=12,
)


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a value inside a document (the root excluded)."""
    found: list[tuple[Any, ...]] = []
    if isinstance(data, dict):
        for key, value in data.items():
            found.append((*prefix, key))
            found.extend(_paths(value, (*prefix, key)))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            found.append((*prefix, i))
            found.extend(_paths(value, (*prefix, i)))
    return found


def _parent(data: Any, path: tuple[Any, ...]) -> Any:
    for part in path[:-1]:
        data = data[part]
    return data


@st.composite
def mutated(draw: st.DrawFn, original: str) -> bytes:
    kind = draw(st.sampled_from(["delete", "replace", "retype", "add-key", "bytes", "truncate"]))
    raw = original.encode()
    if kind == "bytes":
        at = draw(st.integers(0, len(raw)))
        return raw[:at] + draw(st.binary(min_size=1, max_size=12)) + raw[at:]
    if kind == "truncate":
        return raw[: draw(st.integers(0, len(raw)))]
    data = yaml.safe_load(original)
    path = draw(st.sampled_from(_paths(data)))
    parent = _parent(data, path)
    if kind == "delete":
        del parent[path[-1]]
    elif kind == "replace":
        parent[path[-1]] = draw(values)
    elif kind == "retype":
        current = parent[path[-1]]
        parent[path[-1]] = draw(st.sampled_from(
            [str(current), [current], {"value": current}, None, 0, True, 1.5]))
    else:
        target = draw(st.sampled_from([data, *[_parent(data, p)[p[-1]] for p in _paths(data)]]).filter(
            lambda v: isinstance(v, dict)))
        target[draw(st.text(max_size=12))] = draw(values)
    return yaml.safe_dump(data, allow_unicode=draw(st.booleans()), sort_keys=draw(st.booleans())).encode()


@pytest.fixture(scope="module")
def mesh_copy() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "domains"
        shutil.copytree(EXAMPLE_DOMAINS, root)
        yield root


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_mutated_specs_never_crash(mesh_copy: Path, data: st.DataObject,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    rel = data.draw(st.sampled_from(SPEC_FILES), label="file")
    path = mesh_copy / rel
    original = (EXAMPLE_DOMAINS / rel).read_text(encoding="utf-8")
    content = data.draw(mutated(original), label="content")
    path.write_bytes(content)
    try:
        code = main(["validate", "--domains", str(mesh_copy), "--today", "2026-11-25"])
        out, err = capsys.readouterr()
    finally:
        path.write_text(original, encoding="utf-8")
    assert code in (0, 1), err
    assert "internal error" not in err and "Traceback" not in err
    assert out.splitlines()[-1].startswith(("valid: ", "invalid: "))


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=300) | st.sampled_from([
    "a: &a [*a]", "- &x\n- *x", "? a\n? b", "!!binary aGk=", "a: !!str 1", "%YAML 1.1\n---\na: 1",
    "a: 0x1f", "a: 1_000", "a: 0o17", "a: 1:30", "a: .inf", "a: 2001-12-14t21:59:43.10-05:00",
]))
def test_read_yaml_gives_a_value_or_a_clean_error(text: str) -> None:
    try:
        read_yaml(text)
    except YamlError as exc:
        assert exc.problem.code.startswith("DM0")
        assert exc.problem.line >= 1 and exc.problem.col >= 1
