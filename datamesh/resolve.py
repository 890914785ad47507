"""Resolve a loaded tree into one checked mesh: every rule of spec-v1 "Errors", all files.

``resolve`` runs the checks that relate fields of one file, then those that span files
(references, accounts per environment, registered principals), then the grant decisions.
It always checks every environment, whatever ``--env`` a command was given.
"""

from __future__ import annotations

import difflib
from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

from datamesh.awsrules import (
    BUCKET_RESERVED_PREFIXES,
    KMS_RESERVED_ALIAS_PREFIX,
    kms_alias_problem,
    reserved_bucket_prefix,
)
from datamesh.diagnostics import Report
from datamesh.grants import GrantDecisions, decide_grants
from datamesh.loader import Loaded, LoadedTree, field_path, load_tree
from datamesh.mesh import ResolvedMesh
from datamesh.parsecache import ParseCache
from datamesh.source import FILESYSTEM, TreeSource
from datamesh.spec.models import DataProduct, Domain, Mesh
from datamesh.spec.types import role_arn_account


@dataclass(slots=True)
class Resolution:
    """The outcome of loading and resolving: the mesh when there is no error, and the report."""

    report: Report
    tree: LoadedTree
    mesh: ResolvedMesh | None
    decisions: GrantDecisions


def load_mesh(root: str, today: date, source: TreeSource = FILESYSTEM,
              cache: ParseCache | None = None) -> Resolution:
    """Load ``root`` from ``source`` (default: the filesystem) and resolve it; ``mesh`` is ``None``
    when any error was found. ``cache`` (see ``datamesh.parsecache``) skips parsing files whose
    bytes parsed before, and is saved once the tree is read."""
    report = Report()
    tree = load_tree(root, report, source, cache)
    if cache is not None:
        cache.save()
    return resolve_tree(tree, today, report)


def resolve_tree(tree: LoadedTree, today: date, report: Report) -> Resolution:
    products = {f"{d}/{p}": loaded for d in sorted(tree.products)
                for p, loaded in sorted(tree.products[d].items())}
    for key, loaded in products.items():
        _check_product(key, loaded, report)
    if tree.mesh is not None:
        _check_mesh(tree.mesh, report)
        _check_accounts(tree.mesh, tree.domains, report)
    _check_domains(tree.domains, report)
    _check_references(tree, products, report)
    # Grants are decided over what loaded, even with errors elsewhere, so validate reports
    # pending requests in the same run; only products whose domain loaded take part.
    usable = {k: v.model for k, v in products.items() if k.partition("/")[0] in tree.domains}
    domains = {name: loaded.model for name, loaded in sorted(tree.domains.items())}
    sources = tree.source_map()
    decisions = decide_grants(domains, usable, sources, today, report)
    mesh = None
    if tree.mesh is not None and not report.errors:
        mesh = ResolvedMesh(tree.root, tree.mesh.model, domains, usable, decisions, today, sources)
    return Resolution(report, tree, mesh, decisions)


# --- one file ---------------------------------------------------------------------------------


def _duplicates(values: list[str]) -> set[str]:
    return {v for v, n in Counter(values).items() if n > 1}


def _report_repeats(report: Report, loaded: Loaded[Any], path: tuple[str, ...],
                    values: list[str], what: str, item_field: str | None = None) -> None:
    repeated = _duplicates(values)
    seen: set[str] = set()
    for i, value in enumerate(values):
        if value in repeated:
            if value in seen:
                at: tuple[str | int, ...] = (*path, i, item_field) if item_field else (*path, i)
                fpath = field_path(at)
                report.add(loaded.file, loaded.at(*at), "DM117", fpath, f"{what} {value!r} listed twice")
            seen.add(value)


def _check_reserved_names(loaded: Loaded[Mesh], report: Report) -> None:
    """The mesh name starts every bucket (``<mesh>-<env>--…``) and key alias
    (``alias/<mesh>/<domain>``): a start AWS reserves would fail every deploy."""
    mesh = loaded.model
    alias = f"alias/{mesh.name}/"
    problem = kms_alias_problem(f"{alias}x")
    if problem is not None:
        report.add(loaded.file, loaded.at("name"), "DM122", "name",
                   f"mesh name {mesh.name!r} makes every key alias ({alias}<domain>) start with "
                   f"{KMS_RESERVED_ALIAS_PREFIX}, which KMS reserves for AWS managed keys",
                   f"KMS alias names may not start with {KMS_RESERVED_ALIAS_PREFIX}; choose another mesh name")
    for i, env in enumerate(mesh.environments):
        prefix = f"{mesh.name}-{env}--"
        reserved = reserved_bucket_prefix(prefix)
        if reserved is None:
            continue
        rule = f"S3 bucket names may not start with {', '.join(BUCKET_RESERVED_PREFIXES)}"
        if reserved_bucket_prefix(f"{mesh.name}-"):
            report.add(loaded.file, loaded.at("name"), "DM122", "name",
                       f"mesh name {mesh.name!r}: every bucket name starts with {mesh.name}-, and S3 "
                       f"reserves the prefix {reserved!r}", f"{rule}; choose another mesh name")
            return  # the same for every environment: once is enough
        report.add(loaded.file, loaded.at("environments", i), "DM122", f"environments[{i}]",
                   f"mesh {mesh.name!r} environment {env!r}: every bucket name starts with {prefix!r}, "
                   f"and S3 reserves the prefix {reserved!r}", f"{rule}; choose another environment name")


def _check_mesh(loaded: Loaded[Mesh], report: Report) -> None:
    mesh = loaded.model
    _check_reserved_names(loaded, report)
    _report_repeats(report, loaded, ("environments",), list(mesh.environments), "environment")
    _report_repeats(report, loaded, ("external_accounts",), [a.id for a in mesh.external_accounts],
                    "external account", "id")
    for env in mesh.environments:
        if env not in mesh.platform.accounts:
            report.add(loaded.file, loaded.at("platform", "accounts"), "DM202", "platform.accounts",
                       f"no platform account for environment {env!r}",
                       f"add `{env}: \"<12-digit account>\"` under platform.accounts")
    for env in mesh.platform.accounts:
        if env not in mesh.environments:
            report.add(loaded.file, loaded.key_at("platform", "accounts", env), "DM206",
                       f"platform.accounts.{env}",
                       f"{env!r} is not an environment of the mesh ({', '.join(mesh.environments)})")


def _check_product(key: str, loaded: Loaded[DataProduct], report: Report) -> None:
    p = loaded.model
    own_domain = key.partition("/")[0]
    file = loaded.file
    if p.retention.archive_after_days is not None and p.retention.archive_after_days >= p.retention.days:
        report.add(file, loaded.at("retention", "archive_after_days"), "DM113",
                   "retention.archive_after_days",
                   f"archive_after_days ({p.retention.archive_after_days}) must be less than days "
                   f"({p.retention.days})")
    if p.status == "deprecated" and p.deprecation is None:
        report.add(file, loaded.at("status"), "DM114", "deprecation",
                   "status is deprecated but there is no deprecation block")
    if p.classification == "restricted" and p.sharing.mode == "open":
        report.add(file, loaded.at("sharing", "mode"), "DM115", "sharing.mode",
                   "a restricted product cannot be shared openly")
    for i, approval in enumerate(p.sharing.approved):
        if p.classification == "restricted" and approval.until is None:
            report.add(file, loaded.at("sharing", "approved", i), "DM116",
                       f"sharing.approved[{i}].until",
                       f"approval of {approval.grantee} on a restricted product has no until date")
    _report_repeats(report, loaded, ("sharing", "approved"),
                    [a.grantee for a in p.sharing.approved], "grantee")
    _report_repeats(report, loaded, ("inputs",), [i.product for i in p.inputs], "input", "product")
    _report_repeats(report, loaded, ("tags",), list(p.tags), "tag")
    if p.schema_ is not None:
        _report_repeats(report, loaded, ("schema", "fields"), [f.name for f in p.schema_.fields],
                        "field", "name")
    else:
        report.add(file, loaded.at(), "DM208", "schema", f"{key} publishes no schema")
    for i, entry in enumerate(p.inputs):
        if entry.product.partition("/")[0] == own_domain:
            report.add(file, loaded.at("inputs", i, "product"), "DM204", f"inputs[{i}].product",
                       f"{entry.product} belongs to this product's own domain {own_domain!r}",
                       "inputs name other domains' products; remove the entry (lineage inside a "
                       "domain is the domain's own business)")


def _check_domains(domains: dict[str, Loaded[Domain]], report: Report) -> None:
    for name, loaded in domains.items():
        d = loaded.model
        if d.owner.github is None:
            report.add(loaded.file, loaded.at("owner"), "DM207", "owner.github",
                       f"domain {name} has no owner.github: CODEOWNERS cannot require its review")
        _report_repeats(report, loaded, ("consumes",), [c.product for c in d.consumes], "request",
                        "product")
        for i, entry in enumerate(d.consumes):
            if entry.product.partition("/")[0] == name:
                report.add(loaded.file, loaded.at("consumes", i, "product"), "DM204",
                           f"consumes[{i}].product",
                           f"{entry.product} belongs to this domain")


# --- across files -----------------------------------------------------------------------------


def _check_accounts(mesh_file: Loaded[Mesh], domains: dict[str, Loaded[Domain]], report: Report) -> None:
    mesh = mesh_file.model
    envs = mesh.environments
    for name, loaded in domains.items():
        accounts = loaded.model.aws.accounts
        for env in envs:
            if env not in accounts:
                report.add(loaded.file, loaded.at("aws", "accounts"), "DM202", "aws.accounts",
                           f"domain {name} has no account for environment {env!r}",
                           f"add `{env}: \"<12-digit account>\"` under aws.accounts")
        for env in accounts:
            if env not in envs:
                report.add(loaded.file, loaded.key_at("aws", "accounts", env), "DM206",
                           f"aws.accounts.{env}",
                           f"{env!r} is not an environment of the mesh ({', '.join(envs)})")
    external = {a.id: a.name for a in mesh.external_accounts}
    for env in envs:
        owners: dict[str, list[str]] = {}
        if env in mesh.platform.accounts:
            owners.setdefault(mesh.platform.accounts[env], []).append("the platform")
        for name in sorted(domains):
            account = domains[name].model.aws.accounts.get(env)
            if account is not None:
                owners.setdefault(account, []).append(name)
        for account, names in owners.items():
            if account in external:
                for i, ext in enumerate(mesh.external_accounts):
                    if ext.id == account:
                        report.add(mesh_file.file, mesh_file.at("external_accounts", i, "id"),
                                   "DM209", f"external_accounts[{i}].id",
                                   f"external account {account} ({ext.name}) is also the {env} "
                                   f"account of {', '.join(names)}")
            if len(names) > 1:
                for other in names:
                    if other == "the platform":
                        continue
                    loaded = domains[other]
                    report.add(loaded.file, loaded.at("aws", "accounts", env), "DM205",
                               f"aws.accounts.{env}",
                               f"account {account} is shared in {env} by {' and '.join(names)}")


def _check_references(tree: LoadedTree, products: dict[str, Loaded[DataProduct]], report: Report) -> None:
    external_ids = {a.id for a in tree.mesh.model.external_accounts} if tree.mesh else None

    def check_ref(loaded: Loaded[Any], ref: str, at: tuple[str | int, ...], fpath: str) -> None:
        domain = ref.partition("/")[0]
        if ref in products or ref in tree.broken or domain in tree.broken:
            return
        if domain not in tree.domains:
            report.add(loaded.file, loaded.at(*at), "DM200", fpath,
                       f"{ref}: there is no domain {domain!r}", _domain_hint(domain, tree))
        else:
            known = sorted(k for k in products if k.startswith(f"{domain}/"))
            hint = f"{domain} has: {', '.join(known)}" if known else f"{domain} has no products yet"
            report.add(loaded.file, loaded.at(*at), "DM200", fpath,
                       f"{ref}: domain {domain!r} has no product {ref.partition('/')[2]!r}", hint)

    for loaded in products.values():
        p = loaded.model
        for i, entry in enumerate(p.inputs):
            check_ref(loaded, entry.product, ("inputs", i, "product"), f"inputs[{i}].product")
        if p.deprecation is not None and p.deprecation.replaced_by is not None:
            check_ref(loaded, p.deprecation.replaced_by, ("deprecation", "replaced_by"),
                      "deprecation.replaced_by")
        for i, approval in enumerate(p.sharing.approved):
            if approval.domain is not None and approval.domain not in tree.domains \
                    and approval.domain not in tree.broken:
                report.add(loaded.file, loaded.at("sharing", "approved", i, "domain"), "DM201",
                           f"sharing.approved[{i}].domain", f"there is no domain {approval.domain!r}",
                           _domain_hint(approval.domain, tree))
            if approval.principal is not None and external_ids is not None:
                account = role_arn_account(approval.principal)
                if account not in external_ids:
                    mesh_owner = _mesh_account_owner(tree, account)
                    why = (f"account {account} belongs to mesh domain {mesh_owner}: approve "
                           f"`domain: {mesh_owner}` instead" if mesh_owner else
                           f"account {account} is not in mesh.yaml external_accounts")
                    report.add(loaded.file, loaded.at("sharing", "approved", i, "principal"), "DM203",
                               f"sharing.approved[{i}].principal", why)
    for domain in tree.domains.values():
        for i, entry in enumerate(domain.model.consumes):
            check_ref(domain, entry.product, ("consumes", i, "product"), f"consumes[{i}].product")


def _domain_hint(name: str, tree: LoadedTree) -> str:
    """Did you mean …? — else the domains there are (the first few), so a typo is one look away."""
    known = sorted({*tree.domains, *(b for b in tree.broken if "/" not in b)})
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.8)
    if close:
        return f"did you mean {close[0]!r}?"
    if not known:
        return "the mesh has no domains yet"
    shown = ", ".join(known[:12]) + (f" and {len(known) - 12} more" if len(known) > 12 else "")
    return f"the domains are: {shown}"


def _mesh_account_owner(tree: LoadedTree, account: str) -> str | None:
    for name, loaded in sorted(tree.domains.items()):
        if account in loaded.model.aws.accounts.values():
            return name
    return None
