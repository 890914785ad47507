"""Entry point of the mesh-guardrails policy pack: builds the ``PolicyPack`` and nothing else.

``PolicyPack(...)`` starts the analyzer's gRPC server and never returns, so nothing may import
this module (tests import ``mesh_guardrails`` instead). Every policy comes from
``mesh_guardrails.build_policies()``, which adapts the pure rules of ``datamesh.policy``.
"""

from mesh_guardrails import DESCRIPTION, PACK_NAME, build_policies
from pulumi_policy import EnforcementLevel, PolicyPack

PolicyPack(
    name=PACK_NAME,
    policies=build_policies(),
    enforcement_level=EnforcementLevel.MANDATORY,
    description=DESCRIPTION,
)
