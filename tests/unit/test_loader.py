"""Loader errors: exact diagnostic lines (file:line:col, code, field, message, hint).

Each case is one file's text and the whole list of lines ``mesh validate`` prints for it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
from meshtree import domain_yaml, mesh_yaml, product_yaml
from pydantic import BaseModel

from datamesh.diagnostics import Report
from datamesh.loader import load_text
from datamesh.spec.models import DataProduct, Domain, Mesh
from datamesh.yamlsource import MAX_FILE_BYTES

MESH = "domains/mesh.yaml"
DOMAIN = "domains/alpha/domain.yaml"
PRODUCT = "domains/alpha/products/events.yaml"

H_SYNTAX = "  hint: fix the YAML syntax at the position shown (indentation, quotes, colons)"
H_ALIGN = ("  hint: keys of one mapping start in the same column: indent them with the same number of spaces "
           "(YAML nests by indentation)")
H_REPEAT = "  hint: remove one of the two entries; YAML would silently keep only the last"
H_TAG = "  hint: remove the tag: spec files hold plain strings, numbers, booleans, lists and mappings"
H_REQUIRED = "  hint: add the field; see the JSON Schema in schemas/"
H_TYPE = "  hint: write a value of the expected type"
H_ALLOWED = "  hint: use one of the allowed values"
H_RANGE = "  hint: use a number inside the allowed range"
H_SLUG = "  hint: names are lowercase slugs: a letter, then letters, digits and single dashes"
H_ACCOUNT = ('  hint: write the account id as a quoted string of 12 digits, e.g. "012345678901"; '
             "unquoted, YAML drops leading zeros or reads octal")
H_DATE = "  hint: write dates as YYYY-MM-DD, e.g. 2027-06-30"
H_SEMVER = "  hint: use semantic versioning MAJOR.MINOR.PATCH, e.g. 1.2.0"
H_SEMVER_NUMBER = '  hint: quote it when YAML reads it as a number: version: "1.0.0"'
H_MAPPING = "  hint: a spec file is a mapping that starts with `apiVersion: datamesh/v1`"

BILLION_LAUGHS = "".join(
    f"{name}: &{name} [{', '.join([f'*{prev}'] * 9) if prev else ', '.join(['lol'] * 9)}]\n"
    for prev, name in zip([None, "a", "b", "c", "d", "e", "f", "g", "h"], "abcdefghi", strict=True)
)


def diagnose(text: str, model: type[BaseModel], path: str) -> list[str]:
    report = Report()
    loaded = load_text(path, text, model, report)
    lines = [d.format() for d in report.sorted()]
    assert (loaded is None) == bool(report.errors)
    return lines


def _pairs(*items: str) -> list[str]:
    """Expected diagnostics are written as (line, hint) pairs; join each pair as format() does."""
    return ["\n".join(items[i:i + 2]) for i in range(0, len(items), 2)]


def _product(extra: str = "", **kw: object) -> str:
    return product_yaml("events", extra, **kw)  # type: ignore[arg-type]


# (id, text, model, path, expected lines)
YAML_CASES: list[tuple[str, str, type[BaseModel], str, list[str]]] = [
    ("malformed-flow", "apiVersion: datamesh/v1\nkind: [\n", Mesh, MESH, [
        "domains/mesh.yaml:3:1: error DM002 -: did not find expected node content "
        "(while parsing a flow node)", H_SYNTAX]),
    ("malformed-indent", "apiVersion: datamesh/v1\n  kind: Mesh\n", Mesh, MESH, [
        "domains/mesh.yaml:2:3: error DM002 kind: key 'kind' (2 spaces) does not line up with 'apiVersion' "
        "on line 1 (0 spaces)", H_ALIGN]),
    ("tab-indent", "apiVersion: datamesh/v1\nkind:\n\tMesh\n", Mesh, MESH, [
        "domains/mesh.yaml:3:1: error DM002 kind: a tab is used for indentation; YAML indents with spaces only",
        "  hint: replace the tab at line 3 with spaces (2 per level, like the lines around it)"]),
    ("tab-indented-key", domain_yaml("alpha").replace("  team: Alpha\n", "\tteam: Alpha\n"), Domain, DOMAIN, [
        "domains/alpha/domain.yaml:6:1: error DM002 owner.team: a tab is used for indentation; YAML indents "
        "with spaces only",
        "  hint: replace the tab at line 6 with spaces (2 per level, like the lines around it)"]),
    ("tab-after-spaces", domain_yaml("alpha").replace("  team: Alpha\n", "  \tteam: Alpha\n"), Domain, DOMAIN, [
        "domains/alpha/domain.yaml:6:3: error DM002 owner.team: a tab is used for indentation; YAML indents "
        "with spaces only",
        "  hint: replace the tab at line 6 with spaces (2 per level, like the lines around it)"]),
    ("under-indented-key", domain_yaml("alpha").replace("  email: alpha", " email: alpha"), Domain, DOMAIN, [
        "domains/alpha/domain.yaml:7:2: error DM002 owner.email: key 'email' (1 space) does not line up with "
        "'team' on line 6 (2 spaces)", H_ALIGN]),
    ("over-indented-account", domain_yaml("alpha").replace('    prod: "2', '     prod: "2'), Domain, DOMAIN, [
        "domains/alpha/domain.yaml:12:6: error DM002 aws.accounts.prod: key 'prod' (5 spaces) does not line up "
        "with 'dev' on line 11 (4 spaces)", H_ALIGN]),
    ("under-indented-first-key", domain_yaml("alpha").replace("  team: Alpha\n", "   team: Alpha\n"), Domain,
     DOMAIN, [
        "domains/alpha/domain.yaml:7:3: error DM002 owner.email: key 'email' (2 spaces) does not line up with "
        "'team' on line 6 (3 spaces)", H_ALIGN]),
    ("control-character", "apiVersion: datamesh/v1\x07\n", Mesh, MESH, [
        "domains/mesh.yaml:1:1: error DM002 -: unacceptable character #x0007: "
        "control characters are not allowed", H_SYNTAX]),
    ("undefined-alias", "apiVersion: *v\n", Mesh, MESH, [
        "domains/mesh.yaml:1:13: error DM002 -: found undefined alias", H_SYNTAX]),
    ("duplicate-top-level", "apiVersion: datamesh/v1\nkind: Mesh\nname: a\nname: b\n", Mesh, MESH, [
        "domains/mesh.yaml:4:1: error DM003 -: key 'name' repeated (first at line 3)", H_REPEAT]),
    ("duplicate-nested", mesh_yaml(extra="discovery:\n  kubernetes:\n    image: a\n    image: b\n"),
     Mesh, MESH, [
         "domains/mesh.yaml:13:5: error DM003 -: key 'image' repeated (first at line 12)", H_REPEAT]),
    ("duplicate-in-flow-mapping", "apiVersion: datamesh/v1\nkind: Mesh\nplatform: {region: a, region: b}\n",
     Mesh, MESH, [
         "domains/mesh.yaml:3:23: error DM003 -: key 'region' repeated (first at line 3)", H_REPEAT]),
    ("empty-file", "", Mesh, MESH, [
        "domains/mesh.yaml:1:1: error DM004 -: the file is empty",
        "  hint: write the spec (see `mesh new`) or delete the file"]),
    ("comments-only", "# nothing yet\n\n", Domain, DOMAIN, [
        "domains/alpha/domain.yaml:1:1: error DM004 -: the file is empty",
        "  hint: write the spec (see `mesh new`) or delete the file"]),
    ("a-list", "- apiVersion: datamesh/v1\n", Mesh, MESH, [
        "domains/mesh.yaml:1:1: error DM005 -: expected a mapping, got a list", H_MAPPING]),
    ("a-string", "datamesh/v1\n", Mesh, MESH, [
        "domains/mesh.yaml:1:1: error DM005 -: expected a mapping, got a string", H_MAPPING]),
    ("a-number", "42\n", Mesh, MESH, [
        "domains/mesh.yaml:1:1: error DM005 -: expected a mapping, got a int", H_MAPPING]),
    ("complex-key", "? [a, b]\n: c\n", Mesh, MESH, [
        "domains/mesh.yaml:1:3: error DM005 -: mapping keys must be plain strings",
        "  hint: write each key as a plain word followed by a colon, e.g. `name:`"]),
    ("python-tag", "apiVersion: datamesh/v1\nkind: !!python/object/apply:os.system ['echo pwned']\n",
     Mesh, MESH, [
         "domains/mesh.yaml:2:7: error DM006 -: tag '!!python/object/apply:os.system' is not allowed",
         H_TAG]),
    ("custom-tag", "apiVersion: datamesh/v1\nkind: !foo Mesh\n", Mesh, MESH, [
        "domains/mesh.yaml:2:7: error DM006 -: tag '!foo' is not allowed", H_TAG]),
    ("custom-tag-on-mapping", "--- !foo\napiVersion: datamesh/v1\n", Mesh, MESH, [
        "domains/mesh.yaml:1:5: error DM006 -: tag '!foo' is not allowed", H_TAG]),
    ("set-tag", "apiVersion: datamesh/v1\nkind: Mesh\nenvironments: !!set {dev: null}\n", Mesh, MESH, [
        "domains/mesh.yaml:3:15: error DM006 -: tag '!!set' is not allowed", H_TAG]),
    ("merge-key", "apiVersion: datamesh/v1\nkind: Mesh\nx: &x {a: 1}\ny:\n  <<: *x\n", Mesh, MESH, [
        "domains/mesh.yaml:5:3: error DM006 -: merge keys (<<) are not allowed",
        "  hint: write the keys out: merged keys hide repeated keys"]),
    ("billion-laughs", BILLION_LAUGHS, Mesh, MESH, [
        "domains/mesh.yaml:1:4: error DM007 -: the document expands to more than 20000 values "
        "(aliases included)",
        "  hint: write the values out; anchors and aliases may not expand into huge documents"]),
    ("deep-nesting", "a: " + "[" * 70 + "]" * 70 + "\n", Mesh, MESH, [
        "domains/mesh.yaml:1:68: error DM007 -: values are nested more than 64 levels deep",
        "  hint: write the values out; anchors and aliases may not expand into huge documents"]),
    ("too-large", "a: " + "x" * MAX_FILE_BYTES + "\n", Mesh, MESH, [
        f"domains/mesh.yaml:1:1: error DM001 -: file is {MAX_FILE_BYTES + 4} bytes, more than "
        f"the {MAX_FILE_BYTES} allowed",
        "  hint: spec files are small UTF-8 text files; split or fix the file"]),
    ("two-documents", "apiVersion: datamesh/v1\n---\nkind: Mesh\n", Mesh, MESH, [
        "domains/mesh.yaml:2:1: error DM008 -: the file holds more than one YAML document",
        "  hint: keep one document per file (remove the `---` separators)"]),
]


@pytest.mark.parametrize(("text", "model", "path", "expected"),
                         [c[1:] for c in YAML_CASES], ids=[c[0] for c in YAML_CASES])
def test_yaml_problems(text: str, model: type[BaseModel], path: str, expected: list[str]) -> None:
    assert diagnose(text, model, path) == _pairs(*expected)


def test_alias_bomb_is_rejected_fast() -> None:
    started = time.perf_counter()
    lines = diagnose(BILLION_LAUGHS, Mesh, MESH)
    assert "DM007" in lines[0]
    assert time.perf_counter() - started < 2.0  # a generous bound against a hang; it takes ~1 ms


def test_small_aliases_are_fine() -> None:
    text = mesh_yaml(environments="&envs [dev, prod]")
    assert diagnose(text, Mesh, MESH) == []


# (id, text, model, path, expected lines as (head, hint) pairs)
MODEL_CASES: list[tuple[str, str, type[BaseModel], str, list[str]]] = [
    ("wrong-api-version", "apiVersion: datamesh/v2\nkind: Mesh\n", Mesh, MESH, _pairs(
        "domains/mesh.yaml:1:13: error DM011 apiVersion: expected 'datamesh/v1', got 'datamesh/v2'",
        "  hint: write `apiVersion: datamesh/v1` as the first line")),
    ("missing-api-version", "kind: Mesh\nname: acme\n", Mesh, MESH, _pairs(
        "domains/mesh.yaml:1:1: error DM011 apiVersion: expected 'datamesh/v1', it is missing",
        "  hint: write `apiVersion: datamesh/v1` as the first line")),
    ("wrong-kind", "apiVersion: datamesh/v1\nkind: Domain\nname: acme\n", Mesh, MESH, _pairs(
        "domains/mesh.yaml:2:7: error DM012 kind: mesh.yaml at this place must be kind 'Mesh', "
        "got 'Domain'",
        "  hint: mesh.yaml is kind Mesh, domain.yaml kind Domain, products/*.yaml kind DataProduct")),
    ("missing-kind", "apiVersion: datamesh/v1\nname: events\n", DataProduct, PRODUCT, _pairs(
        "domains/alpha/products/events.yaml:1:1: error DM012 kind: events.yaml at this place must be "
        "kind 'DataProduct', it is missing",
        "  hint: mesh.yaml is kind Mesh, domain.yaml kind Domain, products/*.yaml kind DataProduct")),
    ("missing-required-top-level", "apiVersion: datamesh/v1\nkind: Mesh\nname: acme\n", Mesh, MESH, _pairs(
        "domains/mesh.yaml:1:1: error DM101 environments: required field 'environments' is missing",
        H_REQUIRED,
        "domains/mesh.yaml:1:1: error DM101 platform: required field 'platform' is missing",
        H_REQUIRED)),
    ("missing-required-nested-points-at-mapping",
     "apiVersion: datamesh/v1\nkind: Mesh\nname: acme\nenvironments: [dev]\n"
     "platform:\n  # accounts first\n  region: eu-west-1\n", Mesh, MESH, _pairs(
         "domains/mesh.yaml:7:3: error DM101 platform.accounts: required field 'accounts' is missing",
         H_REQUIRED)),
    ("missing-required-in-list-item",
     mesh_yaml(extra="discovery:\n  kubernetes: {namespace: mesh}\n").replace(
         '  - {id: "444455556666", name: partner}\n', "  - name: partner\n    contact: a@b.example\n"),
     Mesh, MESH, _pairs(
         "domains/mesh.yaml:9:5: error DM101 external_accounts[0].id: required field 'id' is missing",
         H_REQUIRED,
         "domains/mesh.yaml:12:15: error DM101 discovery.kubernetes.image: required field 'image' is "
         "missing", H_REQUIRED)),
    ("unknown-key-top-level", mesh_yaml(extra="external_account: []\n"), Mesh, MESH, _pairs(
        "domains/mesh.yaml:10:1: error DM100 external_account: unknown key 'external_account'",
        "  hint: did you mean 'external_accounts'? allowed here: apiVersion, kind, name, environments, "
        "platform, external_accounts, discovery")),
    ("unknown-key-nested", _product().replace("  days: 30\n", "  days: 30\n  archive_days: 5\n"),
     DataProduct, PRODUCT, _pairs(
         "domains/alpha/products/events.yaml:9:3: error DM100 retention.archive_days: unknown key "
         "'archive_days'",
         "  hint: did you mean 'archive_after_days'? allowed here: days, archive_after_days, "
         "noncurrent_days")),
    ("unknown-key-in-list-item", _product("sharing:\n  approved:\n    - {domain: beta, untill: 2027-01-01}\n"),
     DataProduct, PRODUCT, _pairs(
         "domains/alpha/products/events.yaml:13:22: error DM100 sharing.approved[0].untill: unknown "
         "key 'untill'",
         "  hint: did you mean 'until'? allowed here: domain, principal, until, purpose")),
    ("unknown-key-no-close-match", _product("colour: blue\n"), DataProduct, PRODUCT, _pairs(
        "domains/alpha/products/events.yaml:11:1: error DM100 colour: unknown key 'colour'",
        "  hint: allowed here: apiVersion, kind, name, description, version, status, type, "
        "classification, tags, retention, guarantees, schema, inputs, sharing, deprecation")),
    ("key-spelt-like-pydantic-key-marker", mesh_yaml(
        accounts='{"[key]": "900000000001", Dev: "900000000002"}', extra='"[key]": 1\n'), Mesh, MESH, _pairs(
        "domains/mesh.yaml:6:14: error DM104 platform.accounts.[key]: environment name '[key]' is not a slug",
        H_SLUG,
        "domains/mesh.yaml:6:39: error DM104 platform.accounts.Dev: environment name 'Dev' is not a slug",
        H_SLUG,
        "domains/mesh.yaml:10:1: error DM100 [key]: unknown key '[key]'",
        "  hint: allowed here: apiVersion, kind, name, environments, platform, external_accounts, discovery")),
    ("unquoted-account-id", domain_yaml("alpha").replace('dev: "100000000001"', "dev: 100000000001"),
     Domain, DOMAIN, _pairs(
         "domains/alpha/domain.yaml:11:10: error DM105 aws.accounts.dev: account id must be a quoted "
         "string, got the unquoted number 100000000001", H_ACCOUNT)),
    ("unquoted-account-id-leading-zero", domain_yaml("alpha").replace('dev: "100000000001"', "dev: 012345678901"),
     Domain, DOMAIN, _pairs(
         "domains/alpha/domain.yaml:11:10: error DM105 aws.accounts.dev: account id must be a quoted "
         "string, got the unquoted number 12345678901", H_ACCOUNT)),
    ("short-account-id", domain_yaml("alpha").replace('dev: "100000000001"', 'dev: "12345"'),
     Domain, DOMAIN, _pairs(
         "domains/alpha/domain.yaml:11:10: error DM105 aws.accounts.dev: account id must be exactly 12 "
         "digits, got '12345'", H_ACCOUNT)),
    ("unquoted-external-account", mesh_yaml().replace('"444455556666"', "444455556666"), Mesh, MESH, _pairs(
        "domains/mesh.yaml:9:10: error DM105 external_accounts[0].id: account id must be a quoted "
        "string, got the unquoted number 444455556666", H_ACCOUNT)),
    ("bad-calendar-date", _product("sharing:\n  approved:\n    - {domain: beta, until: 2027-02-30}\n"),
     DataProduct, PRODUCT, _pairs(
         "domains/alpha/products/events.yaml:13:29: error DM106 sharing.approved[0].until: "
         "'2027-02-30' is not a calendar date", H_DATE)),
    ("bad-date-format", _product("sharing:\n  approved:\n    - {domain: beta, until: 30/06/2027}\n"),
     DataProduct, PRODUCT, _pairs(
         "domains/alpha/products/events.yaml:13:29: error DM106 sharing.approved[0].until: expected "
         "a date YYYY-MM-DD, got '30/06/2027'", H_DATE)),
    ("datetime-not-date", _product("deprecation:\n  sunset: 2027-03-01T10:00:00\n"),
     DataProduct, PRODUCT, _pairs(
         "domains/alpha/products/events.yaml:12:11: error DM106 deprecation.sunset: expected a date "
         "YYYY-MM-DD, got '2027-03-01T10:00:00'", H_DATE)),
    ("quoted-date-is-fine", _product("sharing:\n  approved:\n    - {domain: beta, until: '2027-02-28'}\n"),
     DataProduct, PRODUCT, []),
    ("semver-two-parts", _product().replace("version: 1.0.0", "version: 1.0"), DataProduct, PRODUCT, _pairs(
        "domains/alpha/products/events.yaml:5:10: error DM108 version: expected a semantic version "
        "MAJOR.MINOR.PATCH, got 1.0", H_SEMVER_NUMBER)),
    ("semver-prefix", _product().replace("version: 1.0.0", "version: v1.0.0"), DataProduct, PRODUCT, _pairs(
        "domains/alpha/products/events.yaml:5:10: error DM108 version: expected a semantic version "
        "MAJOR.MINOR.PATCH, got 'v1.0.0'", H_SEMVER)),
    ("semver-leading-zero", _product().replace("version: 1.0.0", 'version: "01.0.0"'),
     DataProduct, PRODUCT, _pairs(
         "domains/alpha/products/events.yaml:5:10: error DM108 version: expected a semantic version "
         "MAJOR.MINOR.PATCH, got '01.0.0'", H_SEMVER)),
    ("semver-prerelease-is-fine", _product().replace("version: 1.0.0", "version: 2.0.0-rc.1+build.5"),
     DataProduct, PRODUCT, []),
    ("not-in-enum", _product(classification="secret"), DataProduct, PRODUCT, _pairs(
        "domains/alpha/products/events.yaml:6:17: error DM103 classification: expected one of 'public', "
        "'internal', 'confidential' or 'restricted', got 'secret'", H_ALLOWED)),
    ("enum-given-a-list", _product("status: [active]\n"), DataProduct, PRODUCT, _pairs(
        "domains/alpha/products/events.yaml:11:9: error DM103 status: expected one of 'draft', 'active', "
        "'deprecated' or 'retired', got a list", H_ALLOWED)),
    ("days-zero", _product(days=0), DataProduct, PRODUCT, _pairs(
        "domains/alpha/products/events.yaml:8:9: error DM107 retention.days: must be >= 1, got 0",
        H_RANGE)),
    ("days-quoted", _product().replace("days: 30", 'days: "30"'), DataProduct, PRODUCT, _pairs(
        "domains/alpha/products/events.yaml:8:9: error DM102 retention.days: expected a whole number, "
        "got '30'", H_TYPE)),
    ("days-bool", _product().replace("days: 30", "days: yes"), DataProduct, PRODUCT, _pairs(
        "domains/alpha/products/events.yaml:8:9: error DM102 retention.days: expected a whole number, "
        "got true", H_TYPE)),
    ("days-null", _product().replace("days: 30", "days:"), DataProduct, PRODUCT, _pairs(
        "domains/alpha/products/events.yaml:8:8: error DM102 retention.days: expected a whole number, "
        "got nothing (null)", H_TYPE)),
    ("ratio-above-one", _product("guarantees: {completeness: 1.5, freshness: 1w}\n"), DataProduct, PRODUCT, _pairs(
        "domains/alpha/products/events.yaml:11:28: error DM107 guarantees.completeness: must be <= 1.0, "
        "got 1.5", H_RANGE,
        "domains/alpha/products/events.yaml:11:44: error DM109 guarantees.freshness: expected a "
        "duration like 15m, 1h or 1d, got '1w'",
        "  hint: write a duration as a number and a unit: 15m, 1h or 1d")),
    ("empty-environments", mesh_yaml(environments="[]"), Mesh, MESH, _pairs(
        "domains/mesh.yaml:4:15: error DM107 environments: must list at least 1 item(s), got 0",
        "  hint: add the missing entries")),
    ("environments-not-a-list", mesh_yaml(environments="dev"), Mesh, MESH, _pairs(
        "domains/mesh.yaml:4:15: error DM102 environments: expected a list, got 'dev'", H_TYPE)),
    ("mesh-name-too-long", mesh_yaml().replace("name: acme", "name: a-very-long-mesh-name-indeed"),
     Mesh, MESH, _pairs(
         "domains/mesh.yaml:3:7: error DM104 name: mesh name 'a-very-long-mesh-name-indeed' is 28 "
         "characters, at most 20 allowed", "  hint: shorten the name to 20 characters")),
    ("domain-name-not-a-slug", domain_yaml("alpha").replace("name: alpha", "name: Alpha_Team"),
     Domain, DOMAIN, _pairs(
         "domains/alpha/domain.yaml:3:7: error DM104 name: domain name 'Alpha_Team' is not a slug",
         H_SLUG)),
    ("tag-not-a-slug", _product("tags: [ok, Not OK]\n"), DataProduct, PRODUCT, _pairs(
        "domains/alpha/products/events.yaml:11:12: error DM104 tags[1]: tag name 'Not OK' is not a slug",
        H_SLUG)),
    ("bad-region", mesh_yaml().replace("region: eu-west-1", "region: Ireland"), Mesh, MESH, _pairs(
        "domains/mesh.yaml:7:11: error DM118 platform.region: expected an AWS region, got 'Ireland'",
        "  hint: e.g. eu-west-1")),
    ("bad-email", domain_yaml("alpha").replace("email: alpha@acme.example", "email: alpha"),
     Domain, DOMAIN, _pairs(
         "domains/alpha/domain.yaml:7:10: error DM118 owner.email: expected an email address, got 'alpha'",
         "  hint: e.g. team-data@example.com")),
    ("empty-description", _product().replace("description: A test product.", 'description: ""'),
     DataProduct, PRODUCT, _pairs(
         "domains/alpha/products/events.yaml:4:14: error DM102 description: expected non-empty text, "
         "got ''", H_TYPE)),
    ("bad-product-reference", _product("inputs:\n  - product: player\n"), DataProduct, PRODUCT, _pairs(
        "domains/alpha/products/events.yaml:12:14: error DM112 inputs[0].product: expected "
        "<domain>/<product>, got 'player'",
        "  hint: refer to a product as <domain>/<product>, e.g. player/play-events")),
    ("approval-with-both", _product(
        "sharing:\n  approved:\n    - {domain: beta, principal: 'arn:aws:iam::444455556666:role/r'}\n"),
     DataProduct, PRODUCT, _pairs(
         "domains/alpha/products/events.yaml:13:7: error DM110 sharing.approved[0]: an approval names "
         "exactly one of domain and principal, got both",
         "  hint: an approval names exactly one of `domain:` (a mesh domain) or `principal:` (a role ARN)")),
    ("approval-with-neither", _product("sharing:\n  approved:\n    - {until: 2027-01-01}\n"),
     DataProduct, PRODUCT, _pairs(
         "domains/alpha/products/events.yaml:13:7: error DM110 sharing.approved[0]: an approval names "
         "exactly one of domain and principal, got neither",
         "  hint: an approval names exactly one of `domain:` (a mesh domain) or `principal:` (a role ARN)")),
    ("principal-not-a-role", _product(
        "sharing:\n  approved:\n    - principal: arn:aws:iam::444455556666:user/bob\n"),
     DataProduct, PRODUCT, _pairs(
         "domains/alpha/products/events.yaml:13:18: error DM111 sharing.approved[0].principal: expected "
         "an IAM role ARN, got 'arn:aws:iam::444455556666:user/bob'",
         "  hint: grants go to IAM roles: arn:aws:iam::<12-digit account>:role/<name>")),
    ("schema-field-missing-name-and-type", _product("  fields:\n    - {pii: true}\n"),
     DataProduct, PRODUCT, _pairs(
         "domains/alpha/products/events.yaml:12:7: error DM101 schema.fields[0].name: required field "
         "'name' is missing", H_REQUIRED,
         "domains/alpha/products/events.yaml:12:7: error DM101 schema.fields[0].type: required field "
         "'type' is missing", H_REQUIRED)),
    ("deprecation-missing-sunset", _product("deprecation:\n  replaced_by: beta/report\n"),
     DataProduct, PRODUCT, _pairs(
         "domains/alpha/products/events.yaml:12:3: error DM101 deprecation.sunset: required field "
         "'sunset' is missing", H_REQUIRED)),
    ("every-problem-of-a-file", _product("colour: blue\nstatus: gone\n", days=0), DataProduct, PRODUCT, _pairs(
        "domains/alpha/products/events.yaml:8:9: error DM107 retention.days: must be >= 1, got 0", H_RANGE,
        "domains/alpha/products/events.yaml:11:1: error DM100 colour: unknown key 'colour'",
        "  hint: allowed here: apiVersion, kind, name, description, version, status, type, "
        "classification, tags, retention, guarantees, schema, inputs, sharing, deprecation",
        "domains/alpha/products/events.yaml:12:9: error DM103 status: expected one of 'draft', 'active', "
        "'deprecated' or 'retired', got 'gone'", H_ALLOWED)),
]


@pytest.mark.parametrize(("text", "model", "path", "expected"),
                         [c[1:] for c in MODEL_CASES], ids=[c[0] for c in MODEL_CASES])
def test_model_problems(text: str, model: type[BaseModel], path: str, expected: list[str]) -> None:
    assert diagnose(text, model, path) == expected


# --- the tree: layout, names, missing files ------------------------------------------------------

H_LAYOUT = ("  hint: the layout is domains/mesh.yaml, domains/<domain>/domain.yaml and "
            "domains/<domain>/products/<product>.yaml")
OUTSIDE = "error DM009 -: YAML file outside the domains/ layout; it is not read"

# (id, files written over the base mesh, expected lines)
TREE_CASES: list[tuple[str, dict[str, str | bytes | None], list[str]]] = [
    ("yaml-at-top-level", {"x.yaml": "a: 1\n"}, _pairs(f"domains/x.yaml:1:1: {OUTSIDE}", H_LAYOUT)),
    ("yaml-beside-domain-yaml", {"alpha/other.yaml": "a: 1\n"},
     _pairs(f"domains/alpha/other.yaml:1:1: {OUTSIDE}", H_LAYOUT)),
    ("yaml-in-products-subfolder", {"alpha/products/sub/p.yaml": product_yaml("p")},
     _pairs(f"domains/alpha/products/sub/p.yaml:1:1: {OUTSIDE}", H_LAYOUT)),
    ("yaml-in-other-subfolder", {"alpha/docs/deep/notes.yaml": "a: 1\n"},
     _pairs(f"domains/alpha/docs/deep/notes.yaml:1:1: {OUTSIDE}", H_LAYOUT)),
    ("yml-extension", {"alpha/products/other.yml": product_yaml("other")},
     _pairs(f"domains/alpha/products/other.yml:1:1: {OUTSIDE}",
            "  hint: spec files end in .yaml: rename the file")),
    ("non-yaml-files-are-ignored", {"alpha/README.md": "# alpha\n", "alpha/products/notes.txt": "x",
                                    ".github/ci.yaml": "a: 1\n"}, []),
    ("missing-mesh-yaml", {"mesh.yaml": None}, _pairs(
        "domains/mesh.yaml:1:1: error DM013 -: mesh.yaml is missing",
        "  hint: create domains/mesh.yaml (kind Mesh) owned by the platform team")),
    ("missing-domain-yaml", {"gamma/domain.yaml": None, "gamma/products/p.yaml": product_yaml("p")}, _pairs(
        "domains/gamma/domain.yaml:1:1: error DM013 -: domain folder 'gamma' has no domain.yaml",
        "  hint: create it with `mesh new domain gamma` or remove the folder")),
    ("domain-name-not-folder", {"gamma/domain.yaml": domain_yaml("gamma").replace("name: gamma", "name: delta")},
     _pairs("domains/gamma/domain.yaml:3:7: error DM010 name: domain name 'delta' does not match its folder "
            "'gamma'", "  hint: rename the folder to 'delta' or set `name: gamma`")),
    ("product-name-not-file", {"alpha/products/events.yaml": product_yaml("evnts")},
     _pairs("domains/alpha/products/events.yaml:3:7: error DM010 name: product name 'evnts' does not match "
            "its file 'events.yaml'", "  hint: rename the file to evnts.yaml or set `name: events`")),
    ("not-utf8", {"alpha/products/events.yaml": b"apiVersion: datamesh/v1\nname: \xff\n"},
     _pairs("domains/alpha/products/events.yaml:1:1: error DM001 -: the file is not UTF-8 text (byte 30)",
            "  hint: save the file as UTF-8")),
    ("domain-kind-in-products", {"alpha/products/events.yaml": domain_yaml("events")},
     _pairs("domains/alpha/products/events.yaml:2:7: error DM012 kind: events.yaml at this place must be "
            "kind 'DataProduct', got 'Domain'",
            "  hint: mesh.yaml is kind Mesh, domain.yaml kind Domain, products/*.yaml kind DataProduct")),
]


@pytest.mark.parametrize(("files", "expected"), [c[1:] for c in TREE_CASES], ids=[c[0] for c in TREE_CASES])
def test_tree_problems(make_mesh: Callable[..., Path], validate_tree: Callable[..., list[str]],
                       files: dict[str, str | bytes | None], expected: list[str]) -> None:
    assert validate_tree(make_mesh(files)) == expected


def test_every_file_is_reported_in_one_run(make_mesh: Callable[..., Path],
                                           validate_tree: Callable[..., list[str]]) -> None:
    root = make_mesh({
        "mesh.yaml": mesh_yaml(extra="colour: blue\n"),
        "alpha/products/events.yaml": "kind: [\n",
        "beta/products/report.yaml": product_yaml("report", days=0),
    })
    heads = [line.splitlines()[0] for line in validate_tree(root)]
    assert heads == [
        "domains/alpha/products/events.yaml:2:1: error DM002 -: did not find expected node content "
        "(while parsing a flow node)",
        "domains/beta/products/report.yaml:8:9: error DM107 retention.days: must be >= 1, got 0",
        "domains/mesh.yaml:10:1: error DM100 colour: unknown key 'colour'",
    ]


def test_file_outside_cwd_is_shown_absolute(make_mesh: Callable[..., Path]) -> None:
    root = make_mesh({"x.yaml": "a: 1\n"})
    report = Report()
    from datamesh.loader import load_tree

    load_tree(str(root), report)
    [diagnostic] = report.sorted()
    assert diagnostic.format("/nonexistent-cwd").splitlines()[0] == f"{root}/x.yaml:1:1: {OUTSIDE}"


def test_the_size_limit_counts_utf8_bytes_not_characters():
    from datamesh.yamlsource import YamlError, read_yaml

    text = "a: " + "é" * (MAX_FILE_BYTES // 2) + "\n"  # fewer characters than the limit, more bytes
    assert len(text) < MAX_FILE_BYTES < len(text.encode())
    try:
        read_yaml(text)
    except YamlError as exc:
        assert exc.problem.code == "DM001"
        assert exc.problem.message == f"file is {len(text.encode())} bytes, more than the {MAX_FILE_BYTES} allowed"
    else:
        raise AssertionError("a file over the byte limit must be rejected")
