"""The three kinds of spec-v1 as pydantic models: ``Mesh``, ``Domain``, ``DataProduct``.

Field names are the public contract (``shared/spec-v1.md``) and never change. Models are
strict (a quoted "400" is not a number), frozen, and forbid unknown keys. Checks that relate
two fields of one file, or several files, live in ``datamesh.checks`` and ``datamesh.resolve``
so their errors can point at the exact field.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from datamesh.spec.types import (
    AccountId,
    DomainName,
    Duration,
    Email,
    EnvironmentName,
    GitHubHandle,
    HostName,
    KubernetesName,
    MeshName,
    OwnerEmail,
    PositiveDays,
    ProductName,
    ProductRef,
    Ratio,
    Region,
    RoleArn,
    SemVer,
    SpecDate,
    Tag,
    Text,
)

API_VERSION = "datamesh/v1"

Status = Literal["draft", "active", "deprecated", "retired"]
ProductType = Literal["source-aligned", "aggregate", "consumer-aligned"]
Classification = Literal["public", "internal", "confidential", "restricted"]
SharingMode = Literal["open", "approval", "private"]
SchemaFormat = Literal["parquet", "json", "csv", "avro", "iceberg"]

GRANTING_STATUSES: frozenset[str] = frozenset({"active", "deprecated"})
"""Only products in these statuses give anyone access (spec-v1, "What a grant is")."""


class SpecModel(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, strict=True, populate_by_name=True, defer_build=True
    )


# --- mesh.yaml ------------------------------------------------------------------------------


class Platform(SpecModel):
    accounts: dict[EnvironmentName, AccountId]
    """(required) The platform account of each environment; runs the discovery endpoint."""
    region: Region
    """(required) Default region of every domain and the region of the platform's resources."""


class ExternalAccount(SpecModel):
    id: AccountId
    """(required) The 12-digit account id, quoted."""
    name: Text
    """(required) Who this account belongs to, as shown in the catalog."""
    contact: Email | None = None
    """Who to contact about grants to this account; absent: the catalog shows no contact."""


class KubernetesDiscovery(SpecModel):
    namespace: KubernetesName = "data-mesh"
    """Namespace of the discovery endpoint; default ``data-mesh`` (created if missing)."""
    image: Text
    """(required) Container image of the discovery endpoint (``mesh serve``)."""
    replicas: int = Field(default=2, ge=1, le=50)
    """Pods serving the catalog; default 2, so one can restart without downtime."""
    host: HostName | None = None
    """Public host name; when set an Ingress is created, absent the Service is cluster-only."""


class Discovery(SpecModel):
    kubernetes: KubernetesDiscovery
    """(required) Where the discovery endpoint runs."""


class Mesh(SpecModel):
    api_version: Literal["datamesh/v1"] = Field(alias="apiVersion")
    kind: Literal["Mesh"]
    name: MeshName
    """(required) Organisation slug; prefixes every physical name."""
    environments: list[EnvironmentName] = Field(min_length=1)
    """(required) The environments; a stack deploys exactly one. The first is the default."""
    platform: Platform
    """(required) The platform team's accounts and the default region."""
    external_accounts: list[ExternalAccount] = []
    """The only non-mesh accounts that may receive grants; default none."""
    discovery: Discovery | None = None
    """Where to deploy the catalog API; absent: no endpoint (the catalog still works offline)."""


# --- domain.yaml ----------------------------------------------------------------------------


class Owner(SpecModel):
    team: Text
    """(required) The owning team's name."""
    email: OwnerEmail
    """(required) Where to reach the team; the approver of access requests without github. Also
    the ``mesh:owner`` tag of the domain's resources, so it must be a valid AWS tag value."""
    github: GitHubHandle | None = None
    """GitHub team owning ``domains/<domain>/`` in CODEOWNERS; absent: a warning (DM207)."""


class DomainAws(SpecModel):
    accounts: dict[EnvironmentName, AccountId]
    """(required) The domain's account in every mesh environment."""
    region: Region | None = None
    """Region of the domain's resources; absent: the mesh platform region."""


class Request(SpecModel):
    product: ProductRef
    """(required) The product read, as ``<domain>/<product>``."""
    purpose: Text | None = None
    """Why the data is needed; shown to the approver and in the catalog."""


class Domain(SpecModel):
    api_version: Literal["datamesh/v1"] = Field(alias="apiVersion")
    kind: Literal["Domain"]
    name: DomainName
    """(required) Equals the domain's folder name."""
    description: Text
    """(required) What the domain is about."""
    owner: Owner
    """(required) The owning team."""
    aws: DomainAws
    """(required) Accounts and region of the domain."""
    consumes: list[Request] = []
    """Access requests not tied to one product; default none."""


# --- products/<product>.yaml ------------------------------------------------------------------


class Retention(SpecModel):
    days: PositiveDays
    """(required) Current objects expire this many days after creation."""
    archive_after_days: PositiveDays | None = None
    """Move objects to GLACIER_IR after this many days (< days); absent: never archived."""
    noncurrent_days: PositiveDays = 30
    """Overwritten or deleted object versions expire after this many days; default 30."""


class Guarantees(SpecModel):
    freshness: Duration | None = None
    """Maximum age of the newest data (15m, 1h, 1d)."""
    update_frequency: Text | None = None
    """How often the product is updated, in words (hourly, daily …)."""
    completeness: Ratio | None = None
    """Fraction of expected records present, 0..1."""
    availability: Ratio | None = None
    """Fraction of time the product is readable, 0..1."""


class SchemaField(SpecModel):
    name: Text
    """(required) Column name."""
    type: Text
    """(required) Logical type (string, long, timestamp, decimal(10,2) …)."""
    required: bool = False
    """Whether every record has a value; default false."""
    description: Text | None = None
    """What the column means."""
    pii: bool = False
    """Whether the column holds personal data; default false."""


class Schema(SpecModel):
    format: SchemaFormat
    """(required) File format of the product's objects."""
    fields: list[SchemaField] = []
    """Columns; default none listed."""


class Approval(SpecModel):
    domain: DomainName | None = None
    """A mesh domain allowed to read; exactly one of ``domain`` and ``principal``."""
    principal: RoleArn | None = None
    """An external IAM role allowed to read; its account must be in external_accounts."""
    until: SpecDate | None = None
    """Last day of access, inclusive; absent: no end (required for restricted products)."""
    purpose: Text | None = None
    """Why access was approved."""

    @model_validator(mode="after")
    def _exactly_one_grantee(self) -> Approval:
        if (self.domain is None) == (self.principal is None):
            got = "both" if self.domain is not None else "neither"
            raise PydanticCustomError("DM110", f"an approval names exactly one of domain and principal, got {got}")
        return self

    @property
    def grantee(self) -> str:
        """The domain name or principal ARN this approval is for."""
        return self.domain or self.principal or ""


class Sharing(SpecModel):
    mode: SharingMode = "approval"
    """open: any mesh domain that asks may read; approval (default): only those approved;
    private: nobody outside the domain."""
    approved: list[Approval] = []
    """Domains and external principals the owner approved; default none."""


class Deprecation(SpecModel):
    sunset: SpecDate
    """(required) The day after which the product should be retired."""
    replaced_by: ProductRef | None = None
    """The successor product, as ``<domain>/<product>``."""


class DataProduct(SpecModel):
    api_version: Literal["datamesh/v1"] = Field(alias="apiVersion")
    kind: Literal["DataProduct"]
    name: ProductName
    """(required) Equals the file stem."""
    description: Text
    """(required) What the product contains."""
    version: SemVer
    """(required) Semantic version; a major bump is a breaking change, flagged in diffs."""
    status: Status = "active"
    """Lifecycle status; default active. Only active and deprecated products grant access."""
    type: ProductType = "source-aligned"
    """Kind of product; default source-aligned."""
    classification: Classification
    """(required) Sensitivity; drives policies (restricted: dated grants, capped retention)."""
    tags: list[Tag] = []
    """Catalog tags; default none."""
    retention: Retention
    """(required) How long data is kept; compiled into the bucket lifecycle."""
    guarantees: Guarantees | None = None
    """Service levels, published in the catalog exactly as written."""
    schema_: Schema | None = Field(default=None, alias="schema")
    """The product's columns; absent: a warning (DM208)."""
    inputs: list[Request] = []
    """Lineage, and the access requests this product makes; default none."""
    sharing: Sharing = Sharing()
    """Who may read; default: approval mode with nobody approved."""
    deprecation: Deprecation | None = None
    """Required when status is deprecated."""

    @property
    def grants_access(self) -> bool:
        return self.status in GRANTING_STATUSES


def approval_active(approval: Approval, today: date) -> bool:
    """An approval holds through its ``until`` day, inclusive."""
    return approval.until is None or approval.until >= today
