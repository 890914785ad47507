"""``mesh new domain NAME`` / ``mesh new product DOMAIN/NAME``: scaffold a valid spec.

The scaffold is rendered, validated together with the rest of the mesh, and only written when
it has no error; an existing file is never overwritten. ``mesh new domain NAME`` asks for the
owner's email and the accounts on a terminal when the flags do not give them; elsewhere (CI, a
pipe) it names the flags to pass. After a domain it says the one command that gives the new folder
to its owners in CODEOWNERS.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from typing import Any

import yaml

from datamesh.cli.common import add_domains, add_today, today_of
from datamesh.diagnostics import Report
from datamesh.errors import UsageError
from datamesh.loader import load_text, load_tree
from datamesh.resolve import resolve_tree
from datamesh.spec.models import DataProduct, Domain
from datamesh.spec.types import ACCOUNT_RE, SLUG

DOMAIN_TEMPLATE = """\
# yaml-language-server: $schema={schema}
# The {name} domain: owned by {team}. Contract: docs/spec.md. Check with `mesh validate`.
apiVersion: datamesh/v1
kind: Domain
name: {name}
description: {description}
owner:
  team: {team}
  email: {email}
{github_line}
aws:
  # The domain's account in every environment of the mesh. Always quote account ids.
  accounts:
{accounts}
  # region: eu-west-1         # default: the mesh platform region
# Access requests not tied to one product (your products request theirs under `inputs`):
# consumes:
#   - product: other-domain/some-product
#     purpose: why you need it
"""

PRODUCT_TEMPLATE = """\
# yaml-language-server: $schema={schema}
# Data product {domain}/{name}. Contract: docs/spec.md. Check with `mesh validate`.
apiVersion: datamesh/v1
kind: DataProduct
name: {name}
description: {description}
version: 0.1.0                # semver; a major bump is a breaking change
status: draft                 # draft | active | deprecated | retired (only active/deprecated grant)
type: source-aligned          # source-aligned | aggregate | consumer-aligned
classification: {classification}   # public | internal | confidential | restricted
tags: []
retention:
  days: {retention_days}                  # current objects expire after this many days
  # archive_after_days: 90    # move to GLACIER_IR after N days (N < days)
  noncurrent_days: 30         # overwritten versions expire after N days
# guarantees:                 # published in the catalog exactly as written
#   freshness: 1h
#   update_frequency: hourly
#   completeness: 0.99
#   availability: 0.995
schema:
  format: parquet             # parquet | json | csv | avro | iceberg
  fields:
    - {{name: id, type: string, required: true, description: Primary key}}
inputs: []                    # products this one reads: [{{product: domain/product, purpose: ...}}]
sharing:
  mode: approval              # open | approval | private
  approved: []                # [{{domain: consumer, until: YYYY-MM-DD}}]
"""


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "new", help="scaffold a valid domain or product spec",
        description="Scaffold a valid, commented spec file. Never overwrites a file.")
    kinds = parser.add_subparsers(dest="kind", metavar="KIND")
    kinds.required = True
    domain = kinds.add_parser("domain", help="scaffold domains/NAME/domain.yaml")
    domain.add_argument("name", help="the domain name (a slug, at most 30 characters)")
    domain.add_argument("--account", action="append", default=[], metavar="ENV=ACCOUNT",
                        help="the domain's 12-digit account per environment (repeat per environment; "
                             "asked on a terminal when absent)")
    domain.add_argument("--email", help="the owning team's email (asked on a terminal when absent)")
    domain.add_argument("--team", help="the owning team's name (default: the domain name)")
    domain.add_argument("--github", help='the owning GitHub team, e.g. "@org/team"')
    domain.add_argument("--description", help="what the domain is about")
    product = kinds.add_parser("product", help="scaffold domains/DOMAIN/products/NAME.yaml")
    product.add_argument("ref", metavar="DOMAIN/NAME", help="the product, e.g. player/play-events")
    product.add_argument("--classification", default="internal",
                         choices=["public", "internal", "confidential", "restricted"],
                         help="sensitivity (default: internal)")
    product.add_argument("--retention-days", type=int, default=365,
                         help="days before current objects expire (default: 365)")
    product.add_argument("--description", help="what the product contains")
    for p in (domain, product):
        add_domains(p)
        add_today(p)
        p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    slug = re.compile(SLUG)
    report = Report()
    tree = load_tree(args.domains, report)
    if tree.mesh is None:
        raise UsageError(f"{args.domains}: no valid mesh.yaml", "fix mesh.yaml first (`mesh validate`)")
    if args.kind == "domain":
        name = args.name
        if not slug.fullmatch(name):
            raise UsageError(f"{name!r} is not a valid domain name", "use a lowercase slug like artist-payments")
        path = os.path.normpath(os.path.join(args.domains, name, "domain.yaml"))
        if os.path.exists(path):
            raise UsageError(f"{path} already exists", "mesh new never overwrites; edit the file instead")
        _ask_missing(args, tree.mesh.model.environments)
        text = _render_domain(args, tree.mesh.model.environments, path)
        model: type[Domain] | type[DataProduct] = Domain
    else:
        domain, _, name = args.ref.partition("/")
        if not (slug.fullmatch(domain) and slug.fullmatch(name)):
            raise UsageError(f"{args.ref!r} is not DOMAIN/NAME", "e.g. mesh new product player/play-events")
        if domain not in tree.domains:
            raise UsageError(f"there is no domain {domain!r}", f"create it first: mesh new domain {domain} ...")
        path = os.path.normpath(os.path.join(args.domains, domain, "products", f"{name}.yaml"))
        text = PRODUCT_TEMPLATE.format(
            schema=_schema_ref(args.domains, path, "data-product.schema.json"), domain=domain, name=name,
            description=_scalar(args.description or f"TODO: describe what {name} contains."),
            classification=args.classification, retention_days=args.retention_days)
        model = DataProduct
    if os.path.exists(path):
        raise UsageError(f"{path} already exists", "mesh new never overwrites; edit the file instead")

    check = Report()
    loaded = load_text(path, text, model, check)
    if loaded is not None:
        if isinstance(loaded.model, Domain):
            tree.domains[loaded.model.name] = loaded  # type: ignore[assignment]
            tree.products.setdefault(loaded.model.name, {})
        else:
            tree.products.setdefault(domain, {})[name] = loaded  # type: ignore[assignment]
        resolve_tree(tree, today_of(args), check)
    mine = [d for d in check.sorted() if os.path.abspath(d.file) == os.path.abspath(path)]
    for d in mine:
        sys.stderr.write(d.format() + "\n")
    if any(d.is_error for d in mine):
        sys.stderr.write(f"mesh: not written: the scaffold for {path} would be invalid\n")
        return 1
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "x", encoding="utf-8") as handle:
        handle.write(text)
    sys.stdout.write(f"created {path}\n")
    if args.kind == "domain":
        sys.stdout.write(_codeowners_next_step(args.domains, args.name, args.github))
    return 0


def _ask_missing(args: argparse.Namespace, environments: list[str]) -> None:
    """On a terminal, ask for what the flags left out; elsewhere name the flags (usage error)."""
    given = set(_parse_accounts(args.account))
    missing_envs = [e for e in environments if e not in given]
    if args.email is not None and not missing_envs:
        return
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        flags = [f"--email {args.name}-data@example.com"] if args.email is None else []
        flags += [f"--account {e}=<12 digits>" for e in missing_envs]
        raise UsageError(f"mesh new domain {args.name}: missing {' and '.join(_what(args, missing_envs))}",
                         f"mesh new domain {args.name} {' '.join(flags)} [--github @org/team]")
    sys.stdout.write(f"New domain {args.name} (Ctrl-C to cancel; the flags --email, --account, --github "
                     "skip these questions)\n")
    if args.email is None:
        args.email = _ask("owner email (the team's address): ", lambda v: "@" in v, "an email address")
    for env in missing_envs:
        account = _ask(f"{env} AWS account (12 digits): ", lambda v: bool(ACCOUNT_RE.fullmatch(v)),
                       "exactly 12 digits")
        args.account.append(f"{env}={account}")
    if args.github is None:
        github = input('owner GitHub team, e.g. "@org/team" (Enter to skip): ').strip()
        args.github = github or None


def _what(args: argparse.Namespace, missing_envs: list[str]) -> list[str]:
    return (["the owner's email"] if args.email is None else []) + (
        [f"an account for {', '.join(missing_envs)}"] if missing_envs else [])


def _ask(prompt: str, valid: Any, expected: str) -> str:
    while True:
        value = input(prompt).strip()
        if valid(value):
            return value
        sys.stdout.write(f"  expected {expected}, got {value!r}\n")


def _codeowners_next_step(domains: str, name: str, github: str | None) -> str:
    """The one command that gives the new folder to its owners (CODEOWNERS is generated)."""
    from datamesh.cli.codeowners import repository_root  # only after a domain was written

    root = repository_root(os.path.abspath(domains))
    current = os.path.join(root, ".github", "CODEOWNERS")
    platform = _platform_owner(current) or "@YOUR-ORG/PLATFORM-TEAM"
    owner = github or f"the platform team ({platform}) until you add owner.github"
    return (f"next: give domains/{name}/ to {owner} in CODEOWNERS (its review is the producer's consent):\n"
            f"  mesh codeowners --domains {domains} --platform-owner {platform}\n")


def _platform_owner(codeowners: str) -> str | None:
    """The handle owning mesh.yaml (or everything, ``*``) in an existing CODEOWNERS file."""
    try:
        with open(codeowners, encoding="utf-8") as handle:
            lines = handle.read().splitlines()
    except OSError:
        return None
    for line in lines:
        parts = line.split()
        if len(parts) >= 2 and not parts[0].startswith("#") and (parts[0] == "*" or parts[0].endswith("/mesh.yaml")):
            return parts[1]
    return None


def _parse_accounts(items: list[str]) -> dict[str, str]:
    accounts: dict[str, str] = {}
    for item in items:
        env, sep, account = item.partition("=")
        if not sep or not ACCOUNT_RE.fullmatch(account):
            raise UsageError(f"--account {item}: expected ENV=ACCOUNT with a 12-digit account",
                             "e.g. --account dev=111111111111")
        accounts[env] = account
    return accounts


def _render_domain(args: argparse.Namespace, environments: list[str], path: str) -> str:
    accounts = _parse_accounts(args.account)
    missing = [e for e in environments if e not in accounts]
    if missing:
        raise UsageError(f"no account for environment(s) {', '.join(missing)}",
                         " ".join(f"--account {e}=<12 digits>" for e in missing))
    github_line = (f'  github: "{args.github}"   # owns domains/{args.name}/ in CODEOWNERS'
                   if args.github else
                   f'  # github: "@org/{args.name}"   # recommended: owns domains/{args.name}/ in CODEOWNERS')
    return DOMAIN_TEMPLATE.format(
        schema=_schema_ref(args.domains, path, "domain.schema.json"), name=args.name,
        description=_scalar(args.description or f"TODO: describe the {args.name} domain."),
        team=_scalar(args.team or args.name.replace("-", " ").title()), email=_scalar(args.email),
        github_line=github_line,
        accounts="\n".join(f'    {env}: "{accounts[env]}"' for env in environments))


def _scalar(text: str) -> str:
    """``text`` as a YAML value: plain when YAML reads it back unchanged, else double-quoted.

    ("TODO: describe ..." holds ": ", which plain YAML would read as a nested mapping.)
    """
    try:
        if yaml.safe_load(f"k: {text}") == {"k": text}:
            return text
    except yaml.YAMLError:
        pass
    return json.dumps(text, ensure_ascii=False)


def _schema_ref(domains: str, path: str, schema_file: str) -> str:
    """Path of the committed JSON Schema relative to the new file (schemas/ beside domains/)."""
    schemas = os.path.join(os.path.dirname(os.path.abspath(domains)), "schemas", schema_file)
    return os.path.relpath(schemas, os.path.dirname(os.path.abspath(path)))
