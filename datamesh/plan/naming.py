"""Deterministic physical names, valid for AWS, unique per environment."""

from __future__ import annotations

import hashlib

from datamesh.awsrules import BUCKET_MAX, BUCKET_RESERVED_SUFFIXES, ends_like_account_regional


def h8(text: str) -> str:
    """First 8 hex digits of SHA-256: short, stable, collision-unlikely at mesh scale."""
    return hashlib.sha256(text.encode()).hexdigest()[:8]


def bucket_name(mesh: str, env: str, domain: str, product: str) -> str:
    """``<mesh>-<env>--<domain>--<product>``; too long, or ending in a suffix S3 reserves
    (``-s3alias`` …, or like an account regional name ``-<account>-<region>-an``): cut and hashed.

    Slugs never hold ``--``, so the double dashes keep names unambiguous: domain ``a`` product
    ``b-c`` and domain ``a-b`` product ``c`` (or environments ``dev`` and ``dev-x``) never meet
    in one name. The hash covers the full name, so products sharing a long prefix still differ.
    """
    full = f"{domain_bucket_prefix(mesh, env, domain)}{product}"
    if len(full) <= BUCKET_MAX and not full.endswith(BUCKET_RESERVED_SUFFIXES) \
            and not ends_like_account_regional(full):
        return full
    return f"{full[: BUCKET_MAX - 9].rstrip('-')}-{h8(full)}"


def bucket_prefix(mesh: str, env: str) -> str:
    """Every bucket of one mesh environment starts with this (at most 20+1+20+2 = 43 chars)."""
    return f"{mesh}-{env}--"


def domain_bucket_prefix(mesh: str, env: str, domain: str) -> str:
    """``<mesh>-<env>--<domain>--``: the start of every uncut bucket name of one domain.

    Slugs never hold ``--`` and a cut name never gains one (its trailing dashes are dropped
    before ``-<h8>``), so no bucket of another domain or environment of the mesh starts with it:
    domain ``a`` (``…--a--``) never matches domain ``a-b`` (``…--a-b--``). A cut name starts
    with it only when the cut falls inside the product part.
    """
    return f"{bucket_prefix(mesh, env)}{domain}--"


def access_point_prefix(mesh: str, consumer: str) -> str:
    """The name prefix shared by every access point granted to ``consumer``."""
    return f"{mesh}-{h8(consumer)}-"


def access_point_name(mesh: str, env: str, consumer: str, product: str) -> str:
    """``<mesh>-<h8(consumer)>-<h8(env/product)>``: at most 38 characters."""
    return f"{access_point_prefix(mesh, consumer)}{h8(f'{env}/{product}')}"


def role_name(mesh: str, domain: str, kind: str) -> str:
    """``<mesh>-<domain>-producer|consumer``: at most 20+30+9+1 = 60 <= 64 characters."""
    return f"{mesh}-{domain}-{kind}"


ROLE_PATH = "/datamesh/"


def role_arn(account: str, mesh: str, domain: str, kind: str, partition: str = "aws") -> str:
    return f"arn:{partition}:iam::{account}:role{ROLE_PATH}{role_name(mesh, domain, kind)}"


def deployer_role_arn(account: str, mesh: str, partition: str = "aws") -> str:
    """The role each account's bootstrap creates, assumed by the mesh's aws providers."""
    return f"arn:{partition}:iam::{account}:role/{mesh}-deployer"


def previewer_role_arn(account: str, mesh: str, partition: str = "aws") -> str:
    """The read-only role each account's bootstrap creates for pull-request previews: the aws
    providers assume it instead of the deployer when the stack sets ``datamesh:providerRole``
    to ``previewer`` (it can read the mesh's control plane, never data, and change nothing)."""
    return f"arn:{partition}:iam::{account}:role/{mesh}-previewer"


# --- logical names (unique in a stack) --------------------------------------------------------
# Slugs never contain "." "/" or "_", so these separators make every logical name unambiguous:
# domain "playlist" → "playlist", "playlist.key"; product → "playlist/sessions",
# "playlist/sessions.bucket"; platform resources start with "_platform." (never a domain name);
# an external principal's grant slug starts with "_ext-" (never a domain name either).
# Only characters `pulumi state rename` accepts (alphanumerics, _ - . /) are used.


def child(parent: str, what: str) -> str:
    """A child's logical name: its parent's name, a dot, and a stable suffix."""
    return f"{parent}.{what}"


def domain_child(domain: str, what: str) -> str:
    return child(domain, what)


def grant_slug(consumer: str) -> str:
    """The consumer's part of a grant's logical name: a domain name, or ``_ext-<h8(arn)>``.

    The underscore, which no slug holds, keeps an external principal's grant apart from a
    domain's: domain ``ext-cb20abf6`` is a valid slug and would otherwise meet the principal
    whose ARN hashes to ``cb20abf6``.
    """
    return f"_ext-{h8(consumer)}" if consumer.startswith("arn:") else consumer


def former_grant_slugs(consumer: str) -> tuple[str, ...]:
    """The slugs this consumer's grants had in earlier releases (``ext-<h8>`` before 0.2),
    carried as Pulumi aliases so a deployed grant is renamed in the state, not replaced."""
    return (f"ext-{h8(consumer)}",) if consumer.startswith("arn:") else ()
