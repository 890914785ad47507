"""The pure planner: a resolved mesh and an environment in, the exact resources out."""

from datamesh.plan.build import PLATFORM_SCOPE, build_plan
from datamesh.plan.model import Options, Plan, PlannedResource, placeholder

__all__ = ["PLATFORM_SCOPE", "Options", "Plan", "PlannedResource", "build_plan", "placeholder"]
