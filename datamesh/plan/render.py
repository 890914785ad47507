"""The human-readable plan: a tree per domain with counts and the key properties."""

from __future__ import annotations

import base64
import hashlib
from collections import Counter

from datamesh import resource_types as types
from datamesh.plan.model import STACK_REFERENCE, Plan, PlannedResource


def _short_type(token: str) -> str:
    return token.rsplit(":", 1)[-1]


def render_text(plan: Plan) -> str:
    out: list[str] = []
    counts = Counter(r.type for r in plan.resources)
    components = sum(1 for r in plan.resources if r.is_component)
    providers = sum(1 for r in plan.resources if r.is_provider)
    reads = counts[STACK_REFERENCE]
    scope = f" (scope: {', '.join(plan.scope)})" if plan.scope else ""
    out.append(f"Plan for mesh {plan.mesh}, environment {plan.environment}{scope}, "
               f"evaluated {plan.today.isoformat()}")
    # Every count is of the same thing `mesh check` and `pulumi preview` count: Pulumi resources,
    # components and providers included, so the numbers of the three tools agree.
    cloud = len(plan.resources) - components - providers - reads
    out.append(f"{len(plan.resources)} resources ({cloud} cloud resources, {reads} read of the last deploy, "
               f"{providers} providers, {components} components), {len(plan.grants)} grants, "
               f"{len(plan.pending)} pending requests")
    out.append("")
    children: dict[str | None, list[PlannedResource]] = {}
    for r in plan.resources:
        children.setdefault(r.parent, []).append(r)
    for root in children.get(None, []):
        _render(root, children, out, 0)
    if plan.grants:
        out.append("")
        out.append("Grants (who can read what):")
        for g in plan.grants:
            until = f" until {g.until}" if g.until else ""
            out.append(f"  {g.consumer} reads {g.product}{until}")
    if plan.pending:
        out.append("")
        out.append("Pending requests (create nothing until approved):")
        for p in plan.pending:
            why = f" (approval expired {p.expired_on})" if p.expired_on else ""
            out.append(f"  {p.consumer} requests {p.product}{why}: {p.approver} must approve")
    if plan.warnings:
        out.append("")
        out.append(f"Warnings ({len(plan.warnings)}):")
        for d in plan.warnings:
            out.append(f"  {d.code} {d.message}")
    out.append("")
    out.append("By type:")
    for token, n in sorted(counts.items()):
        out.append(f"  {n:5d}  {token}")
    return "\n".join(out) + "\n"


def _describe(r: PlannedResource) -> str:
    i = r.inputs
    if r.type == types.COMPONENT_DOMAIN:
        return f"domain {i['domain']} (account {i['account']}, {i['region']})"
    if r.type == types.COMPONENT_PRODUCT:
        return (f"product {i['product']} [{i['status']}, {i['classification']}] "
                f"bucket {i['bucket']}, retention {i['retentionDays']} days")
    if r.type == types.COMPONENT_GRANT:
        until = f" until {i['until']}" if i["until"] else ""
        return f"grant: {i['consumer']} reads {i['product']}{until}"
    if r.type == types.COMPONENT_DISCOVERY:
        host = f" at {i['host']}" if i.get("host") else ""
        return f"discovery endpoint {i['image']} x{i['replicas']}{host}"
    if r.type == STACK_REFERENCE:
        return "this stack's outputs of its last deploy (changes that delete data are refused against them)"
    if r.type == types.PROVIDER_KUBERNETES:
        return f"kubernetes provider, context {i['context']}"
    if r.type == types.KUBERNETES_CONFIG_MAP:
        # Sizes and hashes, not the blobs (`--format json` holds the real bytes).
        files = ", ".join(f"{key} {binary_summary(text)}" for key, text in sorted(i["binaryData"].items()))
        return f"configmap {i['metadata']['name']}: {files}"
    if r.type == types.KUBERNETES_DEPLOYMENT:
        spec = i["spec"]
        [container] = spec["template"]["spec"]["containers"]
        return f"deployment {i['metadata']['name']} x{spec['replicas']}: {' '.join(container['args'])}"
    if r.type == types.PROVIDER_AWS:
        return f"aws provider, account {i['allowedAccountIds'][0]}, {i['region']}"
    if r.type == types.ACCESS_POINT:
        return f"access point {i['name']}"
    if r.type == types.IAM_ROLE:
        return f"role {i['name']}"
    if r.type == types.KMS_ALIAS:
        return f"alias {i['name']}"
    if r.type == types.BUCKET_LIFECYCLE:
        rule = i["rules"][0]
        return (f"expire after {rule['expiration']['days']} days, noncurrent after "
                f"{rule['noncurrentVersionExpiration']['noncurrentDays']}")
    return ""


def binary_summary(base64_text: str) -> str:
    """A ConfigMap's ``binaryData`` value as people read it: ``4,302 bytes sha256:1191c5a6f62b``."""
    raw = base64.b64decode(base64_text)
    return f"{len(raw):,} bytes sha256:{hashlib.sha256(raw).hexdigest()[:12]}"


def _render(r: PlannedResource, children: dict[str | None, list[PlannedResource]], out: list[str],
            depth: int) -> None:
    flags = "".join(f" [{f}]" for f, on in (("protected", r.options.protect),
                                            ("retained", r.options.retain_on_delete)) if on)
    detail = _describe(r)
    out.append(f"{'  ' * depth}{r.name}  {_short_type(r.type)}{flags}{'  ' + detail if detail else ''}")
    for child in children.get(r.name, []):
        _render(child, children, out, depth + 1)
