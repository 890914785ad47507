"""Spec helpers of the tests: a small valid mesh, and the bundled example.

Import them with ``from meshtree import ...`` (``import conftest`` is ambiguous once several
test directories have a conftest.py); ``tests/conftest.py`` re-exports them and adds fixtures.

The small mesh (``acme``) has three domains and two products and validates with no diagnostic
at all, so a test adds exactly the problem it is about. The spec helpers emit a fixed number
of header lines so tests can state exact ``line:col`` positions:

- ``product_yaml``: the ``extra`` text starts at line 11;
- ``domain_yaml``: the ``extra`` text starts at line 13 (with the default two accounts);
- ``mesh_yaml``: ``extra`` starts at line 10.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path

from datamesh.resolve import Resolution

REPO = Path(__file__).resolve().parents[1]
LIVE_DOMAINS = REPO / "domains"
"""The users' mesh: no test reads it (``tests/conftest.py`` fails any test that does)."""
EXAMPLE_ROOT = REPO / "tests" / "fixtures" / "streaming"
"""A fixture repository root: the streaming company's mesh, as the example mesh was when the
goldens were written. Tests that print paths run from here, so files show as ``domains/...``."""
EXAMPLE_DOMAINS = EXAMPLE_ROOT / "domains"
TODAY = date(2026, 11, 25)
"""The evaluation date of the tests and of the example's golden output."""

ACCOUNTS = {
    "alpha": ("100000000001", "200000000001"),
    "beta": ("100000000002", "200000000002"),
    "gamma": ("100000000003", "200000000003"),
}


def mesh_yaml(environments: str = "[dev, prod]", accounts: str = '{dev: "900000000001", '
              'prod: "900000000002"}', extra: str = "") -> str:
    """A mesh.yaml; ``extra`` starts at line 10 (after ``region``)."""
    return (
        "apiVersion: datamesh/v1\n"
        "kind: Mesh\n"
        "name: acme\n"
        f"environments: {environments}\n"
        "platform:\n"
        f"  accounts: {accounts}\n"
        "  region: eu-west-1\n"
        "external_accounts:\n"
        '  - {id: "444455556666", name: partner}\n'
        f"{extra}"
    )


MESH_YAML = mesh_yaml()


def domain_yaml(name: str, extra: str = "", *, github: bool = True,
                accounts: Mapping[str, str] | None = None) -> str:
    """A domain.yaml; with the default accounts (dev, prod) ``extra`` starts at line 13."""
    dev, prod = ACCOUNTS.get(name, ("100000000009", "200000000009"))
    accounts = {"dev": dev, "prod": prod} if accounts is None else accounts
    github_line = f'  github: "@acme/{name}"' if github else "  # no github"
    account_lines = "".join(f'    {env}: "{account}"\n' for env, account in accounts.items())
    return (
        "apiVersion: datamesh/v1\n"
        "kind: Domain\n"
        f"name: {name}\n"
        f"description: The {name} domain.\n"
        "owner:\n"
        f"  team: {name.title()}\n"
        f"  email: {name}@acme.example\n"
        f"{github_line}\n"
        "aws:\n"
        "  accounts:\n"
        f"{account_lines}"
        f"{extra}"
    )


def product_yaml(name: str, extra: str = "", *, classification: str = "internal",
                 days: int = 30) -> str:
    """A product file; ``extra`` starts at line 11."""
    return (
        "apiVersion: datamesh/v1\n"
        "kind: DataProduct\n"
        f"name: {name}\n"
        "description: A test product.\n"
        "version: 1.0.0\n"
        f"classification: {classification}\n"
        "retention:\n"
        f"  days: {days}\n"
        "schema:\n"
        "  format: parquet\n"
        f"{extra}"
    )


BASE_FILES: dict[str, str] = {
    "mesh.yaml": MESH_YAML,
    "alpha/domain.yaml": domain_yaml("alpha"),
    "beta/domain.yaml": domain_yaml("beta"),
    "gamma/domain.yaml": domain_yaml("gamma"),
    "alpha/products/events.yaml": product_yaml("events"),
    "beta/products/report.yaml": product_yaml("report"),
}
"""A valid mesh with no diagnostic: alpha/events (approval, nobody approved), beta/report."""

Files = Mapping[str, str | bytes | None]


def write_tree(root: Path, files: Files, *, base: bool = True) -> Path:
    """Write ``BASE_FILES`` (unless ``base=False``) overridden by ``files`` under ``root``.

    A value of ``None`` removes that file of the base; bytes are written as they are.
    """
    merged: dict[str, str | bytes | None] = dict(BASE_FILES) if base else {}
    merged.update(files)
    root.mkdir(parents=True, exist_ok=True)
    for rel, content in merged.items():
        if content is None:
            continue
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def lines_of(resolution: Resolution, cwd: Path) -> list[str]:
    """Every diagnostic of a run, formatted as ``mesh validate`` prints it (hint included)."""
    return [d.format(str(cwd)) for d in resolution.report.sorted()]
