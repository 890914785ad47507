"""Who must approve a change: the owners of what it touches.

- every domain folder touched (a file added, changed or removed under ``<domain>/``, or a spec
  delta in it): the domain's owners — ``owner.github``, else its email. When the change gives the
  folder a new owner, both: the current one (whom CODEOWNERS at the base asks) and the new one;
- each producer whose ``sharing.approved`` changed: its owners (a grant is the producer's consent);
- a domain added: also whoever the base's CODEOWNERS makes owner of the new folder (a catch-all
  ``* @org/platform`` line: the platform team), since the new domain's own ``owner.github`` is
  the author's claim, not yet a code owner;
- ``mesh.yaml``, or any other file directly under ``domains/``: the platform team — its handle as
  the repository's ``.github/CODEOWNERS`` gives it for that path (read at the base, the version
  GitHub applies to a pull request), else "the platform team".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from datamesh import codeowners
from datamesh.diff.model import Approver
from datamesh.loader import DOMAIN_FILE, MESH_FILE, LoadedTree

PLATFORM_TEAM = "the platform team"


@dataclass(frozen=True, slots=True)
class CodeOwners:
    """A CODEOWNERS file's rules, read as GitHub reads them (``datamesh.codeowners``): the last
    matching pattern wins, and a line GitHub cannot read is skipped."""

    rules: tuple[codeowners.Rule, ...] = ()

    @classmethod
    def parse(cls, text: str) -> CodeOwners:
        rules, _problems = codeowners.parse(text)
        return cls(tuple(rules))

    def owners_of(self, path: str) -> tuple[str, ...]:
        """The owners of a repository-relative path; () when no rule (or an owner-less one) matches."""
        return codeowners.owners_of(self.rules, path) or ()


def _owner(tree: LoadedTree, domain: str) -> str | None:
    loaded = tree.domains.get(domain)
    if loaded is None:
        return None
    return loaded.model.owner.github or loaded.model.owner.email


def find_approvers(*, touched: Sequence[str], prefix: str, base: LoadedTree, head: LoadedTree,
                   spec_domains: Iterable[str], sharing_changed: Iterable[str], mesh_changed: bool,
                   codeowners: CodeOwners | None) -> tuple[Approver, ...]:
    """``touched``: changed repository-relative paths under ``prefix`` (``--domains`` relative to
    the repository; ``""`` for its top); ``spec_domains``: domains with a spec delta;
    ``sharing_changed``: products whose ``sharing.approved`` differs."""
    inner = f"{prefix}/" if prefix else ""
    reasons: dict[str, list[str]] = {}
    order: list[str] = []

    def add(who: str, reason: str) -> None:
        if who not in reasons:
            reasons[who] = []
            order.append(who)
        if reason not in reasons[who]:
            reasons[who].append(reason)

    folders: dict[str, int] = {}
    platform_files: list[str] = []
    for path in touched:
        rel = path[len(inner):] if path.startswith(inner) else path
        head_part, sep, _ = rel.partition("/")
        if sep:
            folders[head_part] = folders.get(head_part, 0) + 1
        else:
            platform_files.append(path)
    for domain in spec_domains:
        folders.setdefault(domain, 0)

    def owners_of_domain(domain: str) -> list[str]:
        found = [o for o in (_owner(base, domain), _owner(head, domain)) if o is not None]
        if not found and codeowners is not None:
            found = list(codeowners.owners_of(f"{inner}{domain}/"))
        return list(dict.fromkeys(found)) or [PLATFORM_TEAM]

    for domain in sorted(folders):
        count = folders[domain]
        what = f"{count} file(s) under {inner}{domain}/ changed" if count else f"the specs of {domain} changed"
        owners = owners_of_domain(domain)
        old, new = _owner(base, domain), _owner(head, domain)
        for who in owners:
            add(who, what)
            if old is not None and new is not None and old != new:
                add(who, f"owner of {domain} changes from {old} to {new}")
        if old is None and new is not None and codeowners is not None:
            for who in codeowners.owners_of(f"{inner}{domain}/{DOMAIN_FILE}"):
                add(who, f"new domain {domain} (CODEOWNERS gives {inner}{domain}/ to {who} until it lists the domain)")
    for product in sorted(sharing_changed):
        domain = product.partition("/")[0]
        for who in owners_of_domain(domain):
            add(who, f"sharing.approved of {product} changed (the producer's consent)")
    if mesh_changed or platform_files:
        files = sorted(set(platform_files) | ({f"{inner}{MESH_FILE}"} if mesh_changed else set()))
        platform: Sequence[str] = ()
        if codeowners is not None:
            platform = codeowners.owners_of(f"{inner}{MESH_FILE}")
        for who in platform or (PLATFORM_TEAM,):
            for path in files:
                add(who, f"{path} changed (mesh-wide: the platform team's)")
    return tuple(Approver(who, tuple(reasons[who])) for who in order)

