"""The Pulumi program: one stack deploys one environment of the mesh, or a scope of it.

Stack config (namespace ``datamesh``; see docs/deploying.md):

- ``datamesh:environment`` — the mesh environment to deploy (default: the stack's name);
- ``datamesh:scope`` — optional: a list of domain names (a domain stack) and/or ``platform``
  (the mesh-level stack: platform provider and discovery endpoint); default: the whole mesh.

The mesh is always this repository's own ``domains/``: the tree CODEOWNERS, the pull-request
workflow and the producers' reviews cover. A stack setting that pointed the program at another
tree (``datamesh:domains: evil/``) would deploy grants nobody reviewed, so any value other than
``./domains`` is refused. Tests call ``deploy(domains=...)`` with fixture trees directly.

The evaluation date of grants is the current UTC date. An invalid mesh, or a plan whose
policies exceed AWS size limits, deploys nothing: the diagnostics are logged as errors and the
run stops with a clean error.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pulumi

from components.mesh import Materialised, materialise, stack_outputs
from datamesh.errors import UsageError
from datamesh.plan import Plan, build_plan
from datamesh.resolve import load_mesh

PROJECT_DIR = Path(__file__).resolve().parent
MESH_DIR = PROJECT_DIR / "domains"
"""The only mesh this program deploys (see the module docstring)."""


def read_scope(raw: str | None) -> list[str] | None:
    """``datamesh:scope``: a YAML/JSON list (``pulumi config set --path 'datamesh:scope[0]' x``
    stores one as JSON) or a comma-separated string; absent or empty: the whole mesh."""
    if raw is None or not raw.strip():
        return None
    if raw.lstrip().startswith("["):
        try:
            value = json.loads(raw)
        except ValueError:
            value = None
        if not isinstance(value, list) or not all(isinstance(s, str) for s in value):
            raise pulumi.RunError(f"datamesh:scope must be a list of names, got {raw}")
        names = [s.strip() for s in value]
    else:
        names = [s.strip() for s in raw.split(",")]
    return [s for s in names if s] or None


def mesh_dir(config: pulumi.Config) -> Path:
    """The repository's ``domains/``; a ``datamesh:domains`` naming any other tree is refused."""
    raw = config.get("domains")
    if raw is not None and (PROJECT_DIR / raw).resolve() != MESH_DIR.resolve():
        raise pulumi.RunError(
            f"datamesh:domains is {raw!r}: this program deploys only the repository's own domains/ "
            "(the tree CODEOWNERS and the pull-request checks cover); remove the setting")
    return MESH_DIR


def plan_stack(today: date | None = None, domains: Path | None = None) -> Plan:
    """The plan of this stack; raises ``pulumi.RunError`` when it must not deploy.

    ``domains`` None: the repository's ``domains/`` (the deployed program); tests give fixtures.
    """
    config = pulumi.Config("datamesh")
    domains = mesh_dir(config) if domains is None else domains
    today = today or datetime.now(UTC).date()
    resolution = load_mesh(str(domains), today)
    for d in resolution.report.sorted():
        log = pulumi.log.error if d.is_error else pulumi.log.warn
        log(d.format(str(PROJECT_DIR)))
    if resolution.mesh is None:
        raise pulumi.RunError(f"the mesh in {domains} is invalid ({len(resolution.report.errors)} errors "
                              f"above): nothing deployed; run `mesh validate` for details")
    env = config.get("environment") or pulumi.get_stack()
    try:
        plan = build_plan(resolution.mesh, env, read_scope(config.get("scope")))
    except UsageError as e:
        hint = f" ({e.hint})" if e.hint else ""
        raise pulumi.RunError(f"{e.message}{hint}; set datamesh:environment / datamesh:scope") from None
    check_plan(plan)
    return plan


def check_plan(plan: Plan) -> None:
    """Refuse a plan with errors (a policy over its AWS size limit)."""
    for d in plan.warnings:
        pulumi.log.warn(d.format(str(PROJECT_DIR)))
    for d in plan.errors:
        pulumi.log.error(d.format(str(PROJECT_DIR)))
    if plan.errors:
        raise pulumi.RunError(f"the plan of {plan.environment} has {len(plan.errors)} errors above: "
                              "nothing deployed")


def deploy(domains: Path | None = None, today: date | None = None) -> Materialised:
    """Plan this stack, materialise the plan, export its outputs.

    ``domains`` and ``today`` are for tests (a fixture tree, a fixed date); ``pulumi up`` runs
    ``main()``, which deploys the repository's ``domains/`` as of today.
    """
    plan = plan_stack(today, domains)
    made = materialise(plan)
    for name, value in stack_outputs(plan, made).items():
        pulumi.export(name, value)
    return made


def main() -> Materialised:
    """The program ``pulumi up`` runs."""
    return deploy()


if __name__ == "__main__":
    main()
