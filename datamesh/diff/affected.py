"""Which stacks a change touches: the scopes whose plan differs between base and head.

A scope is what ``mesh plan --scope`` and a stack's ``datamesh:scope`` take: a domain name, or
``platform`` (the mesh-level stack). Computed from the plans, not from the folders changed: when
domain A starts reading B's open product, the grant's access point lives in B's stack, so B's
scope is affected although only A's files changed. A scope that exists on one side only (a
domain added or removed) is affected; when the base cannot be planned for an environment (no
mesh there, an invalid one, or not that environment), every scope of the head is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from datamesh.mesh import ResolvedMesh
from datamesh.plan import PLATFORM_SCOPE, PlannedResource, build_plan


def stack_name(env: str, scope: str) -> str:
    """The stack that deploys ``scope`` of ``env``: ``<env>-<scope>`` (docs/deploying.md, "Big meshes")."""
    return f"{env}-{scope}"


def scopes_of(mesh: ResolvedMesh) -> list[str]:
    return sorted([PLATFORM_SCOPE, *mesh.domains])


def _resources(mesh: ResolvedMesh, env: str, scope: str) -> dict[str, PlannedResource]:
    return {r.name: r for r in build_plan(mesh, env, [scope]).resources}


def affected_scopes(base: ResolvedMesh | None, head: ResolvedMesh, env: str) -> list[str]:
    """The sorted scopes of ``env`` whose plan differs (``base`` None: no plannable base)."""
    head_scopes = scopes_of(head)
    if base is None or env not in base.spec.environments:
        return head_scopes
    base_scopes = scopes_of(base)
    affected = []
    for scope in sorted(set(head_scopes) | set(base_scopes)):
        on_both = scope in head_scopes and scope in base_scopes
        if not on_both or _resources(base, env, scope) != _resources(head, env, scope):
            affected.append(scope)
    return affected


@dataclass(frozen=True, slots=True)
class Affected:
    base: str
    environments: dict[str, list[str]]
    """Environment (in mesh.yaml's order) → its affected scopes, sorted."""

    def matrix(self) -> list[dict[str, str]]:
        return [{"environment": env, "scope": scope, "stack": stack_name(env, scope)}
                for env, scopes in self.environments.items() for scope in scopes]

    def to_json(self) -> dict[str, object]:
        return {"base": self.base, "environments": self.environments, "matrix": self.matrix()}

    def to_text(self) -> str:
        return "".join(f"{env} {scope}\n" for env, scopes in self.environments.items() for scope in scopes)


def compute_affected(ref: str, base: ResolvedMesh | None, head: ResolvedMesh,
                     environments: Sequence[str]) -> Affected:
    return Affected(ref, {env: affected_scopes(base, head, env) for env in environments})
