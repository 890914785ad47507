"""Every Pulumi resource type a mesh stack may hold: the planner's type tokens, in one place.

The planner emits its resources with these constants, and the guardrail
``mesh-resource-types-allowed`` derives its allowlist from ``ALLOWED_TYPES``: a type the planner
never emits (bucket replication, inventory, IAM users, access keys, …) is a mandatory violation
at deploy time. Adding a resource type to the mesh is one line here (``NAME = _planned("…")``);
the planner then uses the constant, and the pack allows it. Pure module: no imports, so the
policy pack reads it without the planner.
"""

from __future__ import annotations

_PLANNED: list[str] = []


def _planned(token: str) -> str:
    _PLANNED.append(token)
    return token


# mesh components (datamesh:mesh:*)
COMPONENT_DOMAIN = _planned("datamesh:mesh:Domain")
COMPONENT_PRODUCT = _planned("datamesh:mesh:DataProduct")
COMPONENT_GRANT = _planned("datamesh:mesh:AccessGrant")
COMPONENT_DISCOVERY = _planned("datamesh:mesh:DiscoveryEndpoint")

# providers
PROVIDER_AWS = _planned("pulumi:providers:aws")
PROVIDER_KUBERNETES = _planned("pulumi:providers:kubernetes")

# reads: the stack's own outputs of its last deploy (datamesh/plan/destructive.py)
STACK_REFERENCE = _planned("pulumi:pulumi:StackReference")

# a domain: its key and roles
KMS_KEY = _planned("aws:kms/key:Key")
KMS_ALIAS = _planned("aws:kms/alias:Alias")
IAM_ROLE = _planned("aws:iam/role:Role")
IAM_ROLE_POLICY = _planned("aws:iam/rolePolicy:RolePolicy")

# a product: its bucket and the bucket's controls
BUCKET = _planned("aws:s3/bucket:Bucket")
BUCKET_VERSIONING = _planned("aws:s3/bucketVersioning:BucketVersioning")
BUCKET_ENCRYPTION = _planned(
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration")
BUCKET_PUBLIC_ACCESS = _planned("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")
BUCKET_OWNERSHIP = _planned("aws:s3/bucketOwnershipControls:BucketOwnershipControls")
BUCKET_LIFECYCLE = _planned("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")
BUCKET_POLICY = _planned("aws:s3/bucketPolicy:BucketPolicy")

# a grant
ACCESS_POINT = _planned("aws:s3/accessPoint:AccessPoint")
KMS_GRANT = _planned("aws:kms/grant:Grant")

# the discovery endpoint (Kubernetes)
KUBERNETES_NAMESPACE = _planned("kubernetes:core/v1:Namespace")
KUBERNETES_DEPLOYMENT = _planned("kubernetes:apps/v1:Deployment")
KUBERNETES_SERVICE = _planned("kubernetes:core/v1:Service")
KUBERNETES_INGRESS = _planned("kubernetes:networking.k8s.io/v1:Ingress")
KUBERNETES_CONFIG_MAP = _planned("kubernetes:core/v1:ConfigMap")
KUBERNETES_POD_DISRUPTION_BUDGET = _planned("kubernetes:policy/v1:PodDisruptionBudget")
KUBERNETES_NETWORK_POLICY = _planned("kubernetes:networking.k8s.io/v1:NetworkPolicy")

PLANNED_TYPES: frozenset[str] = frozenset(_PLANNED)
"""Every type the planner may emit."""

PULUMI_STACK = "pulumi:pulumi:Stack"
"""The root resource Pulumi registers for every stack (never planned)."""

ALLOWED_TYPES: frozenset[str] = PLANNED_TYPES | {PULUMI_STACK}
"""What a mesh stack may contain; anything else is refused at deploy time."""
