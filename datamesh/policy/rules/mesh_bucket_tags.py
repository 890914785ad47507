"""mesh-bucket-tags: the four mesh tags, which carry the facts other rules read at deploy time."""

from __future__ import annotations

from datamesh.policy import model
from datamesh.policy.model import ResourceRule, ResourceView, RuleContext
from datamesh.policy.values import CLASSIFICATIONS, shown, tags_of, text

REQUIRED = ("mesh:domain", "mesh:product", "mesh:classification", "mesh:owner")


def check(resource: ResourceView, ctx: RuleContext) -> list[str]:
    tags = tags_of(resource.inputs)
    problems = [f"tag {key} is {shown(tags.get(key))}, expected a non-empty string"
                for key in REQUIRED if text(tags.get(key)) is None]
    domain, product = text(tags.get("mesh:domain")), text(tags.get("mesh:product"))
    if domain and product and not product.startswith(f"{domain}/"):
        problems.append(f'tag mesh:product is {shown(product)}, expected "{domain}/<product>" '
                        f"(mesh:domain is {shown(domain)})")
    classification = text(tags.get("mesh:classification"))
    if classification and classification not in CLASSIFICATIONS:
        problems.append(f"tag mesh:classification is {shown(classification)}, expected one of "
                        f"{', '.join(CLASSIFICATIONS)}")
    return problems


RULE = ResourceRule(
    id="mesh-bucket-tags",
    description="Every bucket carries the tags mesh:domain, mesh:product (<domain>/<product>), "
                "mesh:classification and mesh:owner.",
    severity="medium",
    remediation="Create product buckets through the DataProduct component, which tags them from "
                "the product spec; on a hand-made bucket add the four mesh: tags.",
    default_level="mandatory",
    types=frozenset({model.BUCKET}),
    check=check,
)
