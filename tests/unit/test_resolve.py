"""Resolution across files: every error of spec-v1 "Errors", as exact diagnostic lines.

Each case writes a few files over the small valid mesh of ``meshtree`` and states the whole
output of ``mesh validate`` for it (line, then hint).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from meshtree import TODAY, domain_yaml, mesh_yaml, product_yaml

from datamesh.resolve import load_mesh

P = product_yaml
D = domain_yaml
EVENTS = "domains/alpha/products/events.yaml"
REPORT = "domains/beta/products/report.yaml"

H_UNKNOWN_PRODUCT = "  hint: alpha has: alpha/events"
H_ENV = "  hint: list only the environments of mesh.yaml"
H_PRINCIPAL = ("  hint: mesh domains are granted with `domain:`; other accounts must be listed in mesh.yaml "
               "`external_accounts` by the platform team first")
H_SHARED = "  hint: give each domain its own account: isolation then rests on IAM inside one account"
H_REPEAT = "  hint: list each entry once"
H_UNREQUESTED = ("  hint: the consumer domain asks through an `inputs` entry or its `consumes`; "
                 "or remove the approval")


def pairs(*items: str) -> list[str]:
    return ["\n".join(items[i:i + 2]) for i in range(0, len(items), 2)]


def accounts(**envs: str) -> dict[str, str]:
    return dict(envs)


CASES: list[tuple[str, dict[str, str | None], list[str]]] = [
    # --- references to products and domains that do not exist ------------------------------
    ("unknown-product-in-inputs", {"beta/products/report.yaml": P("report", "inputs:\n  - product: alpha/nope\n")},
     pairs(f"{REPORT}:12:14: error DM200 inputs[0].product: alpha/nope: domain 'alpha' has no product 'nope'",
           H_UNKNOWN_PRODUCT)),
    ("unknown-domain-in-inputs", {"beta/products/report.yaml": P("report", "inputs:\n  - product: zeta/x\n")},
     pairs(f"{REPORT}:12:14: error DM200 inputs[0].product: zeta/x: there is no domain 'zeta'",
           "  hint: the domains are: alpha, beta, gamma")),
    ("misspelt-domain-in-inputs", {"beta/products/report.yaml": P("report", "inputs:\n  - product: alpah/events\n")},
     pairs(f"{REPORT}:12:14: error DM200 inputs[0].product: alpah/events: there is no domain 'alpah'",
           "  hint: did you mean 'alpha'?")),
    ("unknown-product-in-consumes", {"beta/domain.yaml": D("beta", "consumes:\n  - product: alpha/nope\n")},
     pairs("domains/beta/domain.yaml:14:14: error DM200 consumes[0].product: alpha/nope: domain 'alpha' has "
           "no product 'nope'", H_UNKNOWN_PRODUCT)),
    ("unknown-product-of-domain-without-products",
     {"beta/domain.yaml": D("beta", "consumes:\n  - product: gamma/x\n")},
     pairs("domains/beta/domain.yaml:14:14: error DM200 consumes[0].product: gamma/x: domain 'gamma' has no "
           "product 'x'", "  hint: gamma has no products yet")),
    ("unknown-replaced-by", {"alpha/products/events.yaml": P(
        "events", "status: deprecated\ndeprecation:\n  sunset: 2027-03-01\n  replaced_by: alpha/events-v2\n")},
     pairs(f"{EVENTS}:14:16: error DM200 deprecation.replaced_by: alpha/events-v2: domain 'alpha' has no product "
           "'events-v2'", H_UNKNOWN_PRODUCT)),
    ("unknown-approved-domain", {"alpha/products/events.yaml": P(
        "events", "sharing:\n  approved:\n    - domain: zeta\n")},
     pairs(f"{EVENTS}:13:15: error DM201 sharing.approved[0].domain: there is no domain 'zeta'",
           "  hint: the domains are: alpha, beta, gamma")),
    ("misspelt-approved-domain", {"alpha/products/events.yaml": P(
        "events", "sharing:\n  approved:\n    - domain: gamma-\n")},
     pairs(f"{EVENTS}:13:15: error DM104 sharing.approved[0].domain: domain name 'gamma-' is not a slug",
           "  hint: names are lowercase slugs: a letter, then letters, digits and single dashes")),
    ("misspelt-approved-domain-slug", {"alpha/products/events.yaml": P(
        "events", "sharing:\n  approved:\n    - domain: betta\n")},
     pairs(f"{EVENTS}:13:15: error DM201 sharing.approved[0].domain: there is no domain 'betta'",
           "  hint: did you mean 'beta'?")),
    ("reference-to-broken-product-not-repeated", {
        "alpha/products/events.yaml": "kind: [\n",
        "beta/products/report.yaml": P("report", "inputs:\n  - product: alpha/events\n")},
     pairs(f"{EVENTS}:2:1: error DM002 -: did not find expected node content (while parsing a flow node)",
           "  hint: fix the YAML syntax at the position shown (indentation, quotes, colons)")),
    ("reference-to-broken-domain-not-repeated", {
        "alpha/domain.yaml": "kind: [\n",
        "beta/products/report.yaml": P("report", "inputs:\n  - product: alpha/events\n")},
     pairs("domains/alpha/domain.yaml:2:1: error DM002 -: did not find expected node content "
           "(while parsing a flow node)",
           "  hint: fix the YAML syntax at the position shown (indentation, quotes, colons)")),
    # --- accounts per environment --------------------------------------------------------------
    ("domain-without-prod-account", {"gamma/domain.yaml": D("gamma", accounts=accounts(dev="100000000003"))},
     pairs("domains/gamma/domain.yaml:11:5: error DM202 aws.accounts: domain gamma has no account for "
           "environment 'prod'", '  hint: add `prod: "<12-digit account>"` under aws.accounts')),
    ("every-environment-is-checked", {"mesh.yaml": mesh_yaml(
        environments="[dev, stage, prod]",
        accounts='{dev: "900000000001", stage: "900000000003", prod: "900000000002"}')},
     pairs(*[line for name in ("alpha", "beta", "gamma") for line in (
         f"domains/{name}/domain.yaml:11:5: error DM202 aws.accounts: domain {name} has no account for "
         "environment 'stage'", '  hint: add `stage: "<12-digit account>"` under aws.accounts')])),
    ("platform-without-prod-account", {"mesh.yaml": mesh_yaml(accounts='{dev: "900000000001"}')},
     pairs("domains/mesh.yaml:6:13: error DM202 platform.accounts: no platform account for environment 'prod'",
           '  hint: add `prod: "<12-digit account>"` under platform.accounts')),
    ("account-for-unknown-environment", {
        "gamma/domain.yaml": D("gamma", accounts=accounts(dev="100000000003", prod="200000000003",
                                                          test="300000000003")),
        "mesh.yaml": mesh_yaml(accounts='{dev: "900000000001", prod: "900000000002", qa: "900000000003"}')},
     pairs("domains/gamma/domain.yaml:13:5: error DM206 aws.accounts.test: 'test' is not an environment of "
           "the mesh (dev, prod)", H_ENV,
           "domains/mesh.yaml:6:57: error DM206 platform.accounts.qa: 'qa' is not an environment of the mesh "
           "(dev, prod)", H_ENV)),
    ("two-domains-share-an-account", {
        "gamma/domain.yaml": D("gamma", accounts=accounts(dev="100000000002", prod="200000000003"))},
     pairs("domains/beta/domain.yaml:11:10: warning DM205 aws.accounts.dev: account 100000000002 is shared "
           "in dev by beta and gamma", H_SHARED,
           "domains/gamma/domain.yaml:11:10: warning DM205 aws.accounts.dev: account 100000000002 is shared "
           "in dev by beta and gamma", H_SHARED)),
    ("domain-shares-the-platform-account", {
        "gamma/domain.yaml": D("gamma", accounts=accounts(dev="100000000003", prod="900000000002"))},
     pairs("domains/gamma/domain.yaml:12:11: warning DM205 aws.accounts.prod: account 900000000002 is shared "
           "in prod by the platform and gamma", H_SHARED)),
    ("external-account-is-a-mesh-account", {"mesh.yaml": mesh_yaml().replace("444455556666", "200000000003")},
     pairs("domains/mesh.yaml:9:10: error DM209 external_accounts[0].id: external account 200000000003 "
           "(partner) is also the prod account of gamma",
           "  hint: an account is either a mesh account (domain or platform) or an external one")),
    # --- sharing ---------------------------------------------------------------------------------
    ("open-restricted-product", {"alpha/products/events.yaml": P(
        "events", "sharing:\n  mode: open\n", classification="restricted")},
     pairs(f"{EVENTS}:12:9: error DM115 sharing.mode: a restricted product cannot be shared openly",
           "  hint: restricted products use `sharing.mode: approval` with dated approvals")),
    ("restricted-approval-without-until", {
        "alpha/products/events.yaml": P("events", "sharing:\n  approved:\n    - domain: beta\n"
                                        "      until: 2027-01-01\n    - domain: gamma\n",
                                        classification="restricted"),
        "beta/domain.yaml": D("beta", "consumes:\n  - product: alpha/events\n"),
        "gamma/domain.yaml": D("gamma", "consumes:\n  - product: alpha/events\n")},
     pairs(f"{EVENTS}:15:7: error DM116 sharing.approved[1].until: approval of gamma on a restricted product "
           "has no until date", "  hint: add `until: YYYY-MM-DD`: access to restricted data must end")),
    ("principal-account-not-registered", {"alpha/products/events.yaml": P(
        "events", "sharing:\n  approved:\n    - principal: arn:aws:iam::777788889999:role/reader\n")},
     pairs(f"{EVENTS}:13:18: error DM203 sharing.approved[0].principal: account 777788889999 is not in "
           "mesh.yaml external_accounts", H_PRINCIPAL)),
    ("principal-in-a-mesh-domain-account", {"alpha/products/events.yaml": P(
        "events", "sharing:\n  approved:\n    - principal: arn:aws:iam::200000000002:role/reader\n")},
     pairs(f"{EVENTS}:13:18: error DM203 sharing.approved[0].principal: account 200000000002 belongs to mesh "
           "domain beta: approve `domain: beta` instead", H_PRINCIPAL)),
    # --- one product ------------------------------------------------------------------------------
    ("deprecated-without-deprecation", {"alpha/products/events.yaml": P("events", "status: deprecated\n")},
     pairs(f"{EVENTS}:11:9: error DM114 deprecation: status is deprecated but there is no deprecation block",
           "  hint: add `deprecation: {sunset: YYYY-MM-DD}` (and `replaced_by` if there is a successor)")),
    ("archive-after-days-equal-to-days", {"alpha/products/events.yaml": P("events").replace(
        "  days: 30\n", "  days: 30\n  archive_after_days: 30\n")},
     pairs(f"{EVENTS}:9:23: error DM113 retention.archive_after_days: archive_after_days (30) must be less "
           "than days (30)", "  hint: archive before objects expire, or drop archive_after_days")),
    ("archive-after-days-above-days", {"alpha/products/events.yaml": P("events").replace(
        "  days: 30\n", "  days: 30\n  archive_after_days: 90\n")},
     pairs(f"{EVENTS}:9:23: error DM113 retention.archive_after_days: archive_after_days (90) must be less "
           "than days (30)", "  hint: archive before objects expire, or drop archive_after_days")),
    ("input-from-own-domain", {
        "alpha/products/raw.yaml": P("raw"),
        "alpha/products/events.yaml": P("events", "inputs:\n  - product: alpha/raw\n")},
     pairs(f"{EVENTS}:12:14: error DM204 inputs[0].product: alpha/raw belongs to this product's own domain "
           "'alpha'", "  hint: inputs name other domains' products; remove the entry (lineage inside a domain "
           "is the domain's own business)")),
    ("consumes-own-domain", {"alpha/domain.yaml": D("alpha", "consumes:\n  - product: alpha/events\n")},
     pairs("domains/alpha/domain.yaml:14:14: error DM204 consumes[0].product: alpha/events belongs to this "
           "domain", "  hint: a domain already owns its products: remove the entry")),
    ("repeated-entries", {
        "alpha/products/events.yaml": P("events", "  fields:\n    - {name: a, type: string}\n"
                                        "    - {name: a, type: long}\ntags: [x, y, x]\n"
                                        "inputs:\n  - product: beta/report\n  - product: beta/report\n"
                                        "sharing:\n  approved:\n    - domain: gamma\n    - domain: gamma\n"),
        "beta/products/report.yaml": P("report", "sharing:\n  mode: open\n"),
        "gamma/domain.yaml": D("gamma", "consumes:\n  - product: alpha/events\n  - product: alpha/events\n")},
     pairs(f"{EVENTS}:13:14: error DM117 schema.fields[1].name: field 'a' listed twice", H_REPEAT,
           f"{EVENTS}:14:14: error DM117 tags[2]: tag 'x' listed twice", H_REPEAT,
           f"{EVENTS}:17:14: error DM117 inputs[1].product: input 'beta/report' listed twice", H_REPEAT,
           f"{EVENTS}:21:7: error DM117 sharing.approved[1]: grantee 'gamma' listed twice", H_REPEAT,
           "domains/gamma/domain.yaml:15:14: error DM117 consumes[1].product: request 'alpha/events' listed "
           "twice", H_REPEAT)),
    ("repeated-environment", {"mesh.yaml": mesh_yaml(environments="[dev, prod, dev]")},
     pairs("domains/mesh.yaml:4:27: error DM117 environments[2]: environment 'dev' listed twice", H_REPEAT)),
    ("repeated-external-account", {"mesh.yaml": mesh_yaml(extra='  - {id: "444455556666", name: again}\n')},
     pairs("domains/mesh.yaml:10:10: error DM117 external_accounts[1].id: external account '444455556666' "
           "listed twice", H_REPEAT)),
    # --- warnings of one file ----------------------------------------------------------------------
    ("product-without-schema", {"alpha/products/events.yaml": P("events").replace(
        "schema:\n  format: parquet\n", "")},
     pairs(f"{EVENTS}:1:1: warning DM208 schema: alpha/events publishes no schema",
           "  hint: add a `schema:` block so consumers know what they read")),
    ("domain-without-github", {"alpha/domain.yaml": D("alpha", github=False)},
     pairs("domains/alpha/domain.yaml:6:3: warning DM207 owner.github: domain alpha has no owner.github: "
           "CODEOWNERS cannot require its review",
           "  hint: add `owner.github: \"@org/team\"` so CODEOWNERS can require the owner's review")),
]


@pytest.mark.parametrize(("files", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_resolution_problems(make_mesh: Callable[..., Path], validate_tree: Callable[..., list[str]],
                             files: dict[str, str | None], expected: list[str]) -> None:
    assert validate_tree(make_mesh(files)) == expected


def test_the_base_mesh_is_clean(make_mesh: Callable[..., Path], validate_tree: Callable[..., list[str]]) -> None:
    root = make_mesh()
    assert validate_tree(root) == []
    resolution = load_mesh(str(root), TODAY)
    assert resolution.mesh is not None, [d.format() for d in resolution.report.errors]
    assert list(resolution.mesh.products) == ["alpha/events", "beta/report"]
    assert resolution.mesh.region("alpha") == "eu-west-1"
    assert resolution.mesh.account("beta", "prod") == "200000000002"


def test_an_error_means_no_mesh(make_mesh: Callable[..., Path]) -> None:
    root = make_mesh({"alpha/products/events.yaml": P("events", "status: deprecated\n")})
    resolution = load_mesh(str(root), TODAY)
    assert resolution.mesh is None
    assert [d.code for d in resolution.report.errors] == ["DM114"]


def test_warnings_still_give_a_mesh(make_mesh: Callable[..., Path]) -> None:
    root = make_mesh({"alpha/domain.yaml": D("alpha", github=False)})
    resolution = load_mesh(str(root), TODAY)
    assert resolution.mesh is not None, [d.format() for d in resolution.report.errors]
    assert [d.code for d in resolution.report.warnings] == ["DM207"]


def test_errors_in_several_files_are_all_reported(make_mesh: Callable[..., Path],
                                                  validate_tree: Callable[..., list[str]]) -> None:
    root = make_mesh({
        "alpha/products/events.yaml": P("events", "status: deprecated\n"),
        "beta/products/report.yaml": P("report", "inputs:\n  - product: zeta/x\n"),
        "gamma/domain.yaml": D("gamma", accounts=accounts(dev="100000000003")),
    })
    heads = [line.splitlines()[0] for line in validate_tree(root)]
    assert heads == [
        f"{EVENTS}:11:9: error DM114 deprecation: status is deprecated but there is no deprecation block",
        f"{REPORT}:12:14: error DM200 inputs[0].product: zeta/x: there is no domain 'zeta'",
        "domains/gamma/domain.yaml:11:5: error DM202 aws.accounts: domain gamma has no account for "
        "environment 'prod'",
    ]
