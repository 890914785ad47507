"""``Domain``: one domain's footing in its own account.

Children (see docs/resources.md): the domain's ``aws`` provider (its account and region,
through the bootstrap deployer role), its KMS key (protected, retained) and alias, its
producer and consumer roles, and their inline policies.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pulumi
import pulumi_aws as aws

from components._context import PlanMismatch, StackContext, expect
from datamesh import resource_types as types
from datamesh.plan import PlannedResource
from datamesh.plan.model import PROVIDER_AWS

TYPE = types.COMPONENT_DOMAIN


def aws_provider(planned: PlannedResource, ctx: StackContext, parent: pulumi.Resource | None) -> aws.Provider:
    """An ``aws.Provider`` pinned to one account: ``allowed_account_ids`` refuses any other."""
    i = expect(planned.name, planned.inputs, ("region", "allowedAccountIds", "assumeRoles", "defaultTags"))
    roles = [expect(f"{planned.name}.assumeRoles", r, ("roleArn", "sessionName")) for r in i["assumeRoles"]]
    tags = expect(f"{planned.name}.defaultTags", i["defaultTags"], ("tags",))
    return aws.Provider(planned.name, aws.ProviderArgs(
        region=i["region"],
        allowed_account_ids=list(i["allowedAccountIds"]),
        assume_roles=[aws.ProviderAssumeRoleArgs(role_arn=r["roleArn"], session_name=r["sessionName"])
                      for r in roles],
        default_tags=aws.ProviderDefaultTagsArgs(tags=dict(tags["tags"])),
    ), opts=ctx.options(planned, parent))


def _key(planned: PlannedResource, ctx: StackContext, parent: pulumi.Resource) -> aws.kms.Key:
    i = expect(planned.name, planned.inputs,
               ("description", "enableKeyRotation", "deletionWindowInDays", "policy", "tags"))
    return aws.kms.Key(planned.name, aws.kms.KeyArgs(
        description=i["description"],
        enable_key_rotation=i["enableKeyRotation"],
        deletion_window_in_days=i["deletionWindowInDays"],
        policy=ctx.document(i["policy"]),
        tags=dict(i["tags"]),
    ), opts=ctx.options(planned, parent))


def _alias(planned: PlannedResource, ctx: StackContext, parent: pulumi.Resource) -> aws.kms.Alias:
    i = expect(planned.name, planned.inputs, ("name", "targetKeyId"))
    return aws.kms.Alias(planned.name, aws.kms.AliasArgs(
        name=i["name"], target_key_id=ctx.value(i["targetKeyId"]),
    ), opts=ctx.options(planned, parent))


def _role(planned: PlannedResource, ctx: StackContext, parent: pulumi.Resource) -> aws.iam.Role:
    i = expect(planned.name, planned.inputs,
               ("name", "path", "description", "assumeRolePolicy", "maxSessionDuration", "tags"))
    return aws.iam.Role(planned.name, aws.iam.RoleArgs(
        name=i["name"],
        path=i["path"],
        description=i["description"],
        assume_role_policy=ctx.document(i["assumeRolePolicy"]),
        max_session_duration=i["maxSessionDuration"],
        tags=dict(i["tags"]),
    ), opts=ctx.options(planned, parent))


def _role_policy(planned: PlannedResource, ctx: StackContext, parent: pulumi.Resource) -> aws.iam.RolePolicy:
    i = expect(planned.name, planned.inputs, ("role", "name", "policy"))
    return aws.iam.RolePolicy(planned.name, aws.iam.RolePolicyArgs(
        role=i["role"], name=i["name"], policy=ctx.document(i["policy"]),
    ), opts=ctx.options(planned, parent))


_BUILDERS = {
    types.KMS_KEY: _key,
    types.KMS_ALIAS: _alias,
    types.IAM_ROLE: _role,
    types.IAM_ROLE_POLICY: _role_policy,
}


class Domain(pulumi.ComponentResource):
    """A domain: provider, KMS key and alias, producer and consumer roles with their policies.

    ``planned`` is the plan's ``datamesh:mesh:Domain`` resource (its inputs become the
    component's props, which the policy pack reads at deploy time); ``children`` are the
    planned resources whose parent it is, in plan order (providers first).
    """

    provider: aws.Provider
    key: aws.kms.Key
    roles: dict[str, aws.iam.Role]
    """By logical name: ``<domain>.producer``, ``<domain>.consumer``."""
    children: dict[str, pulumi.Resource]
    """Every child by logical name."""

    def __init__(self, planned: PlannedResource, children: Sequence[PlannedResource], ctx: StackContext,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        if planned.type != TYPE:
            raise PlanMismatch(f"{planned.name}: a Domain materialises {TYPE}, not {planned.type}")
        props: Mapping[str, Any] = expect(planned.name, planned.inputs, ("domain", "account", "region"))
        super().__init__(TYPE, planned.name, dict(props), ctx.component_options(planned, opts))
        ctx.add(planned.name, self)
        self.children = {}
        self.roles = {}
        # Providers first: every other child is created through one.
        for child in sorted(children, key=lambda r: r.type != PROVIDER_AWS):
            if child.type == PROVIDER_AWS:
                self.provider = ctx.add(child.name, aws_provider(child, ctx, self))
                resource: pulumi.Resource = self.provider
            else:
                builder = _BUILDERS.get(child.type)
                if builder is None:
                    raise PlanMismatch(f"{child.name}: a Domain does not materialise {child.type}")
                resource = ctx.add(child.name, builder(child, ctx, self))
                if isinstance(resource, aws.kms.Key):
                    self.key = resource
                elif isinstance(resource, aws.iam.Role):
                    self.roles[child.name] = resource
            self.children[child.name] = resource
        if not hasattr(self, "provider") or not hasattr(self, "key"):
            raise PlanMismatch(f"{planned.name}: a Domain needs its aws provider and its KMS key")
        self.register_outputs({
            "keyArn": self.key.arn,
            "roleArns": {name: role.arn for name, role in self.roles.items()},
        })
