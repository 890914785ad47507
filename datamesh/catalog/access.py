"""How to get access to a product: the exact YAML a pull request adds, and who must approve it.

Access is requested in git, never through the catalog: a consumer domain adds an ``inputs`` entry
to one of its products (or a ``consumes`` entry to its domain.yaml); for an ``approval`` product
the producer's owners add the consumer to ``sharing.approved``; an external partner is approved by
the producer alone (its account must be registered in mesh.yaml ``external_accounts``).

``how_to_get_access`` gives the generic instructions shown on a product's page (placeholders in
``<angle brackets>``); ``access_request`` the concrete ones for one consumer. Names in the YAML are
validated slugs; a caller's purpose text is written as a JSON string (a valid YAML scalar), so no
input can change the YAML's structure.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Literal

from datamesh.catalog.model import Catalog, Product

DOMAINS_DIR = "domains"
"""The layout's root folder (spec-v1 "Layout"): paths are given relative to the repository."""
RESTRICTED_GRANT_DAYS = 365
"""The default of the policy mesh-restricted-grant-duration (the platform team may lower it)."""

YOUR_DOMAIN = "<your-domain>"
YOUR_PRODUCT = "<your-product>"

Outcome = Literal["granted-on-merge", "needs-approval", "already-granted", "already-pending", "refused"]


@dataclass(frozen=True, slots=True)
class Snippet:
    """YAML to add to one file, under one key (merge it with an existing block of that key)."""

    file: str
    """Path relative to the repository root, e.g. ``domains/artists/domain.yaml``."""
    add_under: str
    """The key the entry goes under: ``inputs``, ``consumes`` or ``sharing.approved``."""
    yaml: str
    """The block, from the top-level key down, ending with a newline."""
    written_by: str
    """Whose pull request (or whose review) adds it."""


@dataclass(frozen=True, slots=True)
class HowToGetAccess:
    requestable: bool
    reason: str | None
    """Why no request can lead to access (private, draft, retired); ``None`` when requestable."""
    summary: str
    """What happens, in one sentence."""
    from_product: Snippet | None
    """A product of the consumer domain reads it (lineage): an ``inputs`` entry."""
    from_domain: Snippet | None
    """The consumer domain reads it without a product (ad-hoc): a ``consumes`` entry."""
    approval: Snippet | None
    """For ``approval`` mode: what the producer's owners add."""
    external: Snippet | None
    """For a partner outside the mesh: what the producer's owners add."""


@dataclass(frozen=True, slots=True)
class AccessRequest:
    """What one consumer domain does to read one product, and what happens then."""

    product: str
    consumer: str
    outcome: Outcome
    message: str
    request: Snippet | None
    """What the consumer's pull request adds (``None`` when nothing to add or refused)."""
    approval: Snippet | None
    """What the producer's owners add or change (``None`` when no approval is needed)."""


def product_file(domain: str, product: str) -> str:
    return f"{DOMAINS_DIR}/{domain}/products/{product}.yaml"


def domain_file(domain: str) -> str:
    return f"{DOMAINS_DIR}/{domain}/domain.yaml"


def _scalar(text: str | None, placeholder: str) -> str:
    return json.dumps(text, ensure_ascii=False) if text else placeholder


def _request_yaml(key: str, under: str, purpose: str | None, placeholder: str) -> str:
    return f"{under}:\n  - product: {key}\n    purpose: {_scalar(purpose, placeholder)}\n"


def _until_line(product: Product) -> str:
    if product.classification == "restricted":
        return (f"      until: YYYY-MM-DD   # required (restricted): at most {RESTRICTED_GRANT_DAYS} days ahead "
                f"(mesh-restricted-grant-duration)\n")
    return "      until: YYYY-MM-DD   # optional: the last day of access; omit for no end\n"


def _approval_yaml(product: Product, grantee_key: str, grantee: str, purpose: str | None,
                   placeholder: str) -> str:
    return (f"sharing:\n  approved:\n    - {grantee_key}: {grantee}\n{_until_line(product)}"
            f"      purpose: {_scalar(purpose, placeholder)}\n")


def _approval(product: Product, consumer: str, purpose: str | None = None) -> Snippet:
    return Snippet(product_file(product.domain, product.name), "sharing.approved",
                   _approval_yaml(product, "domain", consumer, purpose, "<why they may read it>"),
                   product.sharing.approver)


def how_to_get_access(product: Product) -> HowToGetAccess:
    """The generic instructions for ``product`` (a consumer not yet known)."""
    sharing = product.sharing
    if not sharing.requestable:
        return HowToGetAccess(False, sharing.reason, f"{product.key} cannot be requested: {sharing.reason}.",
                              None, None, None, None)
    from_product = Snippet(product_file(YOUR_DOMAIN, YOUR_PRODUCT), "inputs",
                           _request_yaml(product.key, "inputs", None, "<why your product reads it>"),
                           "the consumer domain")
    from_domain = Snippet(domain_file(YOUR_DOMAIN), "consumes",
                          _request_yaml(product.key, "consumes", None, "<why your domain reads it>"),
                          "the consumer domain")
    external = Snippet(product_file(product.domain, product.name), "sharing.approved",
                       _approval_yaml(product, "principal", "arn:aws:iam::<account-id>:role/<role-name>", None,
                                      "<why the partner reads it>"), sharing.approver)
    if sharing.mode == "open":
        summary = (f"Open: a mesh domain that adds the request is granted read access once its pull request is "
                   f"merged and deployed; a partner outside the mesh needs an approval by {sharing.approver}.")
        approval = None
    else:
        summary = (f"Approval: the request stays pending (it creates nothing) until {sharing.approver} adds the "
                   f"consumer to sharing.approved of {product.key}.")
        approval = _approval(product, YOUR_DOMAIN)
    if product.status == "deprecated" and product.deprecation is not None:
        successor = f"; its successor is {product.deprecation.replaced_by}" if product.deprecation.replaced_by else ""
        summary += f" It is deprecated (sunset {product.deprecation.sunset.isoformat()}{successor})."
    return HowToGetAccess(True, None, summary, from_product, from_domain, approval, external)


def access_request(catalog: Catalog, key: str, consumer: str, consumer_product: str | None = None,
                   purpose: str | None = None) -> AccessRequest:
    """What ``consumer`` (a mesh domain) does to read product ``key`` on ``catalog.evaluated_on``.

    With ``consumer_product`` (a product name of the consumer domain, or its ``<domain>/<name>``
    key) the request is an ``inputs`` entry of that product, else a ``consumes`` entry of the
    domain. Raises ``UnknownProductError`` for an unknown ``key``; every other problem (unknown
    consumer, the producer itself, a product that grants nothing) is a ``refused`` outcome.
    """
    product = catalog.product(key)

    def refused(message: str) -> AccessRequest:
        return AccessRequest(key, consumer, "refused", message, None, None)

    domain = catalog.domain(consumer)
    if domain is None:
        return refused(f"there is no mesh domain {consumer!r}; a partner outside the mesh is approved by "
                       f"{product.sharing.approver} in sharing.approved (principal:)")
    if consumer == product.domain:
        return refused(f"{consumer} owns {key}: a domain never requests its own products")
    if not product.sharing.requestable:
        return refused(f"{key} cannot be requested: {product.sharing.reason}")
    if consumer_product is not None:
        name = consumer_product.removeprefix(f"{consumer}/")
        if f"{consumer}/{name}" not in domain.products:
            return refused(f"domain {consumer} has no product {name!r}")
        request: Snippet | None = Snippet(product_file(consumer, name), "inputs",
                                          _request_yaml(key, "inputs", purpose, "<why your product reads it>"),
                                          consumer)
    else:
        request = Snippet(domain_file(consumer), "consumes",
                          _request_yaml(key, "consumes", purpose, "<why your domain reads it>"), consumer)
    access = catalog.access(key)
    granted = next((g for g in access.current if g.consumer == consumer), None)
    if granted is not None:
        until = f" until {granted.until.isoformat()}" if granted.until else ""
        return AccessRequest(key, consumer, "already-granted",
                             f"{consumer} already reads {key}{until}, through access point "
                             f"{granted.access_point.name}", None, None)
    pending = next((p for p in access.pending if p.consumer == consumer), None)
    if pending is not None:
        if pending.expired_on is not None:
            message = (f"{consumer} already requests {key}; its approval expired on "
                       f"{pending.expired_on.isoformat()}: {pending.approver} extends its until")
        else:
            message = f"{consumer} already requests {key}; {pending.approver} must approve it"
        return AccessRequest(key, consumer, "already-pending", message, None, _approval(product, consumer, purpose))
    if product.sharing.mode == "open":
        return AccessRequest(key, consumer, "granted-on-merge",
                             f"{key} is open: {consumer} reads it once the pull request is merged and deployed",
                             request, None)
    standing = next((a for a in product.standing_approvals if a.domain == consumer), None)
    if standing is not None and standing.active_on(catalog.evaluated_on):
        until = f" until {standing.until.isoformat()}" if standing.until else ""
        return AccessRequest(key, consumer, "granted-on-merge",
                             f"{product.sharing.approver} already approved {consumer}{until}: it reads {key} once "
                             f"the pull request is merged and deployed", request, None)
    return AccessRequest(key, consumer, "needs-approval",
                         f"the request stays pending until {product.sharing.approver} approves it",
                         request, _approval(product, consumer, purpose))
