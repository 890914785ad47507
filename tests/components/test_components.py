"""Each component under Pulumi mocks: exact child types, names, parents, providers and inputs.

The expectations are written out here, independently of the planner, on a small mesh
``acme``: domain alpha (product events, shared with domain beta until 2027-01-31 and with an
external partner role) and domain beta (asks for alpha/events), plus a discovery endpoint
without a host. Keys get real-looking ARNs from the mocks, which proves the components pass
the key's real Output where the plan writes ``${alpha.key.arn}``.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pulumi
import pytest
from pulumi_harness import Engine, wait_for

from components._context import PlanMismatch, StackContext, expect
from components.data_product import DataProduct
from components.discovery import DiscoveryEndpoint
from components.domain import Domain
from components.mesh import materialise
from datamesh.plan import Plan, PlannedResource, build_plan
from datamesh.plan.naming import h8
from datamesh.resolve import load_mesh

TODAY = date(2026, 11, 25)
ALPHA_KEY_ARN = "arn:aws:kms:eu-west-1:100000000001:key/1111aaaa-alpha"
BETA_KEY_ARN = "arn:aws:kms:eu-west-1:100000000002:key/2222bbbb-beta"
ARNS = {"alpha.key": ALPHA_KEY_ARN, "beta.key": BETA_KEY_ARN}
PARTNER = "arn:aws:iam::444455556666:role/partner-reader"
PARTNER_SLUG = f"_ext-{h8(PARTNER)}"
BUCKET = "acme-dev--alpha--events"

FILES = {
    "mesh.yaml": """\
apiVersion: datamesh/v1
kind: Mesh
name: acme
environments: [dev, prod]
platform:
  accounts: {dev: "900000000001", prod: "900000000002"}
  region: eu-west-1
external_accounts:
  - {id: "444455556666", name: partner}
discovery:
  kubernetes:
    image: ghcr.io/acme/mesh-discovery:2.0.0
""",
    "alpha/domain.yaml": """\
apiVersion: datamesh/v1
kind: Domain
name: alpha
description: The alpha domain.
owner: {team: Alpha, email: alpha@acme.example, github: "@acme/alpha"}
aws:
  accounts: {dev: "100000000001", prod: "200000000001"}
""",
    "beta/domain.yaml": """\
apiVersion: datamesh/v1
kind: Domain
name: beta
description: The beta domain.
owner: {team: Beta, email: beta@acme.example, github: "@acme/beta"}
aws:
  accounts: {dev: "100000000002", prod: "200000000002"}
  region: eu-central-1
consumes:
  - {product: alpha/events, purpose: test}
""",
    "alpha/products/events.yaml": """\
apiVersion: datamesh/v1
kind: DataProduct
name: events
description: Alpha's events.
version: 1.0.0
classification: confidential
retention: {days: 400, archive_after_days: 90, noncurrent_days: 14}
schema: {format: parquet}
sharing:
  mode: approval
  approved:
    - {domain: beta, until: 2027-01-31}
    - {principal: "arn:aws:iam::444455556666:role/partner-reader"}
""",
}


def compact(doc: Any) -> str:
    return json.dumps(doc, separators=(",", ":"))


@pytest.fixture(scope="module")
def plan(tmp_path_factory: pytest.TempPathFactory) -> Plan:
    root = tmp_path_factory.mktemp("acme") / "domains"
    for rel, text in FILES.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    resolution = load_mesh(str(root), TODAY)
    assert resolution.mesh is not None, [d.format() for d in resolution.report.errors]
    return build_plan(resolution.mesh, "dev")


def slice_of(plan: Plan, name: str) -> tuple[PlannedResource, list[PlannedResource]]:
    """A component's planned resource and its descendants, in plan order."""
    by_name = plan.by_name()

    def below(r: PlannedResource) -> bool:
        node = r.parent
        while node is not None:
            if node == name:
                return True
            node = by_name[node].parent
        return False

    return by_name[name], [r for r in plan.resources if below(r)]


def build_domain(plan: Plan, ctx: StackContext, name: str) -> Domain:
    planned, children = slice_of(plan, name)
    own = [c for c in children if c.parent == name and c.type != "datamesh:mesh:DataProduct"]
    return Domain(planned, own, ctx)


@pytest.fixture
def acme_engine(new_engine) -> Engine:
    return new_engine(arns=ARNS)


def registered(engine: Engine) -> dict[str, Any]:
    return engine.registrations()


# --- Domain -----------------------------------------------------------------------------------


def test_domain_registers_its_provider_key_roles_and_policies(plan, acme_engine):
    @pulumi.runtime.test
    def run():
        ctx = StackContext(plan.resources)
        domain = build_domain(plan, ctx, "alpha")
        assert set(domain.children) == {"alpha.aws", "alpha.key", "alpha.key-alias", "alpha.producer",
                                        "alpha.consumer", "alpha.producer-access"}
        return wait_for([domain, *domain.children.values()])

    run()
    regs = registered(acme_engine)
    assert {(r.type, r.name, r.parent, r.provider) for r in regs.values()} == {
        ("datamesh:mesh:Domain", "alpha", None, None),
        ("pulumi:providers:aws", "alpha.aws", "alpha", None),
        ("aws:kms/key:Key", "alpha.key", "alpha", "alpha.aws"),
        ("aws:kms/alias:Alias", "alpha.key-alias", "alpha", "alpha.aws"),
        ("aws:iam/role:Role", "alpha.producer", "alpha", "alpha.aws"),
        ("aws:iam/role:Role", "alpha.consumer", "alpha", "alpha.aws"),
        ("aws:iam/rolePolicy:RolePolicy", "alpha.producer-access", "alpha", "alpha.aws"),
    }
    # alpha is granted nothing: no consumer-access policy
    assert regs["alpha"].inputs == {"domain": "alpha", "account": "100000000001", "region": "eu-west-1"}
    assert regs["alpha"].custom is False

    provider = regs["alpha.aws"].inputs
    assert provider == {
        "region": "eu-west-1",
        "allowedAccountIds": '["100000000001"]',
        "assumeRoles": '[{"roleArn": "arn:aws:iam::100000000001:role/acme-deployer", '
                       '"sessionName": "datamesh-acme-dev"}]',
        "defaultTags": '{"tags": {"mesh:managed-by": "datamesh", "mesh:environment": "dev", '
                       '"mesh:domain": "alpha"}}',
        "skipCredentialsValidation": "false",
        "skipRegionValidation": "true",
    }

    key = regs["alpha.key"]
    assert (key.protect, key.retain_on_delete) == (True, True)
    assert key.inputs == {
        "description": "Encrypts the data products of domain alpha (acme dev)",
        "enableKeyRotation": True,
        "deletionWindowInDays": 30,
        "policy": compact({"Version": "2012-10-17", "Statement": [{
            "Sid": "AccountAdministersKeyThroughIam", "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::100000000001:root"}, "Action": "kms:*", "Resource": "*"}]}),
        "tags": {"mesh:domain": "alpha", "mesh:owner": "alpha@acme.example"},
    }

    alias = regs["alpha.key-alias"]
    assert alias.inputs == {"name": "alias/acme/alpha", "targetKeyId": ALPHA_KEY_ARN}
    assert alias.dependencies == {"alpha.key"}
    assert (alias.protect, alias.retain_on_delete) == (False, False)

    producer = regs["alpha.producer"]
    assert producer.inputs == {
        "name": "acme-alpha-producer",
        "path": "/datamesh/",
        "description": "Data mesh acme: writes the domain's data products",
        "assumeRolePolicy": compact({"Version": "2012-10-17", "Statement": [{
            "Sid": "DomainAccountAssumes", "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::100000000001:root"}, "Action": "sts:AssumeRole"}]}),
        "maxSessionDuration": 3600,
        "tags": {"mesh:domain": "alpha", "mesh:owner": "alpha@acme.example"},
    }
    assert regs["alpha.consumer"].inputs["name"] == "acme-alpha-consumer"

    access = regs["alpha.producer-access"]
    domain_pattern = "arn:aws:s3:::acme-dev--alpha--*"  # every bucket of alpha, in alpha's account only
    assert access.inputs == {
        "role": "acme-alpha-producer",
        "name": "datamesh-producer",
        # the key's real ARN (from the engine), where the plan writes ${alpha.key.arn}
        "policy": compact({"Version": "2012-10-17", "Statement": [
            {"Sid": "WriteDomainProducts", "Effect": "Allow",
             "Action": ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject", "s3:DeleteObject",
                        "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
             "Resource": [f"{domain_pattern}/*"],
             "Condition": {"StringEquals": {"aws:ResourceAccount": "100000000001"}}},
            {"Sid": "ListDomainProducts", "Effect": "Allow",
             "Action": ["s3:ListBucket", "s3:GetBucketLocation", "s3:ListBucketMultipartUploads"],
             "Resource": [domain_pattern],
             "Condition": {"StringEquals": {"aws:ResourceAccount": "100000000001"}}},
            {"Sid": "UseDomainKey", "Effect": "Allow",
             "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*",
                        "kms:DescribeKey"],
             "Resource": ALPHA_KEY_ARN},
        ]}),
    }
    assert access.dependencies == {"alpha.producer", "alpha.key"}


def test_a_granted_domain_gets_its_consumer_policy(plan, acme_engine):
    @pulumi.runtime.test
    def run():
        domain = build_domain(plan, StackContext(plan.resources), "beta")
        return wait_for([domain, *domain.children.values()])

    run()
    regs = registered(acme_engine)
    assert regs["beta.aws"].inputs["region"] == "eu-central-1"
    policy = regs["beta.consumer-access"]
    assert (policy.parent, policy.provider) == ("beta", "beta.aws")
    ap = f"arn:aws:s3:*:*:accesspoint/acme-{h8('beta')}-*"
    assert policy.inputs == {
        "role": "acme-beta-consumer",
        "name": "datamesh-consumer",
        "policy": compact({"Version": "2012-10-17", "Statement": [
            {"Sid": "ReadThroughGrantedAccessPoints", "Effect": "Allow",
             "Action": ["s3:GetObject", "s3:GetObjectVersion", "s3:ListBucket"],
             "Resource": [ap, f"{ap}/object/*"]},
            {"Sid": "DecryptGrantedProductsViaS3", "Effect": "Allow", "Action": "kms:Decrypt",
             "Resource": "arn:aws:kms:*:*:key/*",
             "Condition": {"StringLike": {"kms:ViaService": "s3.*.amazonaws.com",
                                          "kms:EncryptionContext:aws:s3:arn": "arn:aws:s3:::acme-dev--*"}}},
        ]}),
    }
    assert policy.dependencies == {"beta.consumer"}


# --- DataProduct and AccessGrant --------------------------------------------------------------


def materialise_alpha_events(plan: Plan) -> None:
    """Domains alpha and beta, and product alpha/events with its grants, waited for under mocks."""

    @pulumi.runtime.test
    def run():
        ctx = StackContext(plan.resources)
        alpha = build_domain(plan, ctx, "alpha")
        beta = build_domain(plan, ctx, "beta")
        planned, children = slice_of(plan, "alpha/events")
        product = DataProduct(planned, children, ctx, pulumi.ResourceOptions(parent=alpha))
        grants = [c for g in product.grants.values() for c in (g, *g.children.values())]
        return wait_for([alpha, beta, product, *product.children.values(), *grants])

    run()


def test_data_product_registers_its_bucket_settings_and_grants(plan, acme_engine):
    materialise_alpha_events(plan)
    regs = registered(acme_engine)
    p = "alpha/events"
    grant_beta, grant_ext = f"{p}.grant.beta", f"{p}.grant.{PARTNER_SLUG}"
    assert {(r.type, r.name, r.parent, r.provider) for r in regs.values()
            if r.name.startswith(p)} == {
        ("datamesh:mesh:DataProduct", p, "alpha", None),
        ("aws:s3/bucket:Bucket", f"{p}.bucket", p, "alpha.aws"),
        ("aws:s3/bucketVersioning:BucketVersioning", f"{p}.versioning", p, "alpha.aws"),
        ("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
         f"{p}.encryption", p, "alpha.aws"),
        ("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", f"{p}.public-access", p, "alpha.aws"),
        ("aws:s3/bucketOwnershipControls:BucketOwnershipControls", f"{p}.ownership", p, "alpha.aws"),
        ("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", f"{p}.lifecycle", p,
         "alpha.aws"),
        ("aws:s3/bucketPolicy:BucketPolicy", f"{p}.policy", p, "alpha.aws"),
        ("datamesh:mesh:AccessGrant", grant_beta, p, None),
        ("aws:s3/accessPoint:AccessPoint", f"{grant_beta}.access-point", grant_beta, "alpha.aws"),
        ("aws:kms/grant:Grant", f"{grant_beta}.key-grant", grant_beta, "alpha.aws"),
        ("datamesh:mesh:AccessGrant", grant_ext, p, None),
        ("aws:s3/accessPoint:AccessPoint", f"{grant_ext}.access-point", grant_ext, "alpha.aws"),
        ("aws:kms/grant:Grant", f"{grant_ext}.key-grant", grant_ext, "alpha.aws"),
    }
    assert regs[p].inputs == {"product": p, "bucket": BUCKET, "classification": "confidential",
                              "status": "active", "retentionDays": 400}

    bucket = regs[f"{p}.bucket"]
    assert (bucket.protect, bucket.retain_on_delete) == (True, True)
    assert bucket.inputs == {"bucket": BUCKET, "forceDestroy": False, "tags": {
        "mesh:domain": "alpha", "mesh:product": p, "mesh:classification": "confidential",
        "mesh:owner": "alpha@acme.example", "mesh:status": "active"}}

    settings = {s: regs[f"{p}.{s}"] for s in ("versioning", "encryption", "public-access", "ownership",
                                               "lifecycle", "policy")}
    for s in settings.values():
        assert (s.protect, s.retain_on_delete) == (False, True)
        assert f"{p}.bucket" in s.dependencies  # the bucket's real Output, so it waits for it
    assert settings["versioning"].inputs == {"bucket": BUCKET, "versioningConfiguration": {"status": "Enabled"}}
    assert settings["encryption"].inputs == {"bucket": BUCKET, "rules": [{
        "applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": ALPHA_KEY_ARN},
        "bucketKeyEnabled": True}]}
    assert settings["encryption"].dependencies == {f"{p}.bucket", "alpha.key"}
    assert settings["public-access"].inputs == {"bucket": BUCKET, "blockPublicAcls": True,
                                                "blockPublicPolicy": True, "ignorePublicAcls": True,
                                                "restrictPublicBuckets": True}
    assert settings["ownership"].inputs == {"bucket": BUCKET, "rule": {"objectOwnership": "BucketOwnerEnforced"}}
    assert settings["lifecycle"].inputs == {"bucket": BUCKET, "rules": [{
        "id": "mesh-retention", "status": "Enabled", "filter": {},
        "expiration": {"days": 400},
        "noncurrentVersionExpiration": {"noncurrentDays": 14},
        "abortIncompleteMultipartUpload": {"daysAfterInitiation": 7},
        "transitions": [{"days": 90, "storageClass": "GLACIER_IR"}]}]}
    assert settings["lifecycle"].dependencies == {f"{p}.bucket", f"{p}.versioning"}
    arn = f"arn:aws:s3:::{BUCKET}"
    assert settings["policy"].inputs == {"bucket": BUCKET, "policy": compact({
        "Version": "2012-10-17", "Statement": [
            {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
             "Resource": [arn, f"{arn}/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
            {"Sid": "DelegateReadToOwnAccessPoints", "Effect": "Allow", "Principal": {"AWS": "*"},
             "Action": ["s3:GetObject", "s3:GetObjectVersion", "s3:ListBucket"],
             "Resource": [arn, f"{arn}/*"],
             "Condition": {"StringEquals": {"s3:DataAccessPointAccount": "100000000001"}}}]})}

    # the grant to domain beta: its consumer role, waiting for it (same stack)
    beta_role = "arn:aws:iam::100000000002:role/datamesh/acme-beta-consumer"
    assert regs[grant_beta].inputs == {"product": p, "consumer": "beta", "consumerKind": "domain",
                                       "principal": beta_role, "until": "2027-01-31",
                                       "classification": "confidential"}
    ap_name = f"acme-{h8('beta')}-{h8('dev/alpha/events')}"
    ap_arn = f"arn:aws:s3:eu-west-1:100000000001:accesspoint/{ap_name}"
    ap = regs[f"{grant_beta}.access-point"]
    assert ap.inputs == {
        "bucket": BUCKET,
        "name": ap_name,
        "policy": compact({"Version": "2012-10-17", "Statement": [{
            "Sid": "ReadForGrantedConsumer", "Effect": "Allow", "Principal": {"AWS": beta_role},
            "Action": ["s3:GetObject", "s3:GetObjectVersion", "s3:ListBucket"],
            "Resource": [ap_arn, f"{ap_arn}/object/*"],
            # until 2027-01-31 inclusive: AWS itself ends access at the start of 2027-02-01 (UTC)
            "Condition": {"DateLessThan": {"aws:CurrentTime": "2027-02-01T00:00:00Z"}}}]}),
        "publicAccessBlockConfiguration": {"blockPublicAcls": True, "blockPublicPolicy": True,
                                           "ignorePublicAcls": True, "restrictPublicBuckets": True},
        "tags": {"mesh:domain": "alpha", "mesh:product": p, "mesh:classification": "confidential",
                 "mesh:consumer": "beta", "mesh:grant-until": "2027-01-31"},
    }
    assert ap.dependencies == {f"{p}.bucket", "beta.consumer"}
    key_grant = regs[f"{grant_beta}.key-grant"]
    assert key_grant.inputs == {
        "name": ap_name, "keyId": ALPHA_KEY_ARN, "granteePrincipal": beta_role, "operations": ["Decrypt"],
        "constraints": [{"encryptionContextSubset": {"aws:s3:arn": arn}}], "retireOnDelete": False}
    assert key_grant.dependencies == {"alpha.key", "beta.consumer"}

    # the grant to the external partner: no end (no `until` prop reaches the engine), no wait
    assert regs[grant_ext].inputs == {"product": p, "consumer": PARTNER, "consumerKind": "external",
                                      "principal": PARTNER, "classification": "confidential"}
    assert regs[f"{grant_ext}.access-point"].inputs["tags"]["mesh:grant-until"] == "none"
    ext_ap_arn = f"arn:aws:s3:eu-west-1:100000000001:accesspoint/acme-{h8(PARTNER)}-{h8('dev/alpha/events')}"
    assert regs[f"{grant_ext}.access-point"].inputs["policy"] == compact({  # no end: no time condition
        "Version": "2012-10-17", "Statement": [{
            "Sid": "ReadForGrantedConsumer", "Effect": "Allow", "Principal": {"AWS": PARTNER},
            "Action": ["s3:GetObject", "s3:GetObjectVersion", "s3:ListBucket"],
            "Resource": [ext_ap_arn, f"{ext_ap_arn}/object/*"]}]})
    assert regs[f"{grant_ext}.access-point"].dependencies == {f"{p}.bucket"}
    assert regs[f"{grant_ext}.key-grant"].inputs["granteePrincipal"] == PARTNER
    assert regs[f"{grant_ext}.key-grant"].dependencies == {"alpha.key"}


# --- DiscoveryEndpoint ------------------------------------------------------------------------


def test_discovery_endpoint_registers_its_kubernetes_workload(plan, acme_engine):
    @pulumi.runtime.test
    def run():
        planned, children = slice_of(plan, "_platform.discovery")
        endpoint = DiscoveryEndpoint(planned, children, StackContext(plan.resources))
        return wait_for([endpoint, *endpoint.children.values()])

    run()
    regs = registered(acme_engine)
    d = "_platform.discovery"
    assert {(r.type, r.name, r.parent, r.provider) for r in regs.values()} == {
        ("datamesh:mesh:DiscoveryEndpoint", d, None, None),
        ("pulumi:providers:kubernetes", f"{d}.k8s", d, None),
        ("kubernetes:core/v1:Namespace", f"{d}.namespace", d, f"{d}.k8s"),
        ("kubernetes:apps/v1:Deployment", f"{d}.deployment", d, f"{d}.k8s"),
        ("kubernetes:core/v1:Service", f"{d}.service", d, f"{d}.k8s"),
        # no host: no ingress
    }
    assert regs[d].inputs == {"namespace": "data-mesh", "image": "ghcr.io/acme/mesh-discovery:2.0.0",
                              "replicas": 2}
    assert regs[f"{d}.k8s"].inputs == {}
    labels = {"app.kubernetes.io/name": "mesh-discovery", "app.kubernetes.io/part-of": "acme"}
    assert regs[f"{d}.namespace"].inputs == {"apiVersion": "v1", "kind": "Namespace",
                                             "metadata": {"name": "data-mesh", "labels": labels}}
    deployment = regs[f"{d}.deployment"].inputs
    assert (deployment["apiVersion"], deployment["kind"]) == ("apps/v1", "Deployment")
    assert deployment["metadata"] == {"name": "mesh-discovery", "namespace": "data-mesh", "labels": labels}
    assert deployment["spec"]["replicas"] == 2
    pod = deployment["spec"]["template"]["spec"]
    assert pod["automountServiceAccountToken"] is False
    assert pod["securityContext"] == {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}}
    [container] = pod["containers"]
    assert container["image"] == "ghcr.io/acme/mesh-discovery:2.0.0"
    assert container["args"] == ["serve", "--host", "0.0.0.0", "--port", "8080"]
    assert container["securityContext"] == {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True,
                                            "capabilities": {"drop": ["ALL"]}}
    assert regs[f"{d}.service"].inputs["spec"] == {
        "selector": labels, "ports": [{"name": "http", "port": 80, "targetPort": "http"}]}


def test_a_discovery_host_adds_an_ingress(new_engine):
    example = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "streaming" / "domains"
    resolution = load_mesh(str(example), TODAY)
    assert resolution.mesh is not None, [d.format() for d in resolution.report.errors]
    plan = build_plan(resolution.mesh, "prod", ["platform"])
    engine = new_engine()

    @pulumi.runtime.test
    def run():
        made = materialise(plan)
        return wait_for(made.resources.values())

    run()
    ingress = engine.registrations()["_platform.discovery.ingress"]
    assert (ingress.type, ingress.parent, ingress.provider) == (
        "kubernetes:networking.k8s.io/v1:Ingress", "_platform.discovery", "_platform.discovery.k8s")
    assert ingress.inputs["spec"] == {"rules": [{"host": "catalog.daff.example", "http": {"paths": [{
        "path": "/", "pathType": "Prefix",
        "backend": {"service": {"name": "mesh-discovery", "port": {"name": "http"}}}}]}}]}
    platform = engine.registrations()["_platform.aws"]
    assert (platform.parent, platform.inputs["allowedAccountIds"]) == (None, '["900000000002"]')


# --- what the components refuse ---------------------------------------------------------------


def test_an_input_the_components_do_not_materialise_is_refused(plan, acme_engine):
    planned, children = slice_of(plan, "alpha")
    own = [c for c in children if c.parent == "alpha" and c.type != "datamesh:mesh:DataProduct"]
    key = next(c for c in own if c.name == "alpha.key")
    bad = PlannedResource(type=key.type, name=key.name, parent=key.parent, provider=key.provider,
                          domain=key.domain, inputs={**key.inputs, "multiRegion": True}, options=key.options)

    @pulumi.runtime.test
    def run():
        Domain(planned, [bad if c is key else c for c in own], StackContext(plan.resources))

    with pytest.raises(PlanMismatch, match=r"alpha.key: not materialised: multiRegion"):
        run()


def test_a_resource_type_the_component_does_not_know_is_refused(plan, acme_engine):
    planned, children = slice_of(plan, "alpha")
    stray = PlannedResource(type="aws:sqs/queue:Queue", name="alpha.queue", parent="alpha",
                            provider="alpha.aws", inputs={})
    own = [c for c in children if c.parent == "alpha" and c.type != "datamesh:mesh:DataProduct"]

    @pulumi.runtime.test
    def run():
        Domain(planned, [*own, stray], StackContext(plan.resources))

    with pytest.raises(PlanMismatch, match=r"alpha.queue: a Domain does not materialise aws:sqs/queue:Queue"):
        run()


def test_expect_names_missing_and_unknown_keys():
    assert expect("x", {"a": 1}, ("a",)) == {"a": 1}
    with pytest.raises(PlanMismatch, match=r"^x: missing b; not materialised: c$"):
        expect("x", {"a": 1, "c": 2}, ("a", "b"))


def test_a_document_is_resolved_to_the_planners_exact_text(acme_engine):
    seen: list[str] = []

    @pulumi.runtime.test
    def run():
        ctx = StackContext()
        import pulumi_aws as aws

        key = ctx.add("k", aws.kms.Key("k"))
        doc = ctx.document('{"Statement":[{"Resource":"${k.arn}","Sid":"\\u00e9"}],"Other":["${k.arn}",1]}')
        return pulumi.Output.all(key.urn, doc).apply(lambda v: seen.append(v[1]))

    acme_engine.mocks.arns["k"] = "arn:aws:kms:eu-west-1:1:key/x"
    run()
    assert seen == ['{"Statement":[{"Resource":"arn:aws:kms:eu-west-1:1:key/x","Sid":"\\u00e9"}],'
                    '"Other":["arn:aws:kms:eu-west-1:1:key/x",1]}']


def test_a_document_without_placeholders_is_passed_as_is_and_bad_ones_are_refused():
    ctx = StackContext()
    assert ctx.document('{"a": 1}') == '{"a": 1}'
    with pytest.raises(PlanMismatch, match="compact form"):
        ctx.document('{"a": "${k.arn}" }')
    with pytest.raises(PlanMismatch, match="whole value"):
        ctx.document('{"a":"arn:${k.arn}"}')
    with pytest.raises(PlanMismatch, match=r"k: not in this stack"):
        ctx.document('{"a":"${k.arn}"}')


# --- the whole small mesh -----------------------------------------------------------------------


def test_the_small_mesh_conforms_to_its_plan_too(plan, new_engine):
    """No ingress (no host), a domain in another region, an external grant: still exactly the plan."""
    from pulumi_harness import assert_conforms

    engine = new_engine()

    @pulumi.runtime.test
    def run():
        made = materialise(plan)
        assert sorted(made.domains) == ["alpha", "beta"]
        assert sorted(made.grants) == [f"alpha/events.grant.{PARTNER_SLUG}", "alpha/events.grant.beta"]
        return wait_for(made.resources.values()).apply(lambda _: assert_conforms(plan, engine.registrations()))

    run()
    assert len(engine.registrations()) == len(plan.resources)


def test_a_resource_under_an_unknown_parent_is_refused(plan, new_engine):
    new_engine()
    stray = PlannedResource(type="aws:s3/bucket:Bucket", name="nowhere.bucket", parent="nowhere",
                            provider="alpha.aws", inputs={"bucket": "x", "forceDestroy": False, "tags": {}})
    broken = Plan(mesh=plan.mesh, environment=plan.environment, today=plan.today,
                  resources=[*plan.resources, stray])

    @pulumi.runtime.test
    def run():
        materialise(broken)

    with pytest.raises(PlanMismatch, match=r"not materialised \(under an unknown parent\?\): nowhere.bucket"):
        run()


def test_components_register_their_props_as_outputs_for_the_deployed_policy_pack(plan, acme_engine):
    """Stack policies see a component's registered outputs, not its props: the mesh facts they
    compare with (retentionDays, a grant's consumer and until) must be outputs too. The policy
    tests model these keys (tests/policy/analyzer_helpers.py REGISTERED_OUTPUTS)."""
    materialise_alpha_events(plan)
    outputs = acme_engine.monitor.outputs
    p = "alpha/events"
    beta = f"{p}.grant.beta"
    product_props = {"product": p, "bucket": BUCKET, "classification": "confidential", "status": "active",
                     "retentionDays": 400}
    assert {k: outputs[p][k] for k in product_props} == product_props
    assert set(outputs[p]) == {*product_props, "bucketArn"}
    grant_props = {"product": p, "consumer": "beta", "consumerKind": "domain",
                   "principal": "arn:aws:iam::100000000002:role/datamesh/acme-beta-consumer",
                   "until": "2027-01-31", "classification": "confidential"}
    assert {k: outputs[beta][k] for k in grant_props} == grant_props
    # accessPointAlias too in AWS; the mocks return no alias, and Pulumi drops absent outputs
    assert set(outputs[beta]) == {*grant_props, "accessPointArn"}
