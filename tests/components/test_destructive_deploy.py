"""Issue 10 §4 at deploy time: a change that deletes data or moves storage is refused unless the
stack config acknowledges exactly it (subject, change, from, to), before anything else is
registered; the first deploy (no previous outputs) passes."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pulumi
import pytest
from meshtree import TODAY, domain_yaml, product_yaml, write_tree
from pulumi.runtime.settings import get_root_resource
from pulumi_harness import Engine, assert_conforms, wait_for

from datamesh.plan import build_plan
from datamesh.plan.destructive import stack_facts
from datamesh.plan.model import PREVIOUS_DEPLOY
from datamesh.resolve import load_mesh

APPROVED = "sharing:\n  approved:\n    - domain: beta\n"
BEFORE: dict[str, str | None] = {
    "alpha/products/events.yaml": product_yaml("events", APPROVED, days=400),
    "beta/domain.yaml": domain_yaml("beta", "consumes:\n  - product: alpha/events\n"),
}
"""alpha/events keeps 400 days and is read by beta."""


def tree(tmp_path: Path, name: str, files: Mapping[str, str | None]) -> Path:
    return write_tree(tmp_path / name / "domains", {**BEFORE, **files})


def facts_json(domains: Path, scope: list[str] | None = None) -> dict[str, Any]:
    resolution = load_mesh(str(domains), TODAY)
    assert resolution.mesh is not None, [d.format() for d in resolution.report.errors]
    return stack_facts(resolution.mesh, build_plan(resolution.mesh, "dev", scope)).to_json()


def deploy(program: dict[str, Any], new_engine: Callable[..., Engine], domains: Path,
           previous: Mapping[str, Any] | None, acknowledge: list[dict[str, Any]] | None = None,
           scope: str | None = None) -> tuple[Engine, Exception | None, dict[str, Any]]:
    config = {"datamesh:environment": "dev"}
    if acknowledge is not None:
        config["datamesh:acknowledge"] = json.dumps(acknowledge)
    if scope is not None:
        config["datamesh:scope"] = scope
    engine = new_engine(stack="dev", config=config, previous=previous)
    failure: list[Exception] = []
    outputs: dict[str, Any] = {}

    @pulumi.runtime.test
    def run() -> Any:
        try:
            made = program["deploy"](domains, TODAY)
        except pulumi.RunError as e:
            failure.append(e)
            return None
        everything = pulumi.Output.from_input(get_root_resource().outputs)
        return wait_for(made.resources.values(), everything).apply(lambda v: outputs.update(v[-1]))

    run()
    return engine, (failure[0] if failure else None), outputs


def errors(engine: Engine) -> list[str]:
    return [m for level, m in engine.logs if level == "error"]


def warnings(engine: Engine) -> list[str]:
    return [m for level, m in engine.logs if level == "warning"]


def ack(subject: str, change: str, before: str, after: str) -> dict[str, str]:
    return {"subject": subject, "change": change, "from": before, "to": after}


RETENTION_400_TO_1 = {"alpha/products/events.yaml": product_yaml("events", APPROVED, days=1)}

CASES: list[tuple[str, dict[str, str | None], dict[str, str], str]] = [
    ("retention days shortened", RETENTION_400_TO_1, ack("alpha/events", "retention.days", "400", "1"),
     "alpha/events: retention.days shortened from 400 to 1: the next deploy expires every current object older "
     "than 1 days, existing data included"),
    ("noncurrent_days added", {"alpha/products/events.yaml": product_yaml(
        "events", APPROVED + "", days=400).replace("  days: 400\n", "  days: 400\n  noncurrent_days: 1\n")},
     ack("alpha/events", "retention.noncurrent_days", "30", "1"),
     "alpha/events: retention.noncurrent_days shortened from 30 to 1: the next deploy expires overwritten and "
     "deleted versions older than 1 days"),
    ("product retired", {"alpha/products/events.yaml": product_yaml(
        "events", "status: retired\n", days=400), "beta/domain.yaml": domain_yaml("beta")},
     ack("alpha/events", "status", "active", "retired"),
     "alpha/events: retired: its 1 grant(s) are revoked and the producer loses data access; the bucket and its "
     "data are kept (the lifecycle keeps expiring them)"),
    ("product file removed", {"alpha/products/events.yaml": None, "beta/domain.yaml": domain_yaml("beta")},
     ack("alpha/events", "product-removed", "active", "removed"),
     "alpha/events: file removed: its 1 grant(s) are revoked; the bucket and its data are retained in AWS but "
     "leave the stack, and `pulumi up` refuses while the bucket is protected (docs/deleting-data.md)"),
    ("domain account changed", {"alpha/domain.yaml": domain_yaml(
        "alpha", accounts={"dev": "100000000077", "prod": "200000000001"})},
     ack("alpha", "aws.accounts.dev", "100000000001", "100000000077"),
     "alpha: dev account changed from 100000000001 to 100000000077: its key, roles and buckets are created anew "
     "in 100000000077 and nothing in 100000000001 is moved (its data stays there)"),
    ("domain region changed", {"alpha/domain.yaml": domain_yaml("alpha", "  region: eu-central-1\n")},
     ack("alpha", "aws.region", "eu-west-1", "eu-central-1"),
     "alpha: region changed from eu-west-1 to eu-central-1: its key, roles and buckets are created anew in "
     "eu-central-1 and nothing in eu-west-1 is moved (its data stays there)"),
    ("consumer account changed", {"beta/domain.yaml": domain_yaml(
        "beta", "consumes:\n  - product: alpha/events\n", accounts={"dev": "100000000088", "prod": "200000000002"})},
     ack("beta", "aws.accounts.dev", "100000000002", "100000000088"),
     "beta: dev account changed from 100000000002 to 100000000088: its key, roles and buckets are created anew in "
     "100000000088 and nothing in 100000000002 is moved (its data stays there); the grants of alpha now point at "
     "its consumer role in 100000000088"),
]
IDS = [c[0] for c in CASES]


def test_the_first_deploy_passes_and_exports_the_facts(program, new_engine, tmp_path):
    domains = tree(tmp_path, "before", {})
    engine, failure, outputs = deploy(program, new_engine, domains, previous={})
    assert failure is None and errors(engine) == []
    assert ("info", "no meshFacts output of a previous deploy: nothing to compare (first deploy)") in engine.logs
    assert outputs["meshFacts"] == facts_json(domains)
    assert outputs["meshFacts"]["products"]["alpha/events"]["retentionDays"] == 400
    # The read of the last deploy is in the plan and conforms like every resource.
    resolution = load_mesh(str(domains), TODAY)
    assert resolution.mesh is not None
    assert_conforms(build_plan(resolution.mesh, "dev"), engine.registrations())


def test_an_unchanged_mesh_redeploys_from_its_own_exported_facts(program, new_engine, tmp_path):
    domains = tree(tmp_path, "before", {})
    _, _, first = deploy(program, new_engine, domains, previous={})
    engine, failure, second = deploy(program, new_engine, domains, previous=first)
    assert failure is None and errors(engine) == [] and warnings(engine) == []
    assert second["meshFacts"] == first["meshFacts"]
    # ... and the round trip carries a shortening to the next run
    engine, failure, _ = deploy(program, new_engine, tree(tmp_path, "after", RETENTION_400_TO_1), previous=first)
    assert str(failure).startswith("1 change(s) since the last deploy would delete data or move storage")
    assert len(errors(engine)) == 1


@pytest.mark.parametrize(("case", "files", "acknowledgement", "message"), CASES, ids=IDS)
def test_each_change_is_refused_without_an_acknowledgement_and_registers_nothing(
        program, new_engine, tmp_path, case, files, acknowledgement, message):
    previous = {"meshFacts": facts_json(tree(tmp_path, "before", {}))}
    engine, failure, _ = deploy(program, new_engine, tree(tmp_path, "after", files), previous)
    assert errors(engine) == [
        f"Pulumi.dev.yaml:0:0: error DM470 datamesh:acknowledge: {message}\n"
        "  hint: if it is intended, acknowledge exactly this change (docs/deleting-data.md)"]
    a = acknowledgement
    assert str(failure) == (
        "1 change(s) since the last deploy would delete data or move storage (errors above): nothing deployed. "
        "To deploy them anyway, acknowledge each:\n"
        f"  pulumi config set --stack dev --path 'datamesh:acknowledge[0].subject' '{a['subject']}'\n"
        f"  pulumi config set --stack dev --path 'datamesh:acknowledge[0].change' '{a['change']}'\n"
        f"  pulumi config set --stack dev --path 'datamesh:acknowledge[0].from' '{a['from']}'\n"
        f"  pulumi config set --stack dev --path 'datamesh:acknowledge[0].to' '{a['to']}'")
    # Refused before anything else was registered: nothing created, changed or deleted.
    assert list(engine.registrations()) == [PREVIOUS_DEPLOY]


@pytest.mark.parametrize(("case", "files", "acknowledgement", "message"), CASES, ids=IDS)
def test_each_change_deploys_with_its_exact_acknowledgement(
        program, new_engine, tmp_path, case, files, acknowledgement, message):
    previous = {"meshFacts": facts_json(tree(tmp_path, "before", {}))}
    after = tree(tmp_path, "after", files)
    engine, failure, outputs = deploy(program, new_engine, after, previous, [acknowledgement])
    assert failure is None and errors(engine) == []
    assert warnings(engine) == [f"acknowledged by datamesh:acknowledge[0]: {message}"]
    assert outputs["meshFacts"] == facts_json(after)
    assert len(engine.registrations()) > 1


@pytest.mark.parametrize(("case", "files", "acknowledgement", "message"), CASES, ids=IDS)
def test_an_acknowledgement_of_another_from_or_to_refuses_and_is_reported_unused(
        program, new_engine, tmp_path, case, files, acknowledgement, message):
    previous = {"meshFacts": facts_json(tree(tmp_path, "before", {}))}
    stale = {**acknowledgement, "to": acknowledgement["to"] + "0"}
    other_from = {**acknowledgement, "from": "7"}
    engine, failure, _ = deploy(program, new_engine, tree(tmp_path, "after", files), previous, [stale, other_from])
    assert failure is not None and "datamesh:acknowledge[2].subject" in str(failure)
    assert errors(engine) == [
        f"Pulumi.dev.yaml:0:0: error DM470 datamesh:acknowledge: {message}\n"
        "  hint: if it is intended, acknowledge exactly this change (docs/deleting-data.md)"]
    described = [f"{a['subject']} {a['change']} {a['from']} -> {a['to']}" for a in (stale, other_from)]
    assert warnings(engine) == [
        f"Pulumi.dev.yaml:0:0: warning DM471 datamesh:acknowledge[{i}]: {d} matches no change of this deploy\n"
        "  hint: remove it: an acknowledgement covers one change, once" for i, d in enumerate(described)]
    assert list(engine.registrations()) == [PREVIOUS_DEPLOY]


def test_an_acknowledgement_left_for_later_changes_is_a_warning_and_covers_nothing(program, new_engine, tmp_path):
    """Deployed once with 400 -> 1 acknowledged; the entry stays; 1 -> 0 is not covered by it."""
    previous = {"meshFacts": facts_json(tree(tmp_path, "after", RETENTION_400_TO_1))}
    engine, failure, _ = deploy(program, new_engine, tree(tmp_path, "same", RETENTION_400_TO_1), previous,
                                [ack("alpha/events", "retention.days", "400", "1")])
    assert failure is None
    assert warnings(engine) == [
        "Pulumi.dev.yaml:0:0: warning DM471 datamesh:acknowledge[0]: alpha/events retention.days 400 -> 1 matches "
        "no change of this deploy\n  hint: remove it: an acknowledgement covers one change, once"]


def test_a_consumers_account_change_is_refused_in_the_producers_stack(program, new_engine, tmp_path):
    """The stack of alpha alone: beta's role moves to another account, alpha's grant follows it."""
    previous = {"meshFacts": facts_json(tree(tmp_path, "before", {}), ["alpha"])}
    files = dict(CASES[-1][1])
    engine, failure, _ = deploy(program, new_engine, tree(tmp_path, "after", files), previous, scope="alpha")
    assert str(failure).startswith("1 change(s) since the last deploy would delete data or move storage")
    assert errors(engine) == [
        f"Pulumi.dev.yaml:0:0: error DM470 datamesh:acknowledge: {CASES[-1][3]}\n"
        "  hint: if it is intended, acknowledge exactly this change (docs/deleting-data.md)"]


def test_a_malformed_acknowledgement_is_a_clean_error(program, new_engine, tmp_path):
    previous = {"meshFacts": facts_json(tree(tmp_path, "before", {}))}
    engine, failure, _ = deploy(program, new_engine, tree(tmp_path, "after", {}), previous,
                                [{"subject": "alpha/events", "change": "retention.days", "from": "400"}])
    assert str(failure) == ("datamesh:acknowledge[0] must have exactly the keys subject, change, from, to; got "
                            "{'subject': 'alpha/events', 'change': 'retention.days', 'from': '400'}; see "
                            "docs/deleting-data.md")
    assert list(engine.registrations()) == [PREVIOUS_DEPLOY]


def test_changes_that_lose_nothing_need_no_acknowledgement(program, new_engine, tmp_path):
    """Retention lengthened, a new product, archive added: deploy without a word."""
    previous = {"meshFacts": facts_json(tree(tmp_path, "before", {}))}
    files = {"alpha/products/events.yaml": product_yaml("events", APPROVED + "", days=800).replace(
        "  days: 800\n", "  days: 800\n  archive_after_days: 90\n"),
        "alpha/products/clicks.yaml": product_yaml("clicks")}
    engine, failure, _ = deploy(program, new_engine, tree(tmp_path, "after", files), previous)
    assert failure is None and errors(engine) == [] and warnings(engine) == []


def test_an_unreadable_previous_record_is_a_clean_error(program, new_engine, tmp_path):
    engine, failure, _ = deploy(program, new_engine, tree(tmp_path, "after", {}), {"meshFacts": {"products": 3}})
    assert str(failure) == ("the stack output meshFacts of the last deploy is unreadable (AttributeError: 'float' "
                            "object has no attribute 'items'); nothing can be compared with it; see "
                            "docs/deleting-data.md")
    assert list(engine.registrations()) == [PREVIOUS_DEPLOY]
