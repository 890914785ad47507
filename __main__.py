"""The Pulumi program: one stack deploys one environment of the mesh, or a scope of it.

Stack config (namespace ``datamesh``; see docs/deploying.md):

- ``datamesh:environment`` — the mesh environment to deploy (default: the stack's name);
- ``datamesh:scope`` — optional: a list of domain names (a domain stack) and/or ``platform``
  (the mesh-level stack: platform provider and discovery endpoint); default: the whole mesh;
- ``datamesh:providerRole`` — ``deployer`` (default) or ``previewer``: the role each account's
  aws provider assumes. A pull request's ``pulumi preview`` runs with ``previewer``, the
  bootstrap's read-only role that only the CI's pull-request identity may assume (docs/ci.md);
  a ``pulumi up`` with it fails on the first write, changing nothing.
- ``datamesh:kubeContext`` — the kubeconfig context of this environment's cluster, required when
  the stack deploys the discovery endpoint (mesh.yaml ``discovery``, in the whole-mesh or
  ``platform`` stack): the kubernetes provider uses exactly that context, never the
  kubeconfig's current one, so a prod stack cannot land in whatever cluster a shell points at.

The mesh is always this repository's own ``domains/``: the tree CODEOWNERS, the pull-request
workflow and the producers' reviews cover. A stack setting that pointed the program at another
tree (``datamesh:domains: evil/``) would deploy grants nobody reviewed, so any value other than
``./domains`` is refused. Tests call ``deploy(domains=...)`` with fixture trees directly.

Changes that delete data or move storage (retention shortened, a product retired or removed, a
domain's account or region changed, a consumer's account changed) deploy only when
``datamesh:acknowledge`` names each one exactly: ``{subject, change, from, to}`` (see
docs/deleting-data.md). The program reads what the stack deployed last (its own ``meshFacts``
output, through a stack reference to itself) before it registers any other resource, and
refuses the run there.

The evaluation date of grants is the current UTC date. An invalid mesh, or a plan whose
policies exceed AWS size limits, deploys nothing: the diagnostics are logged as errors and the
run stops with a clean error.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, date, datetime
from pathlib import Path

import pulumi
from pulumi.runtime.sync_await import _sync_await

from components.mesh import Materialised, materialise, stack_outputs
from datamesh.diagnostics import Diagnostic
from datamesh.diff.risks import MeshFacts
from datamesh.errors import UsageError
from datamesh.mesh import ResolvedMesh
from datamesh.parsecache import open_cache
from datamesh.plan import Plan, build_plan, destructive
from datamesh.plan.discovery import KUBE_CONTEXT_KEY, KUBE_CONTEXT_PLACEHOLDER
from datamesh.plan.model import PROVIDER_AWS, PROVIDER_KUBERNETES
from datamesh.plan.naming import deployer_role_arn, previewer_role_arn
from datamesh.resolve import load_mesh

PROVIDER_ROLES = ("deployer", "previewer")
"""Values of ``datamesh:providerRole``; the first is the default."""
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
    return _plan_and_mesh(today, domains)[0]


def _plan_and_mesh(today: date | None, domains: Path | None) -> tuple[Plan, ResolvedMesh]:
    config = pulumi.Config("datamesh")
    domains = mesh_dir(config) if domains is None else domains
    today = today or datetime.now(UTC).date()
    resolution = load_mesh(str(domains), today, cache=open_cache(str(domains)))
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
    plan = with_kube_context(with_provider_role(plan, provider_role(config)), config.get("kubeContext"))
    return plan, resolution.mesh


def with_kube_context(plan: Plan, context: str | None) -> Plan:
    """The plan with the kubernetes provider's context placeholder replaced by ``context`` (the
    stack's ``datamesh:kubeContext``); refused when the plan has such a provider and it is unset."""
    providers = [r for r in plan.resources if r.type == PROVIDER_KUBERNETES]
    if not providers:
        return plan
    if context is None or not context.strip():
        raise pulumi.RunError(
            f"{KUBE_CONTEXT_KEY} is not set: the discovery endpoint's kubernetes provider needs the kubeconfig "
            f"context of the {plan.environment} cluster (it never uses the current context); run "
            f"`pulumi config set {KUBE_CONTEXT_KEY} <context> --stack {pulumi.get_stack()}` (docs/deploying.md)")
    plan.resources = [dataclasses.replace(r, inputs={**r.inputs, "context": context})
                      if r.type == PROVIDER_KUBERNETES and r.inputs.get("context") == KUBE_CONTEXT_PLACEHOLDER
                      else r for r in plan.resources]
    return plan


def provider_role(config: pulumi.Config) -> str:
    """``datamesh:providerRole``: which bootstrap role the aws providers assume (default deployer)."""
    role = config.get("providerRole") or PROVIDER_ROLES[0]
    if role not in PROVIDER_ROLES:
        raise pulumi.RunError(f"datamesh:providerRole must be one of {', '.join(PROVIDER_ROLES)}, got {role!r}")
    return role


def with_provider_role(plan: Plan, role: str) -> Plan:
    """The plan with every aws provider assuming ``<mesh>-<role>`` instead of the deployer.

    Only the role's name changes (same account, same session name), so the preview is of the
    same resources; the provider itself shows as updated (its ``assumeRoles`` input differs
    from the deployed state's), which replaces nothing.
    """
    if role == "deployer":
        return plan
    resources = []
    for r in plan.resources:
        if r.type == PROVIDER_AWS:
            account = r.inputs["allowedAccountIds"][0]
            assumed = [{**a, "roleArn": previewer_role_arn(account, plan.mesh)}
                       if a["roleArn"] == deployer_role_arn(account, plan.mesh) else a
                       for a in r.inputs["assumeRoles"]]
            r = dataclasses.replace(r, inputs={**r.inputs, "assumeRoles": assumed})
        resources.append(r)
    plan.resources = resources
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


def refuse_destructive(plan: Plan, mesh: ResolvedMesh, previous: pulumi.StackReference,
                       config: pulumi.Config) -> MeshFacts:
    """This deploy's facts, once every change that deletes data or moves storage since the last
    deploy is acknowledged; raises ``pulumi.RunError`` (nothing else registered yet) otherwise.

    The read of the last outputs is awaited here, before the program registers anything else:
    a refused run creates, changes and deletes nothing.
    """
    outputs = _sync_await(previous.outputs.future())
    try:
        before = destructive.previous_facts(outputs)
        acknowledgements = destructive.parse_acknowledgements(config.get_object(destructive.CONFIG_KEY))
    except ValueError as e:
        raise pulumi.RunError(f"{e}; see docs/deleting-data.md") from None
    current = destructive.stack_facts(mesh, plan, before)
    where = f"Pulumi.{pulumi.get_stack()}.yaml"
    if before is None:
        risks = []
        pulumi.log.info(f"no {destructive.FACTS_OUTPUT} output of a previous deploy: nothing to compare (first deploy)")
    else:
        deployed = {r.domain for r in plan.resources if r.domain is not None}
        risks = destructive.deploy_risks(before, current, deployed)
    judgement = destructive.judge(risks, acknowledgements)
    for risk, ack in judgement.acknowledged:
        pulumi.log.warn(f"acknowledged by datamesh:{destructive.CONFIG_KEY}[{ack.index}]: {risk.message}")
    for ack in judgement.unused:
        pulumi.log.warn(Diagnostic(where, 0, 0, "warning", "DM471", f"datamesh:{destructive.CONFIG_KEY}[{ack.index}]",
                                   f"{ack.describe()} matches no change of this deploy",
                                   "remove it: an acknowledgement covers one change, once").format(str(PROJECT_DIR)))
    if judgement.refused:
        commands = destructive.acknowledge_commands(judgement.refused, len(acknowledgements), pulumi.get_stack())
        for risk in judgement.refused:
            pulumi.log.error(Diagnostic(where, 0, 0, "error", "DM470", f"datamesh:{destructive.CONFIG_KEY}",
                                        risk.message, "if it is intended, acknowledge exactly this change "
                                        "(docs/deleting-data.md)").format(str(PROJECT_DIR)))
        raise pulumi.RunError(
            f"{len(judgement.refused)} change(s) since the last deploy would delete data or move storage "
            "(errors above): nothing deployed. To deploy them anyway, acknowledge each:\n  " + "\n  ".join(commands))
    return current


def deploy(domains: Path | None = None, today: date | None = None) -> Materialised:
    """Plan this stack, refuse unacknowledged data-destroying changes, materialise the plan,
    export its outputs (and the facts the next deploy compares with).

    ``domains`` and ``today`` are for tests (a fixture tree, a fixed date); ``pulumi up`` runs
    ``main()``, which deploys the repository's ``domains/`` as of today.
    """
    config = pulumi.Config("datamesh")
    plan, mesh = _plan_and_mesh(today, domains)
    facts: list[MeshFacts] = []
    made = materialise(plan, lambda previous: facts.append(refuse_destructive(plan, mesh, previous, config)))
    for name, value in stack_outputs(plan, made).items():
        pulumi.export(name, value)
    pulumi.export(destructive.FACTS_OUTPUT, facts[0].to_json())
    return made


def main() -> Materialised:
    """The program ``pulumi up`` runs."""
    return deploy()


if __name__ == "__main__":
    main()
