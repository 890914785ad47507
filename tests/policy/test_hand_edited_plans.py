"""Issue 10 §2/§3: a hand-edited program, judged offline (`mesh check --plan`) and at deploy time.

Each finding is one edit of the streaming example's dev plan (the JSON `mesh plan --format json`
writes), as a review tool would export it from the edited program. Every one passed all 19
rules before: here each is rejected by `mesh check --plan FILE --policy-config FILE` with the
facts `mesh policy-config` writes from the specs (exit 1, naming the rule), and the pack —
pulumi-policy's own analyzer servicer, given the same pack config — reports exactly the same
(rule, resource, level) verdicts. The unedited plan passes both.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from analyzer_helpers import configure, servicer
from policy_helpers import EXAMPLE_DOMAINS, TODAY
from test_pack_analyzer import verdicts

from datamesh.cli.main import main
from datamesh.plan import build_plan
from datamesh.policy import PackConfig
from datamesh.policy.config import render_pack_config
from datamesh.policy.facts import mesh_facts
from datamesh.policy.plan_file import parse_plan
from datamesh.resolve import load_mesh

Capsys = pytest.CaptureFixture[str]
Plan = dict[str, Any]
Verdict = tuple[str, str, str]

PRODUCT = "player/play-events"
PLAYER = "110000000002"
ARTISTS_CONSUMER = "arn:aws:iam::110000000004:role/datamesh/daff-artists-consumer"
ARTISTS_ROOT = "arn:aws:iam::110000000004:root"
"""Another domain's account: a mesh account, so `mesh-grant-principal-accounts` lets it pass."""


@pytest.fixture(scope="module")
def example() -> tuple[Plan, dict[str, Any]]:
    """The dev plan's JSON and the pack config `mesh policy-config --env dev` writes."""
    mesh = load_mesh(str(EXAMPLE_DOMAINS), TODAY).mesh
    assert mesh is not None, "the example mesh must resolve without errors"
    plan = json.loads(json.dumps(build_plan(mesh, "dev").to_json()))
    config = json.loads(render_pack_config(PackConfig().with_facts(mesh_facts(mesh, "dev")).to_json()))
    return plan, config


def resource(plan: Plan, name: str) -> dict[str, Any]:
    found = [r for r in plan["resources"] if r["name"] == name]
    assert len(found) == 1, f"{name} is not (once) in the plan"
    return found[0]


def edit_policy(plan: Plan, name: str, edit: Callable[[dict[str, Any]], None], field: str = "policy") -> None:
    """Parse the policy document of ``name``, let ``edit`` change it, write it back as JSON text."""
    inputs = resource(plan, name)["inputs"]
    document = json.loads(inputs[field])
    edit(document)
    inputs[field] = json.dumps(document)


def statement(doc: dict[str, Any], sid: str) -> dict[str, Any]:
    return next(st for st in doc["Statement"] if st.get("Sid") == sid)


# --- the findings, each one edit of the program (so of its plan) ----------------------------------


def extra_bucket_read(plan: Plan) -> None:
    edit_policy(plan, f"{PRODUCT}.policy", lambda doc: doc["Statement"].append({
        "Sid": "ArtistsReadDirectly", "Effect": "Allow", "Principal": {"AWS": ARTISTS_CONSUMER},
        "Action": "s3:GetObject", "Resource": "arn:aws:s3:::daff-dev--player--play-events/*"}))


def extra_kms_grant(plan: Plan) -> None:
    grant = copy.deepcopy(resource(plan, f"{PRODUCT}.grant.artists.key-grant"))
    grant.update(name=f"{PRODUCT}.listeners-key-grant", parent=PRODUCT)
    grant["inputs"].update(name="daff-listeners-play-events",
                           granteePrincipal="arn:aws:iam::110000000001:role/datamesh/daff-listeners-consumer")
    plan["resources"].append(grant)


def key_policy_decrypt(plan: Plan) -> None:
    edit_policy(plan, "player.key", lambda doc: doc["Statement"].append({
        "Sid": "ArtistsDecrypt", "Effect": "Allow", "Principal": {"AWS": ARTISTS_CONSUMER},
        "Action": "kms:Decrypt", "Resource": "*"}))


def service_on_bucket(plan: Plan) -> None:
    edit_policy(plan, f"{PRODUCT}.policy", lambda doc: doc["Statement"].append({
        "Sid": "ServiceReads", "Effect": "Allow", "Principal": {"Service": "logging.s3.amazonaws.com"},
        "Action": "s3:GetObject", "Resource": "arn:aws:s3:::daff-dev--player--play-events/*"}))


def service_on_key(plan: Plan) -> None:
    edit_policy(plan, "player.key", lambda doc: doc["Statement"].append({
        "Sid": "ServiceDecrypts", "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
        "Action": "kms:Decrypt", "Resource": "*"}))


def trust_other_account(kind: str) -> Callable[[Plan], None]:
    def edit(plan: Plan) -> None:
        edit_policy(plan, f"player.{kind}", lambda doc: statement(doc, "DomainAccountAssumes").update(
            Principal={"AWS": [f"arn:aws:iam::{PLAYER}:root", ARTISTS_ROOT]}), field="assumeRolePolicy")
    return edit


def producer_every_bucket(plan: Plan) -> None:
    def edit(doc: dict[str, Any]) -> None:
        write = statement(doc, "WriteDomainProducts")
        write["Resource"] = ["arn:aws:s3:::*/*"]
        del write["Condition"]
    edit_policy(plan, "player.producer-access", edit)


def encryption_key_of(key: str) -> Callable[[Plan], None]:
    def edit(plan: Plan) -> None:
        rules = resource(plan, f"{PRODUCT}.encryption")["inputs"]["rules"]
        rules[0]["applyServerSideEncryptionByDefault"]["kmsMasterKeyId"] = key
    return edit


def access_point_end_removed(plan: Plan) -> None:
    grant = resource(plan, f"{PRODUCT}.grant.artist-payments")
    assert grant["inputs"]["until"] == "2028-06-30", "the finding needs a grant with until"
    edit_policy(plan, f"{PRODUCT}.grant.artist-payments.access-point",
                lambda doc: doc["Statement"][0].pop("Condition"))


def tls_deny_via_aws_service(plan: Plan) -> None:
    edit_policy(plan, f"{PRODUCT}.policy", lambda doc: statement(doc, "DenyInsecureTransport")["Condition"][
        "Bool"].update({"aws:ViaAWSService": "true"}))


def extra_resource(type_token: str, name: str, inputs: dict[str, Any]) -> Callable[[Plan], None]:
    """A resource of a type the planner never emits, added next to the product's bucket."""
    def edit(plan: Plan) -> None:
        bucket = resource(plan, PRODUCT)
        plan["resources"].append({"type": type_token, "name": name, "parent": bucket["parent"],
                                  "provider": bucket["provider"], "domain": "player", "product": PRODUCT,
                                  "inputs": inputs, "options": {}})
    return edit


REPLICATION = extra_resource("aws:s3/bucketReplicationConfig:BucketReplicationConfig", f"{PRODUCT}.replication", {
    "bucket": "daff-dev--player--play-events", "role": "arn:aws:iam::999988887777:role/replicator",
    "rules": [{"status": "Enabled", "destination": {"bucket": "arn:aws:s3:::exfiltration"}}]})
IAM_USER = extra_resource("aws:iam/user:User", "player.backdoor-user", {"name": "backdoor"})
ACCESS_KEY = extra_resource("aws:iam/accessKey:AccessKey", "player.backdoor-key", {"user": "backdoor"})
INVENTORY = extra_resource("aws:s3/inventory:Inventory", f"{PRODUCT}.inventory", {
    "bucket": "daff-dev--player--play-events", "includedObjectVersions": "All",
    "destination": {"bucket": {"bucketArn": "arn:aws:s3:::exfiltration", "format": "CSV"}}})

BUCKET_POLICY, KEY = f"{PRODUCT}.policy", "player.key"
FINDINGS: dict[str, tuple[Callable[[Plan], None], set[tuple[str, str]]]] = {
    "bucket policy allows GetObject to another domain's role": (extra_bucket_read, {
        ("mesh-bucket-policy-delegation-only", BUCKET_POLICY)}),
    "KMS grant outside any AccessGrant": (extra_kms_grant, {
        ("mesh-grant-matches-spec", f"{PRODUCT}.listeners-key-grant")}),
    "key policy Decrypt for another role": (key_policy_decrypt, {("mesh-key-policy-own-account", KEY)}),
    "Service principal on a bucket": (service_on_bucket, {
        ("mesh-bucket-policy-delegation-only", BUCKET_POLICY), ("mesh-no-service-principal", BUCKET_POLICY)}),
    "Service principal on a key": (service_on_key, {
        ("mesh-no-service-principal", KEY), ("mesh-key-policy-own-account", KEY)}),
    "producer role trusts another domain's account": (trust_other_account("producer"), {
        ("mesh-trust-own-account", "player.producer")}),
    "consumer role trusts another domain's account": (trust_other_account("consumer"), {
        ("mesh-trust-own-account", "player.consumer")}),
    "producer policy on arn:aws:s3:::* without its account condition": (producer_every_bucket, {
        ("mesh-bucket-pattern-own-account", "player.producer-access")}),
    "kmsMasterKeyId names a key ARN in another account": (encryption_key_of(
        "arn:aws:kms:eu-west-1:110000000004:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"), {
            ("mesh-bucket-encryption", f"{PRODUCT}.encryption")}),
    "kmsMasterKeyId names another domain's key": (encryption_key_of("${artists.key.arn}"), {
        ("mesh-bucket-encryption", f"{PRODUCT}.encryption")}),
    "access point without its aws:CurrentTime end while the grant has until": (access_point_end_removed, {
        ("mesh-grant-matches-spec", f"{PRODUCT}.grant.artist-payments.access-point")}),
    "TLS Deny also conditioned on aws:ViaAWSService": (tls_deny_via_aws_service, {
        ("mesh-bucket-tls-only", BUCKET_POLICY)}),
    "bucket replication to another account's bucket": (REPLICATION, {
        ("mesh-resource-types-allowed", f"{PRODUCT}.replication")}),
    "S3 inventory to another bucket": (INVENTORY, {("mesh-resource-types-allowed", f"{PRODUCT}.inventory")}),
    "an IAM user": (IAM_USER, {("mesh-resource-types-allowed", "player.backdoor-user")}),
    "an IAM access key": (ACCESS_KEY, {("mesh-resource-types-allowed", "player.backdoor-key")}),
}


@pytest.fixture
def files(tmp_path: Path, example: tuple[Plan, dict[str, Any]]) -> Iterator[Callable[[Plan], tuple[Path, Path]]]:
    _, config = example

    def write(plan: Plan) -> tuple[Path, Path]:
        plan_file, config_file = tmp_path / "plan.json", tmp_path / "policy-config.json"
        plan_file.write_text(json.dumps(plan), encoding="utf-8")
        config_file.write_text(json.dumps(config), encoding="utf-8")
        return plan_file, config_file

    yield write


def check_plan(capsys: Capsys, plan_file: Path, config_file: Path) -> tuple[int, dict[str, Any]]:
    code = main(["check", "--plan", str(plan_file), "--policy-config", str(config_file), "--today",
                 TODAY.isoformat(), "--format", "json"])
    out, err = capsys.readouterr()
    assert err == ""
    return code, json.loads(out)


def at_deploy_time(plan: Plan, config: dict[str, Any]) -> set[Verdict]:
    """The pack's verdicts on the same program: pulumi-policy's servicer, the same pack config."""
    s = servicer()
    configure(s, config)
    return verdicts(s, parse_plan(plan, "plan.json").views())


def test_the_unedited_plan_passes_offline_and_at_deploy_time(
        capsys: Capsys, example: tuple[Plan, dict[str, Any]], files: Callable[[Plan], tuple[Path, Path]]) -> None:
    plan, config = example
    code, result = check_plan(capsys, *files(plan))
    assert (code, result["violations"], result["passed"]) == (0, [], True)
    assert (result["mesh"], result["environment"], result["resources"]) == ("daff", "dev", len(plan["resources"]))
    assert at_deploy_time(plan, config) == set()


@pytest.mark.parametrize("finding", sorted(FINDINGS))
def test_finding_is_rejected_offline_and_at_deploy_time(
        finding: str, capsys: Capsys, example: tuple[Plan, dict[str, Any]],
        files: Callable[[Plan], tuple[Path, Path]]) -> None:
    edit, expected = FINDINGS[finding]
    plan = copy.deepcopy(example[0])
    edit(plan)
    code, result = check_plan(capsys, *files(plan))
    found = {(v["rule"], v["resource"]) for v in result["violations"]}
    assert code == 1 and not result["passed"]
    assert found == expected
    assert {v["level"] for v in result["violations"]} == {"mandatory"}
    assert at_deploy_time(plan, example[1]) == {(rule, name, "mandatory") for rule, name in expected}


def test_the_cli_plan_json_is_what_check_plan_reads(capsys: Capsys, tmp_path: Path,
                                                     example: tuple[Plan, dict[str, Any]]) -> None:
    """`mesh plan --format json` → `mesh check --plan`, through the CLI both ways."""
    assert main(["plan", "--domains", str(EXAMPLE_DOMAINS), "--env", "dev", "--today", TODAY.isoformat(),
                 "--format", "json"]) == 0
    out, _ = capsys.readouterr()
    assert json.loads(out)["resources"] == example[0]["resources"]
    plan_file, config_file = tmp_path / "plan.json", tmp_path / "config.json"
    plan_file.write_text(out, encoding="utf-8")
    assert main(["policy-config", "--domains", str(EXAMPLE_DOMAINS), "--env", "dev", "--today", TODAY.isoformat(),
                 "-o", str(config_file)]) == 0
    code = main(["check", "--plan", str(plan_file), "--policy-config", str(config_file), "--today",
                 TODAY.isoformat()])
    out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    assert out == (f"passed: 0 mandatory and 0 advisory violation(s); 27 of 27 rules over "
                   f"{len(example[0]['resources'])} resources (daff dev, {TODAY.isoformat()})\n")


def test_a_domain_moved_into_another_domains_account_is_rejected_offline_and_at_deploy_time(
        capsys: Capsys, example: tuple[Plan, dict[str, Any]], files: Callable[[Plan], tuple[Path, Path]]) -> None:
    """The player domain's provider pinned to the artists account, and every player document
    rewritten to match: each own-account rule then sees "its own account" and passes; only the
    specs' ``domainAccounts`` (and, for granted products, the grant facts) tell it is not player's."""
    plan = copy.deepcopy(example[0])
    artists = "110000000004"
    plan["resources"] = [json.loads(json.dumps(r).replace(PLAYER, artists)) if r["name"].startswith("player")
                         else r for r in plan["resources"]]
    moved = sorted(r["name"] for r in plan["resources"]
                   if r["name"].startswith("player") and r["type"].startswith(("aws:", "pulumi:providers:aws")))
    code, result = check_plan(capsys, *files(plan))
    by_rule: dict[str, set[str]] = {}
    for v in result["violations"]:
        by_rule.setdefault(v["rule"], set()).add(v["resource"])
    assert code == 1
    assert sorted(by_rule.pop("mesh-domain-account")) == moved
    assert len(moved) == 36, "the player domain's 35 AWS resources and its provider"
    assert set(by_rule) <= {"mesh-grant-matches-spec"}, "the granted products' facts name player's account"
    provider = next(v for v in result["violations"] if v["resource"] == "player.aws")
    assert provider["message"] == f"the provider is pinned to account {artists}, but player's account is {PLAYER}"
    assert at_deploy_time(plan, example[1]) == {(v["rule"], v["resource"], "mandatory") for v in result["violations"]}
