"""Resources compared as values (policy documents statement by statement) and CODEOWNERS matching."""

from __future__ import annotations

import json

from datamesh.diff.approvers import CodeOwners
from datamesh.diff.model import PropertyChange, StatementChange
from datamesh.diff.resources import diff_resources
from datamesh.plan.model import PlannedResource


def resource(name: str, **inputs: object) -> PlannedResource:
    return PlannedResource(type="aws:s3/bucketPolicy:BucketPolicy", name=name, inputs=dict(inputs))


def doc(*statements: dict[str, object]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


READ = {"Sid": "Read", "Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::b/*"}
DENY = {"Effect": "Deny", "Action": "s3:*", "Principal": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}


def test_added_removed_and_unchanged_resources_by_logical_name():
    result = diff_resources([resource("a"), resource("b")], [resource("b"), resource("c")])
    assert [r.name for r in result.added] == ["c"]
    assert [r.name for r in result.removed] == ["a"]
    assert result.changed == ()


def test_plain_inputs_are_compared_path_by_path():
    result = diff_resources([resource("a", bucket="x", tags={"k": "1", "gone": "y"})],
                            [resource("a", bucket="x", tags={"k": "2", "new": "z"})])
    (change,) = result.changed
    assert change.properties == (PropertyChange("tags.gone", "removed", before="y"),
                                 PropertyChange("tags.k", "changed", "1", "2"),
                                 PropertyChange("tags.new", "added", after="z"))


def test_a_policy_document_is_compared_by_sid_and_unnamed_statements_by_canonical_json():
    widened = {**READ, "Action": ["s3:GetObject", "s3:PutObject"]}
    # the same unnamed statement with its keys reordered is the same statement
    reordered = {k: DENY[k] for k in reversed(list(DENY))}
    new_unnamed = {"Effect": "Deny", "Action": "s3:DeleteObject", "Principal": "*"}
    result = diff_resources([resource("p", policy=doc(READ, DENY))],
                            [resource("p", policy=doc(widened, reordered, new_unnamed))])
    (change,) = result.changed
    assert change.properties == ()
    (document,) = change.documents
    assert document.path == "policy"
    assert document.statements == (
        StatementChange("Read", "changed", json.dumps(READ, sort_keys=True, separators=(",", ":")),
                        json.dumps(widened, sort_keys=True, separators=(",", ":")),
                        # lists of another length: the whole list, before and after
                        (PropertyChange("Action", "changed", ["s3:GetObject"], ["s3:GetObject", "s3:PutObject"]),)),
        StatementChange("#1", "added", after=json.dumps(new_unnamed, sort_keys=True, separators=(",", ":"))),
    )


def test_a_string_that_is_not_a_policy_is_a_plain_change():
    (change,) = diff_resources([resource("p", policy="{not json")], [resource("p", policy="{}")]).changed
    assert change.properties == (PropertyChange("policy", "changed", "{not json", "{}"),)
    assert change.documents == ()


def test_codeowners_last_match_wins_and_a_catch_all_owns_the_rest():
    owners = CodeOwners.parse("# owners\n* @org/platform\n/domains/player/ @org/player @org/audio\n"
                              "domains/mesh.yaml @org/platform-leads\n*.md\n")
    assert owners.owners_of("domains/player/products/x.yaml") == ("@org/player", "@org/audio")
    assert owners.owners_of("domains/podcasts/domain.yaml") == ("@org/platform",)
    assert owners.owners_of("domains/mesh.yaml") == ("@org/platform-leads",)
    assert owners.owners_of("README.md") == ()  # an owner-less rule: nobody's review is required
    assert owners.owners_of("other/domains/player/x") == ("@org/platform",)  # "/…" is anchored


def test_codeowners_reads_patterns_as_github_and_the_codeowners_check_do():
    # One matcher for `mesh diff` and `mesh codeowners`: `dir/*` names the files directly in
    # dir/ only, `**/` spans any depth, and a line GitHub cannot read is skipped, not guessed at.
    owners = CodeOwners.parse("* @org/platform\n/domains/player/* @org/player\n"
                              "domains/**/schema.json @org/schemas\n!domains/x @org/nobody\n")
    assert owners.owners_of("domains/player/domain.yaml") == ("@org/player",)
    assert owners.owners_of("domains/player/products/plays.yaml") == ("@org/platform",)
    assert owners.owners_of("domains/player/products/a/schema.json") == ("@org/schemas",)
    assert owners.owners_of("domains/x") == ("@org/platform",)
