"""Per domain: its aws provider, KMS key, producer and consumer roles."""

from __future__ import annotations

from datamesh import resource_types as types
from datamesh.plan import documents, naming
from datamesh.plan.context import COMPONENT_DOMAIN, PlanContext
from datamesh.plan.model import PROVIDER_AWS, Options, PlannedResource, placeholder

PLAIN = Options()
DATA = Options(protect=True, retain_on_delete=True)
"""Options of resources that hold or unlock data: never deleted by a spec change."""


def provider_name(domain: str) -> str:
    return naming.domain_child(domain, "aws")


def key_name(domain: str) -> str:
    return naming.domain_child(domain, "key")


def aws_provider(ctx: PlanContext, name: str, account: str, region: str, parent: str | None,
                 domain: str | None) -> PlannedResource:
    """An aws provider pinned to one account through the bootstrap deployer role."""
    tags = {"mesh:managed-by": "datamesh", "mesh:environment": ctx.env}
    if domain:
        tags["mesh:domain"] = domain
    return ctx.add(PlannedResource(
        type=PROVIDER_AWS, name=name, parent=parent, domain=domain,
        inputs={
            "region": region,
            "allowedAccountIds": [account],
            "assumeRoles": [{
                "roleArn": naming.deployer_role_arn(account, ctx.name),
                "sessionName": f"datamesh-{ctx.name}-{ctx.env}",
            }],
            "defaultTags": {"tags": tags},
        },
    ))


def plan_domain(ctx: PlanContext, domain: str) -> None:
    spec = ctx.mesh.domains[domain]
    account, region = ctx.account(domain), ctx.region(domain)
    provider = provider_name(domain)
    ctx.add(PlannedResource(type=COMPONENT_DOMAIN, name=domain, domain=domain,
                            inputs={"domain": domain, "account": account, "region": region}))
    aws_provider(ctx, provider, account, region, parent=domain, domain=domain)
    tags = {"mesh:domain": domain, "mesh:owner": spec.owner.email}

    def child(type_token: str, name: str, inputs: dict[str, object], options: Options = PLAIN) -> None:
        ctx.add(PlannedResource(type=type_token, name=name, parent=domain, provider=provider,
                                domain=domain, inputs=inputs, options=options))

    key = key_name(domain)
    child(types.KMS_KEY, key, {
        "description": f"Encrypts the data products of domain {domain} ({ctx.name} {ctx.env})",
        "enableKeyRotation": True,
        "deletionWindowInDays": 30,
        "policy": documents.to_json(documents.key_policy(account)),
        "tags": tags,
    }, DATA)
    child(types.KMS_ALIAS, naming.domain_child(domain, "key-alias"), {
        "name": f"alias/{ctx.name}/{domain}",
        "targetKeyId": placeholder(key, "arn"),
    })
    for kind, what in (("producer", "writes the domain's data products"),
                       ("consumer", "reads the data products the domain is granted")):
        child(types.IAM_ROLE, naming.domain_child(domain, kind), {
            "name": naming.role_name(ctx.name, domain, kind),
            "path": naming.ROLE_PATH,
            "description": f"Data mesh {ctx.name}: {what}",
            "assumeRolePolicy": documents.to_json(documents.account_trust(account)),
            "maxSessionDuration": 3600,
            "tags": tags,
        })

    live = [ctx.bucket(f"{domain}/{p.name}") for p in ctx.products_of(domain) if p.status != "retired"]
    producer = documents.producer_policy(
        naming.domain_bucket_prefix(ctx.name, ctx.env, domain), account, live, placeholder(key, "arn"))
    child(types.IAM_ROLE_POLICY, naming.domain_child(domain, "producer-access"), {
        "role": naming.role_name(ctx.name, domain, "producer"),
        "name": "datamesh-producer",
        "policy": documents.to_json(producer),
    }, Options(depends_on=(naming.domain_child(domain, "producer"),)))
    if ctx.grants_for_consumer(domain):
        child(types.IAM_ROLE_POLICY, naming.domain_child(domain, "consumer-access"), {
            "role": naming.role_name(ctx.name, domain, "consumer"),
            "name": "datamesh-consumer",
            "policy": documents.to_json(documents.consumer_policy(
                naming.access_point_prefix(ctx.name, domain), ctx.bucket_prefix())),
        }, Options(depends_on=(naming.domain_child(domain, "consumer"),)))
