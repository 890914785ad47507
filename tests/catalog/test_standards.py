"""The ODPS and ODCS views: valid per the standards' own tools, and saying what the spec says.

An empty document passes some validators, so every product of the streaming fixture is also
compared with its spec file, read here with PyYAML independently of the catalog. Goldens:

    UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/catalog
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import date, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from catalogs import catalog_of, example_catalog
from hypothesis import given, settings
from hypothesis import strategies as st
from meshtree import EXAMPLE_DOMAINS, EXAMPLE_ROOT, domain_yaml, mesh_yaml, product_yaml, write_tree
from test_catalog_json import check_golden

from datamesh.catalog import (
    Catalog,
    UnknownProductError,
    document_yaml,
    odcs_document,
    odps_document,
    write_standard_views,
)
from datamesh.catalog.odcs import logical_type
from datamesh.cli.main import main

Json = dict[str, Any]
KEYS = sorted(f"{p.parent.parent.name}/{p.stem}" for p in EXAMPLE_DOMAINS.glob("*/products/*.yaml"))
BIN = Path(sys.executable).parent


def odcs_validator() -> Any:
    schema = json.loads(resources.files("open_data_contract_standard").joinpath("schema.json").read_text("utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


ODCS = odcs_validator()


def spec_of(key: str) -> tuple[Json, Json]:
    domain, name = key.split("/")
    product = yaml.safe_load((EXAMPLE_DOMAINS / domain / "products" / f"{name}.yaml").read_text("utf-8"))
    return product, yaml.safe_load((EXAMPLE_DOMAINS / domain / "domain.yaml").read_text("utf-8"))


def custom(doc: Json) -> dict[str, Any]:
    return {c["property"]: c["value"] for c in doc.get("customProperties", [])}


def test_the_fixture_has_every_status_and_twelve_products() -> None:
    assert len(KEYS) == 12
    assert {example_catalog().product(k).status for k in KEYS} == {"draft", "active", "deprecated", "retired"}


# --- validity -----------------------------------------------------------------------------------

@pytest.mark.parametrize("env", ["dev", "prod"])
def test_every_contract_is_valid_against_the_bundled_odcs_schema(env: str) -> None:
    catalog = example_catalog(env)
    for key in KEYS:
        document = odcs_document(catalog, key)
        errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in ODCS.iter_errors(document)]
        assert errors == [], key


def outcome(result: Any) -> str:
    """A lint result (an enum of the linters) as its value: passed, warning, failed, error."""
    return str(result.value)


def lint_problems(run: Any) -> list[tuple[str, str, str | None]]:
    return [(outcome(c.result), c.name, c.reason) for c in run.checks if outcome(c.result) != "passed"]


def test_every_product_passes_dataproduct_lint_and_its_contract_datacontract_lint(tmp_path: Path) -> None:
    """The library of ``dataproduct lint`` (schema, and every contractId resolved among the written
    files) and of ``datacontract lint`` (each contract), in-process; no warning at all."""
    from datacontract.data_contract import DataContract
    from dataproduct.data_product import DataProduct

    write_standard_views(example_catalog(), str(tmp_path))
    for key in KEYS:
        domain, name = key.split("/")
        run = DataProduct(data_product_file=str(tmp_path / domain / f"{name}.odps.yaml"), reference_search_dir=tmp_path,
                          local_references=True).lint()
        assert (outcome(run.result), lint_problems(run)) == ("passed", []), key
        resolved = [c for c in run.checks if c.name.endswith("is resolvable")]
        assert len(resolved) == 1 + len(example_catalog().inputs_of(key)), key
        contract = DataContract(data_contract_file=str(tmp_path / domain / f"{name}.odcs.yaml")).lint()
        assert (outcome(contract.result), lint_problems(contract)) == ("passed", []), key


def test_the_dataproduct_lint_command_reports_no_warning(tmp_path: Path) -> None:
    """The real command, with datacontract-cli on the PATH so it also lints the linked contracts:
    a product with two inputs (three contracts)."""
    exe = shutil.which("dataproduct", path=str(BIN))
    assert exe is not None, "dataproduct-cli is a dev dependency (pyproject.toml)"
    code = main(["catalog", "--domains", str(EXAMPLE_DOMAINS), "--today", "2026-11-25", "--odps", str(tmp_path)])
    assert code == 0
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENTROPY_DATA")}
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    result = subprocess.run([exe, "lint", "partners/partner-reports.odps.yaml", "--output-format", "json",
                             "--output", "result.json"], cwd=tmp_path, env=env, capture_output=True, text=True,
                            timeout=300, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads((tmp_path / "result.json").read_text("utf-8"))
    assert report["result"] == "passed"
    assert [(c["result"], c["name"]) for c in report["checks"]] == [
        ("passed", "Data product is valid against ODPS v1.1.0"),
        ("passed", "Data contract 'urn:datamesh:daff:artists:artist-catalog:contract' linked by "
                   "inputPorts[artists/artist-catalog] is resolvable"),
        ("passed", "Data contract 'urn:datamesh:daff:playlist:listening-sessions-v2:contract' linked by "
                   "inputPorts[playlist/listening-sessions-v2] is resolvable"),
        ("passed", "Data contract 'urn:datamesh:daff:partners:partner-reports:contract' linked by "
                   "outputPorts[s3] is resolvable"),
        ("passed", "Data contract 'urn:datamesh:daff:artists:artist-catalog:contract' passes datacontract lint"),
        ("passed", "Data contract 'urn:datamesh:daff:playlist:listening-sessions-v2:contract' passes "
                   "datacontract lint"),
        ("passed", "Data contract 'urn:datamesh:daff:partners:partner-reports:contract' passes datacontract lint"),
    ]


# --- content: what the spec says ----------------------------------------------------------------

@pytest.mark.parametrize("key", KEYS)
def test_the_contract_says_what_the_spec_says(key: str) -> None:
    spec, domain = spec_of(key)
    doc = odcs_document(example_catalog(), key)
    d, name = key.split("/")
    assert (doc["kind"], doc["id"], doc["name"], doc["version"], doc["domain"], doc["dataProduct"]) == (
        "DataContract", f"urn:datamesh:daff:{d}:{name}:contract", spec["name"], spec["version"], d, name)
    assert doc["status"] == spec.get("status", "active")
    assert doc["description"]["purpose"] == spec["description"]
    assert doc.get("tags", []) == spec.get("tags", [])
    fields = spec.get("schema", {}).get("fields", [])
    if "schema" in spec:
        (obj,) = doc["schema"]
        assert [(p["name"], p["physicalType"], p["required"], custom(p)["pii"], p.get("description"),
                 p["classification"]) for p in obj["properties"]] == [
            (f["name"], f["type"], f.get("required", False), f.get("pii", False), f.get("description"),
             spec["classification"]) for f in fields]
        assert doc["servers"][0]["format"] == spec["schema"]["format"]
    else:
        assert "schema" not in doc
    owner = domain["owner"]
    assert doc["team"]["name"] == owner["team"]
    assert doc["team"]["members"][0] == {"username": owner["email"], "name": owner["team"], "role": "owner",
                                         **({} if "github" in owner else {"description": doc["team"]["members"][0]
                                                                          ["description"]})}
    assert doc["support"][0]["url"] == f"mailto:{owner['email']}"
    approver = owner.get("github", owner["email"])
    assert {r["firstLevelApprovers"] for r in doc["roles"]} == {approver}
    assert custom(doc)["classification"] == spec["classification"]
    sla = {s["property"]: s for s in doc["slaProperties"]}
    retention = spec["retention"]
    assert (sla["retention"]["value"], sla["retention"]["unit"]) == (retention["days"], "d")
    assert custom(sla["retention"]) == {
        **({"archiveAfterDays": retention["archive_after_days"]} if "archive_after_days" in retention else {}),
        "noncurrentDays": retention.get("noncurrent_days", 30)}
    guarantees = spec.get("guarantees", {})
    assert sla.get("frequency", {}).get("value") == guarantees.get("update_frequency")
    assert sla.get("completeness", {}).get("value") == guarantees.get("completeness")
    assert sla.get("availability", {}).get("value") == guarantees.get("availability")
    if "freshness" in guarantees:
        assert sla["latency"]["description"] == f"Freshness as written: {guarantees['freshness']}."
    else:
        assert "latency" not in sla
    sunset = spec.get("deprecation", {}).get("sunset")
    assert sla.get("endOfLife", {}).get("value") == (sunset.isoformat() if sunset else None)
    (server,) = doc["servers"]
    location = example_catalog().product(key).location
    assert (server["type"], server["location"], server["environment"]) == ("s3", f"s3://{location.bucket}/", "dev")
    assert location.bucket == f"daff-dev--{d}--{name}"
    assert custom(server) == {"region": "eu-west-1", "account": domain["aws"]["accounts"]["dev"],
                              "bucketArn": f"arn:aws:s3:::daff-dev--{d}--{name}"}


@pytest.mark.parametrize("key", KEYS)
def test_the_product_document_says_what_the_spec_says(key: str) -> None:
    spec, domain = spec_of(key)
    catalog = example_catalog()
    doc = odps_document(catalog, key)
    d, name = key.split("/")
    status = spec.get("status", "active")
    assert (doc["kind"], doc["id"], doc["name"], doc["version"], doc["status"], doc["deprecated"], doc["domain"],
            doc["tenant"]) == ("DataProduct", f"urn:datamesh:daff:{d}:{name}", name, spec["version"], status,
                               status in ("deprecated", "retired"), d, "daff")
    assert doc["type"] == {"source-aligned": "sourceAligned", "aggregate": "aggregate",
                           "consumer-aligned": "consumerAligned"}[spec.get("type", "source-aligned")]
    assert doc["description"]["purpose"] == spec["description"]
    assert doc.get("tags", []) == spec.get("tags", [])
    inputs = sorted(spec.get("inputs", []), key=lambda i: str(i["product"]))  # the catalog sorts them
    assert [(p["name"], custom(p).get("purpose")) for p in doc.get("inputPorts", [])] == [
        (i["product"], i.get("purpose")) for i in inputs]
    for port in doc.get("inputPorts", []):
        read_domain, read_name = port["name"].split("/")
        assert port["contractId"] == f"urn:datamesh:daff:{read_domain}:{read_name}:contract"
        assert port["version"] == spec_of(port["name"])[0]["version"]
    (out,) = doc["outputPorts"]
    assert (out["type"], out["version"], out["contractId"]) == ("s3", spec["version"],
                                                                 odcs_document(catalog, key)["id"])
    assert custom(out)["location"] == f"s3://daff-dev--{d}--{name}/"
    owner = domain["owner"]
    assert doc["team"]["members"][0]["username"] == owner["email"]
    assert [m["username"] for m in doc["team"]["members"][1:]] == ([owner["github"]] if "github" in owner else [])
    assert doc["support"][0] == {"channel": "email", "url": f"mailto:{owner['email']}", "tool": "email",
                                 "scope": "interactive", "description": f"The {owner['team']} team."}
    props = custom(doc)
    retention = spec["retention"]
    assert (props["classification"], props["retentionDays"], props.get("archiveAfterDays"), props["noncurrentDays"],
            props["sharingMode"]) == (spec["classification"], retention["days"], retention.get("archive_after_days"),
                                      retention.get("noncurrent_days", 30), spec.get("sharing", {}).get("mode",
                                                                                                       "approval"))
    assert props.get("guarantees") == (spec.get("guarantees") or None)
    assert [p["url"] for p in doc["managementPorts"]] == [
        f"https://catalog.daff.example/products/{key}", f"https://catalog.daff.example/products/{key}/odcs.yaml"]


# --- exact documents ----------------------------------------------------------------------------

@pytest.mark.parametrize("key", ["playlist/listening-sessions", "partners/partner-reports", "player/device-stats"])
def test_the_documents_match_their_golden_files(key: str) -> None:
    catalog = example_catalog()
    slug = key.replace("/", "--")
    check_golden(f"standards/{slug}.odps.yaml", document_yaml(odps_document(catalog, key)))
    check_golden(f"standards/{slug}.odcs.yaml", document_yaml(odcs_document(catalog, key)))


def test_an_external_grant_is_a_read_role_with_its_access_point_and_until() -> None:
    catalog = example_catalog()
    roles = odcs_document(catalog, "partners/partner-reports")["roles"]
    assert roles == [
        {"role": "arn:aws:iam::110000000006:role/datamesh/daff-partners-producer", "access": "write",
         "firstLevelApprovers": "partners-data@daff.example",
         "description": "The producer role of domain partners: writes the product."},
        {"role": "arn:aws:iam::444455556666:role/yogaflow-reports", "access": "read",
         "firstLevelApprovers": "partners-data@daff.example",
         "description": "Reads the product for external account yogaflow (444455556666) until 2028-06-30.",
         "customProperties": [
             {"property": "consumer", "value": "yogaflow",
              "description": "The mesh domain, or the external account's name in mesh.yaml.", "vendor": "datamesh"},
             {"property": "accessPoint",
              "value": "arn:aws:s3:eu-west-1:110000000006:accesspoint/daff-b083331a-f0aeee67",
              "description": "The S3 access point this principal reads through.", "vendor": "datamesh"},
             {"property": "until", "value": "2028-06-30", "description": "The last day of access, inclusive.",
              "vendor": "datamesh"},
             {"property": "purpose", "value": "yogaflow reads its own weekly report", "vendor": "datamesh"}]},
    ]


def test_roles_are_the_grants_current_on_the_evaluation_day() -> None:
    catalog = example_catalog()
    key = "partners/partner-reports"
    assert len(odcs_document(catalog.as_of(date(2028, 6, 30)), key)["roles"]) == 2
    assert [r["access"] for r in odcs_document(catalog.as_of(date(2028, 7, 1)), key)["roles"]] == ["write"]


def test_input_port_access_follows_the_evaluation_day() -> None:
    catalog = example_catalog()
    key = "playlist/listening-sessions"
    states = {p["name"]: custom(p)["access"] for p in odps_document(catalog, key)["inputPorts"]}
    granted = [name for name, state in states.items() if state == "granted"]
    assert granted, states
    edge = next(e for e in catalog.inputs_of(key) if e.product == granted[0])
    until = next(g.until for g in catalog.product(edge.product).grants if g.consumer == edge.consumer)
    if until is not None:  # after the grant's last day, the request is pending again
        later = odps_document(catalog.as_of(until + timedelta(days=1)), key)["inputPorts"]
        assert {p["name"]: custom(p)["access"] for p in later}[granted[0]] == "pending"


def test_a_deprecated_product_says_until_when_and_its_successor() -> None:
    doc = odps_document(example_catalog(), "playlist/listening-sessions")
    assert doc["description"]["limitations"] == ("Deprecated: its sunset is 2028-01-31; use "
                                                 "playlist/listening-sessions-v2 instead.")
    assert {k: v for k, v in custom(doc).items() if k in ("sunset", "replacedBy", "replacedById")} == {
        "sunset": "2028-01-31", "replacedBy": "playlist/listening-sessions-v2",
        "replacedById": "urn:datamesh:daff:playlist:listening-sessions-v2"}
    past = odps_document(example_catalog().as_of(date(2028, 2, 1)), "playlist/listening-sessions")
    assert past["description"]["limitations"].startswith("Deprecated: its sunset was 2028-01-31;")


def test_products_that_cannot_be_requested_say_why() -> None:
    catalog = example_catalog()
    for p in catalog.products:
        limits = odps_document(catalog, p.key)["description"].get("limitations", "")
        assert (f"Cannot be requested, because {p.sharing.reason}." in limits) == (not p.sharing.requestable), p.key


def test_an_unknown_product_raises() -> None:
    with pytest.raises(UnknownProductError):
        odps_document(example_catalog(), "player/nope")
    with pytest.raises(UnknownProductError):
        odcs_document(example_catalog(), "player/nope")


# --- types and optional parts -------------------------------------------------------------------

@pytest.mark.parametrize(("spec_type", "logical"), [
    ("string", "string"), ("varchar(20)", "string"), ("long", "integer"), ("int", "integer"),
    ("bigint", "integer"), ("double", "number"), ("decimal(12,2)", "number"), ("boolean", "boolean"),
    ("date", "date"), ("timestamp", "timestamp"), ("TIMESTAMP", "timestamp"), ("time", "time"),
    ("array<string>", "array"), ("list<long>", "array"), ("struct<a:int>", "object"), ("map<string,long>", "map"),
    ("map<string>", None), ("map", None), ("struct", "object"), ("geometry", None), ("binary", None),
    ("string>", None), ("", None),
])
def test_logical_types(spec_type: str, logical: str | None) -> None:
    assert logical_type(spec_type) == logical


def small_catalog(tmp_path: Path, fields: str, mesh_extra: str = "") -> Catalog:
    product = product_yaml("orders", f"  fields:\n{fields}")
    root = write_tree(tmp_path, {"mesh.yaml": mesh_yaml() + mesh_extra, "sales/domain.yaml": domain_yaml("sales"),
                                 "sales/products/orders.yaml": product})
    return catalog_of(root)


def test_every_type_shape_is_valid_odcs(tmp_path: Path) -> None:
    types = ["string", "decimal(12,2)", "array<string>", "array<map<string,long>>", "struct<a:int,b:string>",
             "map<string,long>", "geometry", "timestamp"]
    fields = "".join(f"    - {{name: c{i}, type: '{t}'}}\n" for i, t in enumerate(types))
    doc = odcs_document(small_catalog(tmp_path, fields), "sales/orders")
    assert [e.message for e in ODCS.iter_errors(doc)] == []
    props = doc["schema"][0]["properties"]
    assert [{k: v for k, v in p.items() if k in ("logicalType", "physicalType", "items", "map")} for p in props] == [
        {"logicalType": "string", "physicalType": "string"},
        {"logicalType": "number", "physicalType": "decimal(12,2)"},
        {"logicalType": "array", "physicalType": "array<string>",
         "items": {"logicalType": "string", "physicalType": "string"}},
        {"logicalType": "array", "physicalType": "array<map<string,long>>",
         "items": {"logicalType": "map", "physicalType": "map<string,long>",
                   "map": {"key": {"logicalType": "string", "physicalType": "string"},
                           "value": {"logicalType": "integer", "physicalType": "long"}}}},
        {"logicalType": "object", "physicalType": "struct<a:int,b:string>"},
        {"logicalType": "map", "physicalType": "map<string,long>",
         "map": {"key": {"logicalType": "string", "physicalType": "string"},
                 "value": {"logicalType": "integer", "physicalType": "long"}}},
        {"logicalType": "object", "physicalType": "geometry"},
        {"logicalType": "timestamp", "physicalType": "timestamp"}]


def test_without_a_discovery_host_there_is_no_management_port(tmp_path: Path) -> None:
    catalog = small_catalog(tmp_path, "    - {name: id, type: string}\n")
    assert catalog.info.discovery_url is None
    doc = odps_document(catalog, "sales/orders")
    assert "managementPorts" not in doc
    assert "catalogPage" not in custom(odcs_document(catalog, "sales/orders"))


def test_a_description_with_markup_is_kept_as_text(tmp_path: Path) -> None:
    product = product_yaml("orders", '  fields:\n    - {name: id, type: string, '
                           'description: "<script>alert(1)</script>: x"}\n')
    product = product.replace("description: A test product.", 'description: "<b>bold</b> & \\"quoted\\""')
    root = write_tree(tmp_path, {"mesh.yaml": mesh_yaml(), "sales/domain.yaml": domain_yaml("sales"),
                                 "sales/products/orders.yaml": product})
    catalog = catalog_of(root)
    text = document_yaml(odcs_document(catalog, "sales/orders"))
    assert yaml.safe_load(text) == odcs_document(catalog, "sales/orders")
    assert yaml.safe_load(text)["description"]["purpose"] == '<b>bold</b> & "quoted"'
    assert yaml.safe_load(text)["schema"][0]["properties"][0]["description"] == "<script>alert(1)</script>: x"


# --- mesh catalog --odps ------------------------------------------------------------------------

def test_mesh_catalog_odps_writes_both_documents_of_every_product(tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str],
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(EXAMPLE_ROOT)
    out = tmp_path / "views"
    code = main(["catalog", "--domains", "domains", "--today", "2026-11-25", "--odps", str(out)])
    assert (code, capsys.readouterr()) == (0, ("", ""))
    written = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    assert written == sorted([f"{k}.odps.yaml" for k in KEYS] + [f"{k}.odcs.yaml" for k in KEYS])
    catalog = example_catalog()
    for key in KEYS:
        assert (out / f"{key}.odps.yaml").read_text("utf-8") == document_yaml(odps_document(catalog, key))
        assert (out / f"{key}.odcs.yaml").read_text("utf-8") == document_yaml(odcs_document(catalog, key))


# --- the YAML emitter ---------------------------------------------------------------------------

def test_document_yaml_reads_back_as_every_view_of_the_fixture() -> None:
    catalog = example_catalog()
    for env in ("dev", "prod"):
        catalog = example_catalog(env)
        for key in KEYS:
            for view in (odps_document, odcs_document):
                assert yaml.safe_load(document_yaml(view(catalog, key))) == view(catalog, key), (env, key)


def test_document_yaml_quotes_what_yaml_would_misread() -> None:
    doc = {"a": "yes", "b": "1.0.0", "c": "2028-01-31", "d": "@team/x", "e": "x: y", "f": "plain words",
           "g": "null", "h": "", "i": " lead", "j": "a\u2028b\x85c", "k": 1e-05, "l": 0.995, "m": None, "n": [],
           "o": {}, "p": [[1, 2], {"q": [True]}], "r": "ü café", "s": "#x", "t": "-", "u": "~"}
    text = document_yaml(doc)
    assert text.splitlines()[:6] == ['a: "yes"', 'b: "1.0.0"', 'c: "2028-01-31"', 'd: "@team/x"', 'e: "x: y"',
                                     "f: plain words"]
    assert 'j: "a\\u2028b\\u0085c"' in text.splitlines()
    assert "k: 1.0e-05" in text.splitlines()
    assert yaml.safe_load(text) == doc


SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                    st.text(st.characters(exclude_categories=("Cs",)), max_size=12),
                    st.sampled_from(["yes", "No", "on", "1.0", "2027-01-01", "a: b", "a #b", "- x", "x ", "0x1f"]))
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
    st.text(st.characters(exclude_categories=("Cs",)), max_size=6), inner, max_size=3), max_leaves=12)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.text(st.characters(exclude_categories=("Cs",)), max_size=6), VALUES, min_size=1,
                       max_size=4))
def test_document_yaml_round_trips_any_json_like_document(doc: Json) -> None:
    assert yaml.safe_load(document_yaml(doc)) == doc


@pytest.mark.parametrize(("option", "below"), [("--odps", ""), ("--shards", ""), ("--output", "/catalog.json")])
def test_a_path_that_cannot_be_written_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                         option: str, below: str) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    target = f"{blocker}{below}"
    code = main(["catalog", "--domains", str(EXAMPLE_DOMAINS), "--today", "2026-11-25", option, target])
    out, err = capsys.readouterr()
    where = {"--odps": f"{blocker}/artist-payments: Not a directory", "--shards": f"{blocker}: File exists",
             "--output": f"{blocker}: File exists"}[option]
    assert (code, out, err.splitlines()) == (2, "", [
        f"mesh: error: {option} {target}: cannot write {where}",
        "  hint: give a path in a directory you can write (a directory for --shards and --odps)"])
