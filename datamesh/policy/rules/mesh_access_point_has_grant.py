"""mesh-access-point-has-grant (stack): no access point without its grant, and vice versa.

Every access point is the child of an AccessGrant component (a grant the spec decided), agrees
with it (product, consumer, bucket, the one principal its policy names) and is not past the
grant's ``until``; every AccessGrant has exactly one access point and one KMS grant.
"""

from __future__ import annotations

from datamesh.policy import model
from datamesh.policy.documents import documents_of
from datamesh.policy.model import Finding, ResourceView, RuleContext, StackRule, StackView
from datamesh.policy.values import parse_date, shown, tags_of, text


def _check_access_point(stack: StackView, ap: ResourceView, ctx: RuleContext) -> list[Finding]:
    grant = stack.parent_of(ap)
    if grant is None or grant.type != model.COMPONENT_GRANT:
        return [Finding(ap, "the access point is not part of an AccessGrant: no grant decided "
                            "from the spec backs it")]
    findings: list[Finding] = []
    tags = tags_of(ap.inputs)
    for prop, tag in (("product", "mesh:product"), ("consumer", "mesh:consumer")):
        want, got = text(grant.inputs.get(prop)), text(tags.get(tag))
        if want is not None and got != want:
            findings.append(Finding(ap, f"tag {tag} is {shown(got)}, but its grant {grant.name} "
                                        f"is for {shown(want)}"))
    principal = text(grant.inputs.get("principal"))
    if principal is not None:
        named = {value for doc in documents_of(ap.inputs, ap.type) for st in doc.statements()
                 if st.allows for _, value in st.principals}
        others = sorted(named - {principal})
        if others:
            findings.append(Finding(ap, f"the policy names {', '.join(others)}; the grant is for "
                                        f"{principal} only"))
    tag_until = tags.get("mesh:grant-until")
    if "until" in grant.inputs and tag_until is not None:
        want_until = text(grant.inputs.get("until")) or "none"
        if tag_until != want_until:
            findings.append(Finding(ap, f"tag mesh:grant-until is {shown(tag_until)}, but its grant "
                                        f"{grant.name} ends {shown(want_until)}"))
    ends = [d for d in (parse_date(grant.inputs.get("until")), parse_date(tag_until)) if d is not None]
    if ends and min(ends) < ctx.today:
        findings.append(Finding(ap, f"the grant ended on {min(ends).isoformat()} (evaluation date "
                                    f"{ctx.today.isoformat()}) but its access point remains"))
    product = stack.parent_of(grant)
    if product is not None and product.type == model.COMPONENT_PRODUCT:
        want_bucket, got_bucket = text(product.inputs.get("bucket")), text(ap.inputs.get("bucket"))
        if want_bucket is not None and got_bucket is not None and want_bucket != got_bucket:
            findings.append(Finding(ap, f"the access point is on bucket {got_bucket}, not on its "
                                        f"product's bucket {want_bucket}"))
    return findings


def check(stack: StackView, ctx: RuleContext) -> list[Finding]:
    findings: list[Finding] = []
    for ap in stack.of_type(model.ACCESS_POINT):
        findings.extend(_check_access_point(stack, ap, ctx))
    for grant in stack.of_type(model.COMPONENT_GRANT):
        children = stack.children(grant.name)
        for type_token, what in ((model.ACCESS_POINT, "access point"), (model.KMS_GRANT, "KMS grant")):
            n = sum(1 for c in children if c.type == type_token)
            if n != 1:
                findings.append(Finding(grant, f"the grant has {n} {what}s, expected exactly one"))
    return findings


RULE = StackRule(
    id="mesh-access-point-has-grant",
    description="No access point without its grant: each access point belongs to one unexpired "
                "AccessGrant that agrees with it, and each grant has one access point and one KMS "
                "grant.",
    severity="critical",
    remediation="Give access only through the spec (sharing.approved and inputs/consumes); "
                "remove hand-made access points and redeploy so expired grants are withdrawn.",
    default_level="mandatory",
    reads=frozenset({model.ACCESS_POINT, model.KMS_GRANT, model.COMPONENT_GRANT,
                     model.COMPONENT_PRODUCT}),
    check=check,
)
