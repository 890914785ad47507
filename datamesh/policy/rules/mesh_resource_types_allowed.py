"""mesh-resource-types-allowed: a mesh stack holds only the resource types the planner emits.

An allowlist, not a blocklist: bucket replication or inventory (copies of the data elsewhere),
IAM users and access keys (long-lived credentials), managed policies, access point policies,
bucket ACLs … are each a read path the other rules would have to know about. The allowlist is
``datamesh.resource_types.ALLOWED_TYPES``: every type the planner emits, plus Pulumi's own stack
resource. A new planned type is one line there.
"""

from __future__ import annotations

from datamesh.policy.model import EVERY_TYPE, ResourceRule, ResourceView, RuleContext
from datamesh.resource_types import ALLOWED_TYPES


def check(resource: ResourceView, ctx: RuleContext) -> list[str]:
    if resource.type in ALLOWED_TYPES:
        return []
    return [f"the resource type {resource.type} is not one the mesh creates: only the planner's "
            f"types may be deployed in a mesh stack"]


RULE = ResourceRule(
    id="mesh-resource-types-allowed",
    description="A mesh stack contains only the resource types the planner emits (and Pulumi's "
                "own stack and provider types); anything else is refused.",
    severity="critical",
    remediation="Remove the resource from the program: everything a mesh stack deploys comes from "
                "the specs through the plan. A new kind of resource is added to the planner and to "
                "datamesh/resource_types.py first.",
    default_level="mandatory",
    types=frozenset({EVERY_TYPE}),
    check=check,
)
