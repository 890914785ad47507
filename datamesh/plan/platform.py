"""Platform resources: the platform account's aws provider.

The discovery endpoint, also in the platform stack, is planned after the AWS side of the mesh
(its ConfigMaps hold the catalog built from that plan): see datamesh/plan/discovery.py.
"""

from __future__ import annotations

from datamesh.plan.context import PlanContext
from datamesh.plan.domain import aws_provider

PLATFORM_PROVIDER = "_platform.aws"


def plan_platform(ctx: PlanContext) -> None:
    platform = ctx.mesh.spec.platform
    aws_provider(ctx, PLATFORM_PROVIDER, platform.accounts[ctx.env], platform.region,
                 parent=None, domain=None)
