"""``datamesh:providerRole``: a pull request's preview assumes each account's read-only previewer.

The plan itself (what ``mesh plan`` prints and the conformance test compares) always names the
deployer; the program swaps only the role ARN of each aws provider, for the stack that asks.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pulumi
import pytest
from pulumi_harness import wait_for

from datamesh.plan import build_plan
from datamesh.plan.naming import deployer_role_arn, previewer_role_arn
from datamesh.resolve import load_mesh

REPO = Path(__file__).resolve().parents[2]
EXAMPLE_DOMAINS = REPO / "tests" / "fixtures" / "streaming" / "domains"
TODAY = date(2026, 11, 25)


def providers(registrations):
    return {name: r.inputs for name, r in registrations.items() if r.type == "pulumi:providers:aws"}


def deploy(program, new_engine, config):
    engine = new_engine(config={"datamesh:environment": "dev", "datamesh:kubeContext": "daff-dev", **config})

    @pulumi.runtime.test
    def run():
        made = program["deploy"](EXAMPLE_DOMAINS, TODAY)
        return wait_for(made.resources.values())

    run()
    return engine


def test_the_default_is_the_deployer(program, new_engine):
    engine = deploy(program, new_engine, {})
    found = providers(engine.registrations())
    assert len(found) == 7  # six domains and the platform
    for inputs in found.values():
        [role] = json.loads(inputs["assumeRoles"])
        account = json.loads(inputs["allowedAccountIds"])[0]
        assert role == {"roleArn": deployer_role_arn(account, "daff"), "sessionName": "datamesh-daff-dev"}


def test_previewer_swaps_only_the_role_of_every_aws_provider(program, new_engine):
    deployer_engine = deploy(program, new_engine, {})
    deployer = providers(deployer_engine.registrations())
    previewer_engine = deploy(program, new_engine, {"datamesh:providerRole": "previewer"})
    previewer = providers(previewer_engine.registrations())
    assert previewer.keys() == deployer.keys()
    for name, inputs in previewer.items():
        account = json.loads(inputs["allowedAccountIds"])[0]
        assert json.loads(inputs["assumeRoles"]) == [
            {"roleArn": previewer_role_arn(account, "daff"), "sessionName": "datamesh-daff-dev"}]
        assert {k: v for k, v in inputs.items() if k != "assumeRoles"} == \
               {k: v for k, v in deployer[name].items() if k != "assumeRoles"}
    # every other resource is registered exactly as for the deployer
    def others(engine):
        return {n: (r.type, r.inputs) for n, r in engine.registrations().items() if n not in previewer}

    assert others(previewer_engine) == others(deployer_engine)
    # components, resources, the kubernetes provider and the read of the last deploy
    assert len(others(previewer_engine)) == 196


def test_with_provider_role_leaves_the_plan_alone_for_the_deployer(program):
    resolution = load_mesh(str(EXAMPLE_DOMAINS), TODAY)
    plan = build_plan(resolution.mesh, "prod")
    before = [r.to_json() for r in plan.resources]
    assert [r.to_json() for r in program["with_provider_role"](plan, "deployer").resources] == before
    swapped = program["with_provider_role"](plan, "previewer")
    changed = [(a["name"], a["inputs"]["assumeRoles"], b.inputs["assumeRoles"])
               for a, b in zip(before, swapped.resources, strict=True) if a != b.to_json()]
    assert [name for name, _, _ in changed] == [r["name"] for r in before if r["type"] == "pulumi:providers:aws"]
    for _, old, new in changed:
        assert old[0]["roleArn"].endswith(":role/daff-deployer")
        assert new == [{**old[0], "roleArn": old[0]["roleArn"].replace(":role/daff-deployer", ":role/daff-previewer")}]


@pytest.mark.parametrize("raw", ["admin", "Previewer", "deployer,previewer"])
def test_an_unknown_provider_role_is_a_clean_error_that_deploys_nothing(program, new_engine, raw):
    engine = new_engine(config={"datamesh:environment": "dev", "datamesh:providerRole": raw})
    with pytest.raises(pulumi.RunError, match=rf"datamesh:providerRole must be one of deployer, previewer, "
                                              rf"got '{raw}'"):
        program["deploy"](EXAMPLE_DOMAINS, TODAY)
    assert engine.registrations() == {}
