"""What every plan builder needs to know about the mesh and the environment."""

from __future__ import annotations

from dataclasses import dataclass

from datamesh.grants import Grant
from datamesh.mesh import ResolvedMesh
from datamesh.plan import naming
from datamesh.plan.model import Plan, PlannedResource
from datamesh.resource_types import COMPONENT_DISCOVERY as COMPONENT_DISCOVERY
from datamesh.resource_types import COMPONENT_DOMAIN as COMPONENT_DOMAIN
from datamesh.resource_types import COMPONENT_GRANT as COMPONENT_GRANT
from datamesh.resource_types import COMPONENT_PRODUCT as COMPONENT_PRODUCT
from datamesh.spec.models import DataProduct


@dataclass(slots=True)
class PlanContext:
    mesh: ResolvedMesh
    env: str
    plan: Plan

    def products_of(self, domain: str) -> list[DataProduct]:
        """The domain's products, in ``<domain>/<product>`` order."""
        return self.mesh.products_of(domain)

    def grants_for_product(self, product: str) -> list[Grant]:
        return self.mesh.grants_of_product(product)

    def grants_for_consumer(self, consumer: str) -> list[Grant]:
        return self.mesh.grants_of_consumer(consumer)

    @property
    def name(self) -> str:
        return self.mesh.spec.name

    def add(self, resource: PlannedResource) -> PlannedResource:
        self.plan.resources.append(resource)
        return resource

    def account(self, domain: str) -> str:
        return self.mesh.account(domain, self.env)

    def region(self, domain: str) -> str:
        return self.mesh.region(domain)

    def bucket(self, product_key: str) -> str:
        domain, _, product = product_key.partition("/")
        return naming.bucket_name(self.name, self.env, domain, product)

    def bucket_prefix(self) -> str:
        """Every bucket of this mesh environment starts with this."""
        return naming.bucket_prefix(self.name, self.env)

    def consumer_principal(self, consumer: str) -> str:
        """The IAM principal a grant names: a domain's consumer role, or the external ARN."""
        if consumer.startswith("arn:"):
            return consumer
        return naming.role_arn(self.account(consumer), self.name, consumer, "consumer")
